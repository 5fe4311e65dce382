#!/usr/bin/env bash
# build-rpm.sh [OUTDIR] - `rpmbuild -bb packaging/rpm/mailsess.spec` against
# the installed Wireshark (its wireshark.pc), with the release tarball as
# Source0, in OUTDIR (default build/rpm; rpmbuild's _topdir). On Debian
# (Debian's rpm package provides rpmbuild) the RPM database knows none of the
# BuildRequires, which are Debian packages here: --nodeps. Prints the files
# of the RPM (rpm -qlp) and its path on the last line.
# SPDX-License-Identifier: GPL-2.0-or-later
set -Eeuo pipefail
trap 'echo "FAIL: $0 line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
cd "$(dirname "$0")/.."
top=$(mkdir -p "${1:-build/rpm}" && cd "${1:-build/rpm}" && pwd)
rm -rf "${top:?}"/*
mkdir -p "$top/SOURCES"
packaging/make-tarball.sh "$top/SOURCES" > /dev/null
nodeps=()
rpm -q rpm > /dev/null 2>&1 || nodeps=(--nodeps)   # rpm not installed as an RPM: not an RPM system
rpmbuild -bb ${nodeps[@]+"${nodeps[@]}"} --define "_topdir $top" packaging/rpm/mailsess.spec \
    > "$top/build.log" 2>&1 ||
    { tail -40 "$top/build.log" >&2; echo "FAIL: rpmbuild (log: $top/build.log)" >&2; exit 1; }
rpmfile=$(ls "$top"/RPMS/*/wireshark-mailsess-*.rpm)
rpm -qpR "$rpmfile"
rpm -qlp "$rpmfile"
echo "$rpmfile"
