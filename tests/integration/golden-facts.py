#!/usr/bin/env python3
"""golden-facts.py - the old golden files (session.tsv, frames-1pass.tsv,
frames-2pass.tsv, expert.txt) and the new ones (sessions.txt, frames.txt,
running.txt) hold the same facts, for every case.

    tests/integration/golden-facts.py --old-rev REV [--new-rev REV | --new-dir DIR]
    tests/integration/golden-facts.py --old-dir DIR [--new-dir DIR]

REV is a git revision of this repository holding test-captures/<case>/expected/
in that format (e.g. 04e3e01, the last commit with the TSV goldens); a DIR is
a test-captures folder. The new side defaults to the work tree's
test-captures/. Both sides are turned into the same facts:

  session-row S COLUMN   the two-pass row of session S on its last frame (the
                         old session.tsv: all 35 columns)
  pass2 F COLUMN         every column of every two-pass frame (frames-2pass.tsv)
  pass1 F COLUMN         every column of every first-pass frame (frames-1pass.tsv)
  expert GROUP SUMMARY   the count of a MAILSESS row of -z expert (expert.txt)

(empty cells are no fact; list values joined with "|" as tshark -T fields
-E occurrence=a -E aggregator='|' printed them). On the new side they follow
from the golden files and the invariants check-case.sh checks on every run:
every two-pass frame of a session shows the session's values (sessions.txt)
and its own links (frames.txt); a first-pass frame shows the running values
rebuilt from running.txt, last_frame = the frame itself, and the two-pass
request_in and response_time of the frame (frames.txt), never response_in;
-z expert counts exactly the expert infos of frames.txt. Exit status 1 when
any fact differs, is missing or is extra on either side. The new golden
files hold more: the frame, name and severity of each expert info (counted
and reported, not compared).
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import collections
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import goldens  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OLD_FILES = ("session.tsv", "frames-1pass.tsv", "frames-2pass.tsv", "expert.txt")
NEW_FILES = ("sessions.txt", "frames.txt", "running.txt")


class Source:
    """test-captures/ at a git revision or in a folder."""

    def __init__(self, rev=None, folder=None):
        self.rev, self.folder = rev, folder

    def cases(self):
        if self.rev:
            out = subprocess.run(["git", "-C", REPO, "ls-tree", "-r", "--name-only", self.rev, "test-captures/"],
                                 capture_output=True, text=True, check=True).stdout.split()
            return sorted({p.split("/")[1] for p in out if p.count("/") >= 3 and p.split("/")[2] == "expected"})
        return sorted(d for d in os.listdir(self.folder) if os.path.isdir(os.path.join(self.folder, d, "expected")))

    def read(self, case, fn):
        """The file's text, or None when it is not there."""
        if self.rev:
            r = subprocess.run(["git", "-C", REPO, "show", "%s:test-captures/%s/expected/%s" % (self.rev, case, fn)],
                               capture_output=True)
            return r.stdout.decode("utf-8") if r.returncode == 0 else None
        p = os.path.join(self.folder, case, "expected", fn)
        if not os.path.exists(p):
            return None
        with open(p, encoding="utf-8") as f:
            return f.read()


# ---------------------------------------------------------------- old goldens

def tsv_rows(text):
    lines = text.splitlines()
    if not lines:
        return []
    hdr = lines[0].split("\t")
    return [dict(zip(hdr, l.split("\t"))) for l in lines[1:]]


def old_facts(src, case):
    facts = {}
    texts = {fn: src.read(case, fn) for fn in OLD_FILES}
    missing = [fn for fn, t in texts.items() if t is None]
    if missing:
        return None, "old goldens missing: %s" % " ".join(missing)
    for kind, fn in (("pass1", "frames-1pass.tsv"), ("pass2", "frames-2pass.tsv")):
        for row in tsv_rows(texts[fn]):
            for col, v in row.items():
                if v != "":
                    facts[(kind, row["frame.number"], col)] = v
    for row in tsv_rows(texts["session.tsv"]):
        for col, v in row.items():
            if v != "":
                facts[("session-row", row["mailsess.session"], col)] = v
    for line in texts["expert.txt"].splitlines():
        p = line.split(None, 3)  # count, group, MAILSESS, summary
        if len(p) == 4 and p[2] == "MAILSESS":
            key = ("expert", p[1], p[3])
            facts[key] = str(int(facts.get(key, "0")) + int(p[0]))
        elif line.strip():
            return None, "expert.txt: unexpected line %r" % line
    return facts, None


# ---------------------------------------------------------------- new goldens

def new_facts(src, case):
    facts = {}
    texts = {fn: src.read(case, fn) for fn in NEW_FILES}
    missing = [fn for fn, t in texts.items() if t is None]
    if missing:
        return None, 0, "new goldens missing: %s" % " ".join(missing)
    sessions = goldens.read_sessions(texts["sessions.txt"])
    frames = goldens.read_frames(texts["frames.txt"])
    running = goldens.read_running(texts["running.txt"])

    def links(n, skip=()):
        out = collections.OrderedDict()
        for field, v in frames.get(n, {}).get("links", []):
            if field not in skip:
                out.setdefault(field, []).append(v)
        return {k: "|".join(v) for k, v in out.items()}

    def put(kind, key, n, values, sess):
        facts[(kind, key, "frame.number")] = str(n)
        facts[(kind, key, "mailsess.session")] = sess
        for field, vals in values.items():
            v = "|".join(vals)
            if v != "":
                facts[(kind, key, field)] = v

    for sess, s in sessions.items():
        for n in s["frames"]:
            put("pass2", str(n), n, s["values"], sess)
            for field, v in links(n).items():
                facts[("pass2", str(n), field)] = v
        # the session.tsv row: the two-pass frame whose number is last_frame
        last = int(s["values"]["mailsess.last_frame"][0])
        put("session-row", sess, last, s["values"], sess)
        for field, v in links(last).items():
            facts[("session-row", sess, field)] = v
    for sess, r in running.items():
        for n in r["frames"]:
            vals = dict(r["values"][n])
            vals["mailsess.last_frame"] = [str(n)]
            put("pass1", str(n), n, vals, sess)
            for field, v in links(n, skip=("mailsess.response_in",)).items():
                facts[("pass1", str(n), field)] = v
    n_experts = 0
    for n, e in frames.items():
        for name, sg, msg in e["experts"]:
            key = ("expert", sg.split("/", 1)[1], msg)
            facts[key] = str(int(facts.get(key, "0")) + 1)
            n_experts += 1
    return facts, n_experts, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--old-rev")
    g.add_argument("--old-dir")
    g2 = ap.add_mutually_exclusive_group()
    g2.add_argument("--new-rev")
    g2.add_argument("--new-dir")
    a = ap.parse_args()
    old = Source(a.old_rev, a.old_dir)
    new = Source(a.new_rev, a.new_dir or (None if a.new_rev else os.path.join(REPO, "test-captures")))
    bad = 0
    total = collections.Counter()
    cases = old.cases()
    for case in cases:
        of, err = old_facts(old, case)
        if err:
            print("FAIL %s: %s" % (case, err))
            bad += 1
            continue
        if case.startswith("nonmail-") and not of and not new.read(case, "sessions.txt"):
            # no mail: the old goldens are empty; check-case.sh checks that
            # nothing is found without golden files
            print("ok %s: no facts (nonmail case, no new golden files)" % case)
            continue
        nf, n_experts, err = new_facts(new, case)
        if err:
            print("FAIL %s: %s" % (case, err))
            bad += 1
            continue
        diffs = []
        for k in sorted(set(of) | set(nf), key=lambda k: (k[0], k[1].zfill(9), k[2])):
            if of.get(k) != nf.get(k):
                diffs.append("%s %s %s: old %r, new %r" % (k[0], k[1], k[2], of.get(k), nf.get(k)))
        kinds = collections.Counter(k[0] for k in of)
        total.update(kinds)
        total["expert infos on frames (new)"] += n_experts
        if diffs:
            bad += 1
            print("FAIL %s: %d facts differ" % (case, len(diffs)))
            for d in diffs[:20]:
                print("    " + d)
        else:
            print("ok %s: %d facts the same (%s); new: %d expert infos with their frame" % (
                case, len(of), ", ".join("%s %d" % kv for kv in sorted(kinds.items())), n_experts))
    print("%d cases, %d with differences; facts compared: %s" % (
        len(cases), bad, ", ".join("%s %d" % kv for kv in sorted(total.items()))))
    return 1 if bad or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
