#!/usr/bin/env bash
# check-case.sh PLUGIN_SO WS_VERSION CASE_DIR [--update]
#
# Runs the real tshark with mailsess on CASE_DIR/capture.pcap(ng) and compares
# with the reviewed golden files in CASE_DIR/expected/:
#   session.tsv       two-pass (-2), one row per session (its last frame): final values
#   frames-1pass.tsv  single pass, every frame with the session layer: running values
#   frames-2pass.tsv  two-pass, every frame: final values on all of them
#   expert.txt        the MAILSESS rows of `tshark -z expert` (single pass)
# and checks invariants that need no golden file: the plugin loads; first-pass
# rows say final=0, two-pass rows final=1; every two-pass frame of a session
# shows the same session values; -z expert gives the same rows in both modes;
# tshark -V shows exactly the same built-in dissection with and without mailsess.
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
[ -f "$case_dir/tshark-options" ] && while read -r o; do [ -n "$o" ] && opts+=(-o "$o"); done < "$case_dir/tshark-options"

# Non-mail captures (nonmail-*): the session layer must find nothing and
# change nothing, in both modes.
if [[ "$name" == nonmail-* ]]; then
    fail=0
    for pass in "" -2; do
        n=$(ms_tshark -r "$name/$cap" "${opts[@]}" $pass -Y 'mailsess || smtp || pop' | wc -l)
        [ "$n" = 0 ] || { echo "FAIL [$name]: $n frames taken for mail ($pass)" >&2; fail=1; }
    done
    cmp -s <(ms_tshark -r "$name/$cap" -V) <(ms_tshark -r "$name/$cap" -V --disable-protocol mailsess) ||
        { echo "FAIL [$name]: the dissection changes when mailsess is loaded" >&2; fail=1; }
    [ "$fail" = 0 ] && echo "ok [$name] (no mail session, as expected)"
    exit "$fail"
fi

fields=()
while read -r f; do fields+=(-e "$f"); done < "$here/fields.txt"
tf=(-T fields -E header=y -E occurrence=a -E aggregator='|' "${fields[@]}")
out=$(mktemp -d)
trap 'rm -rf "$out" "$MS_ENV"' EXIT

ms_tshark -r "$name/$cap" "${opts[@]}" -2 -Y 'frame.number == mailsess.last_frame' "${tf[@]}" > "$out/session.tsv"
ms_tshark -r "$name/$cap" "${opts[@]}" -Y mailsess "${tf[@]}" > "$out/frames-1pass.tsv"
ms_tshark -r "$name/$cap" "${opts[@]}" -2 -Y mailsess "${tf[@]}" > "$out/frames-2pass.tsv"
# tshark 4.2 and later print booleans as True/False where 4.0 printed 1/0: keep
# the 4.0 spelling so one set of golden files serves every version (the
# boolean fields as this tshark registered them)
bools=$(ms_tshark -G fields | awk -F'\t' '$1 == "F" && $3 ~ /^mailsess\./ && $4 == "FT_BOOLEAN" {print $3}')
[ -n "$bools" ] || { echo "FAIL [$name]: tshark -G fields lists no mailsess boolean" >&2; exit 1; }
norm_bools() {
    awk -F'\t' -v OFS='\t' -v bools="$bools" '
        BEGIN { n = split(bools, l, "\n"); for (i = 1; i <= n; i++) isb[l[i]] = 1 }
        NR == 1 { for (i = 1; i <= NF; i++) if ($i in isb) b[i] = 1
                  print; next }
        { for (i in b) { gsub(/True/, "1", $i); gsub(/False/, "0", $i) } print }' "$1" > "$1.n"
    mv "$1.n" "$1"
}
for f in session.tsv frames-1pass.tsv frames-2pass.tsv; do norm_bools "$out/$f"; done
expert() { ms_tshark -r "$name/$cap" "${opts[@]}" "$@" -q -z expert | grep MAILSESS || true; }
expert > "$out/expert.txt"
expert -2 > "$out/expert-2pass.txt"

fail=0
err() { echo "FAIL [$name]: $*" >&2; fail=1; }

[ "$(wc -l < "$out/session.tsv")" -gt 1 ] || err "no session found"
# column numbers of mailsess.final and of the session-wide fields
col() { head -1 "$1" | tr '\t' '\n' | grep -nx "$2" | cut -d: -f1; }
fc=$(col "$out/frames-1pass.tsv" mailsess.final)
awk -F'\t' -v c="$fc" 'NR>1 && $c != "0" {bad=1} END{exit bad}' "$out/frames-1pass.tsv" ||
    err "a first-pass frame claims final values"
awk -F'\t' -v c="$fc" 'NR>1 && $c != "1" {bad=1} END{exit bad}' "$out/frames-2pass.tsv" ||
    err "a two-pass frame does not show final values"
# session-wide columns are everything but frame.number and the per-frame links
rc=$(col "$out/frames-2pass.tsv" mailsess.request_in)
sc=$(col "$out/frames-2pass.tsv" mailsess.session)
awk -F'\t' -v rc="$rc" -v sc="$sc" 'NR>1 {
        v=""; for (i=2; i<rc; i++) v=v FS $i
        if (($sc) in seen && seen[$sc] != v) bad=1; seen[$sc]=v }
     END{exit bad}' "$out/frames-2pass.tsv" ||
    err "two-pass frames of one session show different session values"
cmp -s "$out/expert.txt" "$out/expert-2pass.txt" || err "-z expert differs between single pass and -2"
# mailsess adds its session items only where someone can see them (a visible
# tree, or a filter/column/field naming one); what it finds must not depend on
# that: the same expert rows when a filter names a session field, the bare
# filter "mailsess" (protocol item only) selects the frames of the visible-tree
# output, and a filter naming a field selects the frames that show it
expert -Y 'mailsess.session || !mailsess' > "$out/expert-ref.txt"
cmp -s "$out/expert.txt" "$out/expert-ref.txt" || err "-z expert changes when a filter names a mailsess field"
n_proto=$(ms_tshark -r "$name/$cap" "${opts[@]}" -Y mailsess | wc -l)
[ "$n_proto" = $(($(wc -l < "$out/frames-1pass.tsv") - 1)) ] ||
    err "filter mailsess selects $n_proto frames, the -T fields output has $(($(wc -l < "$out/frames-1pass.tsv") - 1))"
for f in rcpt_to capabilities request_in response_in; do
    c=$(col "$out/frames-2pass.tsv" "mailsess.$f")
    n_tsv=$(awk -F'\t' -v c="$c" 'NR > 1 && $c != ""' "$out/frames-2pass.tsv" | wc -l)
    n_yes=$(ms_tshark -r "$name/$cap" "${opts[@]}" -2 -Y "mailsess.$f" | wc -l)
    [ "$n_yes" = "$n_tsv" ] || err "filter mailsess.$f selects $n_yes frames, the -T fields output shows it on $n_tsv"
done
# the bare filters select exactly the frames of the sessions with the flag
# (two passes: every frame shows final values) and their negation the rest
for flag in auth_plaintext deleted_committed; do
    n_all=$(ms_tshark -r "$name/$cap" "${opts[@]}" | wc -l)
    n_yes=$(ms_tshark -r "$name/$cap" "${opts[@]}" -2 -Y "mailsess.$flag" | wc -l)
    n_no=$(ms_tshark -r "$name/$cap" "${opts[@]}" -2 -Y "!mailsess.$flag" | wc -l)
    c=$(col "$out/frames-2pass.tsv" "mailsess.$flag")
    n_tsv=$(awk -F'\t' -v c="$c" 'NR > 1 && $c == "1"' "$out/frames-2pass.tsv" | wc -l)
    [ "$n_yes" = "$n_tsv" ] && [ $((n_yes + n_no)) = "$n_all" ] ||
        err "filter mailsess.$flag selects $n_yes frames (expected $n_tsv), its negation $n_no of $n_all"
done
# the built-in dissection stays intact: -V without the Mail Session subtree
# is what tshark prints with mailsess disabled (not for sessions found by the
# heuristic, which without mailsess are no mail at all)
strip_mailsess() { awk '/^Mail Session/ {skip=1; next} skip && /^[ \t]/ {next} {skip=0; print}'; }
ms_tshark -r "$name/$cap" "${opts[@]}" -V > "$out/verbose.txt"
ms_tshark -r "$name/$cap" "${opts[@]}" -V --disable-protocol mailsess > "$out/without.txt"
grep -q '^Mail Session' "$out/verbose.txt" || err "no Mail Session subtree in -V"
strip_mailsess < "$out/verbose.txt" > "$out/with.txt"
hc=$(col "$out/session.tsv" mailsess.heuristic)
if ! awk -F'\t' -v c="$hc" 'NR > 1 && $c == "1" {found=1} END {exit !found}' "$out/session.tsv"; then
    cmp -s "$out/with.txt" "$out/without.txt" || err "the built-in dissection changes when mailsess is loaded"
fi

mkdir -p "$case_dir/expected"
for f in session.tsv frames-1pass.tsv frames-2pass.tsv expert.txt; do
    if [ "$update" = "--update" ]; then
        cp "$out/$f" "$case_dir/expected/$f"
    elif ! diff -u "$case_dir/expected/$f" "$out/$f" > "$out/$f.diff"; then
        err "$f differs from the golden file:"
        head -40 "$out/$f.diff" >&2
    fi
done
[ "$fail" = 0 ] && echo "ok [$name]"
exit "$fail"
