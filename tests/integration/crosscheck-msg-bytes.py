#!/usr/bin/env python3
"""Independent check of mailsess.msg_bytes on the captures made here.

For each smtp-* case without TLS, recompute the size of the message content
straight from the client's byte stream (tshark -z follow,tcp,raw, no plugin):
for DATA, the bytes after the DATA line up to CRLF.CRLF, minus one per
dot-stuffed line; for BDAT, the announced chunk sizes. Every message in these
captures was accepted, so the sum must equal the msg_bytes of the reviewed
golden sessions.txt (all sessions). A second implementation, so a wrong golden
file cannot pass by echoing the plugin.
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


def client_bytes(cap):
    out = subprocess.run(["tshark", "-r", str(cap), "-q", "-z", "follow,tcp,raw,0"],
                         capture_output=True, text=True, check=True).stdout
    data = b""
    for line in out.splitlines():
        if not line or line[0] == "\t" or not re.fullmatch(r"[0-9a-f]+", line):
            continue  # server lines are indented; skip headers
        data += bytes.fromhex(line)
    return data


def content_size(stream):
    total = 0
    pos = 0
    while True:
        m = re.compile(rb"(?im)^data\r\n").search(stream, pos)
        if not m:
            break
        end = stream.find(b"\r\n.\r\n", m.end() - 2)
        if end < 0:
            break  # DATA refused: no content followed
        body = stream[m.end():end + 2]
        total += len(body) - sum(1 for ln in body.split(b"\r\n") if ln.startswith(b"."))
        pos = end + 5
    total += sum(int(n) for n in re.findall(rb"(?i)^bdat (\d+)", stream, re.M))
    return total


def golden_msg_bytes(case):
    """The msg_bytes of the reviewed golden file, summed over the sessions."""
    sessions = goldens.read_sessions((case / "expected" / "sessions.txt").read_text(encoding="utf-8"))
    return sum(int(v) for s in sessions.values() for v in s["values"].get("mailsess.msg_bytes", []))


fails = 0
checked = 0
for case in sorted(root.glob("smtp-*")):
    if (case / "keylog.txt").exists():
        continue
    golden = golden_msg_bytes(case)
    recomputed = content_size(client_bytes(case / "capture.pcap"))
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
