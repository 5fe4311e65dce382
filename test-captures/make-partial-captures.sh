#!/usr/bin/env bash
# make-partial-captures.sh - derive the partial-* cases from the real captures.
#
# A real client and server do not produce a capture that starts mid-session,
# misses one direction or loses a segment: those are properties of the
# capture, so they are made here by cutting the real captures with editcap /
# tshark (Wireshark's own tools). Deterministic: same input, same output.
# The frame numbers below are those of the committed captures, so the input
# is always the committed smtp-* folders (IN, default: this folder); OUT
# (default: this folder) is where the partial-* folders are written.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")"
IN=${IN:-.}
OUT=${OUT:-.}

mk() { mkdir -p "$OUT/$1"; }

# Starts at the second MAIL: no handshake, no greeting, no EHLO.
mk partial-mid-session
editcap -r "$IN/smtp-multi-msg-rejected-rcpt/capture.pcap" "$OUT/partial-mid-session/capture.pcap" 17-39

# Starts inside the DATA content of the ~100 KB message.
mk partial-mid-data
editcap -r "$IN/smtp-large/capture.pcap" "$OUT/partial-mid-data/capture.pcap" 16-26

# Only the client's packets (to port 25), then only the server's.
mk partial-client-only
tshark -r "$IN/smtp-auth-plain/capture.pcap" -Y 'tcp.dstport == 25' -w "$OUT/partial-client-only/capture.pcap"
mk partial-server-only
tshark -r "$IN/smtp-auth-plain/capture.pcap" -Y 'tcp.srcport == 25' -w "$OUT/partial-server-only/capture.pcap"

# Frame 21 (RCPT TO:<nosuchuser@example.test>) lost.
mk partial-lost-segment
editcap "$IN/smtp-multi-msg-rejected-rcpt/capture.pcap" "$OUT/partial-lost-segment/capture.pcap" 21
