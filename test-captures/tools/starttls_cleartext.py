#!/usr/bin/env python3
"""starttls_cleartext.py smtp|pop3 HOST PORT - a client that gets the server's
STARTTLS/STLS go-ahead and then keeps talking in clear text instead of
starting the TLS handshake: its credentials cross the wire in clear.

  smtp: EHLO, STARTTLS, reads the 220, then sends
        "AUTH PLAIN <base64 of \\0alice\\0alicepw>" in clear text
  pop3: STLS, reads the +OK, then sends "USER alice" and "PASS alicepw" in
        clear text (one write)

Then it reads whatever the server answers (a TLS alert, or nothing) until the
server closes or 5 s pass, and closes. A client with a broken TLS set-up (or a
man in the middle stripping TLS after the go-ahead) does this; no stock
client does it on purpose, hence this script (standard library only). Prints
each reply line as "reply: ..." and what came after the switch as hex.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import base64
import socket
import sys

SECRET = base64.b64encode(b"\0alice\0alicepw").decode()


def read_reply(f, smtp):
    """One reply (SMTP: until a line 'NNN '; POP3: one line)."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            sys.exit("connection closed before the reply")
        lines.append(line.decode(errors="replace").rstrip("\r\n"))
        if not smtp or (len(line) >= 4 and line[3:4] == b" "):
            break
    for l in lines:
        print("reply: " + l)
    return lines[-1]


def after_switch(sock):
    """What the server sends after the clear text, until it closes."""
    sock.settimeout(5)
    got = b""
    try:
        while True:
            b = sock.recv(4096)
            if not b:
                break
            got += b
    except (socket.timeout, ConnectionResetError):
        pass
    print("after the switch: the server sent %d bytes: %s" % (len(got), got.hex()))


def main():
    if sys.argv[1:] in (["--help"], ["-h"]):
        print(__doc__)
        return
    if len(sys.argv) != 4 or sys.argv[1] not in ("smtp", "pop3"):
        sys.exit(__doc__)
    proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    smtp = proto == "smtp"
    sock = socket.create_connection((host, port), timeout=10)
    f = sock.makefile("rb")
    read_reply(f, smtp)  # greeting
    if smtp:
        sock.sendall(b"EHLO client.example.test\r\n")
        read_reply(f, smtp)
        sock.sendall(b"STARTTLS\r\n")
        last = read_reply(f, smtp)
        if not last.startswith("220"):
            sys.exit("STARTTLS was not accepted: " + last)
        sock.sendall(("AUTH PLAIN %s\r\n" % SECRET).encode())
    else:
        sock.sendall(b"STLS\r\n")
        last = read_reply(f, smtp)
        if not last.startswith("+OK"):
            sys.exit("STLS was not accepted: " + last)
        sock.sendall(b"USER alice\r\nPASS alicepw\r\n")
    after_switch(sock)
    sock.close()
    print("closed")


if __name__ == "__main__":
    main()
