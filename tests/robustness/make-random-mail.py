#!/usr/bin/env python3
"""make-random-mail.py OUT.pcap SEED [SESSIONS]

Writes a capture of TCP connections on the mail ports (25, 110, 587, and 2525
/ 1110 / 465 / 995 for the heuristic and implicit-TLS paths) whose payload is
random: mail command and reply words, CR/LF/bare LF/NUL, dot lines, base64,
long lines and plain random bytes, in random segment sizes and directions,
with now and then a lost segment, a retransmission, segments out of order,
a FIN or RST in the middle, or no handshake at all. randpkt-style, but
aimed at the session layer: the same SEED gives the same file.
Standard library only. SPDX-License-Identifier: GPL-2.0-or-later
"""
import random
import struct
import sys

WORDS = [
    b"220 ", b"220-", b"220 mail.example ESMTP\r\n", b"250-", b"250 ", b"250 OK\r\n",
    b"354 ", b"334 ", b"235 ", b"421 ", b"454 4.7.0 TLS not available\r\n", b"535 ",
    b"550 ", b"552 ", b"+OK", b"+OK ", b"-ERR ", b"+ ", b"EHLO ", b"HELO ", b"MAIL FROM:<",
    b"MAIL FROM:<>", b"RCPT TO:<", b">", b"@", b"DATA\r\n", b"BDAT ", b" LAST", b"BDAT 5 LAST\r\n",
    b"AUTH PLAIN ", b"AUTH LOGIN\r\n", b"AUTH CRAM-MD5\r\n", b"AUTH XOAUTH2 ", b"AUTH ",
    b"STARTTLS\r\n", b"STLS\r\n", b"RSET\r\n", b"NOOP\r\n", b"QUIT\r\n", b"USER ", b"PASS ",
    b"APOP ", b"STAT\r\n", b"LIST\r\n", b"RETR 1\r\n", b"TOP 1 0\r\n", b"DELE 1\r\n",
    b"UIDL\r\n", b"CAPA\r\n", b"SMTPUTF8", b"SIZE ", b"PIPELINING", b"CHUNKING", b"SASL ",
    b".\r\n", b"\r\n.\r\n", b"\n.\n", b"\r\n.\n", b"..", b"\r\n", b"\n", b"\r", b"\x00", b" ",
    b"*\r\n", b"=", b"dXNlcgB1c2VyAHBhc3M=", b"AHVzZXIAcGFzcw==", b"\x16\x03\x01\x00\x05",
    b"\xff\xfe", "é€".encode(), b"Subject: x\r\n",
]


CLIENT = [b"EHLO c.example", b"HELO c", b"MAIL FROM:<a@b.example>", b"MAIL FROM:<> SIZE=10",
          b"RCPT TO:<x@y.example>", b"RCPT TO:<>", b"DATA", b"BDAT 3", b"BDAT 0 LAST",
          b"AUTH PLAIN AGEAYg==", b"AUTH LOGIN", b"YWxpY2U=", b"*", b"STARTTLS", b"RSET", b"QUIT",
          b"USER alice", b"PASS secret", b"APOP alice 0123456789abcdef0123456789abcdef", b"STAT",
          b"LIST", b"RETR 1", b"TOP 1 5", b"DELE 1", b"UIDL", b"CAPA", b"STLS", b"AUTH PLAIN",
          b"Subject: hi", b".", b"..x", b""]
SERVER = [b"220 mx ESMTP ready", b"250-mx", b"250-STARTTLS", b"250-AUTH PLAIN LOGIN",
          b"250 CHUNKING", b"250 2.1.0 Ok", b"354 End data with <CR><LF>.<CR><LF>", b"334 ",
          b"334 VXNlcm5hbWU6", b"235 2.7.0 ok", b"535 5.7.8 no", b"550 5.1.1 unknown", b"221 bye",
          b"+OK", b"+OK 2 320", b"+OK ready <1.2@x>", b"-ERR no", b"+ ", b"STLS", b"SASL PLAIN",
          b".", b"..", b"From: a", b"421 closing", b"454 4.7.0 TLS not available", b"220 go ahead"]


def payload(rng, side):
    parts = []
    for _ in range(rng.randint(1, 12)):
        r = rng.random()
        if r < 0.35:  # a well-formed line of this side
            parts.append(rng.choice(SERVER if side else CLIENT) + b"\r\n")
        elif r < 0.6:
            parts.append(rng.choice(WORDS))
        elif r < 0.75:
            parts.append(bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 <>:@.-")
                               for _ in range(rng.randint(1, 40))))
        elif r < 0.9:
            parts.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64))))
        elif r < 0.97:
            parts.append(str(rng.choice([0, 1, 7, 100, 4294967295, 18446744073709551616,
                                         rng.getrandbits(40)])).encode())
        else:  # a long line
            parts.append(b"A" * rng.choice([511, 512, 513, 999, 1001, 3000]) + b"\r\n")
    return b"".join(parts)[:1460] or b"\r\n"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, data):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def session(rng, n, t):
    """Frames (time, bytes) of one random connection."""
    port = rng.choice([25, 25, 110, 110, 587, 2525, 1110, 465, 995])
    cli, srv = bytes([10, 0, 0, 1 + n % 200]), bytes([10, 0, 1, 1])
    cport = 40000 + n
    seq = {0: rng.getrandbits(32), 1: rng.getrandbits(32)}  # 0 client, 1 server
    out = []

    def emit(side, flags, data=b""):
        nonlocal t
        t += rng.random() * 0.05
        if side == 0:
            f = frame(cli, srv, cport, port, seq[0], seq[1], flags, data)
        else:
            f = frame(srv, cli, port, cport, seq[1], seq[0], flags, data)
        out.append((t, f))

    if rng.random() < 0.85:  # the handshake, mostly
        emit(0, SYN); seq[0] += 1
        emit(1, SYN | ACK); seq[1] += 1
        emit(0, ACK)
    side = 1 if rng.random() < 0.8 else 0  # the server greets first, mostly
    if port in (2525, 1110) and rng.random() < 0.7:  # so that the heuristic takes it
        greet = b"220 x ESMTP\r\n" if port == 2525 else b"+OK ready\r\n"
        emit(1, PSH | ACK, greet); seq[1] += len(greet)
        side = 0
    for _ in range(rng.randint(1, 60)):
        data = payload(rng, side)
        r = rng.random()
        if r < 0.03:  # a lost segment
            seq[side] += len(data)
        elif r < 0.06 and out:  # a retransmission of the last frame
            t += 0.001
            out.append((t, out[-1][1]))
        elif r < 0.08:  # two segments out of order
            d2 = payload(rng, side)
            s0 = seq[side]
            seq[side] = s0 + len(data)
            emit(side, PSH | ACK, d2)
            seq[side] = s0
            emit(side, PSH | ACK, data)
            seq[side] = s0 + len(data) + len(d2)
        elif r < 0.09:
            emit(side, RST | ACK)
        elif r < 0.10:
            emit(side, FIN | ACK); seq[side] += 1
        else:
            emit(side, PSH | ACK, data)
            seq[side] += len(data)
        if rng.random() < 0.6:
            side ^= 1
    if rng.random() < 0.7:
        emit(0, FIN | ACK); seq[0] += 1
        emit(1, FIN | ACK); seq[1] += 1
        emit(0, ACK)
    return out, t


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, seed = sys.argv[1], int(sys.argv[2])
    sessions = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    rng = random.Random(seed)
    frames, t = [], 1700000000.0
    for n in range(sessions):
        fs, t = session(rng, n, t)
        frames += fs
        t += 0.2
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, data in frames:
            sec = int(ts)
            f.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
