#!/usr/bin/env bash
# make-crafted-captures.sh - write the crafted-* cases from their transcripts.
#
# Hostile input that no real client or server sends on purpose (attacker
# bytes for the analyst's screen, evasions of the parser) is written from a
# transcript by tools/write_session.py: one TCP connection, one segment per
# line. Each case README says what a real server answered where one decides
# the truth. Deterministic: same transcript, same capture.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")"
for t in crafted-*/transcript.txt; do
    dir=$(dirname "$t")
    port=25
    [[ "$dir" == crafted-pop3-* ]] && port=110
    [ -f "$dir/server-port" ] && port=$(cat "$dir/server-port")
    python3 tools/write_session.py "$t" "$dir/capture.pcap" --server-port "$port"
done
