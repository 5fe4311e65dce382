#!/usr/bin/env python3
"""classify-diffs.py GOLDEN_ROOT ACTUAL_ROOT

Compares the golden files (GOLDEN_ROOT/<case>/expected/*) with the files a
newer tshark produced (ACTUAL_ROOT/<case>/expected/*, made by check-case.sh
--update on a copy) and prints a summary of the KINDS of differences, per
column, instead of every line.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import collections
import os
import re
import sys

golden_root, actual_root = sys.argv[1], sys.argv[2]

BOOL = {("0", "False"), ("1", "True")}
NUM = re.compile(r"^-?\d+(\.\d+)?$")


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


def read_tsv(p):
    with open(p, encoding="utf-8", errors="replace") as f:
        rows = [l.rstrip("\n").split("\t") for l in f]
    return rows


kinds = collections.defaultdict(lambda: collections.Counter())  # (file, col) -> Counter(kind)
examples = {}
row_issues = collections.Counter()
expert_diffs = collections.Counter()
cases_with_diff = set()
cases = sorted(d for d in os.listdir(golden_root)
               if os.path.isdir(os.path.join(golden_root, d, "expected")))
for case in cases:
    for fn in ("session.tsv", "frames-1pass.tsv", "frames-2pass.tsv", "expert.txt"):
        gp = os.path.join(golden_root, case, "expected", fn)
        ap = os.path.join(actual_root, case, "expected", fn)
        if not os.path.exists(gp) or not os.path.exists(ap):
            row_issues[f"{fn}: file missing ({'golden' if not os.path.exists(gp) else 'actual'})"] += 1
            cases_with_diff.add(case)
            continue
        if fn == "expert.txt":
            g = open(gp, encoding="utf-8", errors="replace").read().splitlines()
            a = open(ap, encoding="utf-8", errors="replace").read().splitlines()
            if g != a:
                cases_with_diff.add(case)
                norm = lambda ls: [re.sub(r"\s+", " ", l).strip() for l in ls]
                if norm(g) == norm(a):
                    expert_diffs["whitespace/column layout only"] += 1
                else:
                    expert_diffs[f"content differs ({len(g)} -> {len(a)} rows)"] += 1
                    for l in sorted(set(a) - set(g))[:2]:
                        examples.setdefault(("expert.txt", "new row"), []).append(f"{case}: {l.strip()}")
                    for l in sorted(set(g) - set(a))[:2]:
                        examples.setdefault(("expert.txt", "missing row"), []).append(f"{case}: {l.strip()}")
            continue
        g, a = read_tsv(gp), read_tsv(ap)
        if g == a:
            continue
        cases_with_diff.add(case)
        if g[0] != a[0]:
            row_issues[f"{fn}: header differs"] += 1
        hdr = g[0]
        gi = {r[0]: r for r in g[1:]}
        ai = {r[0]: r for r in a[1:]}
        missing, extra = set(gi) - set(ai), set(ai) - set(gi)
        if missing:
            row_issues[f"{fn}: frames missing in new output"] += len(missing)
        if extra:
            row_issues[f"{fn}: extra frames in new output"] += len(extra)
        for fr in gi.keys() & ai.keys():
            gr, ar = gi[fr], ai[fr]
            for i in range(max(len(gr), len(ar))):
                gv = gr[i] if i < len(gr) else ""
                av = ar[i] if i < len(ar) else ""
                if gv != av:
                    col = hdr[i] if i < len(hdr) else f"col{i}"
                    k = kind(gv, av)
                    kinds[("tsv", col)][k] += 1
                    ex = examples.setdefault((col, k), [])
                    if len(ex) < 2:
                        ex.append(f"{case} {fn} frame {fr}: {gv[:60]!r} -> {av[:60]!r}")

print(f"cases compared: {len(cases)}; cases with any difference: {len(cases_with_diff)}")
if not kinds and not row_issues and not expert_diffs:
    print("no differences")
for (_, col), c in sorted(kinds.items()):
    for k, n in c.most_common():
        print(f"  {col}: {k}  [{n} cells]")
        for e in examples.get((col, k), []):
            print(f"      e.g. {e}")
for k, n in row_issues.most_common():
    print(f"  {k}  [{n}]")
for k, n in expert_diffs.most_common():
    print(f"  expert.txt: {k}  [{n} cases]")
for key in (("expert.txt", "new row"), ("expert.txt", "missing row")):
    for e in examples.get(key, [])[:4]:
        print(f"      {key[1]}: {e}")
