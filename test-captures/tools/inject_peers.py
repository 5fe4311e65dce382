#!/usr/bin/python3
"""Clients, the fake server and the proxy of make-injection-captures.sh
(STARTTLS/STLS injection and stripping), where no ordinary program fits.

  inject_peers.py smtp-inject PORT KEYLOG same|early
  inject_peers.py pop3-inject PORT KEYLOG
  inject_peers.py fake-smtp PORT CERT KEY KEYLOG|- CONNECTIONS
  inject_peers.py smtplib-client PORT MESSAGE-FILE
  inject_peers.py pop3-opportunistic PORT KEYLOG
  inject_peers.py proxy LISTEN-PORT TARGET-PORT smtp|pop3 MODE...
        (one mode per connection, in order: pass, strip, replace, delay)

Every step is printed as 'label: value' or 'C:'/'S:' lines for the script's
checks. Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import poplib
import select
import smtplib
import socket
import ssl
import sys
import threading

HOST = "127.0.0.1"
HELO = "client.example.test"


def out(label, value):
    print("%s: %s" % (label, value))
    sys.stdout.flush()


def client_ctx(keylog):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if keylog and keylog != "-":
        ctx.keylog_filename = keylog
    return ctx


class Raw:
    """raw client: every send() is one write (TCP_NODELAY), own read buffer
    (so that no byte after the go-ahead is swallowed by a buffered reader)"""

    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)
        print("C: %r" % data)
        sys.stdout.flush()

    def line(self, what):
        while b"\r\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise SystemExit("%s: connection closed" % what)
            self.buf += d
        l, _, self.buf = self.buf.partition(b"\r\n")
        return l + b"\r\n"

    def smtp_reply(self, code, what):
        lines = []
        while True:
            l = self.line(what)
            lines.append(l)
            if l[3:4] != b"-":
                break
        r = b"".join(lines)
        print("S: %r  (%s)" % (r, what))
        sys.stdout.flush()
        if int(lines[-1][:3]) != code:
            raise SystemExit("%s: expected %d, got %r" % (what, code, r))
        return r

    def pop3_reply(self, what, multi=False):
        l = self.line(what)
        r = l
        if multi and l.startswith(b"+OK"):
            while True:
                l = self.line(what)
                r += l
                if l == b".\r\n":
                    break
        print("S: %r  (%s)" % (r, what))
        sys.stdout.flush()
        if not r.startswith(b"+OK"):
            raise SystemExit("%s: got %r" % (what, r))
        return r

    def leftover(self):
        """bytes the server sent after the go-ahead, before the handshake"""
        if self.buf:
            out("bytes after the go-ahead", repr(self.buf))
        else:
            out("bytes after the go-ahead", "none")

    def start_tls(self, keylog):
        """TLS handshake on the raw socket; None when it fails"""
        try:
            t = client_ctx(keylog).wrap_socket(self.sock)
        except (ssl.SSLError, OSError) as e:
            out("handshake", "failed: %s: %s" % (type(e).__name__, e))
            return None
        out("handshake", "ok %s %s" % (t.version(), t.cipher()[0]))
        # a server that ran the injected command inside TLS answers it now,
        # unasked: wait 1 s for such data
        t.settimeout(1.0)
        try:
            d = t.recv(65536)
            out("unsolicited data in TLS", repr(d))
        except socket.timeout:
            out("unsolicited data in TLS", "none")
        t.settimeout(30)
        self.sock = t
        return t


# ---------------------------------------------------------------------------
# clients
# ---------------------------------------------------------------------------
def smtp_inject(port, keylog, how):
    """(a) STARTTLS and RSET in one segment; (b) STARTTLS, then EHLO x in a
    second segment, both before the 220 go-ahead is read"""
    r = Raw(port)
    r.smtp_reply(220, "greeting")
    r.send(("EHLO %s\r\n" % HELO).encode())
    e = r.smtp_reply(250, "EHLO")
    if b"\r\n250-STARTTLS\r\n" not in e:
        raise SystemExit("STARTTLS not offered")
    if how == "same":
        r.send(b"STARTTLS\r\nRSET\r\n")
    else:
        r.send(b"STARTTLS\r\n")
        r.send(b"EHLO x\r\n")
    r.smtp_reply(220, "STARTTLS")
    r.leftover()
    if r.start_tls(keylog) is None:
        return
    r.send(("EHLO %s\r\n" % HELO).encode())
    r.smtp_reply(250, "EHLO inside TLS")
    r.send(b"QUIT\r\n")
    r.smtp_reply(221, "QUIT inside TLS")
    r.sock.close()


def pop3_inject(port, keylog):
    """(c) CAPA, then STLS and CAPA in one segment"""
    r = Raw(port)
    r.pop3_reply("greeting")
    r.send(b"CAPA\r\n")
    c = r.pop3_reply("CAPA", multi=True)
    if b"\r\nSTLS\r\n" not in c:
        raise SystemExit("STLS not offered")
    r.send(b"STLS\r\nCAPA\r\n")
    r.pop3_reply("STLS")
    r.leftover()
    if r.start_tls(keylog) is None:
        r.sock.close()
        return
    r.send(b"CAPA\r\n")
    r.pop3_reply("CAPA inside TLS", multi=True)
    r.send(b"QUIT\r\n")
    r.pop3_reply("QUIT inside TLS")
    r.sock.close()


def smtplib_client(port, msgfile):
    """(d) an ordinary python smtplib client with STARTTLS"""
    import smtplib
    with open(msgfile, "rb") as f:
        msg = f.read()
    s = smtplib.SMTP(HOST, port, local_hostname=HELO, timeout=30)
    code, resp = s.ehlo()
    out("EHLO", "%d %r" % (code, resp))
    code, resp = s.starttls(context=client_ctx("-"))
    out("STARTTLS", "%d %r" % (code, resp))
    code, resp = s.ehlo()
    out("EHLO inside TLS", "%d %r" % (code, resp))
    if code != 250 or b"injected" in resp:
        raise SystemExit("smtplib took the injected line as its EHLO reply")
    refused = s.sendmail("alice@example.test", ["bob@example.test"], msg)
    out("refused", refused)
    code, resp = s.docmd("QUIT")
    out("QUIT", "%d %r" % (code, resp))
    s.close()


def pop3_opportunistic(port, keylog):
    """(f) poplib: STLS when the server offers it (poplib's stls() sends CAPA
    and gives up without sending STLS when STLS is not listed), then USER/PASS"""
    import poplib
    p = poplib.POP3(HOST, port, timeout=30)
    out("greeting", p.getwelcome().decode())
    try:
        out("STLS", p.stls(context=client_ctx(keylog)).decode())
    except poplib.error_proto as e:
        out("STLS", "not used: %s" % e)
    out("USER", p.user("alice").decode())
    out("PASS", p.pass_("alicepw").decode())
    out("QUIT", p.quit().decode())


# ---------------------------------------------------------------------------
# fake SMTP server with response injection (d)
# ---------------------------------------------------------------------------
def fake_smtp(port, cert, key, keylog, nconn):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if keylog != "-":
        ctx.keylog_filename = keylog
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(1)
    print("listening")
    sys.stdout.flush()
    for n in range(nconn):
        s, peer = ls.accept()
        print("connection %d from %s:%d" % (n + 1, peer[0], peer[1]))
        try:
            fake_smtp_session(s, ctx)
        except (OSError, ssl.SSLError) as e:
            print("connection %d: %s: %s" % (n + 1, type(e).__name__, e))
        sys.stdout.flush()
    ls.close()


def fake_smtp_session(s, ctx):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(30)
    st = {"conn": s, "buf": b""}

    def send(b):
        st["conn"].sendall(b)               # one write = one segment
        print("S: %r" % b)
        sys.stdout.flush()

    def line():
        while b"\r\n" not in st["buf"]:
            d = st["conn"].recv(65536)
            if not d:
                return None
            st["buf"] += d
        l, _, st["buf"] = st["buf"].partition(b"\r\n")
        print("C: %r" % l)
        sys.stdout.flush()
        return l

    send(b"220 fake.example.test ESMTP mailsess-inject-test\r\n")
    tls = False
    data = False
    while True:
        l = line()
        if l is None:
            print("client closed")
            break
        if data:
            if l == b".":
                data = False
                send(b"250 2.0.0 Ok: queued as FAKE0001\r\n")
            continue
        verb = l.split(b" ", 1)[0].upper()
        if verb == b"EHLO":
            caps = [b"fake.example.test", b"PIPELINING"] + ([] if tls else [b"STARTTLS"]) + \
                   [b"ENHANCEDSTATUSCODES", b"8BITMIME"]
            send(b"".join(b"250-" + c + b"\r\n" for c in caps[:-1]) + b"250 " + caps[-1] + b"\r\n")
        elif verb == b"HELO":
            send(b"250 fake.example.test\r\n")
        elif verb == b"STARTTLS" and not tls:
            if st["buf"]:
                print("client data after STARTTLS (discarded): %r" % st["buf"])
                st["buf"] = b""
            # the response injection: a second reply right after the go-ahead,
            # in the same segment, before the TLS handshake
            send(b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n")
            st["conn"] = ctx.wrap_socket(s, server_side=True)
            tls = True
            print("TLS %s %s" % (st["conn"].version(), st["conn"].cipher()[0]))
        elif verb in (b"MAIL", b"RCPT"):
            send(b"250 2.1.0 Ok\r\n" if verb == b"MAIL" else b"250 2.1.5 Ok\r\n")
        elif verb in (b"RSET", b"NOOP"):
            send(b"250 2.0.0 Ok\r\n")
        elif verb == b"DATA":
            send(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            data = True
        elif verb == b"QUIT":
            send(b"221 2.0.0 Bye\r\n")
            break
        else:
            send(b"502 5.5.2 Error: command not recognized\r\n")
    st["conn"].close()


# ---------------------------------------------------------------------------
# MITM / delay proxy (e, f, and the fallback of b)
# ---------------------------------------------------------------------------
def proxy(listen_port, target_port, proto, modes):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, listen_port))
    ls.listen(1)
    print("listening")
    sys.stdout.flush()
    for n, mode in enumerate(modes, 1):
        c, peer = ls.accept()
        u = socket.create_connection((HOST, target_port), timeout=60)
        for x in (c, u):
            x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        print("connection %d (%s) from port %d" % (n, mode, peer[1]))
        sys.stdout.flush()
        t1 = threading.Thread(target=relay, args=(c, u, n, "c2s", mode, proto))
        t2 = threading.Thread(target=relay, args=(u, c, n, "s2c", mode, proto))
        t1.start(); t2.start(); t1.join(); t2.join()
        for x in (c, u):
            x.close()
        print("connection %d closed" % n)
        sys.stdout.flush()
    ls.close()


def filter_line(line, mode, proto, n):
    """line without CRLF -> new line or None (removed)"""
    if proto == "smtp":
        hit = line.upper() == b"250-STARTTLS"
    else:
        hit = line.upper() == b"STLS"
    if not hit:
        return line
    if mode == "strip":
        print("connection %d: removed %r" % (n, line))
        sys.stdout.flush()
        return None
    new = line.replace(b"STARTTLS", b"XXXXXXXA").replace(b"starttls", b"XXXXXXXA")
    print("connection %d: replaced %r by %r" % (n, line, new))
    sys.stdout.flush()
    return new


def relay(src, dst, n, direction, mode, proto):
    tail = b""
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            if direction == "c2s" and mode == "delay":
                # hold the client's bytes until it has been quiet for 0.2 s,
                # then pass them on in one write
                while select.select([src], [], [], 0.2)[0]:
                    more = src.recv(65536)
                    if not more:
                        break
                    d += more
                print("connection %d: passed on %r after 0.2 s quiet" % (n, d[:60]))
                sys.stdout.flush()
            elif direction == "s2c" and mode in ("strip", "replace"):
                d = tail + d
                lines = d.split(b"\r\n")
                tail = lines.pop()          # incomplete last line (b"" normally)
                kept = [x for x in (filter_line(l, mode, proto, n) for l in lines) if x is not None]
                d = b"".join(x + b"\r\n" for x in kept)
                if not d:
                    continue
            dst.sendall(d)
        if tail:
            dst.sendall(tail)
        dst.shutdown(socket.SHUT_WR)
    except OSError as e:
        print("connection %d %s: %s" % (n, direction, e))
        sys.stdout.flush()
        for x in (src, dst):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    doc = __doc__.split("\n\n")
    ap = argparse.ArgumentParser(description=doc[0], epilog=doc[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["smtp-inject", "pop3-inject", "fake-smtp",
                                     "smtplib-client", "pop3-opportunistic", "proxy"])
    ap.add_argument("args", nargs="*")
    w, a = ap.parse_args().what, ap.parse_args().args
    if w == "smtp-inject":
        smtp_inject(int(a[0]), a[1], a[2])
    elif w == "pop3-inject":
        pop3_inject(int(a[0]), a[1])
    elif w == "fake-smtp":
        fake_smtp(int(a[0]), a[1], a[2], a[3], int(a[4]))
    elif w == "smtplib-client":
        smtplib_client(int(a[0]), a[1])
    elif w == "pop3-opportunistic":
        pop3_opportunistic(int(a[0]), a[1])
    else:
        proxy(int(a[0]), int(a[1]), a[2], a[3:])


if __name__ == "__main__":
    main()
