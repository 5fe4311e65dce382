#!/usr/bin/env bash
# bench/run.sh [N] - tshark with mailsess against the same tshark without it.
#
# Builds the plugin (build-bench/), makes two captures with bench/make-capture.py
# (N sessions, default 10000, for wall clock and peak RSS; BENCH_SMALL sessions,
# default 700, for callgrind), and for each mode runs tshark with the plugin
# enabled and with `--disable-protocol mailsess` (the baseline: the plugin then
# wants no fields, so tshark behaves as plain tshark). Prints a markdown table.
#
#   instructions: callgrind, only inside epan_dissect_run_with_taps (dissection,
#                 no start-up, no output), small capture: deterministic
#   wall:         median of BENCH_REPEAT (default 3) runs, big capture, runs of
#                 the two sides interleaved
#   peak RSS:     /usr/bin/time "Maximum resident set size", median, big capture
#
# Environment: BENCH_SMALL, BENCH_REPEAT, BENCH_BUILD_DIR (default build-bench),
# BENCH_REF=<commit> (measure a clean `git archive` of that commit, plugin and
# test captures, instead of the working tree), BENCH_SRC=DIR (build another
# source tree, e.g. a copy with a change to try),
# BENCH_KEEP=DIR keeps the callgrind output files (for callgrind_annotate and
# bench/cg-diff.py) and the raw measurements there, BENCH_NO_CALLGRIND=1 skips
# callgrind, BENCH_NO_WALL=1 skips wall clock and RSS, BENCH_SKIP=case,case
# leaves test cases out of the captures (make-capture.py --skip). As root, tshark runs as 'nobody' with a private HOME (tshark
# ignores personal plugin dirs for root), like tests/integration/tshark-env.sh.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
N=${1:-10000}
SMALL=${BENCH_SMALL:-700}
REPEAT=${BENCH_REPEAT:-3}
BUILD=${BENCH_BUILD_DIR:-$root/build-bench}
KEEP=${BENCH_KEEP:-}

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

for t in tshark capinfos cmake python3 setpriv; do
    command -v "$t" >/dev/null || die "$t is missing"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
if [ -z "${BENCH_NO_CALLGRIND:-}" ]; then
    command -v valgrind >/dev/null || die "valgrind is missing (apt-get install valgrind), or set BENCH_NO_CALLGRIND=1"
fi
[[ $N =~ ^[0-9]+$ && $SMALL =~ ^[0-9]+$ && $REPEAT =~ ^[0-9]+$ ]] || die "N, BENCH_SMALL, BENCH_REPEAT must be numbers"

# ---- private tshark environment ---------------------------------------------
wsver=$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$wsver" ] || die "cannot read the tshark version"
work=$(mktemp -d "${TMPDIR:-/tmp}/mailsess-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# ---- build the code to measure ------------------------------------------------
# The working tree by default; BENCH_REF=<commit> measures a clean export of that
# commit instead (its plugin/ and test-captures/), e.g. while plugin/ is mid-edit;
# BENCH_SRC=DIR builds that source tree (and takes its test-captures/).
src=$root
if [ -n "${BENCH_SRC:-}" ]; then
    src=$(cd "$BENCH_SRC" && pwd) || die "no $BENCH_SRC"
    BUILD=$work/build
    built="the source tree $src"
elif [ -n "${BENCH_REF:-}" ]; then
    src=$work/src
    mkdir -p "$src"
    git -C "$root" archive "$BENCH_REF" | tar -x -C "$src" || die "cannot export $BENCH_REF"
    BUILD=$work/build
    built="$BENCH_REF = $(git -C "$root" rev-parse --short "$BENCH_REF")"
else
    built="commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
    git -C "$root" diff --quiet HEAD -- plugin 2>/dev/null || built="$built + uncommitted changes in plugin/"
fi
mkdir -p "$BUILD"
log "building the plugin ($built) in $BUILD"
if ! { cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILSESS_BUILD_TESTS=OFF &&
       cmake --build "$BUILD" -j2; } > "$BUILD/bench-build.log" 2>&1; then
    tail -30 "$BUILD/bench-build.log" >&2
    die "build failed (log: $BUILD/bench-build.log)"
fi
plugin=$BUILD/plugin/mailsess.so
[ -f "$plugin" ] || die "no $plugin after the build"
cases_dir=$src/test-captures

mkdir -p "$work/home/.local/lib/wireshark/plugins/$wsver/epan" "$work/home/.config/wireshark" "$work/out"
cp "$plugin" "$work/home/.local/lib/wireshark/plugins/$wsver/epan/"
chmod -R a+rX "$work"
chmod 777 "$work/out"

# as_user CMD...: runs CMD in $work as nobody (when root) with the private HOME.
as_user() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$work" && exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
            env -i PATH="$PATH" HOME="$work/home" LC_ALL=C.UTF-8 TZ=UTC "$@")
    else
        (cd "$work" && exec env -i PATH="$PATH" HOME="$work/home" LC_ALL=C.UTF-8 TZ=UTC "$@")
    fi
}

loaded=$(as_user tshark -G plugins 2>/dev/null | grep '^mailsess\.so' || true)
[ -n "$loaded" ] || die "tshark -G plugins does not list mailsess.so"
case "$loaded" in
    *"$work/home/"*) ;;
    *) die "tshark loads another mailsess.so than the one just built: $loaded" ;;
esac
if [ "$(printf '%s\n' "$loaded" | wc -l)" != 1 ]; then
    die "more than one mailsess.so is loaded: $loaded"
fi
log "plugin loaded: $(printf '%s' "$loaded" | tr -s '\t ' ' ')"

# ---- captures ---------------------------------------------------------------
log "making the captures ($N and $SMALL sessions)"
python3 "$here/make-capture.py" "$N" "$work/big.pcap" --cases "$cases_dir" --skip "${BENCH_SKIP:-}"
python3 "$here/make-capture.py" "$SMALL" "$work/small.pcap" --cases "$cases_dir" --skip "${BENCH_SKIP:-}"
chmod a+r "$work"/*.pcap
mapfile -t cases < <(python3 "$here/make-capture.py" --list --cases "$cases_dir" --skip "${BENCH_SKIP:-}")
frames() { capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/ {print $NF}'; }
frames_big=$(frames "$work/big.pcap")
frames_small=$(frames "$work/small.pcap")

# the plugin sees every session of the small capture, and only when enabled
sessions=$(as_user tshark -r small.pcap -Y mailsess -T fields -e mailsess.session 2>/dev/null | sort -u | wc -l)
[ "$sessions" = "$SMALL" ] || die "mailsess found $sessions sessions in the small capture, expected $SMALL"
off=$(as_user tshark -r small.pcap --disable-protocol mailsess -Y mailsess 2>/dev/null | wc -l)
[ "$off" = 0 ] || die "--disable-protocol mailsess still shows mailsess on $off frames"

# ---- modes ------------------------------------------------------------------
modes=(fields filter summary)
declare -A margs=(
    [fields]="-T fields -e frame.number"
    [filter]="-Y mailsess"
    [summary]=""
)
# shellcheck disable=SC2016 # backquotes are markdown here
declare -A mlabel=(
    [fields]='`-T fields -e frame.number`'
    [filter]='`-Y mailsess`'
    [summary]='`tshark -r` (summary, no tree of its own)'
)
sides=(en dis)
side_args() { if [ "$1" = dis ]; then printf '%s' "--disable-protocol mailsess"; fi; }

declare -A instr wall rss cpu

# ---- callgrind: instructions inside epan_dissect_run_with_taps ----------------
cg_run() { # mode side -> writes out/cg-MODE-SIDE.{out,err}
    local m=$1 s=$2
    # shellcheck disable=SC2046,SC2086
    as_user valgrind --tool=callgrind --callgrind-out-file="$work/out/cg-$m-$s.out" \
        --toggle-collect=epan_dissect_run_with_taps \
        tshark -r small.pcap $(side_args "$s") ${margs[$m]} \
        > /dev/null 2> "$work/out/cg-$m-$s.err"
}
if [ -z "${BENCH_NO_CALLGRIND:-}" ]; then
    log "callgrind on $SMALL sessions: 6 runs, 2 at a time (a few minutes)"
    for m in "${modes[@]}"; do
        cg_run "$m" en & p1=$!
        cg_run "$m" dis & p2=$!
        wait "$p1" || die "callgrind $m (enabled) failed: $(tail -5 "$work/out/cg-$m-en.err")"
        wait "$p2" || die "callgrind $m (disabled) failed: $(tail -5 "$work/out/cg-$m-dis.err")"
        for s in "${sides[@]}"; do
            v=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/out/cg-$m-$s.err")
            [ -n "$v" ] || die "no 'Collected' line in callgrind's output for $m/$s"
            instr[$m-$s]=$v
        done
        log "  $m: ${instr[$m-en]} / ${instr[$m-dis]} instructions"
    done
fi

# ---- wall clock and peak RSS on the big capture --------------------------------
timed() { # mode side rep -> out/time-MODE-SIDE-REP holds "wall_s maxrss_kb user_s sys_s"
    local m=$1 s=$2 r=$3 f="$work/out/time-$1-$2-$3"
    # shellcheck disable=SC2046,SC2086
    as_user /usr/bin/time -f '%e %M %U %S' -o "$f" tshark -r big.pcap $(side_args "$s") ${margs[$m]} \
        > /dev/null 2> "$f.err" || die "tshark $m/$s failed: $(tail -5 "$f.err")"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
[ -z "${BENCH_NO_WALL:-}" ] || REPEAT=0
[ "$REPEAT" = 0 ] || log "wall clock and peak RSS on $N sessions: ${#modes[@]} modes x 2 x $REPEAT runs"
for m in "${modes[@]}"; do
    [ "$REPEAT" != 0 ] || break
    declare -a w_en=() w_dis=() r_en=() r_dis=() c_en=() c_dis=()
    for ((r = 1; r <= REPEAT; r++)); do
        for s in "${sides[@]}"; do
            timed "$m" "$s" "$r"
            read -r sec kb usr sys < "$work/out/time-$m-$s-$r"
            [ -n "$sys" ] || die "no measurement for $m/$s run $r"
            c=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
            if [ "$s" = en ]; then
                w_en+=("$sec"); r_en+=("$kb"); c_en+=("$c")
            else
                w_dis+=("$sec"); r_dis+=("$kb"); c_dis+=("$c")
            fi
        done
    done
    cpu[$m-en]=$(printf '%s\n' "${c_en[@]}" | median)
    cpu[$m-dis]=$(printf '%s\n' "${c_dis[@]}" | median)
    wall[$m-en]=$(printf '%s\n' "${w_en[@]}" | median)
    wall[$m-dis]=$(printf '%s\n' "${w_dis[@]}" | median)
    rss[$m-en]=$(printf '%s\n' "${r_en[@]}" | median)
    rss[$m-dis]=$(printf '%s\n' "${r_dis[@]}" | median)
    log "  $m: wall ${w_en[*]} / ${w_dis[*]} s, CPU ${c_en[*]} / ${c_dis[*]} s, RSS ${r_en[*]} / ${r_dis[*]} KB"
done

# ---- report -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
mi() { awk -v v="$1" 'BEGIN { printf "%.1f M", v / 1e6 }'; }

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "mailsess bench, $(date -u '+%Y-%m-%d %H:%M UTC'), plugin built from $built"
echo "machine: $(nproc) cores, ${cpu_model:-unknown CPU}, $(uname -r); $(tshark --version 2>/dev/null | head -1)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cases replicated ($(printf '%s\n' "${cases[@]}" | wc -l)): ${cases[*]}"
echo "callgrind capture: $SMALL sessions, $frames_small frames; wall/RSS capture: $N sessions, $frames_big frames, $(du -m "$work/big.pcap" | cut -f1) MB"
echo
echo "| mode | instructions enabled | disabled | ratio | wall enabled | disabled | ratio | CPU ratio | peak RSS enabled | disabled | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for m in "${modes[@]}"; do
    if [ -n "${instr[$m-en]:-}" ]; then
        ci="$(mi "${instr[$m-en]}") | $(mi "${instr[$m-dis]}") | **$(ratio "${instr[$m-en]}" "${instr[$m-dis]}")**"
    else
        ci="- | - | -"
    fi
    if [ -n "${wall[$m-en]:-}" ]; then
        cw="${wall[$m-en]} s | ${wall[$m-dis]} s | $(ratio "${wall[$m-en]}" "${wall[$m-dis]}") | $(ratio "${cpu[$m-en]}" "${cpu[$m-dis]}") | $(mb "${rss[$m-en]}") | $(mb "${rss[$m-dis]}") | $(ratio "${rss[$m-en]}" "${rss[$m-dis]}")"
    else
        cw="- | - | - | - | - | - | -"
    fi
    echo "| ${mlabel[$m]} | $ci | $cw |"
done

if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    cp "$work"/out/* "$KEEP"/ 2>/dev/null || true
    log "callgrind outputs and raw timings kept in $KEEP"
fi
