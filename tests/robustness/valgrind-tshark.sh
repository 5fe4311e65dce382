#!/usr/bin/env bash
# valgrind-tshark.sh [PLUGIN_SO] [CASE_DIR...]
#
# The normal build of the plugin in the real tshark under
# valgrind --tool=memcheck, over every test capture (default:
# test-captures/*/), single pass and -2, with -V, each case's keylog.txt and
# tshark-options. Fails on any memcheck error with a stack frame in
# mailsess.so (invalid read/write/free, uninitialised value, overlapping
# copy...), on a "definitely lost" block whose allocation stack goes through
# mailsess.so, and on everything sanitizer-tshark.sh also fails on (dissector
# bug or malformed packet in MAILSESS, exit status, timeout). memcheck's
# reports on tshark, GLib and libwireshark alone are counted as noise and not
# shown: no suppression file is needed for that, as a report is only kept when
# it has a mailsess frame (RB_VALGRIND_SUPP=FILE adds one anyway).
# Slow: about 20 s of CPU per run (tshark's start-up under memcheck).
#   tests/robustness/valgrind-tshark.sh build/plugin/mailsess.so
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

plugin=${1:-$(rb_plugin_default plain)}
[ $# -gt 0 ] && shift
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("$rb_root"/test-captures/*/)
rb_timeout=${MAILSESS_TSHARK_TIMEOUT:-1800}

start=$SECONDS
rb_setup valgrind "$plugin"
echo "valgrind-tshark: $plugin in $(valgrind --version), $(tshark --version 2> /dev/null | head -1)"
one_case() {
    rb_spawn "$1.1pass" "$2" ${rb_opts[@]+"${rb_opts[@]}"} -V
    rb_spawn "$1.2pass" "$2" ${rb_opts[@]+"${rb_opts[@]}"} -V -2
}
rb_for_each_case one_case "${cases[@]}"
rb_collect
echo "valgrind-tshark: $rb_cases captures, $rb_runs runs, $rb_findings with findings ($rb_noise reports outside mailsess not counted), $((SECONDS - start)) s"
[ "$rb_cases" -gt 0 ] || rb_die "no capture"
[ "$rb_findings" = 0 ]
