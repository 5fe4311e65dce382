#!/usr/bin/python3
"""hostile_client.py - hostile SMTP/POP3 sessions for tests/robustness/hostile-sessions.sh.

    hostile_client.py CASE --scale S --out RESULT.json [--port P] [--pause-file F]
    hostile_client.py report WORKDIR            (markdown table of every case)
    hostile_client.py fake-sasl SOCKET          (SASL service for postfix, refuses all)

Python 3 standard library only. Each CASE drives one session against a real
server on 127.0.0.1 (postfix smtpd on 2529, dovecot POP3 on 110) or, for
"unsolicited", against a fake SMTP server this script runs itself on 2530
(postfix never speaks unsolicited: that traffic is generated). It writes what
it sent and what the server answered, and from that alone (independently of
mailsess) the session summary mailsess should show: lists cut at mailsess'
documented caps, counts not cut.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import base64
import json
import os
import random
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
HELO = "hostile.example.test"
D = "example.test"

# mailsess' documented caps (README, plugin/core/ms_session.h, ms_smtp.h, ms_pop3.h)
CAP = {"auth_method": 16, "auth_user": 32, "mail_from": 128, "rcpt_to": 256,
       "rcpt_rejected": 256}
CAP_NOTES = 100          # anomalies of one kind per session
CAP_QUEUE = {"SMTP": 1024, "POP3": 256}   # commands awaiting a reply

FIELDS = ["proto", "auth_method", "auth_user", "auth_result", "auth_attempts",
          "auth_failures", "auth_plaintext", "mail_from", "rcpt_to", "rcpt_rejected",
          "msg_count", "msg_bytes", "quit"]


class Conn:
    """A TCP connection with a reader thread that splits the server's replies.

    proto SMTP: a reply ends at "NNN " (multi-line "NNN-" continues); POP3: one
    status line per reply (no multi-line commands are used here). Any other
    line is kept as a reply with code None (garbage from a server)."""

    def __init__(self, port, proto, timeout=600):
        self.proto = proto
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.replies = []        # (code or "+OK"/"-ERR", first line text)
        self.cond = threading.Condition()
        self.eof = False
        self.err = None
        self.sent_cmds = 0       # command lines sent (for in-flight accounting)
        self.max_inflight = 0
        self.bytes_out = 0
        self.bytes_in = 0
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        buf = b""
        cur = None
        try:
            while True:
                data = self.sock.recv(1 << 20)
                if not data:
                    break
                self.bytes_in += len(data)
                buf += data
                lines = buf.split(b"\n")
                buf = lines.pop()
                done = []
                for ln in lines:
                    ln = ln.rstrip(b"\r")
                    if self.proto == "SMTP":
                        if len(ln) >= 3 and ln[:3].isdigit() and ln[3:4] in (b"", b" ", b"-"):
                            if cur is None:
                                cur = (int(ln[:3]), ln[:200].decode("latin-1"))
                            if ln[3:4] != b"-":
                                done.append(cur)
                                cur = None
                        else:
                            done.append((None, ln[:200].decode("latin-1")))
                    else:
                        w = ln.split(b" ", 1)[0]
                        done.append((w.decode("latin-1") if w in (b"+OK", b"-ERR") else None,
                                     ln[:200].decode("latin-1")))
                if done:
                    with self.cond:
                        self.replies.extend(done)
                        self.cond.notify_all()
        except OSError as e:
            self.err = repr(e)
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def send(self, data, ncmds=0):
        self.sendall(data)
        self.sent_cmds += ncmds
        with self.cond:
            self.max_inflight = max(self.max_inflight, self.sent_cmds - len(self.replies))

    def sendall(self, data):
        self.sock.sendall(data)
        self.bytes_out += len(data)

    def wait(self, n, timeout=600):
        """Waits until n replies arrived (or EOF); returns how many did."""
        end = time.monotonic() + timeout
        with self.cond:
            while len(self.replies) < n and not self.eof:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 1.0))
            return len(self.replies)

    def wait_window(self, window):
        with self.cond:
            while self.sent_cmds - len(self.replies) >= window and not self.eof:
                self.cond.wait(1.0)

    def finish(self, timeout=600):
        """Half-closes (no more commands) and reads until the server closes."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        end = time.monotonic() + timeout
        with self.cond:
            while not self.eof and time.monotonic() < end:
                self.cond.wait(1.0)
        self.sock.close()


class Model:
    """The session as the client drove it: what mailsess should show."""

    def __init__(self, proto):
        self.proto = proto
        self.cmds = []           # (kind, extra) per command line expecting one reply
        self.mail_from, self.rcpt_to, self.rcpt_rejected = [], [], []
        self.auth_methods, self.auth_users = [], []
        self.auth_attempts = self.auth_failures = 0
        self.auth_result = ""
        self.plaintext = False
        self.msg_count = self.msg_bytes = 0
        self.quit = False
        self.notes = {}          # anomaly kind -> count the script can predict

    def note(self, kind, n=1):
        self.notes[kind] = self.notes.get(kind, 0) + n

    def cmd(self, kind, extra=None):
        self.cmds.append((kind, extra))
        if kind == "MAIL":
            self.mail_from.append(extra)
        elif kind == "RCPT":
            self.rcpt_to.append(extra)
        elif kind in ("AUTH", "USER"):
            self.auth_attempts += 1
            mech, user = extra
            if mech not in self.auth_methods:
                self.auth_methods.append(mech)
            if user not in self.auth_users:
                self.auth_users.append(user)
            self.plaintext = True
            self.note("plaintext_auth")
            self.auth_result = "unknown"

    def apply(self, replies):
        """Matches replies to commands in order (the servers answer each line once)."""
        pop_pair_failed = False
        for (kind, extra), (code, text) in zip(self.cmds, replies):
            ok = code == "+OK" if self.proto == "POP3" else (isinstance(code, int) and code // 100 == 2)
            if kind == "RCPT" and not ok:
                self.rcpt_rejected.append(extra)
                self.note("rcpt_rejected")
            elif kind == "DATA_END":
                if ok:
                    self.msg_count += 1
                    self.msg_bytes += extra
                else:
                    self.note("msg_rejected")
            elif kind == "AUTH" and code != 334:
                self.auth_result = "success" if ok else "failure"
                if not ok:
                    self.auth_failures += 1
                    self.note("auth_failed")
            elif kind in ("USER", "PASS"):
                if kind == "USER":
                    pop_pair_failed = False
                if not ok and not pop_pair_failed:
                    pop_pair_failed = True
                    self.auth_failures += 1
                    self.note("auth_failed")
                self.auth_result = "failure" if not ok else (
                    "success" if kind == "PASS" else self.auth_result)
            elif kind == "QUIT" and code is not None:
                self.quit = True

    def expected(self):
        def lst(name, v):
            return "|".join(v[:CAP[name]])
        return {
            "proto": self.proto,
            "auth_method": lst("auth_method", self.auth_methods),
            "auth_user": lst("auth_user", self.auth_users),
            "auth_result": self.auth_result,
            "auth_attempts": str(self.auth_attempts),
            "auth_failures": str(self.auth_failures),
            "auth_plaintext": "1" if self.plaintext else "",
            "mail_from": lst("mail_from", self.mail_from),
            "rcpt_to": lst("rcpt_to", self.rcpt_to),
            "rcpt_rejected": lst("rcpt_rejected", self.rcpt_rejected),
            "msg_count": str(self.msg_count),
            "msg_bytes": str(self.msg_bytes),
            "quit": "1" if self.quit else "0",
        }

    def cap_reasons(self, max_inflight):
        r = []
        lists = {"auth_method": self.auth_methods, "auth_user": self.auth_users,
                 "mail_from": self.mail_from, "rcpt_to": self.rcpt_to,
                 "rcpt_rejected": self.rcpt_rejected}
        for k, v in lists.items():
            if len(v) > CAP[k]:
                r.append("%s list %d > %d" % (k, len(v), CAP[k]))
        for k, n in self.notes.items():
            if n > CAP_NOTES:
                r.append("%s notes %d > %d" % (k, n, CAP_NOTES))
        if max_inflight > CAP_QUEUE[self.proto]:
            r.append("queue: up to %d commands in flight > %d" % (max_inflight, CAP_QUEUE[self.proto]))
        return r


def smtp_line(s):
    return (s + "\r\n").encode()


def greet(c, m):
    if c.wait(1, 30) < 1:
        raise SystemExit("no greeting")
    return c.replies[0]


def ehlo(c, m, base):
    m.cmd("EHLO")
    c.send(smtp_line("EHLO " + HELO), 1)
    c.wait(base + 1)


def quit_and_close(c, m, nreplies):
    m.cmd("QUIT")
    c.send(b"QUIT\r\n", 1)
    c.wait(nreplies + 1, 120)
    c.finish(120)


# ---------------------------------------------------------------- the cases

def pipelined(c, m, gen, chunk=1 << 16, window=None):
    """Sends the command lines of gen [(kind, extra, bytes)] without waiting for
    replies (only for the window, if any), in chunks of about `chunk` bytes."""
    buf, n = [], 0
    size = 0
    for kind, extra, data in gen:
        if window:
            if buf:
                c.send(b"".join(buf), n)
                buf, n, size = [], 0, 0
            c.wait_window(window)
        m.cmd(kind, extra)
        buf.append(data)
        n += 1
        size += len(data)
        if size >= chunk:
            c.send(b"".join(buf), n)
            buf, n, size = [], 0, 0
    if buf:
        c.send(b"".join(buf), n)


def case_rcpt(a, info):
    """1. N RCPT TO in one transaction, fully pipelined (every 997th one to a
    domain postfix refuses to relay to); QUIT without DATA."""
    n = max(1, round(1_000_000 * a.scale))
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)

    def gen():
        yield "EHLO", None, smtp_line("EHLO " + HELO)
        yield "MAIL", "alice@" + D, smtp_line("MAIL FROM:<alice@%s>" % D)
        for i in range(n):
            # every 997th recipient is refused (554 relay access denied)
            addr = "relay+%d@elsewhere.test" % i if i % 997 == 996 else "bob+%d@%s" % (i, D)
            yield "RCPT", addr, smtp_line("RCPT TO:<%s>" % addr)
        yield "QUIT", None, b"QUIT\r\n"
    pipelined(c, m, gen())
    c.wait(1 + n + 3, 1800)
    c.finish(120)
    info["rcpt_sent"] = n
    return m, c


def message_lines(total):
    """Yields message lines (without CRLF) of about `total` bytes: headers, 76-char
    lines, every 997th line starting with "." (dot-stuffed on the wire)."""
    hdr = ["From: Alice <alice@%s>" % D, "To: Bob <bob@%s>" % D, "Subject: mailsess hostile",
           "Date: Mon, 01 Jan 2024 12:00:00 +0000", "Message-ID: <hostile@%s>" % HELO, ""]
    size = 0
    for h in hdr:
        size += len(h) + 2
        yield h.encode()
    i = 0
    base = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd"
    while size < total:
        ln = (b"." if i % 997 == 0 else b"L") + base[1:]
        size += len(ln) + 2
        i += 1
        yield ln


def send_message(c, m, lines_iter, base):
    """DATA, waits for 354, sends the content (dot-stuffed), the end "."; returns
    the number of replies after the end-of-data reply."""
    m.cmd("DATA")
    c.send(b"DATA\r\n", 1)
    c.wait(base + 1)
    if c.replies[base][0] != 354:
        raise SystemExit("DATA refused: %r" % (c.replies[base],))
    content = 0
    buf, size = [], 0
    for ln in lines_iter:
        content += len(ln) + 2
        wire = (b"." + ln if ln.startswith(b".") else ln) + b"\r\n"
        buf.append(wire)
        size += len(wire)
        if size >= 1 << 20:
            c.sendall(b"".join(buf))
            buf, size = [], 0
    c.sendall(b"".join(buf))
    m.cmd("DATA_END", content)
    c.send(b".\r\n", 1)
    c.wait(base + 2, 600)
    return base + 2, content


def simple_txn(c, m, base, rcpt="bob@" + D):
    m.cmd("MAIL", "alice@" + D)
    m.cmd("RCPT", rcpt)
    c.send(smtp_line("MAIL FROM:<alice@%s>" % D) + smtp_line("RCPT TO:<%s>" % rcpt), 2)
    c.wait(base + 2)
    return base + 2


def case_data(a, info):
    """2. one DATA message of 100 MB * scale."""
    total = max(10000, round(100 * 1024 * 1024 * a.scale))
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)
    ehlo(c, m, 1)
    n = simple_txn(c, m, 2)
    n, content = send_message(c, m, message_lines(total), n)
    info["content_bytes"] = content
    quit_and_close(c, m, n)
    return m, c


def case_longline(a, info):
    """3. a 1 MB command line (NOOP + 1 MB argument), then a message holding a 1 MB line."""
    size = 1024 * 1024
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)
    ehlo(c, m, 1)
    m.cmd("NOOP")
    c.send(b"NOOP " + b"A" * (size - 7) + b"\r\n", 1)
    c.wait(3)
    n = simple_txn(c, m, 3)
    lines = [b"Subject: mailsess hostile long line", b"", b"before", b"x" * (size - 2), b"after"]
    n, content = send_message(c, m, iter(lines), n)
    info["noop_reply"] = c.replies[2][1]
    quit_and_close(c, m, n)
    return m, c


def case_auth(a, info):
    """4. N AUTH PLAIN with wrong passwords, distinct users, pipelined in a window."""
    n = max(1, round(100_000 * a.scale))
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)
    ehlo(c, m, 1)

    def gen():
        for i in range(n):
            u = "hostile%d" % i
            ir = base64.b64encode(b"\0" + u.encode() + b"\0wrong-password").decode()
            yield "AUTH", ("PLAIN", u), smtp_line("AUTH PLAIN " + ir)
    pipelined(c, m, gen(), window=a.window)
    got = c.wait(2 + n, 1800)
    info["auth_replies"] = got - 2
    info["auth_reply_codes"] = sorted({str(r[0]) for r in c.replies[2:got]})
    if got < 2 + n:
        info["server"] = "closed after %d AUTH replies: %r" % (got - 2, c.replies[-1])
        c.finish(60)
        return m, c
    quit_and_close(c, m, 2 + n)
    return m, c


def case_pop3auth(a, info):
    """4b. N USER/PASS pairs with wrong passwords against dovecot POP3 (pair by pair)."""
    n = max(1, round(10_000 * a.scale))
    m, c = Model("POP3"), Conn(a.port, "POP3")
    greet(c, m)
    got = 1
    for i in range(n):
        u = "hostile%d" % i
        m.cmd("USER", ("USER", u))
        m.cmd("PASS")
        c.send(("USER %s\r\nPASS wrong-password\r\n" % u).encode(), 2)
        got = c.wait(1 + 2 * (i + 1), 60)
        if c.eof:
            info["server"] = "closed after %d pairs: %r" % (i + 1, c.replies[-1])
            break
    info["pairs_sent"] = i + 1
    if not c.eof:
        m.cmd("QUIT")
        c.send(b"QUIT\r\n", 1)
        c.wait(got + 1, 60)
    c.finish(60)
    return m, c


def case_pipeline(a, info):
    """5. N pipelined commands (MAIL/RCPT/NOOP/RSET cycles) without waiting, then close."""
    n = max(4, round(20_000 * a.scale))
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)

    def gen():
        yield "EHLO", None, smtp_line("EHLO " + HELO)
        for i in range(n):
            k = i // 4
            if i % 4 == 0:
                s = "alice+%d@%s" % (k, D)
                yield "MAIL", s, smtp_line("MAIL FROM:<%s>" % s)
            elif i % 4 == 1:
                r = "bob+%d@%s" % (k, D)
                yield "RCPT", r, smtp_line("RCPT TO:<%s>" % r)
            elif i % 4 == 2:
                yield "NOOP", None, b"NOOP\r\n"
            else:
                yield "RSET", None, b"RSET\r\n"
    pipelined(c, m, gen(), chunk=1 << 22)
    c.finish(600)          # no QUIT: half-close, read what the server still says
    info["commands_sent"] = n + 1
    return m, c


def fake_server(port, n, ready, info):
    """A fake SMTP server (generated traffic): greeting, EHLO reply, then n
    unsolicited lines nobody asked for, then it waits for QUIT."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(1)
    ready.set()
    s, _ = ls.accept()
    ls.close()
    f = s.makefile("rb")
    s.sendall(b"220 fake.example.test ESMTP hostile-fake (generated by hostile_client.py)\r\n")
    f.readline()                                   # EHLO
    s.sendall(b"250-fake.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
    rnd = random.Random(6)
    out, replies = [], 0
    for i in range(n):
        k = rnd.randrange(10)
        if k < 5:
            out.append(b"250 2.0.0 unsolicited %d\r\n" % i)
        elif k == 5:
            out.append(b"250-unsolicited multi-line %d\r\n250-second line\r\n250 last line\r\n" % i)
        elif k == 6:
            out.append(b"354 End data with <CR><LF>.<CR><LF> (unsolicited %d)\r\n" % i)
        elif k == 7:
            out.append(b"334 VXNlcm5hbWU6\r\n")
        elif k == 8:
            out.append(b"550 5.7.1 unsolicited refusal %d\r\n" % i)
        else:
            out.append(b"221 2.0.0 unsolicited bye %d\r\n" % i)
        replies += 1
    out.append(b"250 2.0.0 END-OF-UNSOLICITED\r\n")
    replies += 1
    s.sendall(b"".join(out))
    info["unsolicited_replies"] = replies
    line = f.readline()                            # QUIT
    if line.upper().startswith(b"QUIT"):
        s.sendall(b"221 2.0.0 fake bye\r\n")
    s.shutdown(socket.SHUT_WR)
    f.read()
    s.close()


def case_unsolicited(a, info):
    """6. replies without commands: a fake server (this script) speaks on its own."""
    n = max(10, round(20_000 * a.scale))
    ready = threading.Event()
    th = threading.Thread(target=fake_server, args=(a.port, n, ready, info), daemon=True)
    th.start()
    ready.wait(10)
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)
    ehlo(c, m, 1)
    # every unsolicited reply is read (the last one is the end marker)
    while True:
        c.wait(len(c.replies) + 1, 60)
        if "END-OF-UNSOLICITED" in c.replies[-1][1] or c.eof:
            break
    base = len(c.replies)
    # the model: EHLO got reply 1; QUIT gets the one after the unsolicited ones
    m.cmd("QUIT")
    c.send(b"QUIT\r\n", 1)
    c.wait(base + 1, 60)
    c.finish(60)
    th.join(10)
    m.apply_replies = [c.replies[1], c.replies[base] if len(c.replies) > base else (None, "")]
    m.note("unmatched_reply", info.get("unsolicited_replies", 0))
    return m, c


def case_noop(a, info):
    """7. a session that never ends: NOOP after NOOP for a bounded wall time, then
    the client stops, the capture is stopped (no FIN in it), then the client closes."""
    secs = max(2.0, 60.0 * a.scale)
    rate = a.noop_rate
    m, c = Model("SMTP"), Conn(a.port, "SMTP")
    greet(c, m)
    ehlo(c, m, 1)
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < secs:
        m.cmd("NOOP")
        c.send(b"NOOP\r\n", 1)
        c.wait(3 + i)
        i += 1
        if rate:
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    info["noops"] = i
    info["seconds"] = round(time.monotonic() - t0, 3)
    return m, c


def case_garbage(a, info):
    """8. random bytes (fixed seed) after the greeting, then CRLF QUIT CRLF."""
    size = max(65536, round(4 * 1024 * 1024 * a.scale))
    proto = "POP3" if a.port == 110 else "SMTP"
    m, c = Model(proto), Conn(a.port, proto)
    greet(c, m)
    # the same bytes at every scale (a quick run sends a prefix of a full one)
    data = random.Random(8).randbytes(4 * 1024 * 1024)[:size] + b"\r\nQUIT\r\n"
    off = 0
    try:
        while off < len(data):
            c.sendall(data[off:off + (1 << 16)])
            off += 1 << 16
    except OSError as e:
        info["send_error"] = "the server stopped reading after about %d of %d bytes: %r" % (
            off, len(data), e)
    c.finish(120)
    info["garbage_bytes"] = size
    info["garbage_lines"] = data[:size].count(b"\n")
    last = c.replies[-1] if c.replies else None
    info["last_reply"] = last
    # QUIT answered: SMTP 221, POP3 "+OK Logging out"
    if last and (last[0] == 221 or (proto == "POP3" and last[0] == "+OK" and "Logging out" in last[1])):
        m.quit = True
    info["server_replies"] = len(c.replies) - 1
    if "send_error" in info or not m.quit:
        # the server cut the client off: how much of the garbage is in the
        # capture is not known here, so neither are the notes it causes
        info["uncertain"] = ["cap_reached", "no_quit"]
    else:
        # every garbage line is answered with an error, and is "not a command"
        m.note("syntax", info["garbage_lines"])
    c.sent_cmds = data.count(b"\n")
    c.max_inflight = 0   # not tracked here: the syntax notes decide
    return m, c


def fake_sasl(path):
    """A stand-in for dovecot's SASL service (auth protocol 1.2, server side) that
    refuses every authentication at once. Real dovecot 2.3 holds each failed
    authentication in a queue it flushes every 500 ms (auth_failure_delay = 0
    and the passdb "nodelay" field do not help for postfix, an auth-only
    client), and a smtpd session waits for each, so 100,000 failures in one
    session would take 14 hours. Postfix itself is real: it sends the 535."""
    import socketserver
    stats = {"fail": 0}

    class H(socketserver.StreamRequestHandler):
        def handle(self):
            w = self.wfile
            w.write(b"VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\n"
                    b"SPID\t%d\nCUID\t1\nCOOKIE\t%s\nDONE\n" % (os.getpid(), b"0" * 32))
            w.flush()
            for line in self.rfile:
                f = line.rstrip(b"\n").split(b"\t")
                if f[0] in (b"AUTH", b"CONT") and len(f) > 1:
                    stats["fail"] += 1
                    w.write(b"FAIL\t%s\treason=hostile-sessions fake SASL: refused\n" % f[1])
                    w.flush()

    class S(socketserver.ThreadingUnixStreamServer):
        daemon_threads = True

    if os.path.exists(path):
        os.unlink(path)
    srv = S(path, H)
    import pwd
    pw = pwd.getpwnam("postfix")
    os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, 0o660)
    print("fake SASL listening on %s" % path, flush=True)
    try:
        srv.serve_forever()
    finally:
        os.unlink(path)


CASES = {"rcpt": case_rcpt, "data": case_data, "longline": case_longline, "auth": case_auth,
         "pop3auth": case_pop3auth, "pipeline": case_pipeline, "unsolicited": case_unsolicited,
         "noop": case_noop, "garbage": case_garbage}


def run_case(a):
    info = {"case": a.case, "scale": a.scale, "port": a.port}
    t0 = time.monotonic()
    m, c = CASES[a.case](a, info)
    if a.case == "unsolicited":
        # EHLO -> its reply, QUIT -> the reply after the unsolicited ones
        m.apply(m.apply_replies)
    elif a.case != "garbage":
        m.apply(c.replies[1:])
    info["client_seconds"] = round(time.monotonic() - t0, 3)
    info["commands"] = len(m.cmds)
    info["replies"] = len(c.replies)
    info["bytes_out"] = c.bytes_out
    info["bytes_in"] = c.bytes_in
    info["max_inflight"] = c.max_inflight
    info["reader_error"] = c.err
    codes = {}
    for code, _ in c.replies[1:]:
        codes[str(code)] = codes.get(str(code), 0) + 1
    info["reply_codes"] = codes
    info["expected"] = m.expected()
    info["rejected_all"] = m.rcpt_rejected
    info["cap_reasons"] = m.cap_reasons(c.max_inflight)
    info["predicted_notes"] = m.notes
    if a.case == "noop":
        # the capture is stopped while the connection is still open
        info["expected_extra"] = {"no_quit": False}
        with open(a.out, "w") as f:
            json.dump(info, f, indent=1)
        if a.pause_file:
            open(a.pause_file, "w").close()
            # hold the connection until the capture is stopped (SIGTERM ends us)
            while not os.path.exists(a.pause_file + ".go"):
                time.sleep(0.1)
        c.sock.close()
        return
    info["expected_extra"] = {"no_quit": a.case == "pipeline" or (a.case == "garbage" and not m.quit)}
    with open(a.out, "w") as f:
        json.dump(info, f, indent=1)


# ---------------------------------------------------------------- the report

def human(n):
    n = float(n)
    for u in ("B", "KB", "MB", "GB"):
        if n < 1024 or u == "GB":
            return ("%.0f %s" if u == "B" else "%.1f %s") % (n, u)
        n /= 1024


def report(work):
    rows = []
    details = []
    for name in sorted(os.listdir(work)):
        d = os.path.join(work, name)
        rf = os.path.join(d, "result.json")
        if not os.path.isfile(rf):
            continue
        with open(rf) as f:
            info = json.load(f)
        res = {}
        mf = os.path.join(d, "metrics.json")
        if os.path.isfile(mf):
            with open(mf) as f:
                res = json.load(f)
        exp = info["expected"]
        got = res.get("summary", {})
        mism = []
        if not got:
            mism.append("no session row")
        # more commands in flight than mailsess's queue holds (README: 1024): the
        # replies still answer the right commands, but a refused recipient beyond
        # the queue is reported without its address, so the list holds only
        # those within it: check it is a subset of the refused ones, in order
        overflow = any(r.startswith("queue:") for r in info["cap_reasons"])
        if got and overflow and got.get("rcpt_rejected", "") != exp["rcpt_rejected"]:
            gl = got["rcpt_rejected"].split("|") if got.get("rcpt_rejected") else []
            it = iter(info.get("rejected_all", []))
            if all(any(g == r for r in it) for g in gl) and (gl or not info.get("rejected_all")):
                got = dict(got, rcpt_rejected=exp["rcpt_rejected"])
                details_note = "rcpt_rejected: %d of %d refused recipients listed (queue overflow)" % (
                    len(gl), len(info.get("rejected_all", [])))
                info.setdefault("notes", []).append(details_note)
        for k in FIELDS:
            if got and got.get(k, "") != exp[k]:
                e, g = exp[k], got.get(k, "")
                if len(e) > 60 or len(g) > 60:
                    el, gl = (e.split("|") if e else []), (g.split("|") if g else [])
                    diff = [i for i in range(max(len(el), len(gl)))
                            if i >= len(el) or i >= len(gl) or el[i] != gl[i]]
                    i = diff[0]
                    mism.append("%s: %d items expected, %d got, %d positions differ; first at #%d: "
                                "expected %s, got %s; got but not expected: %d items" % (
                                    k, len(el), len(gl), len(diff), i + 1,
                                    el[i] if i < len(el) else "(none)", gl[i] if i < len(gl) else "(none)",
                                    len(set(gl) - set(el))))
                    continue
                mism.append("%s: expected %s, got %s" % (k, e or "(empty)", g or "(empty)"))
        experts = res.get("experts", [])
        cap = any("Undecoded" in r and "MAILSESS" in r for r in experts)
        cap_exp = bool(info["cap_reasons"])
        unc = info.get("uncertain", [])
        if cap != cap_exp and "cap_reached" not in unc:
            mism.append("cap_reached: expected %s (%s), got %s" % (
                "yes" if cap_exp else "no", "; ".join(info["cap_reasons"]) or "no cap", "yes" if cap else "no"))
        noq = any("without QUIT" in r for r in experts)
        if noq != info["expected_extra"]["no_quit"] and "no_quit" not in unc:
            mism.append("no_quit expert: expected %s, got %s" % (info["expected_extra"]["no_quit"], noq))
        for k, v in res.get("checks", {}).items():
            if v is not True:
                mism.append("%s: %s" % (k, v))
        w, wo = res.get("with", {}), res.get("without", {})
        rss_d = (w.get("rss_kb", 0) - wo.get("rss_kb", 0)) / 1024
        rows.append("| %s | %s | %s | %.0f MB | %.0f MB | %+.0f MB | %.1f s | %.1f s | %s | %s |" % (
            name, human(res.get("capture_bytes", 0)), res.get("frames", "?"),
            w.get("rss_kb", 0) / 1024, wo.get("rss_kb", 0) / 1024, rss_d,
            w.get("wall_s", 0), wo.get("wall_s", 0),
            "ok" if not mism else "mismatch", "yes" if cap else "no"))
        details.append((name, info, res, mism, experts))
    print("| case | capture | frames | RSS with | RSS without | diff | wall with | wall without | result vs expected | cap_reached |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    for name, info, res, mism, experts in details:
        print("### %s" % name)
        keep = {k: v for k, v in info.items()
                if k not in ("expected", "reply_codes", "expected_extra", "rejected_all")}
        print("- client: " + json.dumps(keep))
        print("- server reply codes: " + json.dumps(info["reply_codes"]))
        if res.get("two_pass"):
            print("- two-pass summary run (with plugin): %.1f s, %.0f MB" % (
                res["two_pass"]["wall_s"], res["two_pass"]["rss_kb"] / 1024))
        for m in mism:
            print("- MISMATCH " + m)
        def cnt(r):
            try:
                return int(r.split()[0])
            except (ValueError, IndexError):
                return 0
        rows_sorted = sorted(experts, key=lambda r: (-cnt(r), r))
        print("- MAILSESS rows of -z expert (%d rows, %d items):" % (
            len(experts), sum(cnt(r) for r in experts)))
        for r in rows_sorted[:15]:
            print("    " + " ".join(r.split())[:160])
        if len(rows_sorted) > 15:
            print("    ... %d more rows" % (len(rows_sorted) - 15))
        print()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "report":
        report(sys.argv[2])
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "fake-sasl":
        fake_sasl(sys.argv[2])
        return
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=sorted(CASES))
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--port", type=int, default=2529)
    p.add_argument("--out", required=True)
    p.add_argument("--window", type=int, default=32, help="auth: AUTH commands in flight")
    p.add_argument("--noop-rate", type=float, default=0, help="noop: NOOP/s (0: lock-step)")
    p.add_argument("--pause-file")
    run_case(p.parse_args())


if __name__ == "__main__":
    main()
