#!/usr/bin/env bash
# sanitizer-tshark.sh [PLUGIN_SO] [CASE_DIR...]
#
# The plugin built with -DMAILSESS_SANITIZE=ON (AddressSanitizer + UBSan) in
# the real tshark, the gcc ASan runtime preloaded, over every test capture
# (default: test-captures/*/), single pass and -2, with -V so the whole tree
# is rendered, with each case's keylog.txt and tshark-options. Fails on any
# ASan/UBSan report, on a leak allocated from mailsess, on a "Dissector bug" or
# malformed packet in MAILSESS, on anything tshark logs about mailsess, on an
# exit status tshark does not also have with mailsess disabled, and on a mail
# capture (its expected/sessions.txt has a session) without the Mail Session subtree. Asserts first that tshark loads
# this very plugin and that it is an ASan build.
#   cmake -S . -B build-asan -DMAILSESS_SANITIZE=ON && cmake --build build-asan
#   tests/robustness/sanitizer-tshark.sh build-asan/plugin/mailsess.so
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

plugin=${1:-$(rb_plugin_default asan)}
[ $# -gt 0 ] && shift
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("$rb_root"/test-captures/*/)

start=$SECONDS
rb_setup asan "$plugin"
echo "sanitizer-tshark: $plugin (ASan runtime $rb_asan_rt) in $(tshark --version 2>/dev/null | head -1)"
one_case() {
    # the Mail Session subtree is expected where the golden files have a session
    local expect=0
    grep -qs '^session' "$3/expected/sessions.txt" && expect=1
    RB_EXPECT_SUBTREE=$expect rb_spawn "$1.1pass" "$2" ${rb_opts[@]+"${rb_opts[@]}"} -V
    RB_EXPECT_SUBTREE=$expect rb_spawn "$1.2pass" "$2" ${rb_opts[@]+"${rb_opts[@]}"} -V -2
}
rb_for_each_case one_case "${cases[@]}"
rb_collect
echo "sanitizer-tshark: $rb_cases captures, $rb_runs runs, $rb_findings with findings ($rb_noise reports outside mailsess not counted), $((SECONDS - start)) s"
[ "$rb_cases" -gt 0 ] || rb_die "no capture"
[ "$rb_findings" = 0 ]
