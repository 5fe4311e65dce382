#!/usr/bin/env bash
# Runs each libFuzzer harness (ASan + UBSan) for a while, starting from the
# committed corpus (copied: the committed one is not changed).
#   tests/fuzz/run-fuzz.sh 60              # 60 s per harness (CI)
#   FUZZ_RUNS=10000000 tests/fuzz/run-fuzz.sh 0   # 10 million executions per harness
#   FUZZ_ONLY=fuzz_session ...                    # only these harnesses
#   FUZZ_SMALL_CAPS=1 ...   # the caps of plugin/core shrunk to 2-4 (own build
#                           # dir): 4 KB inputs then reach the queue overflow,
#                           # spilled-command and full-list paths
# Needs clang and libclang-rt-14-dev. Prints one line per harness (executions,
# seconds, corpus size) and exits non-zero on any finding; the crashing input
# is left in $FUZZ_OUT (default build-fuzz/findings) - add it to the corpus
# as a regression test once fixed.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
build=${FUZZ_BUILD:-build-fuzz}
caps=
if [ "${FUZZ_SMALL_CAPS:-0}" = 1 ]; then
    build=${FUZZ_BUILD:-build-fuzz-caps}
    caps="-DMS_SMTP_CAP_PENDING=4 -DMS_POP3_CAP_PENDING=4 -DMS_FIFO_SPILL_RUNS=3"
    caps="$caps -DMS_CAP_CAPABILITIES=3 -DMS_CAP_AUTH_METHODS=2 -DMS_CAP_AUTH_USERS=2"
    caps="$caps -DMS_CAP_MAIL_FROM=2 -DMS_CAP_RCPT_TO=3 -DMS_CAP_TRANSFERS=2 -DMS_CAP_NOTES=3"
fi
out=${FUZZ_OUT:-$build/findings}
CC=clang CFLAGS="$caps" cmake -S . -B "$build" -DMAILSESS_FUZZ=ON -DMAILSESS_BUILD_PLUGIN=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_session fuzz_parsers >/dev/null
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for h in fuzz_session:corpus:smtp.dict fuzz_parsers:corpus-parsers:smtp.dict; do
    IFS=: read -r name corpus dict <<< "$h"
    case " ${FUZZ_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
    mkdir -p "$work/$name"
    cp tests/fuzz/"$corpus"/* "$work/$name/"
    limit=(-max_total_time="$secs")
    [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
    start=$(date +%s)
    found=0
    if ! "$build/tests/$name" "${limit[@]}" -dict="tests/fuzz/$dict" -max_len=4096 \
            -print_final_stats=1 -artifact_prefix="$out/$name-" "$work/$name" \
            > "$work/$name.log" 2>&1; then
        if grep -q "libFuzzer: run interrupted" "$work/$name.log"; then
            echo "$name: interrupted after $(grep -o '^#[0-9]*' "$work/$name.log" | tail -1) executions" >&2
            exit 130
        fi
        fail=1 found=1
        echo "FINDING in $name:" >&2
        grep -E "ERROR|SUMMARY|runtime error|artifact" "$work/$name.log" | head -20 >&2
    fi
    execs=$(grep -m1 'stat::number_of_executed_units' "$work/$name.log" | awk '{print $2}')
    echo "$name: ${execs:-?} executions in $(( $(date +%s) - start )) s, corpus $(ls "$work/$name" | wc -l) inputs, $([ $found = 0 ] && echo 'no finding' || echo 'FINDINGS')"
done
exit "$fail"
