#!/usr/bin/env python3
"""set_client_port.py IN.pcap OUT.pcap OLD NEW [--client-ipv4 A.B.C.D]

Copies a libpcap capture (Ethernet link type) with TCP port OLD replaced by
NEW in both directions, in every IPv4 and IPv6 packet: e.g. a client's
ephemeral port set to the server's own port (25 -> 25), as an MTA bound to
its port connects. With --client-ipv4, the IPv4 address on the OLD port's
side becomes that address too (a loopback capture has one address on both
sides; equal ports need two hosts). Payload, sequence numbers and times are
kept; the IPv4 header checksum is recomputed; TCP checksums are left as they
are (loopback captures carry offloaded, wrong ones already, and tshark does
not check them by default). Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import struct
import sys

from pcapkit import checksum, ip_offset, tcp_offset


def rewrite(pkt, old, new, client_ip):
    p = bytearray(pkt)
    t = tcp_offset(p)
    if t is None or len(p) < t + 4:
        return bytes(p)
    etype, ip = ip_offset(p)
    for k, o in enumerate((t, t + 2)):  # source port, then destination port
        if struct.unpack_from("!H", p, o)[0] != old:
            continue
        struct.pack_into("!H", p, o, new)
        if client_ip and etype == 0x0800:
            p[ip + 12 + 4 * k:ip + 16 + 4 * k] = client_ip
            ihl = (p[ip] & 0x0F) * 4
            p[ip + 10:ip + 12] = b"\0\0"
            struct.pack_into("!H", p, ip + 10, checksum(bytes(p[ip:ip + ihl])))
    return bytes(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("old", type=int)
    ap.add_argument("new", type=int)
    ap.add_argument("--client-ipv4", help="IPv4 address of the OLD port's side")
    a = ap.parse_args()
    client_ip = bytes(int(x) for x in a.client_ipv4.split(".")) if a.client_ipv4 else None
    with open(a.input, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1" or magic == b"\x4d\x3c\xb2\xa1":
        endian = "<"
    elif magic == b"\xa1\xb2\xc3\xd4" or magic == b"\xa1\xb2\x3c\x4d":
        endian = ">"
    else:
        sys.exit("not a libpcap file: %s" % a.input)
    if struct.unpack_from(endian + "I", data, 20)[0] != 1:
        sys.exit("not an Ethernet capture: %s" % a.input)
    out = [data[:24]]
    off, n = 24, 0
    while off + 16 <= len(data):
        ts, tu, incl, orig = struct.unpack_from(endian + "IIII", data, off)
        pkt = data[off + 16:off + 16 + incl]
        out.append(data[off:off + 16])
        out.append(rewrite(pkt, a.old, a.new, client_ip))
        off += 16 + incl
        n += 1
    with open(a.output, "wb") as f:
        f.write(b"".join(out))
    print("%s: %d packets, port %d -> %d" % (a.output, n, a.old, a.new))


if __name__ == "__main__":
    main()
