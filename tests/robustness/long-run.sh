#!/usr/bin/env bash
# long-run.sh - the long versions of the robustness tests (issue #5), whose
# last results are the table in the README's "Reliability" section.
#
# Run as root from the repository (hostile sessions need root: they add a
# postfix listener and capture on lo; see hostile-sessions.sh):
#     tests/robustness/long-run.sh
# Parts (LONG_PARTS, default all, space separated):
#   fuzz      each libFuzzer harness for LONG_FUZZ_RUNS executions (default
#             10,000,000; tests/fuzz/run-fuzz.sh, needs clang; FUZZ_ONLY=
#             fuzz_session picks harnesses)
#   corrupt   LONG_CORRUPT variants per test capture (default 40) through the
#             ASan build (corrupt-captures.sh)
#   sanitize  every test capture through the ASan build (sanitizer-tshark.sh)
#   valgrind  every test capture through memcheck (valgrind-tshark.sh; slow)
#   hostile   the hostile sessions at full scale (hostile-sessions.sh)
# Each part's output goes to $LONG_OUT/<part>.log (default /tmp/mailsess-long),
# its summary line(s) to the screen; the exit status is non-zero when a part
# reports a finding.
# SPDX-License-Identifier: GPL-2.0-or-later
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${LONG_OUT:-/tmp/mailsess-long}
parts=${LONG_PARTS:-fuzz corrupt sanitize valgrind hostile}
mkdir -p "$out"
fail=0

# the two builds the parts use
cmake -S . -B build -DMAILSESS_WERROR=ON >/dev/null && cmake --build build -j"$(nproc)" >/dev/null ||
    { echo "long-run: build failed" >&2; exit 1; }
cmake -S . -B build-asan -DMAILSESS_WERROR=ON -DMAILSESS_SANITIZE=ON >/dev/null &&
    cmake --build build-asan -j"$(nproc)" >/dev/null ||
    { echo "long-run: ASan build failed" >&2; exit 1; }

part() {
    local name=$1; shift
    local start=$SECONDS
    echo "== $name: $*"
    if "$@" > "$out/$name.log" 2>&1; then
        echo "   ok in $((SECONDS - start)) s"
    else
        echo "   FINDINGS (exit $?) in $((SECONDS - start)) s: see $out/$name.log"
        fail=1
    fi
}

for p in $parts; do
    case $p in
    fuzz)
        part fuzz env FUZZ_RUNS="${LONG_FUZZ_RUNS:-10000000}" tests/fuzz/run-fuzz.sh 0
        grep -E "executions" "$out/fuzz.log" ;;
    corrupt)
        part corrupt tests/robustness/corrupt-captures.sh "${LONG_CORRUPT:-40}" build-asan/plugin/mailsess.so
        grep -E "^corrupt-captures:" "$out/corrupt.log" ;;
    sanitize)
        part sanitize tests/robustness/sanitizer-tshark.sh build-asan/plugin/mailsess.so
        tail -1 "$out/sanitize.log" ;;
    valgrind)
        part valgrind tests/robustness/valgrind-tshark.sh build/plugin/mailsess.so
        tail -1 "$out/valgrind.log" ;;
    hostile)
        part hostile tests/robustness/hostile-sessions.sh
        grep -E "^\|" "$out/hostile.log"
        ! grep -q "| mismatch |" "$out/hostile.log" || { echo "   hostile: a mismatch"; fail=1; } ;;
    *)
        echo "long-run: unknown part $p" >&2; fail=1 ;;
    esac
done
exit "$fail"
