#!/usr/bin/env python3
"""dialog-copy.py EXPECTED_JSONL COPY_TXT [NAME] - is COPY_TXT (the text the
Mail Sessions dialog's Copy puts on the clipboard) the table of EXPECTED_JSONL
(`tshark -z mailsess,sessions,json`)? Prints "ok ..." or "FAIL: ..." and the
difference; exit 1 when they differ. Python standard library only.

The expected text is built the way Wireshark 4.0's statistics dialog writes
it (ui/qt/tap_parameter_dialog.cpp, getTreeAsString, plain text): a line of
'=', "Mail Sessions - FILE:", the column names joined by two spaces, a line
of '-', one line per row, a line of '-'. In a row every cell shorter than its
column's name is padded to it (strings on the right, numbers on the left; a
longer value is not cut, so the text is aligned only where the values fit),
floats with 6 decimals.
The rows are in the dialog's initial order: sorted by the first column
(Proto), the sessions of a protocol in the order they appear.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import difflib
import json
import os
import sys

# (JSON key, column name, kind): "u" an unsigned, "f" a float, "s" a string
COLUMNS = [("proto", "Proto", "s"), ("client", "Client", "s"), ("server", "Server", "s"),
           ("users", "Users", "s"), ("methods", "Methods", "s"), ("auth", "Auth", "s"),
           ("failures", "Fail", "u"), ("cleartext", "Clear", "s"), ("tls", "TLS", "s"),
           ("messages", "Msgs", "u"), ("bytes", "Bytes", "u"), ("refused", "Refused", "s"),
           ("deleted", "Deleted", "s"), ("committed", "Committed", "s"), ("quit", "QUIT", "s"),
           ("duration", "Duration", "f"), ("first_frame", "First", "u"),
           ("last_frame", "Last", "u"), ("guessing", "Guessing", "s")]


def cell(row, key, kind):
    v = row[key]
    if kind == "f":
        return "%.6f" % v
    if kind == "u":
        return "%d" % v
    return "" if v is None else str(v)


def expected_text(rows, capture):
    rows = sorted(rows, key=lambda r: r["proto"])  # stable: in order of appearance
    cells = [[cell(r, k, kind) for k, _, kind in COLUMNS] for r in rows]
    widths = [len(name) for _, name, _ in COLUMNS]
    header = "  ".join(name for _, name, _ in COLUMNS)
    lines = ["=" * len(header), "Mail Sessions - %s:" % capture, header, "-" * len(header)]
    for c in cells:
        lines.append("  ".join(v.ljust(w) if kind == "s" else v.rjust(w)
                               for v, w, (_, _, kind) in zip(c, widths, COLUMNS)))
    lines.append("-" * len(header))
    return [l + "\n" for l in lines]


def main(expected_path, copy_path, name="dialog"):
    with open(expected_path, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.startswith("{")]
    with open(copy_path, encoding="utf-8", errors="replace") as f:
        got = f.read().splitlines(keepends=True)
    if not rows:
        print("FAIL: %s: tshark gave no session rows" % name, file=sys.stderr)
        return 1
    want = expected_text(rows, "merged.pcap")
    if got == want:
        print("ok: %s: title row, column names and the %d session rows equal tshark's"
              % (name, len(rows)))
        return 0
    print("FAIL: %s: its Copy differs from tshark's session table (- expected, + dialog):"
          % name, file=sys.stderr)
    sys.stderr.writelines(difflib.unified_diff(want, got, "tshark", "dialog", n=1))
    return 1


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__.split("\n")[0], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
