#!/usr/bin/python3
"""Reassembled TCP/TLS streams of a capture and the SMTP message sizes in them.

One implementation, shared by the capture scripts' self-checks and by
tests/integration/crosscheck-msg-bytes.py (an independent recomputation of
mailsess.msg_bytes that does not use the plugin):

- parse_follow(): the output of ``tshark -q -z follow,<tcp|tls>,raw,N`` as
  (client bytes, server bytes);
- message_sizes(): the content size of every SMTP message the client sent:
  DATA content between the DATA line and the "." line, counted with its line
  ends, minus one per dot-stuffed line; BDAT chunks as announced;
- data_messages(): for DATA, also the bytes on the wire.

CLI (reads tshark's follow output on stdin unless a pcap is given):

  streams.py client [--port P] [--pcap F]      client bytes to stdout
  streams.py client --from TEXT [--pcap F]     repr() of the client bytes from TEXT on
  streams.py server [--port P] [--pcap F]      server bytes to stdout
  streams.py sizes crlf|lf [--pcap F]          message sizes, space separated
  streams.py large [--pcap F]                  "<content> <wire>" of the 1st DATA
  streams.py segs                              hex payload lines -> repr() lines
  streams.py selftest                          checks on built-in examples

Standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import binascii
import re
import subprocess
import sys

_NODE = re.compile(r"Node (\d): (.*):(\d+)\s*$")


def follow(pcap, kind="tcp", stream=0, keylog=None, extra=()):
    """tshark's follow output of one stream (kind tcp or tls)"""
    args = ["tshark", "-r", str(pcap)] + list(extra)
    if keylog:
        args += ["-o", "tls.keylog_file:%s" % keylog]
    args += ["-q", "-z", "follow,%s,raw,%d" % (kind, stream)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def parse_follow(text, server_port=None):
    """(client bytes, server bytes) of tshark's "follow,...,raw" output.

    Data lines of Node 0 start in column 1, those of Node 1 are indented by
    a TAB. Without server_port Node 0 is the client (follow,tcp names the
    side that sent the first segment Node 0); with it, the node whose port is
    server_port is the server (tshark 4.0's follow,tls may name the server
    Node 0 and leave Node 1 as ":0")."""
    cli, srv = bytearray(), bytearray()
    nodes, started, server_node = {}, False, 1
    for line in text.splitlines():
        if line.startswith("====="):
            if started:
                break
            continue
        if not started:
            m = _NODE.match(line)
            if m:
                nodes[int(m.group(1))] = int(m.group(3))
            if line.startswith("Node 1:"):
                started = True
                if server_port is not None:
                    server_node = 0 if nodes.get(0) == server_port else 1
            continue
        if not line.strip():
            continue
        node = 1 if line.startswith("\t") else 0
        (srv if node == server_node else cli).extend(binascii.unhexlify(line.strip()))
    return bytes(cli), bytes(srv)


def next_line(data, pos, mode="crlf"):
    """end (exclusive) of the line starting at pos, with its line end; crlf:
    only CRLF ends a line (RFC 5321); lf: a bare LF ends one too (how postfix
    reads). A last line without a line end runs to the end of data."""
    i = data.find(b"\r\n" if mode == "crlf" else b"\n", pos)
    return len(data) if i < 0 else i + (2 if mode == "crlf" else 1)


def _bare(line, mode):
    """the line without its line end"""
    if mode == "lf":
        return line.rstrip(b"\n").rstrip(b"\r")
    return line[:-2] if line.endswith(b"\r\n") else line


_BDAT = re.compile(rb"(?i)bdat +(\d+)( +last)? *")


def _walk(data, mode):
    """yield ("data", content, wire) per DATA message ended by a "." line,
    ("bdat", size, None) per BDAT chunk and ("last", 0, None) after the chunk
    of BDAT ... LAST; BDAT chunk data is skipped, not read as lines"""
    pos, content, wire = 0, None, 0
    while pos < len(data):
        end = next_line(data, pos, mode)
        line, pos = data[pos:end], end
        bare = _bare(line, mode)
        if content is None:                      # a command line
            m = _BDAT.fullmatch(bare)
            if bare.upper() == b"DATA":
                content, wire = 0, 0
            elif m:
                pos += int(m.group(1))
                yield ("bdat", int(m.group(1)), None)
                if m.group(2):
                    yield ("last", 0, None)
            continue
        wire += len(line)                        # a DATA content line
        if bare == b"." and line != bare:
            yield ("data", content, wire)
            content = None
        else:
            content += len(line) - (1 if line.startswith(b".") else 0)


def data_messages(client, mode="crlf"):
    """[(content bytes, wire bytes)] of every DATA message ended by a "."
    line; content: the lines after the DATA line up to the "." line with
    their line ends, one leading '.' removed per line (dot-stuffing); wire:
    the same bytes as sent, including the ".\\r\\n" line. Assumes every DATA
    got 354 (a refused DATA followed by commands has no "." line and counts
    nothing)."""
    return [(a, b) for k, a, b in _walk(client, mode) if k == "data"]


def message_sizes(client, mode="crlf"):
    """content size of every finished message: DATA (see data_messages) and
    BDAT (sum of the chunk sizes up to BDAT ... LAST), in stream order"""
    sizes, chunks = [], None
    for kind, size, _ in _walk(client, mode):
        if kind == "data":
            sizes.append(size)
        elif kind == "bdat":
            chunks = (chunks or 0) + size
        else:
            sizes.append(chunks or 0)
            chunks = None
    return sizes


def segs(lines):
    """tshark "-e tcp.payload" hex lines -> repr() of the bytes, one per line"""
    return [repr(bytes.fromhex(l.strip().replace(":", ""))) for l in lines]


def selftest():
    text = ("===================================================================\n"
            "Follow: tcp,raw\nFilter: tcp.stream eq 0\n"
            "Node 0: 127.0.0.1:40000\nNode 1: 127.0.0.1:25\n"
            "\t" + b"220 hi\r\n".hex() + "\n" + b"DATA\r\n".hex() + "\n"
            "\t" + b"354 go\r\n".hex() + "\n"
            + b"a\r\n..b\r\n.\r\n".hex() + "\n"
            "===================================================================\n")
    cli, srv = parse_follow(text)
    assert cli == b"DATA\r\na\r\n..b\r\n.\r\n", cli
    assert srv == b"220 hi\r\n354 go\r\n", srv
    assert parse_follow(text, 25) == (cli, srv)
    assert parse_follow(text, 40000) == (srv, cli)
    assert data_messages(cli) == [(3 + 4, 3 + 5 + 3)]
    assert message_sizes(cli) == [7]
    # bare LF: one message in the RFC reading, two for a reader that ends lines at LF
    smug = b"DATA\r\nx\n.\r\nDATA\r\nyz\r\n.\r\n"
    assert message_sizes(smug, "crlf") == [len(b"x\n.\r\nDATA\r\nyz\r\n")]
    assert message_sizes(smug, "lf") == [2, 4]
    # BDAT: chunk data is not parsed as lines, LAST ends the message
    bdat = b"EHLO x\r\nBDAT 5\r\nDATA\nBDAT 3 LAST\r\n.\r\nQUIT\r\n"
    assert message_sizes(bdat) == [8], message_sizes(bdat)
    # a refused DATA: no content
    assert message_sizes(b"data\r\nrset\r\nquit\r\n") == []
    assert segs(["41:0d:0a\n"]) == ["b'A\\r\\n'"]
    print("streams.py selftest: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["client", "server", "sizes", "large", "segs", "selftest"])
    ap.add_argument("mode", nargs="?", choices=["crlf", "lf"], default="crlf",
                    help="line ends for 'sizes' (default crlf)")
    ap.add_argument("--port", type=int, help="server port (default: Node 0 is the client)")
    ap.add_argument("--from", dest="start", help="client: print repr() of the client bytes "
                    "from the first occurrence of this text (\\r\\n allowed) on")
    ap.add_argument("--pcap", help="run tshark on this capture (stream 0) instead of reading stdin")
    a = ap.parse_args()
    if a.what == "selftest":
        selftest()
        return
    if a.what == "segs":
        for line in segs(sys.stdin):
            print(line)
        return
    text = follow(a.pcap) if a.pcap else sys.stdin.read()
    cli, srv = parse_follow(text, a.port)
    if a.what == "client" and a.start:
        t = a.start.encode().decode("unicode_escape").encode("latin-1")
        print(repr(cli[cli.index(t):]))
    elif a.what == "client":
        sys.stdout.buffer.write(cli)
    elif a.what == "server":
        sys.stdout.buffer.write(srv)
    elif a.what == "sizes":
        print(" ".join(map(str, message_sizes(cli, a.mode))))
    else:
        content, wire = data_messages(cli)[0]
        print(content, wire)


if __name__ == "__main__":
    main()
