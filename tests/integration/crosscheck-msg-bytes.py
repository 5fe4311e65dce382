#!/usr/bin/env python3
"""Independent check of mailsess.msg_bytes on the captures made here.

For each smtp-* case without TLS, recompute the size of the message content
straight from the client's byte stream of each TCP connection of the capture
(tshark -z follow,tcp,raw, no plugin;
test-captures/tools/streams.py, also used by the capture scripts' checks):
for DATA, the bytes after the DATA line up to CRLF.CRLF, minus one per
dot-stuffed line; for BDAT, the announced chunk sizes. The sum must equal the
msg_bytes of the reviewed golden sessions.txt (all sessions) plus the sizes of
the messages the server refused after their data (named in the golden
frames.txt's msg_rejected texts: smtp-smuggling-reject). A second
implementation, so a wrong golden file cannot pass by echoing the plugin.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import pathlib
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import goldens  # noqa: E402

root = pathlib.Path(sys.argv[1])


# the stream reading and message sizes are shared with the capture scripts
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "test-captures" / "tools"))
import streams  # noqa: E402


def tcp_streams(cap):
    """the capture's TCP stream numbers (a case may hold more than one
    connection: smtp-connect-tunnel has the tunnel and the proxy's own)"""
    out = subprocess.run(["tshark", "-r", str(cap), "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True, check=True).stdout
    return sorted({int(x) for x in out.split()})
def client_bytes(cap, stream):
    return streams.parse_follow(streams.follow(cap, stream=stream))[0]


def content_size(stream):
    return sum(streams.message_sizes(stream))


def golden_msg_bytes(case):
    """The msg_bytes of the reviewed golden file, summed over the sessions."""
    sessions = goldens.read_sessions((case / "expected" / "sessions.txt").read_text(encoding="utf-8"))
    accepted = sum(int(v) for s in sessions.values() for v in s["values"].get("mailsess.msg_bytes", []))
    refused = sum(int(m.group(1)) for m in re.finditer(
        r"\tmailsess\.expert\.msg_rejected\t[^\t]*\tMessage of (\d+) bytes refused",
        (case / "expected" / "frames.txt").read_text(encoding="utf-8")))
    return accepted + refused


fails = 0
checked = 0
for case in sorted(root.glob("smtp-*")):
    if (case / "keylog.txt").exists():
        continue
    golden = golden_msg_bytes(case)
    cap = case / "capture.pcap"
    recomputed = sum(content_size(client_bytes(cap, n)) for n in tcp_streams(cap))
    checked += 1
    if golden != recomputed:
        fails += 1
        print(f"FAIL {case.name}: golden msg_bytes {golden}, raw stream says {recomputed}")
    else:
        print(f"ok {case.name}: {golden}")
if checked == 0:
    print("FAIL: no case checked")
    sys.exit(1)
sys.exit(1 if fails else 0)
