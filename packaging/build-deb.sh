#!/usr/bin/env bash
# build-deb.sh [OUTDIR] - the Debian package wireshark-mailsess_<VERSION>-<rev>_<arch>.deb
# for the Wireshark installed here (libwireshark-dev), then lintian on the
# .deb and the .changes (fails on any error or warning). Default OUTDIR:
# build/deb. Steps: the release tarball (make-tarball.sh) as the .orig
# tarball, unpacked, packaging/debian/ copied in as debian/, then
# `dpkg-buildpackage -us -uc -b`. Needs dpkg-dev, debhelper, lintian and the
# Build-Depends of packaging/debian/control (apt-get build-dep ./ in the
# unpacked tree installs them; .ci/install-deps.sh has them all).
# Prints the .deb's path on its last line.
# SPDX-License-Identifier: GPL-2.0-or-later
set -Eeuo pipefail
trap 'echo "FAIL: $0 line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-build/deb}" && cd "${1:-build/deb}" && pwd)
version=$(head -1 VERSION)
rm -rf "${out:?}"/*
tarball=$(packaging/make-tarball.sh "$out" | tail -1)
mv "$tarball" "$out/mailsess_$version.orig.tar.gz"
tar -xzf "$out/mailsess_$version.orig.tar.gz" -C "$out"
cp -r packaging/debian "$out/mailsess-$version/debian"
(cd "$out/mailsess-$version" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 ||
    { tail -40 "$out/build.log" >&2; echo "FAIL: dpkg-buildpackage (log: $out/build.log)" >&2; exit 1; }
deb=$(ls "$out"/wireshark-mailsess_*.deb)
changes=$(ls "$out"/mailsess_*.changes)
# lintian's exit status with --fail-on: non-zero on any error or warning
if ! lintian --fail-on error,warning --display-info "$deb" "$changes" > "$out/lintian.log" 2>&1; then
    cat "$out/lintian.log" >&2
    echo "FAIL: lintian (log: $out/lintian.log)" >&2
    exit 1
fi
echo "lintian: no error, no warning ($(grep -c '^[IP]:' "$out/lintian.log" || true) info tags, in $out/lintian.log)"
dpkg-deb --field "$deb" Package Version Architecture Multi-Arch Section Depends Recommends
dpkg-deb --contents "$deb" | awk '{print $NF}' | grep -v '/$'
echo "$deb"
