#!/usr/bin/env python3
"""check-session-table.py OUT_DIR - the comparisons of check-session-table.sh
(its outputs are in OUT_DIR). Prints "ok ..." or "FAIL: ..." lines; exit 1
on any failure. Python standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import io
import json
import os
import sys

KEYS = ["proto", "client", "server", "users", "methods", "auth", "failures", "cleartext", "tls",
        "messages", "bytes", "refused", "deleted", "committed", "quit", "duration",
        "first_frame", "last_frame", "guessing"]


def read(out, name):
    with open(os.path.join(out, name), encoding="utf-8") as f:
        return f.read()


def json_rows(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def as_text(row):
    """A JSON row as the strings the text and CSV forms print."""
    out = []
    for k in KEYS:
        v = row[k]
        if v is None:
            v = ""
        elif k == "bytes":
            v = "%.0f" % v
        elif k == "duration":
            v = "%.3f" % v
        out.append(str(v))
    return out


def text_rows(text):
    """The rows of tshark's text table (between the header line and the
    closing ===== line), cells stripped."""
    lines = text.splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith("Proto "))
    rows = []
    for l in lines[head + 1:]:
        if l.startswith("====="):
            break
        if "|" not in l:
            continue  # the table title line
        rows.append([c.strip() for c in l.split("|")[:-1]])
    return [c.strip() for c in lines[head].split("|")[:-1]], rows


def main(out):
    fails = []
    fail = fails.append
    help_text = read(out, "help.txt")
    for cli in ("mailsess,sessions", "mailsess,sessions,csv", "mailsess,sessions,json"):
        if not any(l.strip() == cli for l in help_text.splitlines()):
            fail("tshark -z help does not list %s" % cli)
    j1 = json_rows(read(out, "json1.txt"))
    both2 = read(out, "both2.txt")
    j2 = json_rows(both2)
    sessions = {l.split("\t")[0] for l in read(out, "sessions.txt").splitlines() if l}
    if len(j1) != len(sessions) or len(j1) < 4:
        fail("%d JSON rows, %d sessions in the capture" % (len(j1), len(sessions)))
    if j1 != j2:
        fail("the JSON rows differ between single pass and -2")
    if len({(r["client"], r["server"], r["first_frame"]) for r in j1}) != len(j1):
        fail("a session has two rows")
    for r in j1:
        if list(r) != KEYS:
            fail("JSON keys %s" % list(r))
            break
    header, t1 = text_rows(read(out, "text1.txt"))
    if [h.lower() for h in header] != ["proto", "client", "server", "users", "methods", "auth",
                                       "fail", "clear", "tls", "msgs", "bytes", "refused",
                                       "deleted", "committed", "quit", "duration", "first", "last",
                                       "guessing"]:
        fail("text table header %s" % header)
    if t1 != [as_text(r) for r in j1]:
        fail("the text table differs from the JSON rows")
        for a, b in zip(t1, [as_text(r) for r in j1]):
            if a != b:
                print("    text %s\n    json %s" % (a, b), file=sys.stderr)
    # aligned: the header's "|" where every row's are (the values of these
    # cases fit the widths; only tshark pads the labels: ms_tap.c)
    lines = read(out, "text1.txt").splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith("Proto "))
    bars = [[i for i, ch in enumerate(l) if ch == "|"] for l in lines[head:]
            if "|" in l]
    if len(bars) < 2 or any(b != bars[0] for b in bars):
        fail("the text table's columns do not line up with its header:\n" +
             "\n".join(lines[head:head + 3]))
    _, t2 = text_rows(both2)
    if t2 != t1:
        fail("the text table differs between single pass and -2")
    c = list(csv.reader(io.StringIO(read(out, "csv1.txt"))))
    if not c or c[0] != KEYS:
        fail("CSV header %s" % (c[0] if c else None))
    elif c[1:] != [as_text(r) for r in j1]:
        fail("the CSV rows differ from the JSON rows")
    pop3 = json_rows(read(out, "pop3.txt"))
    want = [r for r in j1 if r["proto"] == "POP3"]
    if not want or pop3 != want:
        fail("filter mailsess.proto == \"POP3\": %d rows, expected the %d POP3 rows" % (len(pop3), len(want)))
    if not any(r["tls"] == "starttls" and r["quit"] == "?" and r["auth"] == "?" for r in j1):
        fail("no STARTTLS session without its key shows auth and QUIT as unknown (?)")
    if read(out, "bad.rc").strip() == "0" or "mailsess.nosuchfield" not in read(out, "bad.txt"):
        fail("a bad filter is not refused with a message: %r" % read(out, "bad.txt")[:200])
    for f in fails:
        print("FAIL: " + f, file=sys.stderr)
    if not fails:
        print("ok: session table, %d sessions, text = CSV = JSON lines, one pass = two" % len(j1))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
