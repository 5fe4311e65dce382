#!/usr/bin/env bash
# check-stats.sh PLUGIN_SO WS_VERSION GOLDEN CASE_DIR... [--update]
#
# Mail Statistics (-z mailsess,stat; the stats tree mailsess,tree) and the
# service response times (-z mailsess,srt) on one capture merged from
# CASE_DIRs: the same in one pass and two, equal to the reviewed GOLDEN, and
# cross-checked against the per-frame fields (check-stats.py: the counts add
# up to the sessions, replies, logins, messages and expert infos the frames
# show). With --update the golden file is rewritten (review it by hand).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2 golden=$3
shift 3
update=""
cases=()
for a in "$@"; do if [ "$a" = --update ]; then update=--update; else cases+=("$a"); fi; done
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
ms_env_merge merged.pcap "${cases[@]}"
out=$(mktemp -d)
trap 'rm -rf "$out" "$MS_ENV"' EXIT
r=(-r merged.pcap)
ms_tshark "${r[@]}" -q -z mailsess,stat -z mailsess,srt > "$out/stats1.txt"
ms_tshark "${r[@]}" -2 -q -z mailsess,stat -z mailsess,srt > "$out/stats2.txt"
ms_tshark "${r[@]}" -2 -q -z mailsess,tree > "$out/tree2.txt"
ms_tshark "${r[@]}" -2 -q -z expert > "$out/expert.txt"
ms_tshark "${r[@]}" -2 -Y mailsess -T fields -E occurrence=a -E aggregator='|' \
    -e frame.number -e mailsess.session -e mailsess.proto -e mailsess.request_in \
    -e mailsess.login.result -e mailsess.msg_count -e mailsess.last_frame > "$out/fields.txt"
# -T fields prints the number of an enumerated field: its names, to read them
ms_tshark -G values | grep -P '^V\tmailsess\.' > "$out/gvalues.txt"
python3 "$here/check-stats.py" "$out" "$golden" $update
