#!/usr/bin/env bash
# fresh-machine.sh [root|user]... - the README's two commands on a fresh
# Debian 12, as a new user would run them: per mode, a new debootstrap chroot
# (/var/tmp/mailsess-install/fresh-MODE, removed first), a clean clone of
# this repository's HEAD, then `./quickstart.sh && tests/run-all.sh`
#   root: as root (quickstart installs system-wide, inside the chroot)
#   user: as a new user 'tester' with sudo rights (quickstart: install-user)
# Default: both, one after the other. Root only; by hand (about 30 min a
# mode on 2 cores); the last result is in the README. Logs: CHROOT.log.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (chroot)" >&2; exit 2; }
. "$here/chroot-lib.sh"
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(root user)
base=${MAILSESS_INSTALL_DIR:-/var/tmp/mailsess-install}
bundle=$(mktemp "${TMPDIR:-/tmp}/mailsess-bundle.XXXXXX")
trap 'rm -f "$bundle"; ch_cleanup' EXIT
git -C "$repo" bundle create "$bundle" HEAD 2> /dev/null
echo "testing commit $(git -C "$repo" rev-parse --short HEAD)"
overall=0
for mode in "${modes[@]}"; do
    root=$base/fresh-$mode
    log=$root.log
    t0=$(date +%s)
    ch_make bookworm "$root"
    trap 'rm -f "$bundle"; ch_cleanup' EXIT
    cp "$bundle" "$root/tmp/mailsess.bundle"
    # a new user's machine: git and sudo, nothing else of ours
    ch_run "$root" "apt-get update -q && apt-get install -y -q --no-install-recommends git sudo ca-certificates" > "$log" 2>&1
    case $mode in
    root)
        cmd="git clone -q /tmp/mailsess.bundle /root/mailsess && cd /root/mailsess && git checkout -q -B main HEAD &&
             ./quickstart.sh && tests/run-all.sh" ;;
    user)
        ch_run "$root" "useradd -m -s /bin/bash tester && echo 'tester ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/tester && chmod 440 /etc/sudoers.d/tester" >> "$log" 2>&1
        cmd="su - tester -c 'git clone -q /tmp/mailsess.bundle mailsess && cd mailsess && git checkout -q -B main HEAD &&
             ./quickstart.sh && tests/run-all.sh'" ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
    chmod 644 "$root/tmp/mailsess.bundle"
    t1=$(date +%s)
    rc=0
    ch_run "$root" "$cmd" >> "$log" 2>&1 || rc=$?
    t2=$(date +%s)
    qs=$(grep -c '^tshark loads ' "$log" || true)
    if [ "$rc" = 0 ]; then
        echo "ok [$mode]: quickstart then run-all passed ($(( t2 - t1 )) s; chroot $(( t1 - t0 )) s); $(grep -E '^(100% tests passed|tshark loads|Testing|note:)' "$log" | tr '\n' ';')"
    else
        echo "FAIL [$mode]: exit $rc after $(( t2 - t1 )) s (quickstart reached the load check: $qs); log $log"
        grep -E 'FAIL|Error|failed' "$log" | head -20
        overall=1
    fi
    ch_cleanup
done
exit "$overall"
