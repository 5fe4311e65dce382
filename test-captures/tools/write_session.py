#!/usr/bin/env python3
"""write_session.py TRANSCRIPT OUT.pcap [--server-port N] [--client-port N]

Writes one TCP connection as a libpcap capture (Ethernet, IPv4, 127.0.0.1
client -> 127.0.0.2 server): the three-way handshake, one segment per
transcript line with its ACK, and a FIN each way. For crafted cases only,
where no real client or server produces the bytes on purpose (the case README
says so); everything else is recorded from real programs.

Transcript: one segment per line, "C: " (client) or "S: " (server) then the
payload as a Python bytes literal body, e.g.  C: EHLO x\\r\\n  or
S: 220 mx ESMTP\\r\\n  (escapes \\r \\n \\t \\xNN \\\\ are decoded; nothing is
added). "C*N: text" repeats the text N times in one segment. Lines starting
with "#" and empty lines are skipped. Segments are 1 ms apart; the same
transcript always gives the same file. Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import ast
import struct

from pcapkit import checksum

CLIENT_IP = bytes([127, 0, 0, 1])
SERVER_IP = bytes([127, 0, 0, 2])
MSS = 65000


def frame(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\0" * 12 + b"\x08\x00"
    return eth + ip + tcp + payload


def parse(path):
    segs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            head, sep, body = line.partition(": ")
            side, _, times = head.partition("*")
            if not sep or side not in ("C", "S"):
                raise SystemExit("%s:%d: expected 'C: ...' or 'S: ...'" % (path, n))
            data = ast.literal_eval("b'''" + body.replace("'''", "\\'\\'\\'") + "'''")
            segs.append((side, data * (int(times) if times else 1)))
    return segs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("transcript")
    ap.add_argument("output")
    ap.add_argument("--server-port", type=int, default=25)
    ap.add_argument("--client-port", type=int, default=40000)
    a = ap.parse_args()
    cp, sp = a.client_port, a.server_port
    cseq, sseq = 1000, 5000
    pkts = []

    def add(from_client, flags, payload=b""):
        nonlocal cseq, sseq
        if from_client:
            pkts.append(frame(CLIENT_IP, SERVER_IP, cp, sp, cseq, sseq, flags, payload))
            cseq += len(payload) + (1 if flags & 0x03 else 0)
        else:
            pkts.append(frame(SERVER_IP, CLIENT_IP, sp, cp, sseq, cseq, flags, payload))
            sseq += len(payload) + (1 if flags & 0x03 else 0)

    SYN, FIN, ACK, PSH = 0x02, 0x01, 0x10, 0x08
    pkts.append(frame(CLIENT_IP, SERVER_IP, cp, sp, cseq, 0, SYN, b""))
    cseq += 1
    add(False, SYN | ACK)
    add(True, ACK)
    for side, data in parse(a.transcript):
        for off in range(0, len(data), MSS):
            add(side == "C", PSH | ACK, data[off:off + MSS])
            add(side != "C", ACK)
    add(True, FIN | ACK)
    add(False, FIN | ACK)
    add(True, ACK)

    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    t0 = 1704110400  # 2024-01-01 12:00:00 UTC
    for i, p in enumerate(pkts):
        out.append(struct.pack("<IIII", t0 + i // 1000, (i % 1000) * 1000, len(p), len(p)))
        out.append(p)
    with open(a.output, "wb") as f:
        f.write(b"".join(out))
    print("%s: %d packets" % (a.output, len(pkts)))


if __name__ == "__main__":
    main()
