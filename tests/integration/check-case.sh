#!/usr/bin/env bash
# check-case.sh PLUGIN_SO WS_VERSION CASE_DIR [--update]
#
# Runs the real tshark with mailsess on CASE_DIR/capture.pcap(ng) (10 starts)
# and compares with the reviewed golden files in CASE_DIR/expected/:
#   sessions.txt  two passes (-2): per session its frames and final values
#   frames.txt    two passes: per-frame links, response times, expert infos
#   running.txt   single pass: the running values where they change
#   table.jsonl   the session table (-z mailsess,sessions,json), -2
# (format: goldens.py, test-captures/README.md) and checks invariants that need
# no golden file: the plugin loads; first-pass frames say final=0 and
# last_frame = the frame, two-pass frames final=1; every two-pass frame of a
# session shows the same session values; the first pass shows the same
# backward links, response times and expert infos per frame as -2; -z expert
# counts exactly the expert infos on the frames, in both modes, with and
# without a filter naming session fields; the filter "mailsess" and a filter
# naming a field select the frames that show it (the flags auth_plaintext and
# deleted_committed: where it is 1, the negation the rest); tshark -V shows
# exactly the same built-in dissection with and without mailsess. goldens.py
# does the checks and the comparison (a diff line names its frame and field).
# With --update the golden files are rewritten (review every diff by hand).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2 case_dir=$(cd "$3" && pwd) update=${4:-}
. "$here/tshark-env.sh"

ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
ms_env_copy "$case_dir"
name=$(basename "$case_dir")
cap=""
for c in capture.pcap capture.pcapng; do [ -f "$case_dir/$c" ] && cap=$c; done
[ -n "$cap" ] || { echo "FAIL: no capture in $case_dir" >&2; exit 1; }
opts=()
[ -f "$case_dir/keylog.txt" ] && opts+=(-o "tls.keylog_file:$name/keylog.txt")
# tshark-options: one preference per line (passed with -o), or a line that
# starts with "-" passed as it is, split at spaces (e.g. a Decode As "-d ...")
if [ -f "$case_dir/tshark-options" ]; then
    while read -r o; do
        case $o in
            -*) read -ra words <<<"$o"; opts+=("${words[@]}") ;;
            ?*) opts+=(-o "$o") ;;
        esac
    done < "$case_dir/tshark-options"
fi

# Non-mail captures (nonmail-*): the session layer must find nothing and
# change nothing, in both modes.
if [[ "$name" == nonmail-* ]]; then
    fail=0
    for pass in "" -2; do
        n=$(ms_tshark -r "$name/$cap" ${opts[@]+"${opts[@]}"} $pass -Y 'mailsess || smtp || pop' | wc -l)
        [ "$n" = 0 ] || { echo "FAIL [$name]: $n frames taken for mail ($pass)" >&2; fail=1; }
    done
    cmp -s <(ms_tshark -r "$name/$cap" ${opts[@]+"${opts[@]}"} -V) \
           <(ms_tshark -r "$name/$cap" ${opts[@]+"${opts[@]}"} -V --disable-protocol mailsess) ||
        { echo "FAIL [$name]: the dissection changes when mailsess is loaded" >&2; fail=1; }
    [ "$fail" = 0 ] && echo "ok [$name] (no mail session, as expected)"
    exit "$fail"
fi

out=$(mktemp -d)
trap 'rm -rf "$out" "$MS_ENV"' EXIT
r=(-r "$name/$cap" ${opts[@]+"${opts[@]}"})
# the boolean fields as this tshark registered them (4.2 and later print
# True/False where 4.0 printed 1/0: goldens.py keeps the 4.0 spelling)
ms_tshark -G fields > "$out/gfields.txt"
# the names of the enumerated fields (-T json gives their numbers)
ms_tshark -G values | grep -P '^V\tmailsess\.' > "$out/gvalues.txt"
filters=$(python3 "$here/goldens.py" filters "$out/gfields.txt")
# every frame with the session layer, its whole Mail Session subtree (fields,
# per-frame links, expert infos), single pass and two passes
ms_tshark "${r[@]}" -Y mailsess -T json -J "frame mailsess" > "$out/pass1.json"
ms_tshark "${r[@]}" -2 -Y mailsess -T json -J "frame mailsess" > "$out/pass2.json"
# -z expert and frame counts per display filter (io,stat, one interval), with
# no session field named (plain: mailsess adds only its protocol item) and
# with filters naming every field (named), in both modes
# (and the session table: -z mailsess,sessions,json, both modes; the logins
# on Wireshark's credentials tap, single pass)
ms_tshark "${r[@]}" -q -z expert -z io,stat,0,frame,mailsess -z mailsess,sessions,json \
    -z credentials > "$out/plain1.txt"
ms_tshark "${r[@]}" -2 -q -z expert -z io,stat,0,frame,mailsess -z mailsess,sessions,json > "$out/plain2.txt"
ms_tshark "${r[@]}" -q -z expert -z "io,stat,0,$filters" > "$out/named1.txt"
ms_tshark "${r[@]}" -2 -q -z expert -z "io,stat,0,$filters" > "$out/named2.txt"
# the built-in dissection with and without mailsess
ms_tshark "${r[@]}" -V > "$out/verbose.txt"
ms_tshark "${r[@]}" -V --disable-protocol mailsess > "$out/without.txt"
python3 "$here/goldens.py" check "$case_dir" "$out" $update
