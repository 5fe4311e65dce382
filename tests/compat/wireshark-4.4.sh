#!/usr/bin/env bash
# wireshark-4.4.sh [CHROOT_DIR] - CI's Wireshark 4.4 run: a fresh Debian 13
# (trixie: Wireshark 4.4, glib 2.84, gcc 14) chroot made here with
# debootstrap (default /var/tmp/mailsess-ci/trixie, removed first and after),
# the build dependencies from Debian, a copy of the tracked files of this
# tree, then in the chroot as root:
#   cmake -DMAILSESS_WERROR=ON (warnings are errors); cmake --build; ctest
# the whole ctest: unit tests and the tshark tests on every capture against
# the same golden files as 4.0 (booleans are normalised by check-case.sh).
# It fails unless the plugin was built for 4.4 and every test passes.
# (4.6, Debian sid, changes daily: tests/compat/newer-wireshark.sh, by hand.)
# SPDX-License-Identifier: GPL-2.0-or-later
set -Eeuo pipefail
trap 'echo "FAIL: $0 line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=${1:-/var/tmp/mailsess-ci/trixie}
[ "$(id -u)" = 0 ] || { echo "run as root (chroot)" >&2; exit 2; }
. "$repo/tests/install/chroot-lib.sh"
# the build and test dependencies of .ci/install-deps.sh, without the fuzzer's
pkgs="build-essential cmake pkg-config libglib2.0-dev wireshark-dev libwireshark-dev
      libgcrypt20-dev tshark libcmocka-dev util-linux bsdextrautils python3 time"
log=$root.log
mkdir -p "$(dirname "$root")"
t0=$(date +%s)
ch_make trixie "$root"
trap 'ch_cleanup; ch_remove "$root"' EXIT
ch_run "$root" "apt-get update -q && apt-get install -y -q --no-install-recommends $(echo $pkgs)" > "$log" 2>&1 ||
    { tail -30 "$log" >&2; echo "FAIL: installing the build dependencies in trixie" >&2; exit 1; }
t1=$(date +%s)
echo "trixie chroot with $(ch_run "$root" "dpkg-query -W -f='\${Version}' tshark") tshark: $(( t1 - t0 )) s"
mkdir "$root/src"
(cd "$repo" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$root/src"
rc=0
ch_run "$root" "cmake -S /src -B /src/build -DMAILSESS_WERROR=ON && cmake --build /src/build -j$(nproc) &&
    ctest --test-dir /src/build --output-on-failure -j$(nproc)" >> "$log" 2>&1 || rc=$?
t2=$(date +%s)
grep -q '^-- Building mailsess for Wireshark 4\.4\.' "$log" ||
    { echo "FAIL: not built against Wireshark 4.4 ($(grep -m1 'Building mailsess' "$log" || echo 'no plugin'))" >&2; rc=1; }
warnings=$(grep -c 'warning:' "$log" || true)
[ "$warnings" = 0 ] || { grep 'warning:' "$log" | head >&2; rc=1; }
summary=$(grep -E '^[0-9]+% tests passed' "$log" || echo "no ctest summary")
if [ "$rc" = 0 ]; then
    echo "ok: Wireshark 4.4: $(grep -m1 'Building mailsess' "$log" | sed 's/^-- //'), 0 warnings, $summary ($(( t2 - t1 )) s)"
else
    grep -E 'FAIL|Failed|error' "$log" | head -30 >&2
    echo "FAIL: Wireshark 4.4 build or tests ($summary; log $log)" >&2
fi
exit "$rc"
