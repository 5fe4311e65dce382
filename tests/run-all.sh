#!/usr/bin/env bash
# The whole test suite: configure, build warning-free (-Werror), then run
# the unit tests and the tshark integration tests on every capture.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MAILSESS_BUILD_DIR:-build}
cmake -S . -B "$build" -DMAILSESS_WERROR=ON
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
