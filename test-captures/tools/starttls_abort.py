#!/usr/bin/env python3
"""starttls_abort.py HOST PORT - an SMTP client that gives up right after the
STARTTLS go-ahead: EHLO, STARTTLS, reads the 220, then closes the connection
without sending a single TLS byte (as a client does whose TLS set-up fails
locally, e.g. no usable protocol version or certificate store). No stock
client stops at exactly this point on purpose, hence this script (smtplib,
standard library only). Prints each reply as "reply: CODE TEXT".
SPDX-License-Identifier: GPL-2.0-or-later
"""
import smtplib
import sys


def main():
    if sys.argv[1:] in (["--help"], ["-h"]):
        print(__doc__)
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    host, port = sys.argv[1], int(sys.argv[2])
    s = smtplib.SMTP(host, port, local_hostname="client.example.test", timeout=10)
    code, text = s.ehlo()
    print("reply: %d %s" % (code, text.decode(errors="replace").splitlines()[0]))
    code, text = s.docmd("STARTTLS")
    print("reply: %d %s" % (code, text.decode(errors="replace")))
    if code != 220:
        sys.exit("STARTTLS was not accepted: %d" % code)
    s.sock.close()  # no ClientHello: the connection ends here
    print("closed after the go-ahead")


if __name__ == "__main__":
    main()
