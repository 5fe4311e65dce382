#!/usr/bin/python3
"""One POP3 USER/PASS login from a given loopback source address, then QUIT
(python3 poplib), against the dovecot POP3 instance on 127.0.0.1:110.

  guess_pop3_login.py SOURCE USER PASSWORD

curl cannot send USER/PASS to a server that offers SASL (it always takes
AUTH, or APOP with AUTH=+APOP), so make-guessing-captures.sh uses this for
its USER/PASS logins. Prints 'label: value' per step; exits 0 whatever the
server answers to PASS (a refused login is what the captures are about).
Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import poplib
import socket
import sys

HOST, PORT = "127.0.0.1", 110


class SourcePOP3(poplib.POP3):
    """poplib.POP3 whose connection leaves from a chosen source address."""

    def __init__(self, source, *args, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))


def out(label, value):
    print("%s: %s" % (label, value))
    sys.stdout.flush()


def main(argv):
    if argv in (["--help"], ["-h"]):
        print(__doc__)
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, user, password = argv
    p = SourcePOP3(source, HOST, PORT, timeout=60)
    out("greeting", p.getwelcome().decode())
    out("USER", p.user(user).decode())
    try:
        out("PASS", p.pass_(password).decode())
    except poplib.error_proto as e:
        out("PASS", e.args[0].decode())
    out("QUIT", p.quit().decode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
