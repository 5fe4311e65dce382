# lib.sh - what the robustness scripts share (sourced, not run).
#
# One private tshark environment (tests/integration/tshark-env.sh: tshark as
# nobody with a private HOME when run as root) holding the plugin under test,
# plus: no extcap (tshark runs every extcap binary at start; they would
# inherit LD_PRELOAD and androiddump hangs under the ASan runtime), a log
# directory the test user can write, and runners for the three modes:
#   asan      the plugin built with -DMAILSESS_SANITIZE=ON, the gcc ASan
#             runtime preloaded into tshark
#   valgrind  the normal build under valgrind --tool=memcheck
#   plain     the normal build as is
# SPDX-License-Identifier: GPL-2.0-or-later

rb_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rb_root=$(cd "$rb_here/../.." && pwd)
. "$rb_root/tests/integration/tshark-env.sh"

rb_jobs=${MAILSESS_JOBS:-$(nproc)}
rb_timeout=${MAILSESS_TSHARK_TIMEOUT:-300}

rb_die() { echo "FAIL: $*" >&2; exit 1; }

# rb_plugin_default asan|plain: the plugin of the usual build dir
rb_plugin_default() {
    if [ "$1" = asan ]; then echo "$rb_root/build-asan/plugin/mailsess.so"
    else echo "$rb_root/build/plugin/mailsess.so"; fi
}

rb_wsversion() {
    tshark --version 2> /dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\.[0-9].*/\1/p'
}

# rb_setup MODE PLUGIN: the environment, the mode's runtime, the load checks.
rb_setup() {
    rb_mode=$1 rb_plugin=$2
    [ -f "$rb_plugin" ] || rb_die "no plugin $rb_plugin (build it first)"
    local asan_so
    asan_so=$(nm -D --undefined-only "$rb_plugin" | grep -c ' __asan_init' || true)
    if [ "$rb_mode" = asan ]; then
        [ "$asan_so" -gt 0 ] ||
            rb_die "$rb_plugin is not an ASan build (configure with -DMAILSESS_SANITIZE=ON)"
        # the runtime the plugin was linked against (gcc: libasan.so.N from libasanN)
        rb_asan_rt=$(ldd "$rb_plugin" | awk '/libasan\.so/ {print $3; exit}')
        [ -f "$rb_asan_rt" ] || rb_die "the ASan runtime of $rb_plugin is not installed"
    elif [ "$asan_so" -gt 0 ]; then
        rb_die "$rb_plugin is an ASan build; $rb_mode needs the normal build"
    fi
    if [ "$rb_mode" = valgrind ]; then
        command -v valgrind > /dev/null || rb_die "valgrind is not installed"
    fi
    ms_env_setup "$rb_plugin" "$(rb_wsversion)"
    mkdir -p "$MS_ENV/noextcap" "$MS_ENV/logs" "$MS_ENV/out"
    chmod 755 "$MS_ENV/noextcap"
    chmod 1777 "$MS_ENV/logs" "$MS_ENV/out"
    local saved=$rb_mode
    [ "$rb_mode" = valgrind ] && rb_mode=plain  # no need to wait for memcheck here
    rb_env_for load
    ms_assert_loaded || exit 1
    rb_mode=$saved
    rm -f "$MS_ENV/logs/"*
    if [ "$rb_mode" = asan ]; then rb_leak_baseline; fi
    cmp -s "$rb_plugin" "$(find "$MS_ENV/home" -name mailsess.so)" ||
        rb_die "the plugin in the test environment is not $rb_plugin"
}

# tshark's own leaks at exit (the same on every capture, with or without
# mailsess): what LeakSanitizer reports on an empty capture. Found with full
# stacks, so that a leak of mailsess at start-up cannot hide in it.
rb_leak_baseline() {
    python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' > "$MS_ENV/empty.pcap"
    chmod a+r "$MS_ENV/empty.pcap"
    RB_FAST_UNWIND=0 rb_env_for baseline
    ms_tshark -r empty.pcap -V > /dev/null 2> "$MS_ENV/out/baseline.err" ||
        rb_die "tshark fails on an empty capture: $(head -5 "$MS_ENV/out/baseline.err")"
    local logs
    logs=$(find "$MS_ENV/logs" -name 'baseline.*')
    RB_BASELINE=""
    if [ -n "$logs" ]; then
        local report
        report=$(python3 "$rb_here/findings.py" asan $logs) ||
            rb_die "at start, on an empty capture: $(printf '%s\n' "$report" | grep -v '^noise')"
        RB_BASELINE=$(grep -h '^SUMMARY: AddressSanitizer: .* leaked' $logs || true)
        rm -f $logs
    fi
    echo "tshark's own leaks (not counted): ${RB_BASELINE:-none}"
}

# rb_env_for TAG: MS_TSHARK_ENV / MS_TSHARK_WRAP for one run, logs named TAG
rb_env_for() {
    local tag=$1 logs="$MS_ENV/logs"
    MS_TSHARK_ENV=(WIRESHARK_EXTCAP_DIR="$MS_ENV/noextcap")
    MS_TSHARK_WRAP=(timeout "$rb_timeout")
    # MAILSESS_TSHARK_ENV="NAME=value ...": more environment for tshark (debugging)
    [ -n "${MAILSESS_TSHARK_ENV:-}" ] && MS_TSHARK_ENV+=($MAILSESS_TSHARK_ENV)
    case $rb_mode in
    asan)
        # detect_leaks: LSan reports only memory nothing points to at exit;
        #   tshark's own such leaks are the baseline (rb_leak_baseline), and
        #   rb_run looks at the stacks of the others. Fast unwinding (frame
        #   pointers) is 7x cheaper but stops in GLib/glibc (built without
        #   them): a leak it cannot place is looked at again with
        #   RB_FAST_UNWIND=0 (the DWARF unwinder, full stacks).
        # exitcode=0: leaks do not change tshark's exit status;
        #   abort_on_error: any other ASan report aborts tshark (after the log).
        # G_SLICE=always-malloc: GSlice blocks become single mallocs ASan can check;
        # WIRESHARK_DEBUG_WMEM_OVERRIDE=simple: every wmem block too (file scope
        # included). Both double tshark's start-up time (1.2 s of CPU instead of
        # 0.6): MAILSESS_ASAN_HEAP=native leaves them out (the core allocates with
        # g_malloc, which ASan checks either way; only the epan glue uses wmem).
        MS_TSHARK_ENV+=(
            LD_PRELOAD="$rb_asan_rt"
            ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=${RB_FAST_UNWIND:-1}:malloc_context_size=${RB_MALLOC_CONTEXT:-30}:exitcode=0:abort_on_error=1:log_path=$logs/$tag.asan:detect_odr_violation=0"
            UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=$logs/$tag.ubsan")
        [ "${MAILSESS_ASAN_HEAP:-simple}" = native ] ||
            MS_TSHARK_ENV+=(G_SLICE=always-malloc WIRESHARK_DEBUG_WMEM_OVERRIDE=simple)
        ;;
    valgrind)
        # gc-friendly/always-malloc/simple: each GLib and wmem block is its own
        # malloc, so memcheck sees overruns and leaks block by block
        MS_TSHARK_ENV+=(G_SLICE=always-malloc G_DEBUG=gc-friendly
                        WIRESHARK_DEBUG_WMEM_OVERRIDE=simple)
        MS_TSHARK_WRAP+=(valgrind --tool=memcheck --xml=yes --xml-file="$logs/$tag.vg.xml"
                         --leak-check=full --show-leak-kinds=definite
                         --errors-for-leak-kinds=definite --num-callers=40
                         --error-limit=no --child-silent-after-fork=yes --keep-debuginfo=yes
                         ${RB_VALGRIND_SUPP:+--suppressions=$RB_VALGRIND_SUPP})
        ;;
    esac
}

# rb_case_opts CASE_DIR NAME: tshark options of a case, as check-case.sh reads them
# (NAME is the folder the case has in $MS_ENV, keylog paths are relative to it)
rb_case_opts() {
    local dir=$1 name=$2 o
    rb_opts=()
    [ -f "$dir/keylog.txt" ] && rb_opts+=(-o "tls.keylog_file:$name/keylog.txt")
    if [ -f "$dir/tshark-options" ]; then
        # a line starting with "-" is passed as it is (check-case.sh)
        while read -r o; do
            case $o in -*) read -ra words <<<"$o"; rb_opts+=("${words[@]}") ;; ?*) rb_opts+=(-o "$o") ;; esac
        done < "$dir/tshark-options"
    fi
    return 0
}

# Lines of a tshark run that point at mailsess: a dissector bug or a malformed
# packet in MAILSESS (stdout, -V), or anything tshark logged about mailsess
# (stderr; not the name of the test directory).
rb_tshark_complaints() {
    grep -a -E 'Dissector bug, protocol MAILSESS|Malformed Packet: MAILSESS' "$1" || true
    sed 's/mailsess-test\.[A-Za-z0-9]*//g' "$2" | grep -a -i 'mailsess' || true
}

# rb_run TAG CAPTURE [tshark args...]: one tshark run in the current mode.
# Prints the findings and returns 1 when there is one. A tshark exit status
# other than 0 is a finding unless tshark exits the same with mailsess
# disabled (same runtime, without valgrind). Keeps the output only on a finding.
rb_run() {
    local tag=$1 cap=$2
    shift 2
    local out="$MS_ENV/out/$tag.out" err="$MS_ENV/out/$tag.err" rc=0 rc0=0 rc2=0 fail=0 logs report="" c
    rb_env_for "$tag"
    ms_tshark -r "$cap" "$@" > "$out" 2> "$err" || rc=$?
    logs=$(find "$MS_ENV/logs" -name "$tag.*" | sort)
    if [ -n "$logs" ] && [ "$rb_mode" = valgrind ]; then
        report=$(python3 "$rb_here/findings.py" valgrind $logs) || fail=1
    elif [ -n "$logs" ]; then
        # leaks beyond tshark's own that name no frame of mailsess: the fast
        # unwinder may have lost it, run again with full stacks to decide
        rc2=0
        report=$(python3 "$rb_here/findings.py" asan --baseline "${RB_BASELINE:-}" $logs) || rc2=$?
        if [ "$rc2" = 2 ]; then
            rm -f $logs
            RB_FAST_UNWIND=0 rb_env_for "$tag"
            ms_tshark -r "$cap" "$@" > /dev/null 2>&1 || true
            logs=$(find "$MS_ENV/logs" -name "$tag.*" | sort)
            rc2=0
            report=$(python3 "$rb_here/findings.py" asan $logs) || rc2=$?
            echo "  [$tag] note: leaks that are not tshark's usual ones; with full stacks:"
            printf '%s\n' "$report" | grep '^noise' | head -5 | sed "s|^|  [$tag]   |"
        fi
        [ "$rc2" = 0 ] || fail=1
    fi
    if [ "$fail" = 1 ]; then
        printf '%s\n' "$report" | grep -v '^noise' | sed "s|^|  [$tag] |"
    fi
    # reports on tshark, GLib or libwireshark alone: counted, not shown
    c=$(printf '%s\n' "$report" | grep -c '^noise' || true)
    [ "$c" = 0 ] || echo "  [$tag] noise $c"
    [ -n "$logs" ] && rm -f $logs
    # UBSan may print to stderr whatever its log_path; ASan on a deadly signal too
    if [ "$rb_mode" = asan ] && grep -q -E 'runtime error:|ERROR: (Address|Leak)Sanitizer|Sanitizer:DEADLYSIGNAL' "$err"; then
        echo "  [$tag] FINDING sanitizer report on stderr:"
        grep -E -A25 'runtime error:|ERROR: (Address|Leak)Sanitizer|Sanitizer:DEADLYSIGNAL' "$err" | head -40 | sed "s|^|  [$tag]   |"
        fail=1
    fi
    if [ "$rc" = 124 ]; then
        echo "  [$tag] FINDING timeout: tshark ran longer than ${rb_timeout}s"
        fail=1
    elif [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
        local saved=$rb_mode
        [ "$rb_mode" = valgrind ] && rb_mode=plain
        rb_env_for "$tag-without"
        ms_tshark -r "$cap" "$@" --disable-protocol mailsess > /dev/null 2>&1 || rc0=$?
        rm -f "$MS_ENV/logs/$tag-without."*
        rb_mode=$saved
        if [ "$rc" != "$rc0" ]; then
            echo "  [$tag] FINDING exit: tshark exits $rc, $rc0 with mailsess disabled"
            head -20 "$err" | sed "s|^|  [$tag]   |"
            fail=1
        fi
    fi
    # a dissector bug of another protocol that only happens with mailsess loaded:
    # compared with mailsess disabled, and the ports that mailsess found by their
    # content decoded as smtp/pop (Decode As): a bug the built-in dissectors have
    # on their own on such a port is Wireshark's (shown as a note)
    local bugs bugs0 da=() p
    bugs=$(cat "$out" "$err" | grep -a -c 'Dissector bug' || true)
    if [ "$bugs" != 0 ] && ! grep -a -q 'Dissector bug, protocol MAILSESS' "$out" "$err"; then
        for p in $(grep -a -o -E '(SMTP|POP3) found by its content on port [0-9]+' "$out" | sort -u |
                   awk '{print ($1 == "SMTP" ? "smtp" : "pop") ":" $NF}'); do
            da+=(-d "tcp.port==${p#*:},${p%%:*}")
        done
        rb_env_for "$tag-without"
        bugs0=$(ms_tshark -r "$cap" "$@" --disable-protocol mailsess ${da[@]+"${da[@]}"} 2>&1 |
                grep -a -c 'Dissector bug' || true)
        rm -f "$MS_ENV/logs/$tag-without."*
        if [ "$bugs" != "$bugs0" ]; then
            # soft: Decode As is per port, so in a file of several captures it
            # may change more than what mailsess took (corrupt-captures.sh checks
            # such a finding again on each capture on its own)
            echo "  [$tag] FINDING-SOFT $bugs lines 'Dissector bug', $bugs0 with mailsess disabled ${da[*]}:"
            fail=1
        else
            echo "  [$tag] note: Wireshark's own dissector bug (also with mailsess disabled ${da[*]}):"
        fi
        cat "$out" "$err" | grep -a 'Dissector bug' | sort | uniq -c | head -5 | sed "s|^|  [$tag]   |"
    fi
    c=$(rb_tshark_complaints "$out" "$err")
    if [ -n "$c" ]; then
        echo "  [$tag] FINDING tshark output blames mailsess:"
        printf '%s\n' "$c" | sort | uniq -c | sort -rn | head -10 | sed "s|^|  [$tag]   |"
        fail=1
    fi
    # a mail capture must show the session layer (the plugin did run)
    if [ "${RB_EXPECT_SUBTREE:-0}" = 1 ] && ! grep -q '^Mail Session' "$out"; then
        echo "  [$tag] FINDING no Mail Session subtree in the -V output"
        fail=1
    fi
    if [ "$fail" = 0 ]; then rm -f "$out" "$err"; fi
    return "$fail"
}

# Runs rb_run in the background, at most $rb_jobs at a time; each run's
# report goes to $MS_ENV/out/TAG.log. rb_collect waits and sums up.
rb_runs=0
rb_spawn() {
    while [ "$(jobs -rp | wc -l)" -ge "$rb_jobs" ]; do wait -n || true; done
    ( rb_run "$@" > "$MS_ENV/out/$1.log" 2>&1 ) &
    rb_runs=$((rb_runs + 1))
}

# rb_collect: prints the reports with a finding; sets rb_findings (runs with
# one), rb_failed_tags (their tags) and rb_hard_tags (those with a finding
# other than FINDING-SOFT)
rb_collect() {
    wait
    rb_findings=0
    rb_noise=0
    rb_failed_tags=()
    rb_hard_tags=()
    local f k
    for f in "$MS_ENV"/out/*.log; do
        [ -e "$f" ] || continue
        k=$(awk '$2 == "noise" {n += $3} END {print n + 0}' "$f")
        rb_noise=$((rb_noise + k))
        if ! grep -q FINDING "$f"; then
            if grep -q 'note:' "$f"; then cat "$f"; fi  # not counted, worth a look
        else
            rb_findings=$((rb_findings + 1))
            rb_failed_tags+=("$(basename "$f" .log)")
            if grep -q 'FINDING ' "$f"; then rb_hard_tags+=("$(basename "$f" .log)"); fi
            cat "$f"
            # keep what the run printed next to the report, for a look
            if [ -n "${MAILSESS_KEEP_DIR:-}" ]; then
                mkdir -p "$MAILSESS_KEEP_DIR"
                cp "${f%.log}".* "$MAILSESS_KEEP_DIR/" 2> /dev/null || true
            fi
        fi
        rm -f "$f"
    done
}

# rb_for_each_case FN DIR...: copies each test case folder that holds a
# capture into $MS_ENV/cases, sets rb_opts (rb_case_opts) and calls
# FN NAME CAPTURE DIR (CAPTURE relative to $MS_ENV); sets rb_cases (how many)
rb_for_each_case() {
    local fn=$1 dir name cap c
    shift
    mkdir -p "$MS_ENV/cases"
    rb_cases=0
    for dir in "$@"; do
        dir=${dir%/}
        name=$(basename "$dir")
        cap=""
        for c in capture.pcap capture.pcapng; do [ -f "$dir/$c" ] && cap=$c; done
        [ -n "$cap" ] || continue
        cp -r "$dir" "$MS_ENV/cases/"
        chmod -R a+rX "$MS_ENV/cases"
        rb_case_opts "$dir" "cases/$name"
        rb_cases=$((rb_cases + 1))
        "$fn" "$name" "cases/$name/$cap" "$dir"
    done
}
