#!/usr/bin/env bash
# check-versions.sh [MAILSESS_SO] - the one version number, in VERSION, is
# the one that every other place says: the top entries of
# packaging/debian/changelog (upstream part) and CHANGELOG.md, the Version of
# packaging/rpm/mailsess.spec and, given a built mailsess.so, its
# plugin_version (what tshark -G plugins shows). Run by ctest (packaging/*).
# To release a new version: edit VERSION, then add the CHANGELOG.md, spec
# %changelog and debian/changelog entries until this passes.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

version=$(head -1 VERSION)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "FAIL: VERSION ('$version') is not X.Y.Z" >&2; exit 1; }

# debian/changelog: "wireshark-mailsess (0.1.0-1) unstable; urgency=medium"
deb=$(sed -n '1s/^[a-z0-9.+-]* (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[ "${deb%-*}" = "$version" ] || bad "packaging/debian/changelog's top entry is $deb, VERSION is $version"
src=$(sed -n '1s/^\([a-z0-9.+-]*\) .*/\1/p' packaging/debian/changelog)
grep -qx "Source: $src" packaging/debian/control || bad "debian/changelog names the source $src, debian/control does not"

spec=$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/mailsess.spec)
[ "$spec" = "$version" ] || bad "packaging/rpm/mailsess.spec has Version $spec, VERSION is $version"
specchg=$(sed -n '/^%changelog/,$p' packaging/rpm/mailsess.spec | sed -n '2s/.* - \([^ -]*\)-[^ ]*$/\1/p')
[ "$specchg" = "$version" ] || bad "the spec's top %changelog entry is for '$specchg', VERSION is $version"

chg=$(sed -n 's/^## \([0-9][^ ]*\).*/\1/p' CHANGELOG.md | head -1)
[ "$chg" = "$version" ] || bad "CHANGELOG.md's top release is '$chg', VERSION is $version"

if [ $# -gt 0 ]; then
    so=$(readlink -f "$1")
    # plugin_version is a char array in mailsess.so (the NEEDED libwireshark resolves)
    got=$(python3 -c 'import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
print(ctypes.cast(ctypes.addressof(ctypes.c_char.in_dll(lib, "plugin_version")), ctypes.c_char_p).value.decode())' "$so")
    [ "$got" = "$version" ] || bad "$so says plugin_version $got, VERSION is $version"
fi
[ "$fail" = 0 ] && echo "ok: version $version everywhere${1:+ (and in $1)}"
exit "$fail"
