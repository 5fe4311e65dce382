#!/usr/bin/env python3
"""Seed corpus for fuzz_parsers (regenerable): one file per interesting input.

Byte 0 selects the parser (0 reply line, 1 command, 2 SASL response,
3 printable text, 4 line assembler; 0xFF the TLS record scanner), as in fuzz_parsers.c.
Usage: make-parser-seeds.py OUT_DIR
SPDX-License-Identifier: GPL-2.0-or-later
"""
import base64
import hashlib
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
b64 = base64.b64encode
seeds = [
    b"\x00250-mx.example.test", b"\x00250 2.0.0 Ok: queued as 4Xk", b"\x00354", b"\x00999 x",
    b"\x0022", b"\x00220-", b"\x00" + b"5" * 40,
    b"\x01MAIL FROM:<alice@example.test> SIZE=100 BODY=8BITMIME", b"\x01MAIL FROM:<>",
    b"\x01RCPT TO:<\xc3\xa4@b\xc3\xa4r.example>", b"\x01RCPT TO: bob@x", b"\x01MAIL FROM:<a@b",
    b"\x01AUTH PLAIN " + b64(b"\0alice\0pw"), b"\x01AUTH LOGIN", b"\x01AUTH PLAIN =",
    b"\x01AUTH " + b"X" * 30, b"\x01BDAT 100 LAST", b"\x01BDAT 99999999999999999999",
    b"\x01BDAT 5 NOTLAST", b"\x01ABCDEFGHIJKLMNOPQ x",
    b"\x02\x00\x00" + b64(b"authz\0alice\0secret"), b"\x02\x01\x00" + b64(b"alice"),
    b"\x02\x02\x00" + b64(b"alice 0123456789abcdef0123456789abcdef"),
    b"\x02\x03\x00" + b64(b"user=alice@x\x01auth=Bearer tok\x01\x01"),
    b"\x02\x05\x00" + b64(b"n,,n=alice,r=nonce"), b"\x02\x07\x01" + b64(b'username="alice",realm="x"'),
    b"\x02\x08\x00" + b64(b"NTLMSSP\0\x03\0\0\0" + b"\0" * 40), b"\x02\x00\x00a===",
    b"\x03\x28j\xc3\xb6rg \xff\x00\x7f\x1b[0m", b"\x03\x03\xe2\x82\xac\xe2\x82", b"\x03\xff\xed\xa0\x80",
    b"\x04\x05\x03line one\r\nline two\nbare\rcr\r", b"\x04\x00\x01\r\r\n\n\r",
    b"\x04\x3f\x0f" + b"x" * 200 + b"\r\n",
    # 0xFF: the TLS record scanner (byte 1: piece size)
    b"\xff\x00\x16\x03\x01\x00\x04\x01\x00\x00\x00\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x02\xaa\xbb",
    b"\xff\x02\x16\x03\x01\x00\x01\x01\x17\x03AUTH PLAIN " + b64(b"\0alice\0pw") + b"\r\n",
    b"\xff\x07\x80\x2e\x01\x03\x01" + b"\x00" * 43 + b"\x15\x03\x03\x00\x02\x02\x28",
]
for s in seeds:
    (out / hashlib.sha1(s).hexdigest()).write_bytes(s)
print(f"{len(seeds)} seeds in {out}")
