#!/usr/bin/env bash
# The whole test suite: configure, build warning-free (-Werror), then run
# the unit tests and the tshark integration tests on every capture; then the
# same with AddressSanitizer + UBSan (build-asan), where the robustness tests
# replace the golden-file ones (MAILSESS_ROBUSTNESS=0 skips that part).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MAILSESS_BUILD_DIR:-build}
cmake -S . -B "$build" -DMAILSESS_WERROR=ON
cmake --build "$build" -j"$(nproc)"
# which mailsess.so is tested: the one just built, whatever is installed
# (tests/integration/tshark-env.sh hides a system-wide copy from the tests)
echo "Testing $PWD/$build/plugin/mailsess.so (mailsess $(head -1 VERSION)) with $(tshark -v 2>/dev/null | head -1)"
sysso=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')/epan/mailsess.so
if [ -e "$sysso" ]; then
    echo "note: a system-wide $sysso is installed; the tests do not load it (Wireshark run outside the tests does)"
fi
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
if [ "${MAILSESS_ROBUSTNESS:-1}" != 0 ]; then
    asan=${MAILSESS_ASAN_BUILD_DIR:-build-asan}
    cmake -S . -B "$asan" -DMAILSESS_WERROR=ON -DMAILSESS_SANITIZE=ON
    cmake --build "$asan" -j"$(nproc)"
    ctest --test-dir "$asan" --output-on-failure -j"$(nproc)"
fi
# libFuzzer (clang): each harness for MAILSESS_FUZZ_SECONDS (default 60) from
# the committed corpus; MAILSESS_FUZZ_SECONDS=0 skips it
if [ "${MAILSESS_FUZZ_SECONDS:-60}" != 0 ]; then
    tests/fuzz/run-fuzz.sh "${MAILSESS_FUZZ_SECONDS:-60}"
fi
