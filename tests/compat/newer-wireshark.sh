#!/usr/bin/env bash
# newer-wireshark.sh - build and test mailsess against newer Wireshark
# releases in Debian chroots, from a fresh copy of the repo (not in CI: the
# chroots come from Debian's archive, sid changes every day).
#
#   trixie chroot ($COMPAT_DIR/trixie): Wireshark 4.4, glib 2.84, gcc 14
#   sid    chroot ($COMPAT_DIR/sid):    Wireshark 4.6, glib 2.90, gcc 16
# COMPAT_DIR defaults to /var/tmp/mailsess-compat (about 1.5 GB).
#
# Usage (root): tests/compat/newer-wireshark.sh --setup   # first time: makes the chroots
#               tests/compat/newer-wireshark.sh [--patch FILE] [--suites "trixie sid"] [--host]
#                                               [--no-tests] [--src DIR]
#   --patch FILE  apply FILE (git apply) to the copy first; skipped with a
#                 note when it is already in the source (may be repeated)
#   --host        also build/test the same copy on the host (Wireshark 4.0)
#                 as a control: a failure there too is not a version problem
#   --no-tests    configure and build only
#   --src DIR     repo to copy (default: the one holding this script; it is
#                 only read)
#   --setup       make a missing chroot (debootstrap + apt-get, see below)
#
# Per target it runs, on its own copy at <root>/src:
#   cmake -S /src -B /src/build -DMAILSESS_WERROR=ON && cmake --build /src/build
#   ctest -R '^unit/'   (must pass)
#   ctest -E '^unit/'   (tshark integration: golden files come from tshark 4.0,
#                        so diffs are expected on 4.4/4.6)
#   check-case.sh --update on a scratch copy of test-captures, then
#   classify-diffs.py (the copy's own, which reads its golden format): a
#   summary of the kinds of golden-file differences, per file and field
#   tshark -G plugins as a non-root user with the plugin in
#   ~/.local/lib/wireshark/plugins/X.Y/epan
# Logs: $COMPAT_DIR/logs/<stamp>/<target>/ (also $COMPAT_DIR/logs/latest).
# Exit status: 0 when every target configures, builds warning-free with
# -Werror, passes its unit tests and loads the plugin; integration diffs
# alone do not fail the run.
#
# The chroots were made with (once, as root):
#   debootstrap --variant=minbase trixie $COMPAT_DIR/trixie http://deb.debian.org/debian
#   debootstrap --variant=minbase sid    $COMPAT_DIR/sid    http://deb.debian.org/debian
#   echo 'Acquire::Check-Valid-Until "false";' > $COMPAT_DIR/sid/etc/apt/apt.conf.d/99no-valid-until
#   chroot <root> apt-get install -y --no-install-recommends build-essential cmake \
#       pkg-config libglib2.0-dev wireshark-dev libwireshark-dev libgcrypt20-dev tshark libcmocka-dev \
#       util-linux bsdextrautils python3
# (run with --setup to redo that for a missing chroot)
# SPDX-License-Identifier: GPL-2.0-or-later
set -uo pipefail

W=${COMPAT_DIR:-/var/tmp/mailsess-compat}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SUITES="trixie sid"
PATCHES=()
HOST=0
TESTS=1
SETUP=0
while [ $# -gt 0 ]; do
    case $1 in
    --patch) PATCHES+=("$(readlink -f "$2")"); shift 2 ;;
    --suites) SUITES=$2; shift 2 ;;
    --host) HOST=1; shift ;;
    --no-tests) TESTS=0; shift ;;
    --src) SRC=$2; shift 2 ;;
    --setup) SETUP=1; shift ;;
    -h|--help) sed -n '2,45p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (chroot)" >&2; exit 2; }

PKGS="build-essential cmake pkg-config libglib2.0-dev wireshark-dev libwireshark-dev libgcrypt20-dev tshark libcmocka-dev util-linux bsdextrautils python3 time"
CPATH_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
           HOME=/root LC_ALL=C.UTF-8 TERM=dumb)

stamp=$(date +%Y%m%d-%H%M%S)
LOGS=$W/logs/$stamp
mkdir -p "$LOGS"
ln -sfn "$LOGS" "$W/logs/latest"

MOUNTED=()
cleanup() {
    local m
    for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
}
trap cleanup EXIT

setup_chroot() {
    local suite=$1 root=$W/$1
    command -v debootstrap >/dev/null || apt-get install -y debootstrap
    debootstrap --variant=minbase "$suite" "$root" http://deb.debian.org/debian
    echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99no-valid-until"
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount_proc "$root"
    chroot "$root" "${CPATH_ENV[@]}" DEBIAN_FRONTEND=noninteractive \
        bash -c "apt-get update && apt-get install -y --no-install-recommends $PKGS"
}

mount_proc() {
    local root=$1
    if ! mountpoint -q "$root/proc"; then
        mount -t proc proc "$root/proc" && MOUNTED+=("$root/proc")
    fi
}

# 1. One snapshot of the repo for every target (the repo is only read).
SNAP=$LOGS/snapshot
mkdir -p "$SNAP"
(cd "$SRC" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$SNAP"
(cd "$SNAP" && find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum) > "$LOGS/snapshot.sha256"
echo "snapshot of $SRC: $(sha256sum < "$LOGS/snapshot.sha256" | cut -c1-16) ($(wc -l < "$LOGS/snapshot.sha256") files)"
for PATCH in "${PATCHES[@]}"; do
    if (cd "$SNAP" && git apply --check "$PATCH" 2>/dev/null); then
        (cd "$SNAP" && git apply "$PATCH") && echo "applied $PATCH"
    elif (cd "$SNAP" && git apply -R --check "$PATCH" 2>/dev/null); then
        echo "note: $PATCH is already in the source, not applied again"
    else
        echo "ERROR: $PATCH does not apply to the current source:" >&2
        (cd "$SNAP" && git apply --check -v "$PATCH") >&2
        exit 1
    fi
done

overall=0
SUMMARY=$LOGS/summary.txt
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

# run_in TARGET CMD: CMD (a bash string) in the target's root, cwd /
run_in() {
    local target=$1; shift
    if [ "$target" = host ]; then
        (cd / && "${CPATH_ENV[@]}" bash -c "$*")
    else
        chroot "$W/$target" "${CPATH_ENV[@]}" bash -c "cd / && $*"
    fi
}

test_target() {
    local t=$1 root src L
    if [ "$t" = host ]; then root=""; src=$W/host/src; else root=$W/$t; src=/src; fi
    L=$LOGS/$t
    mkdir -p "$L"
    if [ "$t" != host ]; then
        if [ ! -x "$root/usr/bin/tshark" ]; then
            if [ "$SETUP" = 1 ]; then setup_chroot "$t" > "$L/setup.log" 2>&1; else
                say "[$t] chroot $root missing or incomplete (re-run with --setup)"; overall=1; return; fi
        fi
        mount_proc "$root"
        # a package added to PKGS since the chroot was made
        if ! run_in "$t" "dpkg -s $PKGS >/dev/null 2>&1"; then
            run_in "$t" "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS" \
                > "$L/packages.log" 2>&1 || { say "[$t] apt-get install failed (see $L/packages.log)"; overall=1; return; }
        fi
    fi
    rm -rf "$root$src"
    mkdir -p "$root$src"
    cp -a "$SNAP/." "$root$src/"

    local wsver glibver ccver
    wsver=$(run_in "$t" "tshark --version 2>/dev/null | head -1" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
    glibver=$(run_in "$t" "pkg-config --modversion glib-2.0")
    ccver=$(run_in "$t" "cc -dumpfullversion")
    say "== [$t] Wireshark $wsver, glib $glibver, gcc $ccver"

    if ! run_in "$t" "cmake -S $src -B $src/build -DMAILSESS_WERROR=ON" > "$L/configure.log" 2>&1; then
        say "[$t] CONFIGURE FAILED (see $L/configure.log):"; grep -E "Error|error" "$L/configure.log" | head -20 | tee -a "$SUMMARY"
        overall=1; return
    fi
    run_in "$t" "cmake --build $src/build -j$(nproc)" > "$L/build.log" 2>&1
    local brc=$? nw ne
    nw=$(grep -c 'warning:' "$L/build.log"); ne=$(grep -c 'error:' "$L/build.log")
    if [ $brc != 0 ]; then
        say "[$t] BUILD FAILED: $ne error(s), $nw warning(s) (see $L/build.log):"
        grep -E 'error:|warning:' "$L/build.log" | sed "s|$src/||" | sort -u | head -40 | tee -a "$SUMMARY"
        overall=1; return
    fi
    say "[$t] build ok with -Werror ($nw warnings)"

    # the plugin loads in this tshark, for a non-root user, from ~/.local
    local mm=${wsver%.*}
    # (chroots: a user mstest made there; host: nobody with a scratch HOME,
    # so that nothing is added to the host's users)
    local user=mstest home=/home/mstest
    if [ "$t" = host ]; then user=nobody; home=$(mktemp -d /tmp/mailsess-plugcheck.XXXXXX); chmod 755 "$home"; fi
    run_in "$t" "[ $user = nobody ] || id $user >/dev/null 2>&1 || useradd -m -s /bin/bash $user
        d=$home/.local/lib/wireshark/plugins/$mm/epan
        rm -rf $home/.local/lib/wireshark; mkdir -p \$d; cp $src/build/plugin/mailsess.so \$d/
        chown -R $user: $home/.local
        cd $home && runuser -u $user -- env HOME=$home tshark -G plugins" > "$L/plugins.log" 2>&1
    if grep -q "^mailsess.so.*$home/.local/lib/wireshark/plugins/$mm/epan/mailsess.so" "$L/plugins.log"; then
        say "[$t] plugin loads as user $user: $(grep '^mailsess.so' "$L/plugins.log" | tr -s '\t ' ' ')"
    else
        say "[$t] PLUGIN DOES NOT LOAD as user $user (see $L/plugins.log)"; overall=1
    fi
    grep -iE 'warn|err|fail' "$L/plugins.log" | grep -v '^mailsess' | head -5 | sed "s/^/[$t]   tshark: /" | tee -a "$SUMMARY"
    run_in "$t" "rm -rf $home/.local/lib/wireshark"
    if [ "$t" = host ]; then rm -rf "$home"; fi

    [ "$TESTS" = 1 ] || return
    if run_in "$t" "ctest --test-dir $src/build -R '^unit/' --output-on-failure" > "$L/ctest-unit.log" 2>&1; then
        say "[$t] unit tests: $(grep -E 'tests passed' "$L/ctest-unit.log")"
    else
        say "[$t] UNIT TESTS FAILED: $(grep -E 'tests passed' "$L/ctest-unit.log")"
        grep -E '\[  (ERROR|FAILED|LINE) ' "$L/ctest-unit.log" | sort -u | head -10 | tee -a "$SUMMARY"
        overall=1
    fi
    run_in "$t" "ctest --test-dir $src/build -E '^unit/' --output-on-failure -j$(nproc)" > "$L/ctest-integration.log" 2>&1
    say "[$t] integration tests: $(grep -E 'tests passed' "$L/ctest-integration.log")"
    grep -oE '^FAIL( \[[^]]*\])?: .*' "$L/ctest-integration.log" | sed -E 's/^FAIL \[[^]]*\]/FAIL/' |
        sort | uniq -c | sort -rn | sed "s/^/[$t]   /" | tee -a "$SUMMARY"

    # kinds of golden-file differences (outputs regenerated on a scratch copy)
    run_in "$t" "rm -rf $src/actual-captures && cp -a $src/test-captures $src/actual-captures
        for d in $src/actual-captures/*/; do
            [ -f \$d/capture.pcap ] || [ -f \$d/capture.pcapng ] || continue
            bash $src/tests/integration/check-case.sh $src/build/plugin/mailsess.so $mm \$d --update >/dev/null 2>&1 || true
        done
        python3 $src/tests/compat/classify-diffs.py $src/test-captures $src/actual-captures" > "$L/diff-kinds.txt" 2>&1
    say "[$t] golden-file differences by kind ($L/diff-kinds.txt):"
    grep -v '^      e\.g\.' "$L/diff-kinds.txt" | head -40 | sed "s/^/[$t]   /" | tee -a "$SUMMARY"
}

for s in $SUITES; do test_target "$s"; done
if [ "$HOST" = 1 ]; then test_target host; fi

echo
echo "summary: $SUMMARY (logs in $LOGS)"
exit $overall
