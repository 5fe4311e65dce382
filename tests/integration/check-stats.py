#!/usr/bin/env python3
"""check-stats.py OUT_DIR GOLDEN [--update] - the checks of check-stats.sh.
Python standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import collections
import os
import re
import sys


SEP = " > "


def read(out, name):
    with open(os.path.join(out, name), encoding="utf-8") as f:
        return f.read()


def tree_counts(text):
    """The stats tree as {path: count}; path = names from the top, joined by
    " > " (names may hold a "/": USER/PASS)."""
    counts, stack, inside = {}, [], False
    for line in text.splitlines():
        if line.startswith("Topic / Item"):
            inside = True
            continue
        if inside and line.startswith("-----") and counts:
            break
        if not inside:
            continue
        m = re.match(r"^( *)(\S.*?)\s{2,}(\d+)\s", line + " ")
        if not m or line.startswith("Topic"):
            continue
        depth = len(m.group(1))
        stack[depth:] = [m.group(2)]
        counts[SEP.join(stack)] = int(m.group(3))
    return counts


def srt_calls(text):
    """The SRT tables: [{command: calls}] in table order (SMTP, POP3)."""
    tables, cur = [], None
    for line in text.splitlines():
        if line.startswith("Index  Command"):
            cur = {}
            tables.append(cur)
            continue
        m = re.match(r"^\s+\d+\s+(.+?)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", line)
        if m and cur is not None:
            cur[m.group(1)] = int(m.group(2))
    return tables


def value_names(out):
    """{field: {number: name}} from tshark -G values (the enumerated fields)."""
    names = collections.defaultdict(dict)
    for line in read(out, "gvalues.txt").splitlines():
        p = line.split("\t")
        if len(p) == 4 and p[0] == "V":
            names[p[1]][p[2]] = p[3]
    return names


def main(out, golden, update):
    fails = []
    fail = fails.append
    s1, s2 = read(out, "stats1.txt"), read(out, "stats2.txt")
    if s1 != s2:
        fail("the statistics differ between single pass and -2")
    tree = tree_counts(s2)
    if tree != tree_counts(read(out, "tree2.txt")):
        fail("-z mailsess,stat and -z mailsess,tree differ")
    # per-frame facts (two passes)
    names = value_names(out)
    if not names["mailsess.proto"] or not names["mailsess.login.result"]:
        fail("tshark -G values names no value of mailsess.proto / mailsess.login.result")
    sessions, replies, logins, msgs = {}, collections.Counter(), collections.Counter(), collections.Counter()
    for line in read(out, "fields.txt").splitlines():
        f = line.split("\t")
        num, sess, proto, req, login, mc, last = f + [""] * (7 - len(f))
        proto = names["mailsess.proto"].get(proto, proto)
        login = "|".join(names["mailsess.login.result"].get(x, x) for x in login.split("|"))
        sessions[sess] = proto
        replies[proto] += len([x for x in req.split("|") if x])
        for x in login.split("|"):
            if x:
                logins[x] += 1
        if num == last:
            msgs[proto] += int(mc or 0)
    experts = sum(int(m.group(1)) for m in re.finditer(r"^ *(\d+) +\S+ +MAILSESS ", read(out, "expert.txt"), re.M))
    want = {
        "Sessions": len(sessions),
        "Sessions > SMTP": sum(1 for p in sessions.values() if p == "SMTP"),
        "Sessions > POP3": sum(1 for p in sessions.values() if p == "POP3"),
        "Replies by command and code": sum(replies.values()),
        "Replies by command and code > SMTP": replies["SMTP"],
        "Replies by command and code > POP3": replies["POP3"],
        "Logins by method and result": sum(logins.values()),
        "Messages > SMTP accepted": msgs["SMTP"],
        "Messages > POP3 retrieved": msgs["POP3"],
        "Findings (expert infos) by name": experts,
    }
    for k, v in want.items():
        if tree.get(k, 0) != v:
            fail("%s: the statistics say %s, the frames %d" % (k, tree.get(k), v))
    ok = sum(c for p, c in tree.items() if p.startswith("Logins by method and result > ") and p.endswith(" > success"))
    if ok != logins["success"]:
        fail("successful logins: statistics %d, frames %d" % (ok, logins["success"]))
    # each node is the sum of its children (where it has some)
    for p, c in tree.items():
        kids = [v for q, v in tree.items() if q.startswith(p + SEP) and SEP not in q[len(p) + len(SEP):]]
        if kids and sum(kids) != c:
            fail("%s: %d, its items add up to %d" % (p, c, sum(kids)))
    srt = srt_calls(s2)
    if len(srt) != 2:
        fail("%d SRT tables, expected SMTP and POP3" % len(srt))
    else:
        for t, proto in zip(srt, ("SMTP", "POP3")):
            if sum(t.values()) != replies[proto]:
                fail("SRT %s: %d calls, the frames show %d replies" % (proto, sum(t.values()), replies[proto]))
            for cmd, n in t.items():
                if tree.get(SEP.join(("Replies by command and code", proto, cmd))) != n:
                    fail("SRT %s %s: %d calls, the statistics %s replies" % (
                        proto, cmd, n, tree.get(SEP.join(("Replies by command and code", proto, cmd)))))
    if update:
        with open(golden, "w", encoding="utf-8") as f:
            f.write(s2)
    else:
        with open(golden, encoding="utf-8") as f:
            if f.read() != s2:
                fail("the statistics differ from the golden file %s (--update rewrites it)" % golden)
    for f in fails:
        print("FAIL: " + f, file=sys.stderr)
    if not fails:
        print("ok: statistics and response times, %d sessions, %d replies, %d logins" % (
            len(sessions), sum(replies.values()), sum(logins.values())))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "--update"))
