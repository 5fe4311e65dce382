#!/usr/bin/env python3
"""stats-copy.py KIND OUT - a dialog's copied text against tshark's (check-stats-dialogs.sh).

KIND srt:  OUT/srt.copy (the SRT dialog's Copy) vs OUT/srt.txt (-z mailsess,srt):
           per table (SMTP commands, POP3 commands) and command index, the same
           name, calls, min, max, average and sum. Wireshark 4.0's SRT dialog
           adds the tables' headings once more, empty, after its retap (every
           SRT dialog does, SMB's too): headings without rows are not tables.
KIND tree: OUT/tree.copy (Mail Statistics' Copy) vs OUT/tree.txt (-z mailsess,tree):
           the same nodes (path from the indentation) with the same counts; the
           dialog sorts by its own column, so order is not compared.
KIND credentials: OUT/credentials.copy (the Credentials dialog's Additional Info,
           row by row in packet order) vs OUT/credentials.txt (-z credentials).
Python standard library only. SPDX-License-Identifier: GPL-2.0-or-later
"""
import os
import re
import sys

NUM = r"(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)"


def read(out, name):
    with open(os.path.join(out, name), encoding="utf-8", errors="replace") as f:
        return f.read()


def srt_tshark(text):
    tables, cur = [], None
    for line in text.splitlines():
        if line.startswith("Index"):
            cur = {}
            tables.append(cur)
            continue
        m = re.match(r"^\s*(\d+)\s+(.+?)\s+" + NUM + r"\s*$", line)
        if m and cur is not None:
            cur[int(m.group(1))] = (m.group(2),) + m.groups()[2:]
    return tables


def srt_dialog(text):
    tables, names, cur = [], [], None
    for line in text.splitlines():
        if re.match(r"^(SMTP|POP3) commands$", line.strip()):
            cur = {}
            tables.append(cur)
            names.append(line.strip())
            continue
        m = re.match(r"^(.+?)\s+(\d+)\s+" + NUM + r"\s*$", line)
        if m and cur is not None:
            cur[int(m.group(2))] = (m.group(1),) + m.groups()[2:]
    filled = [(n, t) for n, t in zip(names, tables) if t]
    return [n for n, _ in filled], [t for _, t in filled]


def srt_same(got, want):
    """Tables equal; the average may differ in its 6th decimal (the dialog
    rounds its own division, tshark its own)."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if set(g) != set(w):
            return False
        for k in g:
            a, b = g[k], w[k]
            if a[:4] != b[:4] or a[5] != b[5] or abs(float(a[4]) - float(b[4])) > 1.5e-6:
                return False
    return True


def tree_nodes(text):
    nodes, stack, started = {}, [], False
    for line in text.splitlines():
        if line.startswith("----"):
            started = True
            continue
        if not started or not line.strip() or line.startswith("===="):
            continue
        m = re.match(r"^( *)(\S.*?)\s{2,}(\d+)(\s|$)", line)
        if not m:
            continue
        depth = len(m.group(1))
        stack[depth:] = [m.group(2)]
        nodes[" > ".join(stack)] = int(m.group(3))
    return nodes


def main(kind, out):
    fails = []
    if kind == "srt":
        want = srt_tshark(read(out, "srt.txt"))
        names, got = srt_dialog(read(out, "srt.copy"))
        if not any(want):
            fails.append("tshark -z mailsess,srt shows no command")
        if names != ["SMTP commands", "POP3 commands"][:len(names)] or \
                not srt_same(got, [t for t in want if t]):
            fails.append("the SRT dialog's tables %s differ from tshark's: dialog %r, tshark %r" % (names, got, want))
    elif kind == "tree":
        want, got = tree_nodes(read(out, "tree.txt")), tree_nodes(read(out, "tree.copy"))
        if len(want) < 5:
            fails.append("tshark -z mailsess,tree shows %d nodes" % len(want))
        if got != want:
            diff = sorted(set(want.items()) ^ set(got.items()))
            fails.append("Mail Statistics differs from -z mailsess,tree: %s" % diff[:10])
    elif kind == "credentials":
        want = [re.split(r"\s{2,}", l, 3)[-1] for l in read(out, "credentials.txt").splitlines()
                if re.match(r"^\d+\s", l)]
        got = [l for l in read(out, "credentials.copy").splitlines() if l]
        if not any("(mailsess)" in l for l in read(out, "credentials.txt").splitlines()):
            fails.append("-z credentials lists no mailsess login")
        if got != want:
            fails.append("the Credentials dialog's rows %r differ from -z credentials %r" % (got, want))
    else:
        fails.append("unknown kind %s" % kind)
    for f in fails:
        print("FAIL: %s" % f, file=sys.stderr)
    if not fails:
        print("ok: the %s dialog shows what tshark shows" % kind)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
