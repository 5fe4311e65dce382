#!/usr/bin/env python3
"""classify-diffs.py GOLDEN_ROOT ACTUAL_ROOT

Compares the golden files (GOLDEN_ROOT/<case>/expected/*) with the files a
newer tshark produced (ACTUAL_ROOT/<case>/expected/*, made by check-case.sh
--update on a copy) and prints a summary of the KINDS of differences, per
golden file and field, instead of every line. The facts compared:
sessions.txt: per session its frames and each field's value(s); frames.txt:
per frame each link field and each expert info (by name); running.txt: per
session and frame each change (the frame list, each field's new or appended
values). Reads the files with tests/integration/goldens.py.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import collections
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import goldens  # noqa: E402

golden_root, actual_root = sys.argv[1], sys.argv[2]

BOOL = {("0", "False"), ("1", "True")}
NUM = re.compile(r"^-?\d+(\.\d+)?$")
FILES = ("sessions.txt", "frames.txt", "running.txt")


def kind(g, a):
    if (g, a) in BOOL:
        return "boolean printed as True/False instead of 1/0"
    if g == "" and a != "":
        return "value now present (was empty)"
    if g != "" and a == "":
        return "value now empty (was present)"
    if NUM.match(g) and NUM.match(a):
        return "different number"
    gs, as_ = g.split("|"), a.split("|")
    if sorted(gs) == sorted(as_):
        return "same occurrences, different order"
    if len(gs) != len(as_):
        return "different number of occurrences"
    return "different text"


def facts(fn, text):
    """{(where, field): value}: list values joined with |"""
    out = {}
    if fn == "sessions.txt":
        for s, v in goldens.read_sessions(text).items():
            out[("session %s" % s, "frames")] = goldens.ranges(v["frames"])
            for field, vals in v["values"].items():
                out[("session %s" % s, field)] = "|".join(vals)
    elif fn == "frames.txt":
        for n, v in goldens.read_frames(text).items():
            links = collections.defaultdict(list)
            for field, val in v["links"]:
                links[field].append(val)
            for name, sg, msg in v["experts"]:
                links[name].append("%s %s" % (sg, msg))
            for field, vals in links.items():
                out[("frame %d" % n, field)] = "|".join(vals)
    else:
        for s, v in goldens.read_running(text).items():
            out[("session %s" % s, "frames")] = goldens.ranges(v["frames"])
            ch = collections.defaultdict(list)
            for n, op, field, val in v["changes"]:
                ch[(n, field)].append(("" if op == "=" else op) + (val or ""))
            for (n, field), vals in ch.items():
                out[("session %s frame %d" % (s, n), field)] = "|".join(vals)
    return out


def read(p):
    with open(p, encoding="utf-8", errors="replace") as f:
        return f.read()


kinds = collections.defaultdict(collections.Counter)  # (file, field) -> Counter(kind)
examples = {}
file_issues = collections.Counter()
cases_with_diff = set()
cases = sorted(d for d in os.listdir(golden_root)
               if os.path.isdir(os.path.join(golden_root, d, "expected")))
for case in cases:
    for fn in FILES:
        gp = os.path.join(golden_root, case, "expected", fn)
        ap = os.path.join(actual_root, case, "expected", fn)
        if not os.path.exists(gp) or not os.path.exists(ap):
            file_issues[f"{fn}: file missing ({'golden' if not os.path.exists(gp) else 'actual'})"] += 1
            cases_with_diff.add(case)
            continue
        gt, at = read(gp), read(ap)
        if gt == at:
            continue
        cases_with_diff.add(case)
        try:
            g, a = facts(fn, gt), facts(fn, at)
        except (ValueError, IndexError) as e:
            file_issues[f"{fn}: cannot be read ({e})"] += 1
            continue
        for key in sorted(set(g) | set(a)):
            gv, av = g.get(key, ""), a.get(key, "")
            if gv != av:
                k = kind(gv, av)
                kinds[(fn, key[1])][k] += 1
                ex = examples.setdefault((fn, key[1], k), [])
                if len(ex) < 2:
                    ex.append(f"{case} {key[0]}: {gv[:60]!r} -> {av[:60]!r}")

print(f"cases compared: {len(cases)}; cases with any difference: {len(cases_with_diff)}")
if not kinds and not file_issues:
    print("no differences")
for (fn, field), c in sorted(kinds.items()):
    for k, n in c.most_common():
        print(f"  {fn} {field}: {k}  [{n}]")
        for e in examples.get((fn, field, k), []):
            print(f"      e.g. {e}")
for k, n in file_issues.most_common():
    print(f"  {k}  [{n}]")
