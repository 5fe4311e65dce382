#!/usr/bin/env python3
"""make-capture.py - one large pcap made of N copies of the real SMTP test sessions.

    bench/make-capture.py N OUT.pcap [--cases DIR]
    bench/make-capture.py --list [--cases DIR]     (the cases it would use)
    --skip CASE,CASE...   leaves these cases out too
    --only CASE,CASE...   uses only these cases (e.g. --only smtp-many-rcpt)

Reads test-captures/smtp-*/capture.pcap (libpcap, Ethernet; each holds exactly
one TCP connection, SYN to FIN/RST) and writes OUT.pcap with N sessions: copy i
replays case i % K (cases sorted by name) with

- its own address pair: client 198.18.0.0/15 (RFC 2544 benchmarking range),
  one of 16 servers 198.19.255.1-16; the IPv6 case gets 2001:db8:1::/64 clients
  and 2001:db8:2::1-16 servers (documentation prefix). Client ports are kept
  from the original unless N > 65000, where the port is shifted to keep every
  (client address, client port) pair distinct;
- the IPv4 header checksum recomputed. TCP checksums are NOT rewritten: the
  originals were captured on Linux loopback with checksum offload, so they are
  already "bad" in the test captures, and tshark does not validate them by
  default (tcp.check_checksum is FALSE), so the dissection is the same;
- its timestamps shifted: copy i starts at BASE + i ms + a fixed 0-499 us
  jitter, keeping the session's own inter-packet times. Most cases last a few
  ms, so a few sessions overlap at any moment (the cases of 0.2-5.5 s overlap
  hundreds); packets are written in timestamp order (ties: copy, then packet).

The TLS case (smtp-starttls-auth) is skipped: without its key log tshark
would only see ciphertext. So is smtp-connect-tunnel: it holds two TCP
connections (client to proxy, proxy to server) and a copy is one connection;
the mix of cases stays the one earlier bench results were measured on. The output is deterministic for a given N (the
same input captures give byte-identical output). Python standard library only.
"""
import glob
import heapq
import os
import struct
import sys

BASE_US = 1735689600 * 1000000  # 2025-01-01 00:00:00 UTC
START_STEP_US = 1000
SKIP = {"smtp-starttls-auth", "smtp-connect-tunnel"}
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
IPS_PER_PORT = 65000


def read_pcap(path):
    """Returns [(ts_us, orig_len, bytes)] of a libpcap file with Ethernet link type."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: not a libpcap file (pcapng is not supported)")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, only Ethernet (1) is supported")
    pkts, off = [], 24
    hdr = struct.Struct(e + "IIII")
    while off + 16 <= len(data):
        sec, frac, incl, orig = hdr.unpack_from(data, off)
        off += 16
        ts = sec * 1000000 + (frac // 1000 if nano else frac)
        pkts.append((ts, orig, data[off:off + incl]))
        off += incl
    return pkts


def ip_checksum(hdr):
    if len(hdr) % 2:
        hdr += b"\0"
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def parse(pkt):
    """(ethertype, ip_off, ip_hdr_len, tcp_off) or None when not IPv4/IPv6 TCP."""
    if len(pkt) < 14:
        return None
    et = struct.unpack_from("!H", pkt, 12)[0]
    if et == ETH_IPV4 and len(pkt) >= 34:
        ihl = (pkt[14] & 0x0F) * 4
        if pkt[23] == 6 and len(pkt) >= 14 + ihl + 4:
            return et, 14, ihl, 14 + ihl
    elif et == ETH_IPV6 and len(pkt) >= 58:
        if pkt[20] == 6:  # next header TCP (the test captures have no extension headers)
            return et, 14, 40, 54
    return None


class Case:
    def __init__(self, name, pkts):
        self.name = name
        self.t0 = pkts[0][0]
        self.pkts = []
        self.server = None  # (ip bytes, port) of the endpoint the first packet (SYN) went to
        for ts, orig, data in pkts:
            p = parse(data)
            if p is None:
                raise SystemExit(f"{name}: packet that is not TCP over IPv4/IPv6 (unsupported)")
            et, ipo, _, tcpo = p
            if et == ETH_IPV4:
                src, dst = data[ipo + 12:ipo + 16], data[ipo + 16:ipo + 20]
            else:
                src, dst = data[ipo + 8:ipo + 24], data[ipo + 24:ipo + 40]
            sport, dport = struct.unpack_from("!HH", data, tcpo)
            if self.server is None:
                self.server = (dst, dport)
            to_server = (dst, dport) == self.server
            if not to_server and (src, sport) != self.server:
                raise SystemExit(f"{name}: more than one TCP connection")
            self.pkts.append((ts - self.t0, orig, bytearray(data), p, to_server))
        self.v6 = self.pkts[0][3][0] == ETH_IPV6


def addresses(i, v6):
    """(client ip bytes, server ip bytes, port shift) of copy i."""
    idx, shift = i % IPS_PER_PORT, i // IPS_PER_PORT
    srv = i % 16 + 1
    if v6:
        cli = bytes.fromhex("20010db8000100000000000000000000")[:12] + struct.pack("!I", idx + 1)
        ser = bytes.fromhex("20010db8000200000000000000000000")[:14] + struct.pack("!H", srv)
    else:
        cli = struct.pack("!I", (198 << 24 | 18 << 16) + idx + 1)
        ser = bytes((198, 19, 255, srv))
    return cli, ser, shift


def copy_packets(case, i):
    """The packets of copy i: (ts_us, orig_len, bytes), in the case's order."""
    cli, ser, shift = addresses(i, case.v6)
    start = BASE_US + i * START_STEP_US + (i * 2654435761) % 500
    for rel, orig, data, (et, ipo, ihl, tcpo), to_server in case.pkts:
        d = bytearray(data)
        src, dst = (cli, ser) if to_server else (ser, cli)
        if et == ETH_IPV4:
            d[ipo + 12:ipo + 16] = src
            d[ipo + 16:ipo + 20] = dst
            d[ipo + 10:ipo + 12] = b"\0\0"
            struct.pack_into("!H", d, ipo + 10, ip_checksum(bytes(d[ipo:ipo + ihl])))
        else:
            d[ipo + 8:ipo + 24] = src
            d[ipo + 24:ipo + 40] = dst
        if shift:
            po = tcpo if to_server else tcpo + 2  # the client's port field
            port = struct.unpack_from("!H", d, po)[0]
            struct.pack_into("!H", d, po, 1024 + (port - 1024 + shift * 7919) % 64512)
        yield start + rel, orig, bytes(d)


def main(argv):
    args = [a for a in argv[1:]]
    cases_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test-captures")
    if "--cases" in args:
        k = args.index("--cases")
        cases_dir = args[k + 1]
        del args[k:k + 2]
    skip = set(SKIP)
    if "--skip" in args:
        k = args.index("--skip")
        skip |= {c for c in args[k + 1].split(",") if c}
        del args[k:k + 2]
    only = set()
    if "--only" in args:
        k = args.index("--only")
        only = {c for c in args[k + 1].split(",") if c}
        del args[k:k + 2]
    paths = [p for p in sorted(glob.glob(os.path.join(cases_dir, "smtp-*", "capture.pcap")))
             if os.path.basename(os.path.dirname(p)) not in skip]
    if only:
        missing = only - {os.path.basename(os.path.dirname(p)) for p in paths}
        if missing:
            raise SystemExit(f"--only: no usable case {', '.join(sorted(missing))} under {cases_dir}")
        paths = [p for p in paths if os.path.basename(os.path.dirname(p)) in only]
    if not paths:
        raise SystemExit(f"no smtp-*/capture.pcap under {cases_dir}")
    if args == ["--list"]:
        for p in paths:
            print(os.path.basename(os.path.dirname(p)))
        return
    if len(args) != 2:
        raise SystemExit(__doc__)
    n, out = int(args[0]), args[1]
    if not 1 <= n <= IPS_PER_PORT * 60:
        raise SystemExit("N must be between 1 and %d" % (IPS_PER_PORT * 60))
    cases = [Case(os.path.basename(os.path.dirname(p)), read_pcap(p)) for p in paths]

    # Copies start in index order and each copy's packets are in time order, so a
    # heap merge of the per-copy generators gives time order with little memory.
    def keyed(i):
        for j, (ts, orig, data) in enumerate(copy_packets(cases[i % len(cases)], i)):
            yield ts, i, j, orig, data

    n_pkts = n_bytes = 0
    rec = struct.Struct("<IIII")
    with open(out + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        buf = []
        for ts, _, _, orig, data in heapq.merge(*(keyed(i) for i in range(n))):
            buf.append(rec.pack(ts // 1000000, ts % 1000000, len(data), orig))
            buf.append(data)
            n_pkts += 1
            n_bytes += len(data)
            if len(buf) >= 8192:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    os.replace(out + ".tmp", out)
    print(f"{out}: {n} sessions from {len(cases)} cases, {n_pkts} packets, "
          f"{n_bytes} bytes of packet data", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
