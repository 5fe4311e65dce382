#!/usr/bin/python3
"""Clients and servers of make-port-captures.sh where no ordinary program
fits, and the greeting probe used by all the scripts' server checks.

  port_peers.py probe PORT [tls]       print the first line the server sends
  port_peers.py midsession GREETED GO  SMTP client on 2525 that reads the greeting,
                                       creates GREETED, waits for GO, then goes on
  port_peers.py pop3-1110              poplib session on 127.0.0.1:1110
  port_peers.py random-server | random-client   the seeded random-bytes peers (4000)
  port_peers.py random-facts < SEGS    facts about the random segments (repr lines)
  port_peers.py ftp-server ROOT LOG [PORT]  pyftpdlib on 127.0.0.1:PORT (2121)

Standard library only (ftp-server: Debian's python3-pyftpdlib).
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import base64
import os
import random
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_client import HELO, HOST, Raw2, msg  # noqa: E402  (the raw SMTP client and test message)


def out(label, value):
    print("%s: %s" % (label, value))
    sys.stdout.flush()


def probe(port, tls=False):
    s = socket.create_connection((HOST, port), timeout=10)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    f = s.makefile("rb")
    print(f.readline().decode().rstrip("\r\n"))
    s.close()


def midsession(greeted, go):
    """connect to 2525, read the greeting, then wait until the script has
    started tcpdump (it creates the file <go>), then EHLO ... QUIT"""
    r = Raw2(port=2525)
    r.reply(220, "greeting (before the capture starts)")
    open(greeted, "w").close()
    t0 = time.time()
    while not os.path.exists(go):
        if time.time() - t0 > 60:
            raise SystemExit("the script did not say go")
        time.sleep(0.05)
    time.sleep(1)                           # tcpdump is running; let the connection idle 1 s
    r.send(("EHLO %s\r\n" % HELO).encode()); r.reply(250, "EHLO")
    r.send(b"AUTH PLAIN " + base64.b64encode(b"\0alice\0alicepw") + b"\r\n"); r.reply(235, "AUTH PLAIN")
    r.send(b"MAIL FROM:<alice@example.test>\r\n"); r.reply(250, "MAIL")
    r.send(b"RCPT TO:<bob@example.test>\r\n"); r.reply(250, "RCPT")
    r.send(b"DATA\r\n"); r.reply(354, "DATA")
    m = msg("port-smtp-2525-midsession")
    r.send(m + b".\r\n"); r.reply(250, "end of data")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    out("content bytes", len(m))


def pop3_1110():
    import poplib
    p = poplib.POP3(HOST, 1110, timeout=30)
    out("greeting", p.getwelcome().decode())
    out("USER", p.user("alice").decode())
    out("PASS", p.pass_("alicepw").decode())
    out("STAT", "%d %d" % p.stat())
    resp, lines, octets = p.retr(1)        # poplib removes the dot-stuffing
    out("RETR 1", resp.decode())
    content = b"".join(l + b"\r\n" for l in lines)
    assert len(content) == octets
    out("RETR 1 content bytes", len(content))
    out("QUIT", p.quit().decode())


# ---- nonmail-random ---------------------------------------------------------
RANDOM_PORT = 4000
RANDOM_SEED = 20240101
# (sender, prefix, number of random bytes after the prefix); the server talks first
RANDOM_PLAN = [("S", b"220 ", 196), ("C", b"", 300), ("S", b"+OK ", 146), ("C", b"", 64),
               ("S", b"", 1000), ("C", b"", 517), ("S", b"", 80), ("C", b"", 1200)]


def random_segments():
    rng = random.Random(RANDOM_SEED)
    return [(who, prefix + bytes(rng.getrandbits(8) for _ in range(n))) for who, prefix, n in RANDOM_PLAN]


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise SystemExit("peer closed after %d of %d bytes" % (len(b), n))
        b += d
    return b


def random_peer(me, s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for who, data in random_segments():
        if who == me:
            s.sendall(data)
            print("%s: %s" % (who, data.hex()))
        else:
            got = recv_exact(s, len(data))
            if got != data:
                raise SystemExit("unexpected bytes from the peer")
        sys.stdout.flush()


def random_server():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, RANDOM_PORT))
    ls.listen(1)
    print("listening"); sys.stdout.flush()
    s, _ = ls.accept()
    s.settimeout(30)
    random_peer("S", s)
    if s.recv(1) != b"":                    # wait for the client's FIN, then close
        raise SystemExit("client sent more than planned")
    s.close()
    ls.close()


def random_client():
    s = socket.create_connection((HOST, RANDOM_PORT), timeout=30)
    random_peer("C", s)
    s.shutdown(socket.SHUT_WR)
    if s.recv(1) != b"":
        raise SystemExit("server sent more than planned")
    s.close()


def random_facts(lines):
    """from the repr() lines of the server's then the client's segments:
    CRLF count, printable bytes / length after the first 4 bytes of server
    segments 1 and 2"""
    import ast
    segs = [ast.literal_eval(l) for l in lines]
    crlf = sum(s.count(b"\r\n") for s in segs)
    s1, s2 = segs[0], segs[1]

    def pr(b):
        return sum(32 <= x < 127 for x in b)
    print("%d %d %d %d %d" % (crlf, pr(s1[4:]), len(s1) - 4, pr(s2[4:]), len(s2) - 4))


# ---- nonmail-ftp --------------------------------------------------------------
def ftp_server(root, logfile, port=2121):
    import logging
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    logging.basicConfig(filename=logfile, level=logging.INFO)
    a = DummyAuthorizer()
    a.add_user("alice", "alicepw", root, perm="elr")
    h = FTPHandler
    h.authorizer = a
    h.banner = "ftp.example.test FTP server (pyftpdlib) ready."
    h.passive_ports = range(2122, 2131)
    srv = FTPServer((HOST, port), h)
    srv.serve_forever()


def main():
    doc = __doc__.split("\n\n")
    ap = argparse.ArgumentParser(description=doc[0], epilog=doc[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["probe", "midsession", "pop3-1110", "random-server",
                                     "random-client", "random-facts", "ftp-server"])
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    x = a.args
    if a.what == "probe":
        probe(int(x[0]), len(x) > 1 and x[1] == "tls")
    elif a.what == "midsession":
        midsession(x[0], x[1])
    elif a.what == "pop3-1110":
        pop3_1110()
    elif a.what == "random-server":
        random_server()
    elif a.what == "random-client":
        random_client()
    elif a.what == "random-facts":
        random_facts(sys.stdin)
    else:
        ftp_server(x[0], x[1], int(x[2]) if len(x) > 2 else 2121)


if __name__ == "__main__":
    main()
