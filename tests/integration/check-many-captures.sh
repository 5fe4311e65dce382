#!/usr/bin/env bash
# check-many-captures.sh PLUGIN_SO WS_VERSION REPO CASE_DIR...
#
# scripts/mailsess-sessions.py on a directory of captures (the CASE_DIRs'
# captures, one in a subdirectory, plus a file that is no capture), run as
# the test user with the plugin under test: its JSON lines are, capture by
# capture in sorted order, tshark's -z mailsess,sessions,json rows with the
# capture's path added; --jobs 1 and --jobs 3 print the same; the CSV form
# holds the same rows; the bad file is reported and the exit status is 1.
# scripts/mailsess-elastic-mapping.py: valid JSON, no mailsess field mapped as
# a date (relative times as double), every key of -T ek output mapped, and a
# sessions mapping naming every key of the JSON lines. check-many-captures.py
# does the comparisons.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2 repo=$3
shift 3
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
mkdir -p "$MS_ENV/caps/sub"
i=0
for d in "$@"; do
    i=$((i + 1))
    dest="$MS_ENV/caps"; [ $i = 2 ] && dest="$MS_ENV/caps/sub"
    cp "$d"/capture.pcap "$dest/$(basename "$d").pcap"
done
echo "not a capture" > "$MS_ENV/caps/zz-broken.pcap"
cp "$repo/scripts/mailsess-sessions.py" "$repo/scripts/mailsess-elastic-mapping.py" "$MS_ENV/"
chmod -R a+rX "$MS_ENV"
out=$(mktemp -d)
chmod 777 "$out"
trap 'rm -rf "$out" "$MS_ENV"' EXIT
rc=0
ms_run python3 mailsess-sessions.py --jobs 3 caps > "$out/jobs3.jsonl" 2> "$out/jobs3.err" || rc=$?
echo "$rc" > "$out/jobs3.rc"
ms_run python3 mailsess-sessions.py --jobs 1 caps > "$out/jobs1.jsonl" 2> /dev/null || true
ms_run python3 mailsess-sessions.py --format csv caps > "$out/all.csv" 2> /dev/null || true
(cd "$MS_ENV" && find caps -name '*.pcap' ! -name 'zz-*' | sort) > "$out/list.txt"
while read -r c; do
    echo "== $c"
    ms_tshark -r "$c" -q -z mailsess,sessions,json
done < "$out/list.txt" > "$out/direct.txt"
ms_run python3 mailsess-elastic-mapping.py > "$out/ek-mapping.json" 2> /dev/null
ms_run python3 mailsess-elastic-mapping.py --sessions > "$out/sessions-mapping.json"
ms_tshark -r "$(head -1 "$out/list.txt")" -2 -T ek -J mailsess > "$out/ek.jsonl"
python3 "$here/check-many-captures.py" "$out"
