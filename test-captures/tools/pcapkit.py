#!/usr/bin/env python3
"""pcapkit.py - the few packet helpers the capture tools share.

Internet checksum (RFC 1071), and where the IP and TCP headers start in an
Ethernet frame (VLAN tags skipped). Imported by set_client_port.py and
write_session.py; `python3 pcapkit.py` runs its self-test. Standard library
only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import struct


def checksum(data):
    """The 16-bit one's complement of the one's complement sum of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_offset(pkt):
    """(ethertype, offset of the IP header) of an Ethernet frame, or (None, None)."""
    off = 12
    while off + 2 <= len(pkt):
        etype = struct.unpack_from("!H", pkt, off)[0]
        if etype in (0x8100, 0x88A8):  # VLAN tags
            off += 4
            continue
        return etype, off + 2
    return None, None


def tcp_offset(pkt):
    """Offset of the TCP header in an Ethernet frame (IPv4 or IPv6), or None."""
    etype, ip = ip_offset(pkt)
    if etype == 0x0800 and len(pkt) >= ip + 20 and pkt[ip + 9] == 6:
        return ip + (pkt[ip] & 0x0F) * 4
    if etype == 0x86DD and len(pkt) >= ip + 40 and pkt[ip + 6] == 6:
        return ip + 40
    return None


if __name__ == "__main__":
    # RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2, checksum 220d
    assert checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    frame = b"\0" * 12 + b"\x81\x00\0\x01" + b"\x08\x00" + bytes([0x45] + [0] * 8 + [6] + [0] * 10)
    assert ip_offset(frame) == (0x0800, 18) and tcp_offset(frame) == 38
    assert tcp_offset(b"\0" * 12 + b"\x08\x06") is None
    print("pcapkit: ok")
