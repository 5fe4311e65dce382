#!/usr/bin/python3
"""The fixed test messages and maildrops of the capture scripts.

  maildrop.py pop3 ROOT     alice's (3 messages, #3 ~100 KB) and bob's (1)
                            maildrops of the POP3 instance (port 110)
  maildrop.py ports ROOT    alice's maildrop of the ports instance (2 messages;
                            ports 1110, 995, IMAP 1143)
  maildrop.py large FILE    the ~100 KB SMTP message of smtp-large (CRLF line
                            ends, no final CRLF: swaks adds it)
  maildrop.py selftest      check the sizes the READMEs were made with

Maildir files get LF line ends (as maildir stores them; dovecot sends them
with CRLF), fixed names and a fixed mtime. For every message one line is
printed: user n base-name file-bytes crlf-bytes dot-lines lines.
Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import os


def fill_large(lines):
    """append deterministic text lines until the message (CRLF line ends)
    reaches 100000 bytes; some lines start with '.' or '..' or are a lone
    '.', so they are dot-stuffed on the wire"""
    i = 0
    while sum(len(l) + 2 for l in lines) < 100000:
        i += 1
        if i % 97 == 0:
            lines.append(".")                                 # lone dot: sent as ".."
        elif i % 50 == 0:
            lines.append(".leading dot line %05d, stuffed to '..' on the wire" % i)
        elif i % 61 == 0:
            lines.append("..two leading dots line %05d" % i)
        else:
            lines.append("line %05d: the quick brown fox jumps over the lazy dog 0123456789" % i)
    lines.append("end of large message")
    return lines


def smtp_large():
    """the message of smtp-large"""
    return fill_large(["From: Alice <alice@example.test>",
                       "To: Bob <bob@example.test>",
                       "Subject: mailsess test large",
                       "Date: Mon, 01 Jan 2024 12:00:00 +0000",
                       "Message-ID: <large@client.example.test>",
                       "MIME-Version: 1.0",
                       "Content-Type: text/plain; charset=us-ascii",
                       ""])


# ---- the POP3 instance (make-pop3-captures.sh) ----
def hdr(frm, to, subj, date, mid):
    return ["Return-Path: <%s>" % frm.split("<")[1].rstrip(">"),
            "From: " + frm, "To: " + to, "Subject: " + subj,
            "Date: " + date, "Message-ID: <%s>" % mid,
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii"]


ALICE = "Alice <alice@example.test>"
BOB = "Bob <bob@example.test>"

msg1 = hdr(BOB, ALICE, "mailsess pop3 test message 1",
           "Mon, 01 Jan 2024 10:00:00 +0000", "pop3-msg1@example.test") + [
    "", "Hello Alice,", "",
    "this is fixed POP3 test message 1.",
    "body line 4", "body line 5", "body line 6", "body line 7", "",
    "Bob"]

msg2 = hdr(BOB, ALICE, "mailsess pop3 test message 2",
           "Mon, 01 Jan 2024 10:01:00 +0000", "pop3-msg2@example.test") + [
    "", "Hello again Alice,", "",
    "this is fixed POP3 test message 2; the next two lines start with a dot.",
    ".a line with one leading dot (sent as '..a line')",
    "..a line with two leading dots (sent as '...')",
    "", "Bob"]

msg3 = fill_large(hdr(BOB, ALICE, "mailsess pop3 test message 3 (large)",
                      "Mon, 01 Jan 2024 10:02:00 +0000", "pop3-msg3@example.test") + [""])

msgb = hdr(ALICE, BOB, "mailsess pop3 test message for bob",
           "Mon, 01 Jan 2024 10:03:00 +0000", "pop3-bob1@example.test") + [
    "", "Hello Bob,", "", "this is the only message in bob's maildrop.", "", "Alice"]

POP3 = {
    "alice": [("1704103200.M100001P1.pop", msg1),
              ("1704103260.M100002P1.pop", msg2),
              ("1704103320.M100003P1.pop", msg3)],
    "bob": [("1704103380.M100004P1.pop", msgb)],
}


# ---- the ports instance (make-port-captures.sh) ----
def port_hdr(n, subj):
    return ["Return-Path: <bob@example.test>", "From: Bob <bob@example.test>",
            "To: Alice <alice@example.test>", "Subject: " + subj,
            "Date: Mon, 01 Jan 2024 10:0%d:00 +0000" % n,
            "Message-ID: <port-msg%d@example.test>" % n,
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", ""]


PORTS = {"alice": [("1704103200.M300001P1.port", port_hdr(1, "mailsess port test message 1") + [
            "Hello Alice,", "", "this is fixed test message 1 of the port-* cases.", "", "Bob"]),
        ("1704103260.M300002P1.port", port_hdr(2, "mailsess port test message 2") + [
            "Hello again Alice,", "",
            "220 this line looks like an SMTP greeting, the next one starts with a dot:",
            ".a line with one leading dot (sent as '..a line')", "", "Bob"])]}


def write(root, drops):
    for user, msgs in drops.items():
        md = os.path.join(root, user, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, sub))
        for n, (base, lines) in enumerate(msgs, 1):
            data = ("\n".join(lines) + "\n").encode("ascii")
            fn = os.path.join(md, "cur", base + ":2,")
            with open(fn, "wb") as f:
                f.write(data)
            # all files get the same fixed mtime (the Date of message 1)
            os.utime(fn, (1704103200, 1704103200))
            crlf = len(data) + data.count(b"\n")
            dots = sum(1 for l in lines if l.startswith("."))
            print(user, n, base, len(data), crlf, dots, len(lines))


def selftest():
    """the sizes the captures' READMEs were made with"""
    def crlf(lines):
        return len(("\n".join(lines) + "\n").encode("ascii")) + len(lines)
    assert [crlf(l) for _, l in POP3["alice"]] == [387, 477, 100023]
    assert [crlf(l) for _, l in PORTS["alice"]] == [350, 432]
    assert len("\r\n".join(smtp_large()).encode("ascii")) == 100042
    assert sum(1 for l in POP3["alice"][2][1] if l.startswith(".")) == 69
    print("maildrop.py selftest: ok")


def main():
    doc = __doc__.split("\n\n")
    ap = argparse.ArgumentParser(description=doc[0], epilog=doc[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["pop3", "ports", "large", "selftest"])
    ap.add_argument("path", nargs="?", help="maildrop root (pop3, ports) or message file (large)")
    a = ap.parse_args()
    if a.what == "selftest":
        selftest()
    elif not a.path:
        ap.error("a path is needed")
    elif a.what == "large":
        with open(a.path, "wb") as f:
            f.write("\r\n".join(smtp_large()).encode("ascii"))
    else:
        write(a.path, POP3 if a.what == "pop3" else PORTS)


if __name__ == "__main__":
    main()
