#!/usr/bin/env bash
# root-quickstart.sh - the README's two commands as root, in order:
# ./quickstart.sh (which installs mailsess.so system-wide, as root must) then
# tests/run-all.sh, which must pass with that system copy in place and say
# that it does not test it. Root only.
#
# The system-wide copy must not outlive the run (other work on the machine
# may check that none exists): everything runs in a private mount namespace
# where the system plugin dir is an overlay whose writes go to a temporary
# dir, so quickstart's `cmake --install` is real for the commands inside and
# invisible outside; the script checks both. Environment variables (e.g.
# MAILSESS_FUZZ_SECONDS) pass through to run-all.sh.
# SPDX-License-Identifier: GPL-2.0-or-later
set -Eeuo pipefail
trap 'echo "FAIL: $0 line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
plugins=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
[ -n "$plugins" ] || { echo "tshark -G folders names no global plugin dir (install tshark)" >&2; exit 1; }
sysso=$plugins/epan/mailsess.so

if [ "${MS_IN_NAMESPACE:-}" != 1 ]; then
    [ -e "$sysso" ] && { echo "FAIL: $sysso exists before the test; remove it first" >&2; exit 1; }
    ov=$(mktemp -d "${TMPDIR:-/tmp}/mailsess-overlay.XXXXXX")
    trap 'rm -rf "$ov"' EXIT
    mkdir "$ov/upper" "$ov/work"
    rc=0
    MS_IN_NAMESPACE=1 MS_OVERLAY=$ov unshare --mount --propagation private "$0" "$@" || rc=$?
    if [ -e "$sysso" ]; then
        echo "FAIL: $sysso exists outside the namespace after the run" >&2; rc=1
    fi
    [ "$rc" = 0 ] && echo "ok: quickstart then run-all as root passed; no system copy left outside"
    exit "$rc"
fi

# inside the namespace: the plugin root (plugins/X.Y's parent) as an overlay
root=$(dirname "$plugins")
mount -t overlay overlay -o "lowerdir=$root,upperdir=$MS_OVERLAY/upper,workdir=$MS_OVERLAY/work" "$root"
echo "== ./quickstart.sh (as root; installs into $plugins/epan, an overlay for this run)"
./quickstart.sh
[ -e "$sysso" ] && cmp -s "$sysso" build/plugin/mailsess.so ||
    { echo "FAIL: quickstart did not install build/plugin/mailsess.so as $sysso" >&2; exit 1; }
echo "== tests/run-all.sh (as root, with the system copy in place)"
log=$MS_OVERLAY/run-all.log
tests/run-all.sh 2>&1 | tee "$log"
grep -q "^note: a system-wide $sysso is installed; the tests do not load it" "$log" ||
    { echo "FAIL: run-all.sh did not say that it hides the system copy" >&2; exit 1; }
grep -q "^Testing $PWD/build/plugin/mailsess.so " "$log" ||
    { echo "FAIL: run-all.sh did not say which mailsess.so it tests" >&2; exit 1; }
# the uninstall target removes quickstart's system copy
cmake --build build --target uninstall
[ ! -e "$sysso" ] || { echo "FAIL: the uninstall target left $sysso" >&2; exit 1; }
