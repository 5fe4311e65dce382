#!/usr/bin/env bash
# memory-cases.sh - peak RSS and time of tshark on the two memory cases of
# issue #15, with mailsess, with --disable-protocol mailsess and with no
# plugin at all (the baseline the target is measured against: within 1.3x).
#
#     tests/robustness/memory-cases.sh [SESSIONS [REFUSED]]
#
# Writes (tests/robustness/make-memory-captures.py, deterministic) into
# $MEMORY_WORK (default /var/tmp/mailsess-memory):
#   unanswered.pcap  SESSIONS (default 1000) sequential SMTP sessions, each
#                    with 1,024 unanswered pipelined RCPTs of 500-byte
#                    non-ASCII addresses, closed by a FIN each way (~540 MB
#                    at full scale);
#   refused.pcap     one session of REFUSED (default 100,000) RCPTs with such
#                    addresses, each refused with 550, then QUIT (~56 MB).
# and runs, each under /usr/bin/time (peak RSS; CPU seconds, user + system,
# which a machine shared with other work disturbs less than wall time; the
# smallest of REPEAT runs, default 3), one at a time:
#   summary   tshark -r CAP > /dev/null (no tree asked for)
#   sessions  tshark -r CAP -q -z mailsess,sessions (the session table);
#             its baseline is tshark -r CAP -q -z conv,tcp (a tap that also
#             makes tshark dissect every frame), as -z mailsess,sessions does
#             not exist without the plugin.
# Prints a markdown table (also in $MEMORY_WORK/report.md) with the ratio
# with/without. Slow (minutes at full scale): by hand, not in ctest; the
# ctest case robustness/memory-small runs a small version with a bound.
# Uses the normal build (build/plugin/mailsess.so, or PLUGIN=...).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/integration/tshark-env.sh"

sessions=${1:-1000}
refused=${2:-100000}
repeat=${REPEAT:-3}
plugin=${PLUGIN:-$root/build/plugin/mailsess.so}
work=${MEMORY_WORK:-/var/tmp/mailsess-memory}
[ -f "$plugin" ] || { echo "FAIL: no plugin $plugin (build it first)" >&2; exit 1; }
wsver=$(tshark --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\.[0-9].*/\1/p')

mkdir -p "$work"
python3 "$here/make-memory-captures.py" "$work" "$sessions" "$refused" > /dev/null
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
mkdir -p "$MS_ENV/out"
chmod 1777 "$MS_ENV/out"
for c in unanswered refused; do
    ln "$work/$c.pcap" "$MS_ENV/$c.pcap" 2>/dev/null || cp "$work/$c.pcap" "$MS_ENV/$c.pcap"
    chmod a+r "$MS_ENV/$c.pcap"
done
personal=$(find "$MS_ENV/home" -name mailsess.so)

# run NAME ARGS...: tshark ARGS under /usr/bin/time, REPEAT times; the least
# CPU seconds and the largest peak RSS (kilobytes) in $MS_ENV/out/NAME.v
run() {
    local name=$1 i best="" rss=0 t m
    shift
    for ((i = 0; i < repeat; i++)); do
        MS_TSHARK_WRAP=(/usr/bin/time -o "$MS_ENV/out/$name" -f '%U %S %M')
        ms_tshark "$@" > /dev/null 2> "$MS_ENV/out/$name.err" ||
            { echo "FAIL: tshark $* (see below)" >&2; tail -5 "$MS_ENV/out/$name.err" >&2; exit 1; }
        MS_TSHARK_WRAP=()
        read -r u sy m < <(tail -1 "$MS_ENV/out/$name")
        t=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $rss" > "$MS_ENV/out/$name.v"
}

for c in unanswered refused; do
    run "$c-summary-with" -r "$c.pcap"
    run "$c-sessions-with" -r "$c.pcap" -q -z mailsess,sessions
    run "$c-summary-disabled" -r "$c.pcap" --disable-protocol mailsess
done
mv "$personal" "$MS_ENV/out/mailsess.so.off"
for c in unanswered refused; do
    run "$c-summary-none" -r "$c.pcap"
    run "$c-sessions-none" -r "$c.pcap" -q -z conv,tcp
done
mv "$MS_ENV/out/mailsess.so.off" "$personal"

row() { # case mode label
    local w d n
    read -r w_t w_m < "$MS_ENV/out/$1-$2-with.v"
    read -r n_t n_m < "$MS_ENV/out/$1-$2-none.v"
    local dis="-"
    if [ -f "$MS_ENV/out/$1-$2-disabled.v" ]; then
        read -r d_t d_m < "$MS_ENV/out/$1-$2-disabled.v"
        dis="$((d_m / 1024)) MB, $d_t s"
    fi
    awk -v c="$3" -v wm="$w_m" -v nm="$n_m" -v wt="$w_t" -v nt="$n_t" -v dis="$dis" \
        -v frames="$4" -v size="$5" 'BEGIN {
        printf "| %s | %s | %s | %d MB | %d MB | %.2fx | %.1f s | %.1f s | %.2fx | %s |\n",
            c, size, frames, wm / 1024, nm / 1024, wm / nm, wt, nt, (nt > 0 ? wt / nt : 0), dis }'
}
frames() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }
size() { du -m "$1" | awk '{print $1 " MB"}'; }
{
    echo "| case | capture | frames | RSS with | RSS without | RSS ratio | CPU with | CPU without | CPU ratio | --disable-protocol mailsess (RSS, CPU) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    fu=$(frames "$work/unanswered.pcap"); su=$(size "$work/unanswered.pcap")
    fr=$(frames "$work/refused.pcap"); sr=$(size "$work/refused.pcap")
    row unanswered summary "$sessions sessions x 1,024 unanswered RCPTs, \`tshark -r\`" "$fu" "$su"
    row unanswered sessions "the same, \`-q -z mailsess,sessions\` (without: \`-z conv,tcp\`)" "$fu" "$su"
    row refused summary "1 session, $refused refused RCPTs, \`tshark -r\`" "$fr" "$sr"
    row refused sessions "the same, \`-q -z mailsess,sessions\` (without: \`-z conv,tcp\`)" "$fr" "$sr"
} | tee "$work/report.md"
