#!/usr/bin/env bash
# check-session-table.sh PLUGIN_SO WS_VERSION CASE_DIR...
#
# The session table on one capture merged from CASE_DIRs (several sessions,
# SMTP and POP3, STARTTLS without its key): `tshark -z help` lists its three
# forms; the aligned text table (-z mailsess,sessions), the CSV and the JSON
# lines forms hold the same rows; one row per session (as many as the
# sessions the two-pass fields show), each session once, in both modes; a
# filter keeps the rows of the sessions it selects, with the same values; a
# bad filter is refused with a message. check-session-table.py does the
# comparisons. (Each row's values against the session's fields: every
# capture/* test, through table.jsonl.)
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2
shift 2
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
ms_env_merge merged.pcap "$@"
out=$(mktemp -d)
trap 'rm -rf "$out" "$MS_ENV"' EXIT
r=(-r merged.pcap)
ms_tshark -z help > "$out/help.txt" 2>&1 || true
ms_tshark "${r[@]}" -q -z mailsess,sessions > "$out/text1.txt"
ms_tshark "${r[@]}" -q -z mailsess,sessions,csv > "$out/csv1.txt"
ms_tshark "${r[@]}" -q -z mailsess,sessions,json > "$out/json1.txt"
ms_tshark "${r[@]}" -2 -q -z mailsess,sessions,json -z mailsess,sessions > "$out/both2.txt"
ms_tshark "${r[@]}" -q -z 'mailsess,sessions,json,mailsess.proto == "POP3"' > "$out/pop3.txt"
ms_tshark "${r[@]}" -2 -Y mailsess -T fields -e mailsess.session -e mailsess.proto > "$out/sessions.txt"
rc=0
ms_tshark "${r[@]}" -q -z 'mailsess,sessions,json,mailsess.nosuchfield' > "$out/bad.txt" 2>&1 || rc=$?
echo "$rc" > "$out/bad.rc"
python3 "$here/check-session-table.py" "$out"
