#!/usr/bin/env python3
"""make-memory-captures.py OUTDIR [SESSIONS] [REFUSED]

Writes the two memory cases of issue #15 as captures (Ethernet/IPv4/TCP,
standard library only, deterministic):
  unanswered.pcap  SESSIONS (default 1000) sequential SMTP sessions, each:
                   greeting, EHLO, MAIL, then 1,024 pipelined RCPTs with
                   500-byte non-ASCII addresses that get no reply, and a FIN
                   each way (the state of ended sessions must be released);
  refused.pcap     one session of REFUSED (default 100,000) RCPTs with such
                   addresses, each refused with 550 (escaping must stay linear
                   and stop at the list cap).
Scripted, not recorded: postfix answers every RCPT, and the point is what
the capture holds. tests/robustness/memory-cases.sh measures them.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "test-captures", "tools"))
from pcapkit import checksum  # noqa: E402

ADDR = ("r" + "\u00e9" * 249 + "@example.test").encode()  # 512 bytes, 249 two-byte letters


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = 1704110400 * 1000000

    def packet(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + payload)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6,
                         0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        p = b"\0" * 12 + b"\x08\x00" + ip + tcp + payload
        self.t += 100
        self.f.write(struct.pack("<IIII", self.t // 1000000, self.t % 1000000, len(p), len(p)))
        self.f.write(p)


def session(w, n, segments):
    """segments: (from_client, payload) in order; one connection numbered n."""
    c = bytes([10, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF])
    s = bytes([10, 255, 0, 1])
    cp, sp = 40000 + n % 20000, 25
    seq = {True: 1000, False: 5000}
    w.packet(c, s, cp, sp, seq[True], 0, 0x02)
    seq[True] += 1
    w.packet(s, c, sp, cp, seq[False], seq[True], 0x12)
    seq[False] += 1
    for from_client, data in segments:
        a, b, pa, pb = (c, s, cp, sp) if from_client else (s, c, sp, cp)
        for off in range(0, len(data), 60000):
            part = data[off:off + 60000]
            w.packet(a, b, pa, pb, seq[from_client], seq[not from_client], 0x18, part)
            seq[from_client] += len(part)
            w.packet(b, a, pb, pa, seq[not from_client], seq[from_client], 0x10)
    for from_client in (True, False):
        a, b, pa, pb = (c, s, cp, sp) if from_client else (s, c, sp, cp)
        w.packet(a, b, pa, pb, seq[from_client], seq[not from_client], 0x11)
        seq[from_client] += 1
    w.packet(c, s, cp, sp, seq[True], seq[False], 0x10)


def opening():
    return [(False, b"220 mx.example.test ESMTP\r\n"), (True, b"EHLO c.example.test\r\n"),
            (False, b"250-mx.example.test\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n"),
            (True, b"MAIL FROM:<a@example.test> SMTPUTF8\r\n"), (False, b"250 2.1.0 Ok\r\n")]


def main():
    out = sys.argv[1]
    sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    refused = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    os.makedirs(out, exist_ok=True)
    rcpt = b"RCPT TO:<" + ADDR + b">\r\n"
    w = Writer(os.path.join(out, "unanswered.pcap"))
    for n in range(sessions):
        session(w, n, opening() + [(True, rcpt * 1024)])
    w.f.close()
    w = Writer(os.path.join(out, "refused.pcap"))
    segs = opening()
    for _ in range(refused // 100):  # 100 RCPTs a segment, 100 refusals a segment
        segs += [(True, rcpt * 100), (False, b"550 5.1.1 User unknown\r\n" * 100)]
    session(w, 0, segs + [(True, b"QUIT\r\n"), (False, b"221 2.0.0 Bye\r\n")])
    w.f.close()
    print("%s: %d unanswered-RCPT sessions, one session of %d refused RCPTs" %
          (out, sessions, refused))


if __name__ == "__main__":
    main()
