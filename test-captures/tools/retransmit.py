#!/usr/bin/env python3
"""retransmit.py IN OUT FRAME ACK_FRAME [--with-next NEXT]

Rewrites a real capture (pcap, Ethernet) into one where the client segment
FRAME (1-based, with payload) is fast-retransmitted: as seen from the
sender's side of a lossy path, the original is captured, the server sends
three duplicate ACKs (copies of its segment ACK_FRAME's header acknowledging
FRAME's first byte, with no payload) and the client sends the segment again
(TCP's "Fast Retransmission"). The server's later segments are unchanged.

--with-next NEXT: the retransmission is repacketized: it carries FRAME's
bytes and those of the client's next segment NEXT, which is removed (a
sender that coalesces on retransmission, as Linux does).

Checksums and IP lengths are recomputed; times of the inserted packets lie
between FRAME and the packet after it. Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import struct

from pcapkit import checksum, ip_offset, tcp_offset


def read(path):
    data = open(path, "rb").read()
    if struct.unpack_from("<I", data)[0] != 0xA1B2C3D4:
        raise SystemExit("%s: not a little-endian microsecond pcap" % path)
    off, pkts = 24, []
    while off < len(data):
        sec, usec, incl, _orig = struct.unpack_from("<IIII", data, off)
        off += 16
        pkts.append((sec * 1000000 + usec, data[off:off + incl]))
        off += incl
    return data[:24], pkts


def write(path, hdr, pkts):
    with open(path, "wb") as f:
        f.write(hdr)
        for t, p in pkts:
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(p), len(p)))
            f.write(p)


def tcp_parts(p):
    t = tcp_offset(p)
    hl = (p[t + 12] >> 4) * 4
    seq, ack = struct.unpack_from("!II", p, t + 4)
    return t, hl, seq, ack, p[t + hl:]


def rebuild(p, seq=None, ack=None, payload=None, flags=None):
    """p with TCP seq/ack/flags/payload replaced (IPv4), lengths and checksums fixed."""
    etype, ip = ip_offset(p)
    if etype != 0x0800:
        raise SystemExit("only IPv4 frames are rewritten")
    t, hl, s0, a0, pl0 = tcp_parts(p)
    payload = pl0 if payload is None else payload
    tcp = bytearray(p[t:t + hl])
    struct.pack_into("!II", tcp, 4, s0 if seq is None else seq, a0 if ack is None else ack)
    if flags is not None:
        tcp[13] = flags
    tcp[16:18] = b"\0\0"
    iph = bytearray(p[ip:t])
    struct.pack_into("!H", iph, 2, len(iph) + hl + len(payload))
    iph[10:12] = b"\0\0"
    struct.pack_into("!H", iph, 10, checksum(bytes(iph)))
    pseudo = bytes(iph[12:20]) + struct.pack("!BBH", 0, 6, hl + len(payload))
    struct.pack_into("!H", tcp, 16, checksum(pseudo + bytes(tcp) + payload))
    return p[:ip] + bytes(iph) + bytes(tcp) + payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("frame", type=int)
    ap.add_argument("ack_frame", type=int)
    ap.add_argument("--with-next", type=int)
    a = ap.parse_args()
    hdr, pkts = read(a.inp)
    t0, orig = pkts[a.frame - 1]
    t1 = pkts[a.frame][0] if a.frame < len(pkts) else t0 + 10
    _, _, seq, _, payload = tcp_parts(orig)
    _, _, sseq, _, spayload = tcp_parts(pkts[a.ack_frame - 1][1])
    if not payload:
        raise SystemExit("frame %d carries no payload" % a.frame)
    dup = rebuild(pkts[a.ack_frame - 1][1], seq=sseq + len(spayload), ack=seq, payload=b"",
                  flags=0x10)
    retx = orig
    drop = None
    if a.with_next:
        _, _, nseq, _, npayload = tcp_parts(pkts[a.with_next - 1][1])
        if nseq != seq + len(payload):
            raise SystemExit("frame %d does not follow frame %d" % (a.with_next, a.frame))
        retx = rebuild(orig, payload=payload + npayload)
        drop = a.with_next - 1
    step = max((t1 - t0) // 5, 0)
    inserted = [(t0 + step * (i + 1), dup) for i in range(3)] + [(t0 + step * 4, retx)]
    rest = [p for i, p in enumerate(pkts[a.frame:], a.frame) if i != drop]
    write(a.out, hdr, pkts[:a.frame] + inserted + rest)


if __name__ == "__main__":
    main()
