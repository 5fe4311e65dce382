#!/usr/bin/env bash
# make-partial-captures.sh - derive the partial-* (and derived-*) cases from the real captures.
#
# A real client and server do not produce a capture that starts mid-session,
# misses one direction or loses a segment: those are properties of the
# capture, so they are made here by cutting the real captures with editcap /
# tshark (Wireshark's own tools). Deterministic: same input, same output.
# The frame numbers below are those of the committed captures, so the input
# is always the committed smtp-* folders (IN, default: this folder); OUT
# (default: this folder) is where the partial-* and derived-* folders are written.
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

# Frame 19 (rcpt TO:<bob@example.test>) cut by a snap length of 76 bytes: the
# capture holds "rcpt TO:<b" of it (66 bytes of Ethernet/IPv4/TCP headers).
mk partial-snaplen-cut
tmp=$(mktemp -d)
editcap -r "$IN/smtp-multi-msg-rejected-rcpt/capture.pcap" "$tmp/a.pcap" 1-18
editcap -r "$IN/smtp-multi-msg-rejected-rcpt/capture.pcap" "$tmp/b.pcap" 19
editcap -s 76 "$tmp/b.pcap" "$tmp/b-cut.pcap"
editcap -r "$IN/smtp-multi-msg-rejected-rcpt/capture.pcap" "$tmp/c.pcap" 20-1000000
mergecap -a -F pcap -w "$OUT/partial-snaplen-cut/capture.pcap" "$tmp/a.pcap" "$tmp/b-cut.pcap" "$tmp/c.pcap"
rm -rf "$tmp"

# Not partial, but derived the same way: smtp-auth-plain with the client on
# 127.0.0.2 port 25, the server's own port (as an MTA bound to its port
# connects): both ports equal, so only what is said tells the directions.
mk derived-smtp-same-ports
python3 tools/set_client_port.py "$IN/smtp-auth-plain/capture.pcap" "$OUT/derived-smtp-same-ports/capture.pcap" \
    "$(tshark -r "$IN/smtp-auth-plain/capture.pcap" -c 1 -T fields -e tcp.srcport)" 25 --client-ipv4 127.0.0.2

# The same with the greeting (frame 4) and the EHLO (frame 6) not captured:
# the first mail bytes are the server's EHLO reply ("250-..."), which does not
# say who speaks, and both ports are 25; the SYN (frame 1) does say it.
mk derived-smtp-same-ports-no-opening
editcap "$OUT/derived-smtp-same-ports/capture.pcap" "$OUT/derived-smtp-same-ports-no-opening/capture.pcap" 4 6

# smtp-auth-plain moved to 2262-04-11 23:47:16.852775, 2 ms before the end of
# int64 nanoseconds since 1970 (9223372036.854775807 s): the session crosses it.
mk derived-smtp-year-2262
editcap -F pcapng -t 7427347881.088730 "$IN/smtp-auth-plain/capture.pcap" "$OUT/derived-smtp-year-2262/capture.pcapng"

# smtp-auth-login with frame 17 (RCPT TO:<bob@example.test>) fast-retransmitted:
# captured on the sender's side, lost after it, three duplicate ACKs from the
# server, the same segment again (TCP "Fast Retransmission"). The RCPT was
# sent once as far as the server is concerned.
mk derived-smtp-fast-retransmission
python3 tools/retransmit.py "$IN/smtp-auth-login/capture.pcap" \
    "$OUT/derived-smtp-fast-retransmission/capture.pcap" 17 16

# The same, repacketized: the retransmission carries the RCPT and the client's
# next segment (frame 19, DATA), which is not sent on its own.
mk derived-smtp-retransmission-repacketized
python3 tools/retransmit.py "$IN/smtp-auth-login/capture.pcap" \
    "$OUT/derived-smtp-retransmission-repacketized/capture.pcap" 17 16 --with-next 19
