#!/usr/bin/env bash
# corrupt-captures.sh N [PLUGIN_SO]
#
# Corrupted and random captures through the real tshark with mailsess, single
# pass and -2, with -V so the whole tree is rendered:
#   - for every test capture (test-captures/*/capture.pcap*), N variants by
#     `editcap -E 0.03 --seed S` (odd variants with -o 54: the Ethernet/IPv4/TCP
#     headers are left alone and the errors land in the payload, even ones
#     anywhere in the frame), the seed fixed per capture and variant;
#   - every test capture truncated by `editcap -s` at each of
#     MAILSESS_SNAPLENS (default "60 90 150": a few payload bytes, a line, a
#     few lines);
#   - 4+N random captures on the mail ports (make-random-mail.py, seeded).
# The case's keylog.txt and tshark-options are used for its variants.
# tshark's start-up costs far more than a small capture: the variants of one
# capture get their own IP addresses (shift-addresses.py) and are read in one
# tshark run (concatenated, up to 64 a file); when such a run has a finding,
# each of its variants is run again on its own to name the culprit.
# PLUGIN_SO: an ASan build (-DMAILSESS_SANITIZE=ON) runs under the sanitizers
# (lib.sh; by default with MAILSESS_ASAN_HEAP=native: GSlice and wmem blocks are
# not made single mallocs, for half the start-up time), a normal build as is.
# Default: build-asan/plugin/mailsess.so when it exists, else build/plugin/mailsess.so.
# A finding: a sanitizer report (a leak: only when allocated from mailsess), a
# "Dissector bug" or malformed packet in MAILSESS (or a dissector bug only with
# mailsess loaded), anything tshark logs about mailsess, a timeout, or an exit
# status other than tshark's with mailsess disabled.
# Captures with a finding are kept in MAILSESS_KEEP_DIR (default
# /tmp/mailsess-corrupt-findings) with tshark's output.
# MAILSESS_SEED (default 1) shifts every seed, to explore other variants;
# MAILSESS_CASES="name ..." takes only these test captures.
# Prints: "corrupt-captures: V variants in C captures, R runs, F findings".
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

n=${1:?usage: corrupt-captures.sh N [PLUGIN_SO]}
plugin=${2:-}
if [ -z "$plugin" ]; then
    plugin=$(rb_plugin_default asan)
    [ -f "$plugin" ] || plugin=$(rb_plugin_default plain)
fi
mode=plain
[ "$(nm -D --undefined-only "$plugin" 2> /dev/null | grep -c ' __asan_init')" != 0 ] && mode=asan
snaplens=${MAILSESS_SNAPLENS:-60 90 150}
seed0=${MAILSESS_SEED:-1}
export MAILSESS_KEEP_DIR=${MAILSESS_KEEP_DIR:-/tmp/mailsess-corrupt-findings}
# half the start-up cost; MAILSESS_ASAN_HEAP=simple for GSlice/wmem blocks under ASan too
export MAILSESS_ASAN_HEAP=${MAILSESS_ASAN_HEAP:-native}

start=$SECONDS
rb_setup "$mode" "$plugin"
echo "corrupt-captures: $plugin ($mode${MAILSESS_ASAN_HEAP:+, heap $MAILSESS_ASAN_HEAP}), N=$n, snaplens $snaplens, seed $seed0"
v="$MS_ENV/variants"
mkdir -p "$v/parts"
nvariants=0
groups=()    # "merged file<TAB>case dir (keylog, options) or -"

# group NAME CASE_DIR PART...: concatenates the parts (each with its own
# addresses) into one capture for one tshark run; at most 64 parts a file
group() {
    local name=$1 dir=$2 i=0 chunk=()
    shift 2
    while [ $# -gt 0 ]; do
        chunk=("${@:1:64}")
        shift $(( $# < 64 ? $# : 64 ))
        i=$((i + 1))
        mergecap -a -F pcap -w "$v/$name.g$i.pcap" "${chunk[@]}"
        groups+=("$v/$name.g$i.pcap	$dir	${chunk[*]}")
    done
}

# part BASE K OUT [editcap options]: a variant of BASE, addresses shifted by K
part() {
    local base=$1 k=$2 out=$3
    shift 3
    python3 "$rb_here/shift-addresses.py" "$base" "$v/tmp.pcap" "$k"
    editcap -F pcap "$@" "$v/tmp.pcap" "$out" > /dev/null 2>&1
    nvariants=$((nvariants + 1))
}

cases=()
for c in ${MAILSESS_CASES:-}; do cases+=("$rb_root/test-captures/$c"); done
[ ${#cases[@]} -gt 0 ] || cases=("$rb_root"/test-captures/*/)
for dir in "${cases[@]}"; do
    dir=${dir%/}
    name=$(basename "$dir")
    cap=""
    for c in capture.pcap capture.pcapng; do [ -f "$dir/$c" ] && cap=$dir/$c; done
    [ -n "$cap" ] || continue
    cp -r "$dir" "$MS_ENV/$name"  # keylog.txt, relative to $MS_ENV as in check-case.sh
    editcap -F pcap "$cap" "$v/base.pcap"
    # a seed per capture and variant that does not depend on the set of captures
    sum=$(printf '%s' "$name" | cksum | cut -d' ' -f1)
    parts=()
    k=0
    for i in $(seq 1 "$n"); do
        seed=$(( (sum + 1000 * seed0 + i) % 2147483647 ))
        off=()
        [ $((i % 2)) = 1 ] && off=(-o 54)
        k=$((k % 255 + 1))
        part "$v/base.pcap" "$k" "$v/parts/$name.e$i.pcap" -E 0.03 --seed "$seed" ${off[@]+"${off[@]}"}
        parts+=("$v/parts/$name.e$i.pcap")
    done
    for s in $snaplens; do
        k=$((k % 255 + 1))
        part "$v/base.pcap" "$k" "$v/parts/$name.s$s.pcap" -s "$s"
        parts+=("$v/parts/$name.s$s.pcap")
    done
    [ ${#parts[@]} = 0 ] || group "$name" "$dir" "${parts[@]}"
done
parts=()
for i in $(seq 1 $((4 + n))); do
    python3 "$rb_here/make-random-mail.py" "$v/base.pcap" $((seed0 * 1000 + i))
    part "$v/base.pcap" "$i" "$v/parts/random.r$i.pcap"
    parts+=("$v/parts/random.r$i.pcap")
done
group random - "${parts[@]}"
rm -f "$v/base.pcap" "$v/tmp.pcap"
chmod -R a+rX "$MS_ENV"

spawn_all() {  # spawn_all ENTRY...: each capture, single pass and -2
    local entry file dir tag
    for entry in "$@"; do
        IFS='	' read -r file dir _ <<< "$entry"
        tag=$(basename "$file" .pcap)
        rb_opts=()
        [ "$dir" != - ] && rb_case_opts "$dir" "$(basename "$dir")"
        rb_spawn "$tag.1pass" "${file#"$MS_ENV"/}" ${rb_opts[@]+"${rb_opts[@]}"} -V
        rb_spawn "$tag.2pass" "${file#"$MS_ENV"/}" ${rb_opts[@]+"${rb_opts[@]}"} -V -2
    done
}
spawn_all "${groups[@]}"
rb_collect
runs=$rb_runs findings=$rb_findings noise=$rb_noise

# A group with a finding: which of its variants has it on its own? A group
# whose findings are all FINDING-SOFT (a dissector bug of another protocol
# that the run without mailsess, with Decode As on the ports mailsess took,
# does not have: Decode As covers every capture of the group) counts only as
# many findings as its variants have on their own.
if [ "$findings" != 0 ]; then
    mkdir -p "$MAILSESS_KEEP_DIR"
    again=() soft=() hard=0
    for entry in "${groups[@]}"; do
        IFS='	' read -r file dir members <<< "$entry"
        tag=$(basename "$file" .pcap)
        hit=0 is_hard=0
        for t in "${rb_failed_tags[@]}"; do [ "${t%.*pass}" = "$tag" ] && hit=1; done
        for t in "${rb_hard_tags[@]+"${rb_hard_tags[@]}"}"; do [ "${t%.*pass}" = "$tag" ] && is_hard=1; done
        [ "$hit" = 1 ] || continue
        cp "$file" "$MAILSESS_KEEP_DIR/"
        for t in "${rb_hard_tags[@]+"${rb_hard_tags[@]}"}"; do [ "${t%.*pass}" = "$tag" ] && hard=$((hard + 1)); done
        [ "$is_hard" = 1 ] || soft+=($members)
        for m in $members; do again+=("$m	$dir"); done
    done
    echo "corrupt-captures: each variant of the groups with a finding on its own:"
    spawn_all "${again[@]}"
    rb_collect
    from_soft=0
    for t in "${rb_failed_tags[@]+"${rb_failed_tags[@]}"}"; do
        cp "$v/parts/${t%.*pass}.pcap" "$MAILSESS_KEEP_DIR/"
        for m in "${soft[@]+"${soft[@]}"}"; do
            [ "$(basename "$m" .pcap)" = "${t%.*pass}" ] && from_soft=$((from_soft + 1))
        done
    done
    echo "corrupt-captures: $rb_findings runs of single variants with a finding; the captures are in $MAILSESS_KEEP_DIR"
    [ "$findings" = "$((hard + from_soft))" ] ||
        echo "corrupt-captures: $((findings - hard)) soft findings in groups, $from_soft of them on a variant on its own"
    findings=$((hard + from_soft))
fi
echo "corrupt-captures: $nvariants variants in ${#groups[@]} captures, $runs runs, $findings findings ($noise reports outside mailsess not counted), $((SECONDS - start)) s"
[ "$findings" = 0 ]
