#!/usr/bin/env python3
"""check-many-captures.py OUT_DIR - the comparisons of check-many-captures.sh.
Python standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import json
import os
import sys


def read(out, name):
    with open(os.path.join(out, name), encoding="utf-8") as f:
        return f.read()


def types(node, acc):
    """{property name: type} of a mapping, anywhere in it."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, dict) and isinstance(v.get("type"), str):
                acc[k] = v["type"]
            types(v, acc)
    return acc


def main(out):
    fails = []
    fail = fails.append
    want, cap = [], None
    for line in read(out, "direct.txt").splitlines():
        if line.startswith("== "):
            cap = line[3:]
        elif line.startswith("{"):
            d = {"capture": cap}
            d.update(json.loads(line))
            want.append(d)
    got3 = [json.loads(l) for l in read(out, "jobs3.jsonl").splitlines()]
    got1 = [json.loads(l) for l in read(out, "jobs1.jsonl").splitlines()]
    if len(want) < 3:
        fail("only %d sessions in the test captures" % len(want))
    if got3 != want:
        fail("--jobs 3: %d rows, not tshark's %d rows capture by capture" % (len(got3), len(want)))
    if got1 != got3:
        fail("--jobs 1 and --jobs 3 print different rows")
    if not any(r["capture"].startswith("caps/sub/") for r in got3):
        fail("the capture in a subdirectory is missing")
    if read(out, "jobs3.rc").strip() != "1" or "zz-broken.pcap" not in read(out, "jobs3.err"):
        fail("the broken capture is not reported (exit %s, stderr %r)" % (
            read(out, "jobs3.rc").strip(), read(out, "jobs3.err")[:200]))
    rows = list(csv.reader(read(out, "all.csv").splitlines()))
    if not rows or rows[0][0] != "capture" or len(rows) - 1 != len(want):
        fail("CSV: header %s, %d rows" % (rows[0] if rows else None, len(rows) - 1))
    else:
        for r, w in zip(rows[1:], want):
            exp = ["" if w[k] is None else str(w[k]) for k in rows[0]]
            if r != exp:
                fail("CSV row %s, JSON %s" % (r, exp))
                break
    ek = types(json.loads(read(out, "ek-mapping.json")), {})
    ms = {k: t for k, t in ek.items() if k.startswith("mailsess_")}
    if not ms:
        fail("the -T ek mapping has no mailsess field")
    dates = sorted(k for k, t in ms.items() if t == "date")
    if dates:
        fail("mailsess fields mapped as dates: %s" % " ".join(dates))
    if ms.get("mailsess_mailsess_duration") != "double":
        fail("mailsess.duration is mapped as %s, not double" % ms.get("mailsess_mailsess_duration"))
    unmapped = set()
    for line in read(out, "ek.jsonl").splitlines():
        doc = json.loads(line)
        layer = doc.get("layers", {}).get("mailsess", {})
        unmapped |= {k for k in layer if k.startswith("mailsess_") and k not in ms}
    if unmapped:
        fail("-T ek keys not in the mapping: %s" % " ".join(sorted(unmapped)))
    sm = types(json.loads(read(out, "sessions-mapping.json")), {})
    missing = sorted(set(got3[0]) - set(sm)) if got3 else ["(no rows)"]
    if missing:
        fail("the sessions mapping lacks %s" % " ".join(missing))
    for f in fails:
        print("FAIL: " + f, file=sys.stderr)
    if not fails:
        print("ok: %d sessions from %d captures (jobs 1 = 3 = tshark, CSV = JSON); mappings" % (
            len(want), len({r["capture"] for r in want})))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
