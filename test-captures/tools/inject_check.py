#!/usr/bin/python3
"""Checks of the recorded captures of make-injection-captures.sh: the exact
bytes and order of every clear-text segment, where TLS starts, the decrypted
streams; prints "fact<TAB>key<TAB>value" lines for the README and writes the
table of the payload frames of every TCP stream to DIR/table-N.txt.

  inject_check.py CASE PCAP SERVER-PORT KEYLOG|- DIR

Exits 1 with a "FAIL<TAB>reason" line when the capture is not what it
should be. Standard library only (runs tshark).
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import base64
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import streams  # noqa: E402

HELO = "client.example.test"


class Fail(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Fail(msg)


def tshark(*args):
    return subprocess.run(["tshark"] + list(args), capture_output=True, text=True,
                          check=True).stdout


def is_tls(p):
    return len(p) >= 5 and 20 <= p[0] <= 23 and p[1] == 3


class Cap:
    def __init__(self, pcap, port, keylog=None, decode=None):
        self.pcap, self.port, self.keylog = pcap, port, keylog
        self.decode = decode or []
        self.frames = []                    # every frame: stream, frame, dir, flags, payload
        for l in tshark("-r", pcap, "-T", "fields", "-e", "tcp.stream", "-e", "frame.number",
                        "-e", "tcp.srcport", "-e", "tcp.flags.str", "-e", "tcp.payload").splitlines():
            f = l.split("\t")
            self.frames.append({"stream": int(f[0]), "frame": int(f[1]),
                                "dir": "S" if int(f[2]) == port else "C", "flags": f[3],
                                "payload": bytes.fromhex(f[4].replace(":", "")) if f[4] else b""})
        self.info = {}
        args = ["-r", pcap] + self.decode
        if keylog:
            args += ["-o", "tls.keylog_file:" + keylog]
        for l in tshark(*(args + ["-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"])).splitlines():
            num, _, info = l.partition("\t")
            self.info[int(num)] = info

    def streams(self):
        return sorted(set(f["stream"] for f in self.frames))

    def payload(self, stream):
        return [f for f in self.frames if f["stream"] == stream and f["payload"]]

    def clear(self, stream):
        """payload frames before the first TLS record; no clear text after it"""
        pf = self.payload(stream)
        for i, f in enumerate(pf):
            if is_tls(f["payload"]):
                need(all(is_tls(g["payload"]) for g in pf[i:]),
                     "stream %d: clear text after the first TLS record" % stream)
                return pf[:i], pf[i:]
        return pf, []

    def follow(self, stream, kind="tcp"):
        """(client bytes, server bytes) of one stream (tls: decrypted)"""
        o = streams.follow(self.pcap, kind, stream, self.keylog if kind == "tls" else None,
                           self.decode)
        return streams.parse_follow(o, self.port)

    def closing(self, stream):
        r = []
        for f in self.frames:
            if f["stream"] == stream and ("F" in f["flags"] or "R" in f["flags"]):
                r.append("%s from the %s (frame %d)" % ("RST" if "R" in f["flags"] else "FIN",
                                                        "server" if f["dir"] == "S" else "client",
                                                        f["frame"]))
        return ", then ".join(r)

    def table(self, stream):
        """the payload frames of a stream for the README"""
        rows = []
        for f in self.payload(stream):
            p = f["payload"]
            if is_tls(p):
                what = "TLS: " + self.info.get(f["frame"], "")
            else:
                what = repr(p)[2:-1]
            rows.append("    %5d  %s  %5d  %s" % (f["frame"], f["dir"], len(p), what))
        return "\n".join(["    frame dir bytes  payload (clear text as bytes; TLS: tshark's Info column%s)"
                          % (" with the key log" if self.keylog else "")] + rows)


def fact(k, v):
    print("fact\t%s\t%s" % (k, v))


def smtp_lines(b):
    return [l + b"\r\n" for l in b.split(b"\r\n")[:-1]]


def check_smtp_inject(cap, how):
    need(cap.streams() == [0], "expected one TCP stream, got %s" % cap.streams())
    clear, tls = cap.clear(0)
    dirs = "".join(f["dir"] for f in clear)
    if how == "early" and dirs == "SCSCSC":
        fact("race", "lost")                # the 220 came before EHLO x
        return
    exp = "SCSCS" if how == "same" else "SCSCCS"
    need(dirs == exp, "clear-text segments %s, expected %s" % (dirs, exp))
    g, e, er = clear[0], clear[1], clear[2]
    need(g["payload"] == b"220 mx.example.test ESMTP mailsess-test\r\n", "greeting %r" % g["payload"])
    need(e["payload"] == ("EHLO %s\r\n" % HELO).encode(), "EHLO %r" % e["payload"])
    need(er["payload"].startswith(b"250-mx.example.test\r\n") and b"\r\n250-STARTTLS\r\n" in er["payload"],
         "EHLO reply %r" % er["payload"])
    if how == "same":
        st, go = clear[3], clear[4]
        need(st["payload"] == b"STARTTLS\r\nRSET\r\n", "STARTTLS segment %r" % st["payload"])
        fact("inject_frame", st["frame"])
    else:
        st, inj, go = clear[3], clear[4], clear[5]
        need(st["payload"] == b"STARTTLS\r\n", "STARTTLS segment %r" % st["payload"])
        need(inj["payload"] == b"EHLO x\r\n", "second segment %r" % inj["payload"])
        need(st["frame"] < inj["frame"] < go["frame"], "frame order")
        fact("race", "won")
        fact("inject_frame", inj["frame"])
    need(go["payload"] == b"220 2.0.0 Ready to start TLS\r\n", "go-ahead %r" % go["payload"])
    fact("greeting_frame", g["frame"])
    fact("ehlo_frame", e["frame"])
    fact("ehlo_reply_frame", er["frame"])
    fact("starttls_frame", st["frame"])
    fact("goahead_frame", go["frame"])
    need(tls and tls[0]["dir"] == "C" and tls[0]["payload"][0] == 0x16 and tls[0]["payload"][5] == 1,
         "no ClientHello after the go-ahead")
    fact("clienthello_frame", tls[0]["frame"])
    cli, srv = cap.follow(0, "tls")
    need(cli == ("EHLO %s\r\nQUIT\r\n" % HELO).encode(), "decrypted client bytes %r" % cli)
    sl = smtp_lines(srv)
    need(sl and sl[0] == b"250-mx.example.test\r\n" and sl[-1] == b"221 2.0.0 Bye\r\n",
         "decrypted server bytes %r" % srv)
    need(b"STARTTLS" not in srv, "STARTTLS offered inside TLS")
    need(sum(1 for l in sl if l[3:4] == b" ") == 2, "more than 2 replies inside TLS: %r" % srv)
    fact("tls_server_replies", "EHLO reply (%d lines), 221 2.0.0 Bye" % (len(sl) - 1))
    fact("ehlo_reply", repr(er["payload"])[2:-1])
    fact("closing", cap.closing(0))


def check_pop3_inject(cap):
    need(cap.streams() == [0], "expected one TCP stream, got %s" % cap.streams())
    clear, tls = cap.clear(0)
    dirs = "".join(f["dir"] for f in clear)
    need(dirs == "SCSCS", "clear-text segments %s, expected SCSCS" % dirs)
    g, c, cr, st, go = clear
    need(re.fullmatch(rb"\+OK mailsess-test POP3 ready\. <[^>]+>\r\n", g["payload"]), "greeting %r" % g["payload"])
    need(c["payload"] == b"CAPA\r\n", "CAPA %r" % c["payload"])
    need(cr["payload"].startswith(b"+OK\r\n") and b"\r\nSTLS\r\n" in cr["payload"] and
         cr["payload"].endswith(b"\r\n.\r\n"), "CAPA reply %r" % cr["payload"])
    need(st["payload"] == b"STLS\r\nCAPA\r\n", "STLS segment %r" % st["payload"])
    need(go["payload"] == b"+OK Begin TLS negotiation now.\r\n", "go-ahead %r" % go["payload"])
    need(all(f["dir"] == "C" for f in tls), "the server sent TLS data")
    for k, f in (("greeting", g), ("capa", c), ("capa_reply", cr), ("inject", st), ("goahead", go)):
        fact(k + "_frame", f["frame"])
    fact("greeting", repr(g["payload"])[2:-1])
    fact("capa_reply", repr(cr["payload"])[2:-1])
    fact("clienthello_frame", tls[0]["frame"] if tls else "none")
    fact("closing", cap.closing(0))


def check_smtp_response_inject(cap):
    need(cap.streams() == [0], "expected one TCP stream, got %s" % cap.streams())
    clear, tls = cap.clear(0)
    dirs = "".join(f["dir"] for f in clear)
    need(dirs == "SCSCS", "clear-text segments %s, expected SCSCS" % dirs)
    g, e, er, st, go = clear
    need(g["payload"] == b"220 fake.example.test ESMTP mailsess-inject-test\r\n", "greeting %r" % g["payload"])
    need(e["payload"] == ("ehlo %s\r\n" % HELO).encode(), "EHLO %r" % e["payload"])
    need(b"\r\n250-STARTTLS\r\n" in er["payload"], "EHLO reply %r" % er["payload"])
    need(st["payload"] == b"STARTTLS\r\n", "STARTTLS %r" % st["payload"])
    need(go["payload"] == b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n", "go-ahead segment %r" % go["payload"])
    for k, f in (("greeting", g), ("ehlo", e), ("ehlo_reply", er), ("starttls", st), ("inject", go)):
        fact(k + "_frame", f["frame"])
    fact("ehlo_reply", repr(er["payload"])[2:-1])
    need(tls and tls[0]["dir"] == "C" and tls[0]["payload"][5] == 1, "no ClientHello after the go-ahead")
    fact("clienthello_frame", tls[0]["frame"])
    cli, srv = cap.follow(0, "tls")
    cl = smtp_lines(cli)
    verbs = [l.split(b" ")[0].rstrip(b"\r\n").upper() for l in cl]
    need(verbs[:4] == [b"EHLO", b"MAIL", b"RCPT", b"DATA"], "decrypted client verbs %r" % verbs)
    i = 3
    j = cl.index(b".\r\n", i)
    content = b"".join(cl[i + 1:j])
    need([l.upper() for l in cl[j + 1:]] == [b"QUIT\r\n"], "after the data %r" % cl[j + 1:])
    fact("tls_client_lines", " | ".join(repr(l.rstrip(b"\r\n"))[2:-1] for l in cl[:i + 1]) +
         " | <%d content lines> | . | %s" % (j - i - 1, repr(cl[j + 1].rstrip(b"\r\n"))[2:-1]))
    fact("content_bytes", len(content) - sum(1 for l in cl[i + 1:j] if l.startswith(b".")))
    sl = smtp_lines(srv)
    need(b"injected" not in srv, "the injected reply inside TLS")
    need(b"STARTTLS" not in srv, "STARTTLS offered inside TLS")
    need(sl[-1] == b"221 2.0.0 Bye\r\n" and b"250 2.0.0 Ok: queued as FAKE0001\r\n" in sl, "decrypted server %r" % srv)
    fact("closing", cap.closing(0))


def check_smtp_stripped(cap):
    need(cap.streams() == [0, 1, 2], "expected three TCP streams, got %s" % cap.streams())
    replies = {}
    for s in (0, 1, 2):
        clear, tls = cap.clear(s)
        need(clear[0]["dir"] == "S" and clear[0]["payload"] == b"220 mx.example.test ESMTP mailsess-test\r\n",
             "stream %d greeting" % s)
        need(clear[1]["payload"] == ("EHLO %s\r\n" % HELO).encode(), "stream %d EHLO" % s)
        need(clear[2]["dir"] == "S" and clear[2]["payload"].startswith(b"250-mx.example.test\r\n"),
             "stream %d EHLO reply" % s)
        replies[s] = clear[2]["payload"]
        fact("s%d_greeting_frame" % s, clear[0]["frame"])
        fact("s%d_ehlo_frame" % s, clear[1]["frame"])
        fact("s%d_ehlo_reply_frame" % s, clear[2]["frame"])
        fact("s%d_closing" % s, cap.closing(s))
        if s == 0:
            need([f["payload"] for f in clear[3:]] == [b"STARTTLS\r\n", b"220 2.0.0 Ready to start TLS\r\n"],
                 "stream 0 after EHLO: %r" % [f["payload"] for f in clear[3:]])
            need(tls and tls[0]["dir"] == "C", "stream 0: no TLS after STARTTLS")
            fact("s0_starttls_frame", clear[3]["frame"])
            fact("s0_goahead_frame", clear[4]["frame"])
            fact("s0_tls_frames", "%d-%d" % (tls[0]["frame"], tls[-1]["frame"]))
        else:
            need(not tls, "stream %d has TLS" % s)
    r0 = replies[0]
    need(b"\r\n250-STARTTLS\r\n" in r0, "stream 0 EHLO reply without STARTTLS")
    need(replies[1] == r0.replace(b"250-STARTTLS\r\n", b""), "stream 1 EHLO reply is not stream 0's minus STARTTLS")
    need(replies[2] == r0.replace(b"250-STARTTLS\r\n", b"250-XXXXXXXA\r\n"), "stream 2 EHLO reply is not stream 0's with XXXXXXXA")
    fact("ehlo_reply_0", repr(r0)[2:-1])
    fact("ehlo_reply_1", repr(replies[1])[2:-1])
    fact("ehlo_reply_2", repr(replies[2])[2:-1])
    # the whole clear-text dialogues of streams 1 and 2
    import base64
    for s, exp in ((1, [b"EHLO", b"AUTH", b"QUIT"]), (2, [b"EHLO", b"MAIL", b"RCPT", b"DATA", b"QUIT"])):
        cli, srv = cap.follow(s)
        cl = smtp_lines(cli)
        if s == 2:
            i = cl.index(b"DATA\r\n")
            j = cl.index(b".\r\n", i)
            fact("s2_content_bytes", len(b"".join(cl[i + 1:j])) - sum(1 for l in cl[i + 1:j] if l.startswith(b".")))
            cl = cl[:i + 1] + cl[j + 1:]
        verbs = [l.split(b" ")[0].rstrip(b"\r\n").upper() for l in cl]
        need(verbs == exp, "stream %d client verbs %r" % (s, verbs))
        replies_ = [l for l in smtp_lines(srv) if l[3:4] == b" "]
        fact("s%d_client_lines" % s, " | ".join(repr(l.rstrip(b"\r\n"))[2:-1] for l in cl))
        fact("s%d_final_replies" % s, " | ".join(repr(l.rstrip(b"\r\n"))[2:-1] for l in replies_))
        need(b"STARTTLS\r\n" not in cli, "stream %d: the client sent STARTTLS" % s)
    cli1, srv1 = cap.follow(1)
    auth = b"AUTH PLAIN " + base64.b64encode(b"\0alice\0alicepw") + b"\r\n"
    need(auth in cli1, "stream 1: no AUTH PLAIN alice in clear")
    need(b"235 2.7.0 Authentication successful\r\n" in srv1, "stream 1: AUTH not accepted")
    for f in cap.payload(1):
        if f["payload"].startswith(b"AUTH PLAIN "):
            fact("s1_auth_frame", f["frame"])
    for f in cap.payload(2):
        if f["payload"].startswith(b"MAIL FROM:"):
            fact("s2_mail_frame", f["frame"])


def check_pop3_stripped(cap):
    need(cap.streams() == [0, 1], "expected two TCP streams, got %s" % cap.streams())
    capas = {}
    for s in (0, 1):
        clear, tls = cap.clear(s)
        need(re.fullmatch(rb"\+OK mailsess-test POP3 ready\. <[^>]+>\r\n", clear[0]["payload"]), "stream %d greeting" % s)
        need(clear[1]["payload"] == b"CAPA\r\n", "stream %d CAPA" % s)
        need(clear[2]["dir"] == "S" and clear[2]["payload"].startswith(b"+OK\r\n"), "stream %d CAPA reply" % s)
        capas[s] = clear[2]["payload"]
        fact("s%d_greeting_frame" % s, clear[0]["frame"])
        fact("s%d_capa_frame" % s, clear[1]["frame"])
        fact("s%d_capa_reply_frame" % s, clear[2]["frame"])
        fact("s%d_closing" % s, cap.closing(s))
        if s == 0:
            need([f["payload"] for f in clear[3:]] == [b"STLS\r\n", b"+OK Begin TLS negotiation now.\r\n"],
                 "stream 0 after CAPA: %r" % [f["payload"] for f in clear[3:]])
            fact("s0_stls_frame", clear[3]["frame"])
            fact("s0_goahead_frame", clear[4]["frame"])
            need(tls and tls[0]["dir"] == "C", "stream 0: no TLS after STLS")
            cli, srv = cap.follow(0, "tls")
            need(cli == b"USER alice\r\nPASS alicepw\r\nQUIT\r\n", "stream 0 decrypted client %r" % cli)
            need(srv == b"+OK\r\n+OK Logged in.\r\n+OK Logging out.\r\n", "stream 0 decrypted server %r" % srv)
        else:
            need(not tls, "stream 1 has TLS")
            need([f["payload"] for f in clear[3:]] ==
                 [b"USER alice\r\n", b"+OK\r\n", b"PASS alicepw\r\n", b"+OK Logged in.\r\n", b"QUIT\r\n", b"+OK Logging out.\r\n"],
                 "stream 1 after CAPA: %r" % [f["payload"] for f in clear[3:]])
            fact("s1_user_frame", clear[3]["frame"])
            fact("s1_pass_frame", clear[5]["frame"])
            fact("s1_quit_frame", clear[7]["frame"])
    need(b"\r\nSTLS\r\n" in capas[0], "stream 0 CAPA without STLS")
    need(capas[1] == capas[0].replace(b"\r\nSTLS\r\n", b"\r\n"), "stream 1 CAPA is not stream 0's minus STLS")
    fact("capa_0", repr(capas[0])[2:-1])
    fact("capa_1", repr(capas[1])[2:-1])


def check(case, pcap, port, keylog, outdir):
    decode = []
    if port not in (25, 587, 110):
        decode = ["-d", "tcp.port==%d,%s" % (port, "pop" if "pop3" in case else "smtp")]
    cap = Cap(pcap, port, keylog, decode)
    try:
        if case == "port-smtp-starttls-inject-client":
            check_smtp_inject(cap, "same")
        elif case == "port-smtp-starttls-inject-early":
            check_smtp_inject(cap, "early")
        elif case == "port-pop3-stls-inject-client":
            check_pop3_inject(cap)
        elif case == "port-smtp-starttls-inject-server":
            check_smtp_response_inject(cap)
        elif case == "port-smtp-starttls-stripped":
            check_smtp_stripped(cap)
        elif case == "port-pop3-stls-stripped":
            check_pop3_stripped(cap)
        else:
            raise Fail("unknown case")
    except Fail as e:
        print("FAIL\t%s" % e)
        sys.exit(1)
    for s in cap.streams():
        with open(os.path.join(outdir, "table-%d.txt" % s), "w") as f:
            f.write(cap.table(s) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case")
    ap.add_argument("pcap")
    ap.add_argument("port", type=int, help="the server port")
    ap.add_argument("keylog", help="TLS key log, or - for none")
    ap.add_argument("dir", help="where table-N.txt are written")
    a = ap.parse_args()
    check(a.case, a.pcap, a.port, a.keylog if a.keylog != "-" else None, a.dir)


if __name__ == "__main__":
    main()
