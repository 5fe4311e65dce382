#!/usr/bin/python3
"""Walk a POP3 dialogue on tshark's reassembled stream, on its own (without
tshark's POP dissector and without the clients' view).

  tshark -r capture.pcap -q -z follow,tcp,raw,0 | pop3_dialogue.py [-n] [--port 110]

One TAB separated line per client line:
  command  argument  first-reply-line  content-bytes  stuffed-lines  wire-bytes  lines
content-bytes: multi-line reply between the status line and the terminating
"." line, with the dot-stuffing removed (line ends counted); wire-bytes: the
same on the wire (with the stuffing, without the "." line); "-" for
single-line replies. AUTH continuation lines (client answers to "+ "
challenges) are shown as command "(auth)". lines: the lines of a CAPA, LIST
or UIDL reply joined by " | ", else "-". The greeting is the line
"(greeting)"; with -n there is none (a TLS stream after STLS). Used by
make-pop3-captures.sh. Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import streams  # noqa: E402

srv = b""
spos = 0


def sline():
    global spos
    i = srv.index(b"\r\n", spos) + 2
    l, spos = bytes(srv[spos:i]), i
    return l


def show(b):
    return b.rstrip(b"\r\n").decode("ascii", "backslashreplace").replace("\t", " ")


def walk(cli, greeting):
    cmd = None
    if greeting:
        print("(greeting)\t\t%s\t-\t-\t-\t-" % show(sline()))
    in_auth = False
    for l in cli.split(b"\r\n")[:-1] if cli.endswith(b"\r\n") else cli.split(b"\r\n"):
        if spos >= len(srv):
            print("%s\t\t(no reply)\t-\t-\t-\t-" % show(l))      # e.g. DELE, then close
            continue
        if in_auth:
            cmd, arg = "(auth)", show(l)
        else:
            parts = l.split(b" ", 1)
            cmd, arg = parts[0].decode().upper(), show(parts[1]) if len(parts) > 1 else ""
        rep = sline()
        in_auth = rep.startswith(b"+ ") or rep == b"+\r\n"
        multi = rep.startswith(b"+OK") and (
            cmd in ("RETR", "TOP", "CAPA") or (cmd in ("LIST", "UIDL") and not arg))
        content = wire = stuffed = "-"
        lines = []
        if multi:
            content = wire = stuffed = 0
            while True:
                ml = sline()
                if ml == b".\r\n":
                    break
                wire += len(ml)
                if ml.startswith(b"."):
                    stuffed += 1
                    ml = ml[1:]
                content += len(ml)
                if cmd in ("CAPA", "LIST", "UIDL"):
                    lines.append(show(ml))
        print("%s\t%s\t%s\t%s\t%s\t%s\t%s" % (cmd, arg, show(rep), content, stuffed, wire,
                                            " | ".join(lines) if lines else "-"))
        if cmd == "STLS" and rep.startswith(b"+OK"):
            break
    if spos != len(srv) and not (cmd == "STLS"):
        sys.exit("server bytes left over after the dialogue: %r" % bytes(srv[spos:spos + 200]))


def main():
    global srv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", action="store_true", help="no greeting (the TLS part after STLS)")
    ap.add_argument("--port", type=int, default=110, help="server port (default 110)")
    a = ap.parse_args()
    cli, srv = streams.parse_follow(sys.stdin.read(), a.port)
    walk(cli, not a.n)


if __name__ == "__main__":
    main()
