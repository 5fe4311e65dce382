#!/usr/bin/python3
"""POP3 sessions that curl and fetchmail cannot produce (python3 poplib),
against the dovecot POP3 instance on 127.0.0.1:110.

  pop3_client.py CASE      run the session of pop3-CASE
  pop3_client.py list-3    LIST 3 as alice (a check after pop3-large)
  pop3_client.py top-bytes K < MESSAGE        size of the reply to TOP n K
  pop3_client.py cram-md5 CHALLENGE USER PW   CRAM-MD5 response (base64)

Every step is printed as 'label: value' for make-pop3-captures.sh's checks.
Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import poplib
import sys

HOST = "127.0.0.1"


def out(label, value):
    print("%s: %s" % (label, value))
    sys.stdout.flush()


def connect(host=HOST):
    p = poplib.POP3(host, 110, timeout=30)
    out("greeting", p.getwelcome().decode())
    return p


def login(p, user="alice", pw="alicepw"):
    out("USER", p.user(user).decode())
    out("PASS", p.pass_(pw).decode())


def ok(resp, what):
    if not resp.startswith(b"+OK"):
        raise SystemExit("%s: %r" % (what, resp))
    out(what, resp.decode())


def retr(p, n):
    resp, lines, octets = p.retr(n)        # poplib removes the dot-stuffing
    ok(resp, "RETR %d" % n)
    content = b"".join(l + b"\r\n" for l in lines)
    assert len(content) == octets
    out("RETR %d content bytes" % n, len(content))
    out("RETR %d stuffed lines" % n, sum(1 for l in lines if l.startswith(b".")))


def user_pass():
    p = connect()
    login(p)
    out("STAT", "%d %d" % p.stat())
    resp, lines, _ = p.list()
    ok(resp, "LIST")
    out("LIST lines", " | ".join(l.decode() for l in lines))
    retr(p, 1)
    retr(p, 2)
    ok(p.dele(1), "DELE 1")
    ok(p.quit(), "QUIT")


def fail_then_ok():
    p = connect()
    out("USER", p.user("alice").decode())
    try:
        p.pass_("wrongpw")
        raise SystemExit("PASS with the wrong password unexpectedly succeeded")
    except poplib.error_proto as e:
        out("PASS wrongpw", e.args[0].decode())
    login(p)
    out("STAT", "%d %d" % p.stat())
    ok(p.quit(), "QUIT")


def top_uidl():
    p = connect()
    out("CAPA", " | ".join("%s %s" % (k, " ".join(v)) if v else k for k, v in p.capa().items()))
    login(p)
    resp, lines, _ = p.uidl()
    ok(resp, "UIDL")
    out("UIDL lines", " | ".join(l.decode() for l in lines))
    for n, k in ((1, 5), (2, 0)):
        resp, lines, octets = p.top(n, k)
        ok(resp, "TOP %d %d" % (n, k))
        out("TOP %d %d content bytes" % (n, k), octets)
        out("TOP %d %d lines" % (n, k), len(lines))
    ok(p.quit(), "QUIT")


def dele_no_quit():
    p = connect()
    login(p)
    ok(p.dele(1), "DELE 1")
    p.close()                              # no QUIT: just close the socket
    out("closed", "without QUIT")


def rset():
    p = connect()
    login(p)
    ok(p.dele(1), "DELE 1")
    ok(p.dele(2), "DELE 2")
    ok(p.rset(), "RSET")
    ok(p.dele(3), "DELE 3")
    ok(p.quit(), "QUIT")


def list_3():
    """LIST 3 in a session of its own (after a capture, not recorded)"""
    p = poplib.POP3(HOST, 110, timeout=30)
    p.user("alice")
    p.pass_("alicepw")
    print(p.list(3).decode())
    p.quit()


CASES = {
    "user-pass": user_pass,
    "fail-then-ok": fail_then_ok,
    "top-uidl": top_uidl,
    "dele-no-quit": dele_no_quit,
    "rset": rset,
    "list-3": list_3,
}


def top_bytes(data, k):
    """size of the reply to "TOP n k" for a message (CRLF line ends):
    header, empty line and the first k body lines"""
    h, b = data.split(b"\r\n\r\n", 1)
    return len(h) + 4 + sum(len(l) + 2 for l in b.split(b"\r\n")[:-1][:k])


def cram_md5(challenge_b64, user, password):
    """the base64 CRAM-MD5 response to a base64 challenge"""
    import base64
    import hmac
    ch = base64.b64decode(challenge_b64)
    return base64.b64encode(user.encode() + b" " +
                            hmac.new(password.encode(), ch, "md5").hexdigest().encode()).decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", choices=sorted(CASES) + ["top-bytes", "cram-md5"],
                    help="the case (folder name without pop3-); list-3: LIST 3 as alice; "
                         "top-bytes K < MESSAGE: size of TOP n K; "
                         "cram-md5 CHALLENGE USER PASSWORD: the response")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    if a.case == "top-bytes":
        print(top_bytes(sys.stdin.buffer.read(), int(a.args[0])))
    elif a.case == "cram-md5":
        print(cram_md5(*a.args))
    else:
        CASES[a.case]()


if __name__ == "__main__":
    main()
