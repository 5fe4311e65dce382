#!/usr/bin/env python3
"""shift-addresses.py IN.pcap OUT.pcap K

Copies a pcap (Ethernet) capture with every IPv4 and IPv6 address changed in
one byte (XOR K into the second byte of IPv4 addresses, the third of IPv6
addresses; the IPv4 header checksum is recomputed), so that K copies of a
capture, each corrupted differently, can be concatenated into one file and
read by one tshark run without their TCP connections mixing (tshark's
start-up costs far more than a small capture). Ports are left alone: they
choose the dissectors. Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import struct
import sys


def checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def shift(pkt, k):
    p = bytearray(pkt)
    off, etype = 12, None
    while off + 2 <= len(p):
        etype = struct.unpack_from("!H", p, off)[0]
        if etype in (0x8100, 0x88A8):  # VLAN tags
            off += 4
            continue
        break
    ip = off + 2
    if etype == 0x0800 and len(p) >= ip + 20:
        ihl = (p[ip] & 0x0F) * 4
        p[ip + 13] ^= k
        p[ip + 17] ^= k
        if ihl >= 20 and len(p) >= ip + ihl:
            p[ip + 10:ip + 12] = b"\0\0"
            struct.pack_into("!H", p, ip + 10, checksum(bytes(p[ip:ip + ihl])))
    elif etype == 0x86DD and len(p) >= ip + 40:
        p[ip + 8 + 2] ^= k
        p[ip + 24 + 2] ^= k
    return bytes(p)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3]) & 0xFF
    data = open(src, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit(f"{src}: not a pcap file (convert with editcap -F pcap)")
    if struct.unpack_from(e + "I", data, 20)[0] != 1:
        sys.exit(f"{src}: not Ethernet")
    out = [data[:24]]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(e + "IIII", data, off)
        pkt = data[off + 16:off + 16 + incl]
        out.append(data[off:off + 16])
        out.append(shift(pkt, k))
        off += 16 + incl
    with open(dst, "wb") as f:
        f.write(b"".join(out))


if __name__ == "__main__":
    main()
