#!/usr/bin/python3
"""SMTP clients (python3 smtplib or raw sockets) for the cases that swaks and
curl cannot produce, against the postfix on 127.0.0.1:25.

  smtp_client.py CASE      run the session of smtp-CASE

Every step is printed (raw clients: every write as 'C: <repr>', every reply
as 'S: <repr>'; results as 'label: value') for make-smtp-captures.sh's checks.
Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import base64
import smtplib
import socket
import sys
import time

HOST = "127.0.0.1"
HELO = "client.example.test"
D = "example.test"
ALICE, BOB, NOBODY = "alice@" + D, "bob@" + D, "nosuchuser@" + D


def msg(case, to="Bob <bob@example.test>", body=None):
    lines = [
        "From: Alice <alice@example.test>",
        "To: " + to,
        "Subject: mailsess test " + case,
        "Date: Mon, 01 Jan 2024 12:00:00 +0000",
        "Message-ID: <%s@client.example.test>" % case,
        "",
    ] + (body or ["Hello Bob,", "", "this is the fixed test message for case %s." % case, "", "Alice"])
    return ("\r\n".join(lines) + "\r\n").encode()


def expect(got, code, what):
    c = got[0] if isinstance(got, tuple) else got
    if c != code:
        raise SystemExit("%s: expected %d, got %r" % (what, code, got))
    print("%s -> %r" % (what, got))


def connect():
    s = smtplib.SMTP(HOST, 25, local_hostname=HELO, timeout=30)
    expect(s.ehlo(), 250, "EHLO")
    return s


def auth_fail_then_ok():
    s = connect()
    try:
        s.auth("PLAIN", lambda challenge=None: "\0alice\0wrongpw", initial_response_ok=True)
        raise SystemExit("AUTH with wrong password unexpectedly succeeded")
    except smtplib.SMTPAuthenticationError as e:
        expect((e.smtp_code, e.smtp_error), 535, "AUTH PLAIN alice/wrongpw")
    expect(s.auth("PLAIN", lambda challenge=None: "\0alice\0alicepw", initial_response_ok=True),
           235, "AUTH PLAIN alice/alicepw")
    expect(s.mail(ALICE), 250, "MAIL")
    expect(s.rcpt(BOB), 250, "RCPT bob")
    expect(s.data(msg("auth-fail-then-ok")), 250, "DATA")
    expect(s.quit(), 221, "QUIT")


def multi_msg_rejected_rcpt():
    s = connect()
    # message 1: alice -> bob
    expect(s.mail(ALICE), 250, "MAIL #1")
    expect(s.rcpt(BOB), 250, "RCPT #1 bob")
    expect(s.data(msg("multi-msg-rejected-rcpt-1")), 250, "DATA #1")
    # message 2: alice -> bob (accepted) + nosuchuser (rejected 550)
    expect(s.mail(ALICE), 250, "MAIL #2")
    expect(s.rcpt(BOB), 250, "RCPT #2 bob")
    expect(s.rcpt(NOBODY), 550, "RCPT #2 nosuchuser")
    expect(s.data(msg("multi-msg-rejected-rcpt-2",
                      to="Bob <bob@example.test>, Nobody <nosuchuser@example.test>")),
           250, "DATA #2")
    # message 3: alice -> bob
    expect(s.mail(ALICE), 250, "MAIL #3")
    expect(s.rcpt(BOB), 250, "RCPT #3 bob")
    expect(s.data(msg("multi-msg-rejected-rcpt-3")), 250, "DATA #3")
    expect(s.quit(), 221, "QUIT")


def rset():
    s = connect()
    expect(s.mail(ALICE), 250, "MAIL (to be reset)")
    expect(s.rcpt(BOB), 250, "RCPT (to be reset)")
    expect(s.rset(), 250, "RSET")
    expect(s.mail(ALICE), 250, "MAIL")
    expect(s.rcpt(BOB), 250, "RCPT")
    expect(s.data(msg("rset")), 250, "DATA")
    expect(s.quit(), 221, "QUIT")


# ---- raw socket client for BDAT (CHUNKING) ----
class Raw:
    def __init__(self):
        self.sock = socket.create_connection((HOST, 25), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.f = self.sock.makefile("rb")

    def send(self, data):
        self.sock.sendall(data)
        print("C: %r" % (data if len(data) < 120 else data[:120] + b"..."))

    def reply(self, code, what):
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise SystemExit("%s: connection closed" % what)
            lines.append(line)
            if line[3:4] != b"-":
                break
        got = int(lines[-1][:3])
        print("S: %r" % b"".join(lines))
        if got != code:
            raise SystemExit("%s: expected %d, got %r" % (what, code, lines))
        return lines


BDAT_BODY = ["Hello Bob,", "",
             "this message was sent with BDAT (CHUNKING).",
             ". this line starts with a dot and is NOT dot-stuffed in BDAT",
             "", "Alice"]


def bdat():
    r = Raw()
    r.reply(220, "banner")
    r.send(("EHLO %s\r\n" % HELO).encode())
    ehlo = r.reply(250, "EHLO")
    if not any(l[4:].strip().upper() == b"CHUNKING" for l in ehlo):
        raise SystemExit("server does not offer CHUNKING")
    r.send(b"MAIL FROM:<alice@example.test>\r\n"); r.reply(250, "MAIL")
    r.send(b"RCPT TO:<bob@example.test>\r\n"); r.reply(250, "RCPT")
    m = msg("bdat", body=BDAT_BODY)
    cut = m.index(b"\r\n\r\n") + 4          # chunk 1 = header section, chunk 2 = body
    c1, c2 = m[:cut], m[cut:]
    # BDAT command line and chunk data in two separate writes
    r.send(b"BDAT %d\r\n" % len(c1)); r.send(c1); r.reply(250, "BDAT 1")
    r.send(b"BDAT %d LAST\r\n" % len(c2)); r.send(c2); r.reply(250, "BDAT 2 LAST")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    print("chunk sizes: %d %d (total %d)" % (len(c1), len(c2), len(m)))


def bdat_pipelined():
    r = Raw()
    r.reply(220, "banner")
    r.send(("EHLO %s\r\n" % HELO).encode())
    ehlo = r.reply(250, "EHLO")
    for kw in (b"CHUNKING", b"PIPELINING"):
        if not any(l[4:].strip().upper() == kw for l in ehlo):
            raise SystemExit("server does not offer %s" % kw.decode())
    m = msg("bdat-pipelined", body=BDAT_BODY)
    # MAIL, RCPT, BDAT n LAST and the data: one single write
    r.send(b"MAIL FROM:<alice@example.test>\r\n"
           b"RCPT TO:<bob@example.test>\r\n"
           + b"BDAT %d LAST\r\n" % len(m) + m)
    r.reply(250, "MAIL"); r.reply(250, "RCPT"); r.reply(250, "BDAT LAST")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    print("chunk size: %d" % len(m))


# ---- raw client with its own receive buffer (any reply code, timeouts) ----
class Raw2(Raw):
    """Every send() is one write (TCP_NODELAY) and is logged in full as
    'C: <repr>', so the script can compare the writes with the captured
    client segments."""

    def __init__(self, send_first=None, port=25):
        self.sock = socket.create_connection((HOST, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        if send_first is not None:          # early talker: before reading anything
            self.send(send_first)

    def send(self, data):
        self.sock.sendall(data)
        print("C: %r" % data)
        sys.stdout.flush()

    def pieces(self, *parts, gap=0.03):
        """one write per part, ~30 ms apart"""
        for i, p in enumerate(parts):
            if i:
                time.sleep(gap)
            self.send(p)

    def _line(self, timeout):
        while b"\n" not in self.buf:
            self.sock.settimeout(timeout)
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(30)
            if not d:
                raise SystemExit("connection closed by server")
            self.buf += d
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def reply_any(self, what, timeout=30):
        """one (multi-line) reply; None if nothing arrives within timeout"""
        lines = []
        while True:
            line = self._line(timeout if not lines else 30)
            if line is None:
                if lines:
                    raise SystemExit("%s: incomplete reply %r" % (what, lines))
                return None
            lines.append(line)
            if line[3:4] != b"-":
                break
        print("S: %r  (%s)" % (b"".join(lines), what))
        sys.stdout.flush()
        return lines

    def reply(self, code, what):
        lines = self.reply_any(what)
        if lines is None:
            raise SystemExit("%s: no reply" % what)
        if int(lines[-1][:3]) != code:
            raise SystemExit("%s: expected %d, got %r" % (what, code, lines))
        return lines

    def ehlo(self):
        self.send(("EHLO %s\r\n" % HELO).encode())
        return self.reply(250, "EHLO")


def split_lines():
    r = Raw2()
    r.reply(220, "banner")
    r.pieces(b"EHLO client.exa", b"mple.test\r", b"\n")      # CR and LF in separate segments
    r.reply(250, "EHLO")
    r.pieces(b"MAIL FROM:<alice@exa", b"mple.test>\r\n")
    r.reply(250, "MAIL")
    r.pieces(b"RCPT T", b"O:<bob@example.test>", b"\r\n")
    r.reply(250, "RCPT")
    r.pieces(b"DA", b"TA\r\n")
    r.reply(354, "DATA")
    m = msg("split-lines")
    body = m[:-2]                          # its last CRLF is sent as "\r\n." + "\r\n"
    a = body.index(b"Subject: ") + len(b"Subject: mailsess")           # mid-line
    b = body.index(b"Hello Bob,\r\n") + len(b"Hello Bob,\r")          # CR | LF
    r.pieces(body[:a], body[a:b], body[b:], b"\r\n.", b"\r\n")
    r.reply(250, "end of data")
    r.pieces(b"QU", b"IT\r\n")
    r.reply(221, "QUIT")
    print("content bytes: %d" % len(m))


SMUGGLED = (b"MAIL FROM:<evil@example.test>\r\n"
            b"RCPT TO:<bob@example.test>\r\n"
            b"DATA\r\n"
            b"From: Evil <evil@example.test>\r\n"
            b"To: Bob <bob@example.test>\r\n"
            b"Subject: mailsess test smuggling (smuggled part)\r\n"
            b"\r\n"
            b"This text follows a bare-LF end-of-data look-alike.\r\n")


def smuggling():
    r = Raw2()
    r.reply(220, "banner")
    r.ehlo()
    r.send(b"MAIL FROM:<alice@example.test>\r\n"); r.reply(250, "MAIL")
    r.send(b"RCPT TO:<bob@example.test>\r\n"); r.reply(250, "RCPT")
    r.send(b"DATA\r\n"); r.reply(354, "DATA")
    m = msg("smuggling")
    # last content line "Alice" ended by a bare LF, then ".\r\n", then what
    # looks like a second transaction, then a proper CRLF.CRLF - one write
    r.send(m[:-2] + b"\n.\r\n" + SMUGGLED + b".\r\n")
    n = 0
    while True:                            # collect whatever the server answers
        lines = r.reply_any("after the content #%d" % (n + 1), timeout=30 if n == 0 else 3)
        if lines is None:
            break
        n += 1
    print("replies after the content: %d" % n)
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    strict = len(m[:-2] + b"\n.\r\n" + SMUGGLED)
    print("content bytes if only CRLF.CRLF ends data: %d" % strict)
    print("content bytes if LF.CRLF ends data: %d %d" % (len(m) - 1, len(SMUGGLED) - len(
        b"MAIL FROM:<evil@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")))


UTF8_SENDER = "jörg@example.test"


def utf8():
    r = Raw2()
    r.reply(220, "banner")
    ehlo = r.ehlo()
    if not any(l[4:].strip().upper() == b"SMTPUTF8" for l in ehlo):
        raise SystemExit("server does not offer SMTPUTF8")
    r.send(("MAIL FROM:<%s> SMTPUTF8\r\n" % UTF8_SENDER).encode("utf-8")); r.reply(250, "MAIL")
    r.send(b"RCPT TO:<bob@example.test>\r\n"); r.reply(250, "RCPT")
    r.send(b"DATA\r\n"); r.reply(354, "DATA")
    lines = [
        "From: Jörg <jörg@example.test>",
        "To: Bob <bob@example.test>",
        "Subject: mailsess test utf8 - Grüße",
        "Date: Mon, 01 Jan 2024 12:00:00 +0000",
        "Message-ID: <utf8@client.example.test>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Hallo Bob,",
        "",
        "viele Grüße aus Köln – this message was sent with SMTPUTF8.",
        "",
        "Jörg",
    ]
    m = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    r.send(m + b".\r\n"); r.reply(250, "end of data")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    print("sender bytes: %s" % UTF8_SENDER.encode("utf-8").hex(" "))
    print("content bytes: %d" % len(m))


def auth_cancel():
    r = Raw2()
    r.reply(220, "banner")
    r.ehlo()
    r.send(b"AUTH LOGIN\r\n"); r.reply(334, "AUTH LOGIN")
    r.send(b"*\r\n"); r.reply(501, "AUTH cancelled with *")
    r.send(b"AUTH PLAIN " + base64.b64encode(b"\0alice\0alicepw") + b"\r\n")
    r.reply(235, "AUTH PLAIN alice/alicepw")
    r.send(b"MAIL FROM:<alice@example.test>\r\n"); r.reply(250, "MAIL")
    r.send(b"RCPT TO:<bob@example.test>\r\n"); r.reply(250, "RCPT")
    r.send(b"DATA\r\n"); r.reply(354, "DATA")
    m = msg("auth-cancel")
    r.send(m + b".\r\n"); r.reply(250, "end of data")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    print("content bytes: %d" % len(m))


MANY_RCPT = 300


def many_rcpt():
    s = connect()
    expect(s.mail(ALICE), 250, "MAIL")
    for i in range(MANY_RCPT):             # bob, alice, bob, alice, ...
        expect(s.rcpt(BOB if i % 2 == 0 else ALICE), 250, "RCPT #%d" % (i + 1))
    m = msg("many-rcpt", to="Bob <bob@example.test>, Alice <alice@example.test>")
    expect(s.data(m), 250, "DATA")
    expect(s.quit(), 221, "QUIT")
    print("content bytes: %d" % len(m))


def data_refused():
    s = connect()
    expect(s.mail(ALICE), 250, "MAIL")
    expect(s.rcpt(NOBODY), 550, "RCPT nosuchuser")
    s.putcmd("data")                       # smtplib's data() would give up here
    expect(s.getreply(), 554, "DATA without valid recipients")
    expect(s.rset(), 250, "RSET")
    expect(s.quit(), 221, "QUIT")


def early_talker():
    r = Raw2(send_first=("EHLO %s\r\n" % HELO).encode())
    r.reply(220, "banner")
    r.reply(250, "EHLO")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")


LONG_NOOP = b"NOOP " + (b"abcdefghi " * 200)[:1993] + b"\r\n"                 # 2000 octets
LONG_MAIL = (b"MAIL FROM:<alice@example.test> ENVID="
             + (b"mailsess-long-envid-" * 30)[:561] + b"\r\n")                  # 600 octets


def long_line():
    assert len(LONG_NOOP) == 2000 and len(LONG_MAIL) == 600
    r = Raw2()
    r.reply(220, "banner")
    r.ehlo()
    r.send(LONG_NOOP); r.reply_any("NOOP (2000 octets)")
    r.send(LONG_MAIL); r.reply_any("MAIL (600 octets)")
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")


CASES = {
    "auth-fail-then-ok": auth_fail_then_ok,
    "multi-msg-rejected-rcpt": multi_msg_rejected_rcpt,
    "rset": rset,
    "bdat": bdat,
    "bdat-pipelined": bdat_pipelined,
    "split-lines": split_lines,
    "smuggling": smuggling,
    "utf8": utf8,
    "auth-cancel": auth_cancel,
    "many-rcpt": many_rcpt,
    "data-refused": data_refused,
    "early-talker": early_talker,
    "long-line": long_line,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", choices=sorted(CASES), help="the case (folder name without smtp-)")
    CASES[ap.parse_args().case]()


if __name__ == "__main__":
    main()
