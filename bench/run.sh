#!/usr/bin/env bash
# bench/run.sh [N] - tshark with mailsess against the same tshark without it.
#
# Builds the plugin (build-bench/), makes the captures with bench/make-capture.py
# (N sessions, default 10000, for wall clock and peak RSS; BENCH_SMALL sessions,
# default 700, for callgrind; BENCH_RCPT sessions, default 20, of smtp-many-rcpt
# only; the two captures of the 10x scaling row), and for each mode runs tshark
# with the plugin enabled and with `--disable-protocol mailsess` (the baseline:
# the plugin then does nothing, so tshark behaves as plain tshark). Prints a
# markdown table, the 10x scaling line and mailsess's bytes per session.
#
#   modes: `-T fields -e frame.number`, `-Y mailsess`, `tshark -r` (tree-less),
#          `-q -z mailsess,sessions` (tap-only: the disabled run registers the
#          same tap, which is then never fed), and `-T fields -e frame.number`
#          on a capture of smtp-many-rcpt only (callgrind only)
#   scaling: callgrind of the tree-less run on S and 10*S sessions (S =
#          BENCH_SCALE, default 300, rounded down to a multiple of the number
#          of cases, so both captures have the same mix of cases), enabled and
#          disabled; 10*700 sessions would take callgrind ~20 min here
#   bytes per session: (peak RSS enabled - disabled) / N of the tree-less run
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
# callgrind, BENCH_NO_WALL=1 skips wall clock and RSS, BENCH_NO_SCALE=1 skips the
# 10x scaling row (its 10*S-session callgrind runs are the longest part),
# BENCH_SCALE=300 its S, BENCH_RCPT=20 sessions of the smtp-many-rcpt capture
# (0: no such row), BENCH_SKIP=case,case
# leaves test cases out of the captures (make-capture.py --skip),
# BENCH_MODES="summary tap ..." measures only those modes (of fields filter
# summary tap rcpt), BENCH_CFLAGS=... is given to the plugin's build as
# CMAKE_C_FLAGS, BENCH_FLOOR=1 skips the checks that the plugin sees every
# session (for bench/floor.sh, whose builds see none on purpose). As root,
# tshark runs as 'nobody' with a private HOME (tshark ignores personal plugin
# dirs for root), like tests/integration/tshark-env.sh.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
N=${1:-10000}
SMALL=${BENCH_SMALL:-700}
REPEAT=${BENCH_REPEAT:-3}
BUILD=${BENCH_BUILD_DIR:-$root/build-bench}
KEEP=${BENCH_KEEP:-}
RCPT=${BENCH_RCPT:-20}
SCALE=${BENCH_SCALE:-300}
RCPT_CASE=smtp-many-rcpt

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

for t in tshark capinfos cmake python3 setpriv; do
    command -v "$t" >/dev/null || die "$t is missing"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
if [ -z "${BENCH_NO_CALLGRIND:-}" ]; then
    command -v valgrind >/dev/null || die "valgrind is missing (apt-get install valgrind), or set BENCH_NO_CALLGRIND=1"
fi
[[ $N =~ ^[0-9]+$ && $SMALL =~ ^[0-9]+$ && $REPEAT =~ ^[0-9]+$ && $RCPT =~ ^[0-9]+$ && $SCALE =~ ^[0-9]+$ ]] ||
    die "N, BENCH_SMALL, BENCH_REPEAT, BENCH_RCPT, BENCH_SCALE must be numbers"
if [ "$N" = 0 ] || [ "$SMALL" = 0 ]; then die "N and BENCH_SMALL must be > 0"; fi
t_start=$(date +%s)
elapsed() { echo "$(( ($(date +%s) - t_start) / 60 )) min"; }

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
[ -z "${BENCH_CFLAGS:-}" ] || built="$built, CMAKE_C_FLAGS=$BENCH_CFLAGS"
if ! { cmake -S "$src" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILSESS_BUILD_TESTS=OFF \
           -DCMAKE_C_FLAGS="${BENCH_CFLAGS:-}" &&
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
mkcap() { # SESSIONS OUT [make-capture.py options]
    local n=$1 out=$2
    shift 2
    python3 "$here/make-capture.py" "$n" "$work/$out" --cases "$cases_dir" --skip "${BENCH_SKIP:-}" "$@"
    chmod a+r "$work/$out"
}
mapfile -t cases < <(python3 "$here/make-capture.py" --list --cases "$cases_dir" --skip "${BENCH_SKIP:-}")
K=${#cases[@]}
[ "$K" -gt 0 ] || die "no test case to replicate"
# the 10x row: S and 10*S sessions with the same mix of cases (round robin)
S1=$(( SCALE / K * K ))
[ "$S1" -gt 0 ] || S1=$K
S10=$(( 10 * S1 ))
do_scale=
[ -n "${BENCH_NO_CALLGRIND:-}" ] || [ -n "${BENCH_NO_SCALE:-}" ] || do_scale=1
# the smtp-many-rcpt row, unless that case is left out
do_rcpt=
if [ "$RCPT" -gt 0 ] && printf '%s\n' "${cases[@]}" | grep -qx "$RCPT_CASE"; then do_rcpt=1; fi

log "making the captures ($N and $SMALL sessions${do_rcpt:+, $RCPT of $RCPT_CASE}${do_scale:+, $S1 and $S10 for the 10x row})"
mkcap "$N" big.pcap
mkcap "$SMALL" small.pcap
[ -z "$do_rcpt" ] || mkcap "$RCPT" rcpt.pcap --only "$RCPT_CASE"
if [ -n "$do_scale" ]; then
    mkcap "$S1" scale1.pcap
    mkcap "$S10" scale10.pcap
fi
frames() { capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/ {print $NF}'; }
frames_big=$(frames "$work/big.pcap")
frames_small=$(frames "$work/small.pcap")
[ -z "$do_rcpt" ] || frames_rcpt=$(frames "$work/rcpt.pcap")

# the plugin sees every session of a capture, and only when enabled
check_sessions() { # CAPTURE EXPECTED
    local got off
    got=$(as_user tshark -r "$1" -Y mailsess -T fields -e mailsess.session 2>/dev/null | sort -u | wc -l)
    [ "$got" = "$2" ] || die "mailsess found $got sessions in $1, expected $2"
    off=$(as_user tshark -r "$1" --disable-protocol mailsess -Y mailsess 2>/dev/null | wc -l)
    [ "$off" = 0 ] || die "--disable-protocol mailsess still shows mailsess on $off frames of $1"
}
if [ -z "${BENCH_FLOOR:-}" ]; then
    check_sessions small.pcap "$SMALL"
    [ -z "$do_rcpt" ] || check_sessions rcpt.pcap "$RCPT"
fi

# ---- modes ------------------------------------------------------------------
# mode -> tshark arguments, capture for callgrind, capture for wall/RSS ("": none),
# label, target of issue #12 (instructions, enabled / disabled)
modes=(fields filter summary tap)
[ -z "$do_rcpt" ] || modes+=(rcpt)
if [ -n "${BENCH_MODES:-}" ]; then
    wanted=()
    for m in "${modes[@]}"; do
        case " $BENCH_MODES " in *" $m "*) wanted+=("$m") ;; esac
    done
    [ "${#wanted[@]}" -gt 0 ] || die "BENCH_MODES names none of: ${modes[*]}"
    modes=("${wanted[@]}")
fi
declare -A margs=(
    [fields]="-T fields -e frame.number"
    [filter]="-Y mailsess"
    [summary]=""
    [tap]="-q -z mailsess,sessions"
    [rcpt]="-T fields -e frame.number"
)
declare -A mcg=([fields]=small.pcap [filter]=small.pcap [summary]=small.pcap [tap]=small.pcap [rcpt]=rcpt.pcap)
declare -A mwall=([fields]=big.pcap [filter]=big.pcap [summary]=big.pcap [tap]=big.pcap [rcpt]="")
# shellcheck disable=SC2016 # backquotes are markdown here
declare -A mlabel=(
    [fields]='`-T fields -e frame.number`'
    [filter]='`-Y mailsess`'
    [summary]='`tshark -r` (summary, tree-less)'
    [tap]='`-q -z mailsess,sessions` (tap-only)'
    [rcpt]="\`-T fields -e frame.number\`, only \`$RCPT_CASE\` ($RCPT sessions)"
)
declare -A mtarget=([fields]=1.10 [filter]=1.10 [summary]=1.06 [tap]=1.06 [rcpt]=1.30)
sides=(en dis)
side_args() { if [ "$1" = dis ]; then printf '%s' "--disable-protocol mailsess"; fi; }

declare -A instr wall rss cpu

# ---- callgrind: instructions inside epan_dissect_run_with_taps ----------------
cg_run() { # name capture side args... -> writes out/cg-NAME-SIDE.{out,err,stdout}
    local m=$1 cap=$2 s=$3
    shift 3
    # shellcheck disable=SC2046
    as_user valgrind --tool=callgrind --callgrind-out-file="$work/out/cg-$m-$s.out" \
        --toggle-collect=epan_dissect_run_with_taps \
        tshark -r "$cap" $(side_args "$s") "$@" \
        > "$work/out/cg-$m-$s.stdout" 2> "$work/out/cg-$m-$s.err"
}
cg_pair() { # name capture args...: both sides, 2 at a time, into instr[NAME-SIDE]
    local m=$1 cap=$2 p1 p2 s v
    shift 2
    cg_run "$m" "$cap" en "$@" & p1=$!
    cg_run "$m" "$cap" dis "$@" & p2=$!
    wait "$p1" || die "callgrind $m (enabled) failed: $(tail -5 "$work/out/cg-$m-en.err")"
    wait "$p2" || die "callgrind $m (disabled) failed: $(tail -5 "$work/out/cg-$m-dis.err")"
    for s in "${sides[@]}"; do
        v=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/out/cg-$m-$s.err")
        [ -n "$v" ] || die "no 'Collected' line in callgrind's output for $m/$s"
        instr[$m-$s]=$v
    done
    log "  $m: ${instr[$m-en]} / ${instr[$m-dis]} instructions ($(elapsed))"
    # the output is discarded but for this check, and most of it is big
    if [ "$m" != tap ]; then rm -f "$work/out/cg-$m-en.stdout" "$work/out/cg-$m-dis.stdout"; fi
    # kept as they come, to be read while the rest runs
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp "$work/out/cg-$m-"* "$KEEP"/; fi
}
# tap rows printed by -z mailsess,sessions: one per session, none when disabled
tap_rows() { grep -cE '^(SMTP|POP3?) +\|' "$1" || true; }
if [ -z "${BENCH_NO_CALLGRIND:-}" ]; then
    log "callgrind: ${#modes[@]} modes x 2 runs, 2 at a time${do_scale:+, then the 10x row ($S1 and $S10 sessions)}"
    # the modes of the breakdown first (their files are what BENCH_KEEP is for)
    for m in summary fields tap filter rcpt; do
        printf '%s\n' "${modes[@]}" | grep -qx "$m" || continue
        # shellcheck disable=SC2086
        cg_pair "$m" "${mcg[$m]}" ${margs[$m]}
    done
    if [ -z "${BENCH_FLOOR:-}" ] && printf '%s\n' "${modes[@]}" | grep -qx tap; then
        rows=$(tap_rows "$work/out/cg-tap-en.stdout")
        [ "$rows" = "$SMALL" ] || die "-z mailsess,sessions printed $rows session rows, expected $SMALL"
        rows=$(tap_rows "$work/out/cg-tap-dis.stdout")
        [ "$rows" = 0 ] || die "-z mailsess,sessions printed $rows session rows with mailsess disabled"
    fi
    if [ -n "$do_scale" ]; then
        cg_pair scale1 scale1.pcap
        cg_pair scale10 scale10.pcap
    fi
fi

# ---- wall clock and peak RSS on the big capture --------------------------------
timed() { # mode side rep -> out/time-MODE-SIDE-REP holds "wall_s maxrss_kb user_s sys_s"
    local m=$1 s=$2 r=$3 f="$work/out/time-$1-$2-$3"
    # shellcheck disable=SC2046,SC2086
    as_user /usr/bin/time -f '%e %M %U %S' -o "$f" tshark -r "${mwall[$m]}" $(side_args "$s") ${margs[$m]} \
        > /dev/null 2> "$f.err" || die "tshark $m/$s failed: $(tail -5 "$f.err")"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
[ -z "${BENCH_NO_WALL:-}" ] || REPEAT=0
wmodes=()
for m in "${modes[@]}"; do [ -z "${mwall[$m]}" ] || wmodes+=("$m"); done
[ "$REPEAT" = 0 ] || log "wall clock and peak RSS on $N sessions: ${#wmodes[@]} modes x 2 x $REPEAT runs"
for m in "${wmodes[@]}"; do
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
    log "  $m: wall ${w_en[*]} / ${w_dis[*]} s, CPU ${c_en[*]} / ${c_dis[*]} s, RSS ${r_en[*]} / ${r_dis[*]} KB ($(elapsed))"
done

# ---- report -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f×", a / b; else print "n/a" }'; }
met() { # value target -> "met" / "not met" (value = a/b)
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { if (b <= 0) print "n/a"; else if (a / b <= t + 0.005) print "met"; else print "**not met**" }'
}
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
mi() { awk -v v="$1" 'BEGIN { printf "%.1f M", v / 1e6 }'; }

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "mailsess bench, $(date -u '+%Y-%m-%d %H:%M UTC'), plugin built from $built"
echo "machine: $(nproc) cores, ${cpu_model:-unknown CPU}, $(uname -r); $(tshark --version 2>/dev/null | head -1)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cases replicated ($(printf '%s\n' "${cases[@]}" | wc -l)): ${cases[*]}"
echo "callgrind capture: $SMALL sessions, $frames_small frames; wall/RSS capture: $N sessions, $frames_big frames, $(du -m "$work/big.pcap" | cut -f1) MB${do_rcpt:+; $RCPT_CASE capture: $RCPT sessions, $frames_rcpt frames (callgrind only)}"
echo
echo "| mode | instructions enabled | disabled | ratio | target | wall enabled | disabled | ratio | CPU ratio | peak RSS enabled | disabled | ratio |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for m in "${modes[@]}"; do
    if [ -n "${instr[$m-en]:-}" ] && [ -n "${BENCH_FLOOR:-}" ]; then
        # a floor build does none of mailsess's work: what it reaches is a bound, not a result
        ci="$(mi "${instr[$m-en]}") | $(mi "${instr[$m-dis]}") | **$(ratio3 "${instr[$m-en]}" "${instr[$m-dis]}")** | floor under ≤ ${mtarget[$m]}×"
    elif [ -n "${instr[$m-en]:-}" ]; then
        ci="$(mi "${instr[$m-en]}") | $(mi "${instr[$m-dis]}") | **$(ratio "${instr[$m-en]}" "${instr[$m-dis]}")** | ≤ ${mtarget[$m]}×: $(met "${instr[$m-en]}" "${instr[$m-dis]}" "${mtarget[$m]}")"
    else
        ci="- | - | - | ≤ ${mtarget[$m]}×"
    fi
    if [ -n "${wall[$m-en]:-}" ]; then
        cw="${wall[$m-en]} s | ${wall[$m-dis]} s | $(ratio "${wall[$m-en]}" "${wall[$m-dis]}") | $(ratio "${cpu[$m-en]}" "${cpu[$m-dis]}") | $(mb "${rss[$m-en]}") | $(mb "${rss[$m-dis]}") | $(ratio "${rss[$m-en]}" "${rss[$m-dis]}")"
    else
        cw="- | - | - | - | - | - | -"
    fi
    echo "| ${mlabel[$m]} | $ci | $cw |"
done
echo
if [ -n "${instr[scale10-en]:-}" ]; then
    own1=$(( ${instr[scale1-en]} - ${instr[scale1-dis]} ))
    own10=$(( ${instr[scale10-en]} - ${instr[scale10-dis]} ))
    echo "10× sessions (callgrind, tree-less \`tshark -r\`, $S1 → $S10 sessions, $(frames "$work/scale1.pcap") → $(frames "$work/scale10.pcap") frames):" \
        "enabled $(mi "${instr[scale1-en]}") → $(mi "${instr[scale10-en]}") = **$(ratio3 "${instr[scale10-en]}" "${instr[scale1-en]}")**;" \
        "plain (disabled) $(mi "${instr[scale1-dis]}") → $(mi "${instr[scale10-dis]}") = $(ratio3 "${instr[scale10-dis]}" "${instr[scale1-dis]}");" \
        "mailsess's own (enabled − disabled) $(mi "$own1") → $(mi "$own10") = **$(ratio3 "$own10" "$own1")**" \
        "(target ≤ 10.5×: $(met "$own10" "$own1" 10.5) for mailsess's own, $(met "${instr[scale10-en]}" "${instr[scale1-en]}" 10.5) for the enabled total)"
else
    echo "10× sessions: not measured (BENCH_NO_SCALE or BENCH_NO_CALLGRIND)"
fi
echo
if [ -n "${rss[summary-en]:-}" ]; then
    per=$(awk -v a="${rss[summary-en]}" -v b="${rss[summary-dis]}" -v n="$N" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')
    plain=$(awk -v b="${rss[summary-dis]}" -v n="$N" 'BEGIN { printf "%.0f", b * 1024 / n }')
    echo "Bytes per session (peak RSS, tree-less \`tshark -r\`, $N sessions, median of $REPEAT):" \
        "($(mb "${rss[summary-en]}") − $(mb "${rss[summary-dis]}")) / $N = **$per B per session** of mailsess's own" \
        "(target ≤ 2048 B: $(awk -v p="$per" 'BEGIN { print (p <= 2048) ? "met" : "**not met**" }'));" \
        "plain tshark's peak RSS over N is $plain B (its start-up included); ratio $(ratio "${rss[summary-en]}" "${rss[summary-dis]}") (target ≤ 1.10×: $(met "${rss[summary-en]}" "${rss[summary-dis]}" 1.10))"
else
    echo "Bytes per session: not measured (BENCH_NO_WALL)"
fi

if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    cp "$work"/out/* "$KEEP"/ 2>/dev/null || true
    log "callgrind outputs and raw timings kept in $KEEP"
fi
