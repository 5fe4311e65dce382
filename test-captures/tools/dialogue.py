#!/usr/bin/python3
"""Walk an SMTP, POP3, IMAP or FTP dialogue on tshark's reassembled stream,
on its own (without tshark's dissectors), for make-port-captures.sh.

  tshark -r capture.pcap -q -z follow,tcp,raw,0 | dialogue.py smtp|pop3|imap|ftp PORT [-n]
  ... | dialogue.py http PORT    request line | status line | request, header, body bytes

One TAB separated line per client line:
  kind  line  reply  content  stuffed  wire
kind: greeting, cmd, auth (an AUTH continuation line), content (SMTP message
content), tls; reply: the whole reply; content/stuffed/wire: content bytes
without dot-stuffing, dot-stuffed lines, bytes on the wire ("-" if none).
With -n there is no greeting (a stream that starts after it, or the TLS part
after STARTTLS/STLS). Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import streams  # noqa: E402


class Lines:
    def __init__(self, data):
        self.d, self.p = data, 0

    def eof(self):
        return self.p >= len(self.d)

    def line(self):
        i = self.d.find(b"\r\n", self.p)
        if i < 0:
            raise SystemExit("incomplete line at offset %d: %r" % (self.p, self.d[self.p:self.p + 80]))
        l, self.p = self.d[self.p:i], i + 2
        return l

    def rest(self):
        return self.d[self.p:]


def show(b):
    return b.decode("utf-8", "backslashreplace").replace("\t", " ")


def emit(kind, line, reply, content="-", stuffed="-", wire="-"):
    print("\t".join(str(x) for x in (kind, line, reply, content, stuffed, wire)))


def smtp_reply(S):
    lines = []
    while True:
        l = S.line()
        lines.append(l)
        if l[3:4] != b"-":
            return lines


def walk_smtp(cli, srv, greeting):
    C, S = Lines(cli), Lines(srv)
    if greeting:
        emit("greeting", "", " | ".join(show(l) for l in smtp_reply(S)))
    mode = "cmd"
    while not C.eof():
        l = C.line()
        if mode == "data":
            content = stuffed = wire = 0
            n = 0
            while l != b".":
                n += 1
                wire += len(l) + 2
                if l.startswith(b"."):
                    stuffed += 1
                    content += len(l) + 1
                else:
                    content += len(l) + 2
                l = C.line()
            rep = smtp_reply(S)
            emit("content", "(%d lines)" % n, " | ".join(show(x) for x in rep), content, stuffed, wire)
            mode = "cmd"
            continue
        kind = "auth" if mode == "auth" else "cmd"
        if S.eof():
            emit(kind, show(l), "(no reply)")
            continue
        rep = smtp_reply(S)
        code = rep[-1][:3]
        verb = l.split(b" ", 1)[0].upper()
        mode = "cmd"
        if kind == "cmd" and verb == b"DATA" and code == b"354":
            mode = "data"
        elif code == b"334":
            mode = "auth"
        emit(kind, show(l), " | ".join(show(x) for x in rep))
        if kind == "cmd" and verb == b"STARTTLS" and code == b"220":
            return                          # the rest is TLS
    if not S.eof():
        raise SystemExit("server bytes left over: %r" % S.rest()[:200])


def walk_pop3(cli, srv, greeting):
    C, S = Lines(cli), Lines(srv)
    if greeting:
        emit("greeting", "", show(S.line()))
    in_auth = False
    while not C.eof():
        l = C.line()
        kind = "auth" if in_auth else "cmd"
        if S.eof():
            emit(kind, show(l), "(no reply)")
            continue
        rep = S.line()
        parts = l.split(b" ", 1)
        cmd, arg = parts[0].upper(), (parts[1] if len(parts) > 1 else b"")
        in_auth = rep.startswith(b"+ ") or rep == b"+"
        multi = kind == "cmd" and rep.startswith(b"+OK") and (
            cmd in (b"RETR", b"TOP", b"CAPA") or (cmd in (b"LIST", b"UIDL") and not arg))
        if multi:
            content = stuffed = wire = 0
            body = []
            while True:
                ml = S.line()
                if ml == b".":
                    break
                wire += len(ml) + 2
                if ml.startswith(b"."):
                    stuffed += 1
                    ml = ml[1:]
                content += len(ml) + 2
                body.append(show(ml))
            r = show(rep)
            if cmd in (b"CAPA", b"LIST", b"UIDL"):
                r += " | " + " | ".join(body)
            emit(kind, show(l), r, content, stuffed, wire)
        else:
            emit(kind, show(l), show(rep))
        if kind == "cmd" and cmd == b"STLS" and rep.startswith(b"+OK"):
            return
    if not S.eof():
        raise SystemExit("server bytes left over: %r" % S.rest()[:200])


def walk_imap(cli, srv, greeting):
    C, S = Lines(cli), Lines(srv)
    if greeting:
        emit("greeting", "", show(S.line()))
    tag = None                              # set while an AUTHENTICATE is in progress
    while not C.eof():
        l = C.line()
        kind = "auth" if tag else "cmd"
        if not tag:
            tag = l.split(b" ", 1)[0]
        replies = []
        while True:
            r = S.line()
            replies.append(show(r))
            if r.startswith(tag + b" "):
                tag = None                  # tagged completion
                break
            if r.startswith(b"+"):          # continuation request: the client answers
                break
        emit(kind, show(l), " | ".join(replies))
    if not S.eof():
        raise SystemExit("server bytes left over: %r" % S.rest()[:200])


def ftp_reply(S):
    first = S.line()
    lines = [first]
    if first[3:4] == b"-":
        while True:
            l = S.line()
            lines.append(l)
            if l[:3] == first[:3] and l[3:4] == b" ":
                break
    return lines


def walk_ftp(cli, srv, greeting):
    C, S = Lines(cli), Lines(srv)
    if greeting:
        emit("greeting", "", " | ".join(show(x) for x in ftp_reply(S)))
    while not C.eof():
        l = C.line()
        reps = [ftp_reply(S)]
        while reps[-1][0][:1] == b"1":      # preliminary reply, the final one follows
            reps.append(ftp_reply(S))
        emit("cmd", show(l), " || ".join(" | ".join(show(x) for x in r) for r in reps))
    if not S.eof():
        raise SystemExit("server bytes left over: %r" % S.rest()[:200])


def walk_http(cli, srv, greeting):
    """one line: request line | status line | request bytes, response header
    bytes (with the empty line), body bytes"""
    h, _, body = srv.partition(b"\r\n\r\n")
    print(cli.split(b"\r\n")[0].decode(), "|", h.split(b"\r\n")[0].decode(), "|",
          len(cli), len(h) + 4, len(body))


def walk(proto, port, greeting):
    cli, srv = streams.parse_follow(sys.stdin.read(), port)
    {"smtp": walk_smtp, "pop3": walk_pop3, "imap": walk_imap, "ftp": walk_ftp,
     "http": walk_http}[proto](cli, srv, greeting)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("proto", choices=["smtp", "pop3", "imap", "ftp", "http"])
    ap.add_argument("port", type=int, help="the server port")
    ap.add_argument("-n", action="store_true", help="no greeting in this stream")
    a = ap.parse_args()
    walk(a.proto, a.port, not a.n)


if __name__ == "__main__":
    main()
