#!/usr/bin/env python3
"""cg-diff.py - where two callgrind profiles differ, function by function.

    bench/cg-diff.py [--inclusive] [--top N] ENABLED.out DISABLED.out
    bench/cg-diff.py --callees FUNC[,FUNC...] [--top N] FILE.out

Runs callgrind_annotate on both files (e.g. the cg-summary-en.out and
cg-summary-dis.out that `BENCH_KEEP=DIR bench/run.sh` keeps) and prints the
functions whose instruction count grew the most, with both counts. Self cost
by default (each instruction counted once: the rows add up to the total
difference); --inclusive adds what the callees did (shows the call paths).

Debian's libwireshark is stripped: its exported functions (proto_tree_add_*,
call_dissector_*, tvb_*...) have names, static ones (dissect_tcp...) show as
addresses, the same in both files. Python standard library only.

--callees: for each FUNC (a function name without file, e.g. dissect_mailsess,
ms_render, ms_machine_feed, dissect_smtp_wrap), its inclusive and self cost in
FILE, how often it was called, and its callees by inclusive cost with their
call counts and instructions per call (callgrind_annotate --tree=calling). A
callee counted twice (inclusive cost of a recursive call) is not corrected.
"""
import re
import subprocess
import sys

ROW = re.compile(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$")


def load(path, inclusive):
    args = ["callgrind_annotate", "--auto=no", "--threshold=100"]
    if inclusive:
        args.append("--inclusive=yes")
    out = subprocess.run(args + [path], capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        name = m.group(2)
        # the plugin's path differs between runs (private HOME in a temp dir)
        name = re.sub(r"/tmp/[\w.-]+/home/\S*/", "", name)
        name = re.sub(r"^\S*/([^/\s]+:)", r"\1", name)  # file:function, without the dirs
        costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs


TREE = re.compile(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+([*>< ])\s+(.*)$")
CALLS = re.compile(r"\s+\(([\d,]+)x\)")


def bare(name):
    """file:function [object] -> function (no file, object, recursion mark)."""
    name = re.sub(r"\s+\[[^\]]*\]$", "", name)
    name = CALLS.sub("", name)
    name = name.rsplit(":", 1)[-1] if ":" in name and not name.startswith("0x") else name
    return re.sub(r"'\d+$", "", name)


def callees(path, funcs, top):
    """Prints each function of funcs with its callees by inclusive cost."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=calling",
                          "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    tree = {}      # function -> {callee: [incl, calls]}
    incl = {}      # function -> inclusive cost
    called = {}    # function -> calls, summed over its callers
    cur = None
    for line in out.splitlines():
        m = TREE.match(line)
        if not m:
            if not line.strip():
                cur = None
            continue
        cost, mark, name = int(m.group(1).replace(",", "")), m.group(2), m.group(3)
        if mark == "*":
            cur = bare(name)
            incl[cur] = max(incl.get(cur, 0), cost)
            tree.setdefault(cur, {})
        elif mark == ">" and cur is not None:
            c = CALLS.search(name)
            n = int(c.group(1).replace(",", "")) if c else 0
            e = tree[cur].setdefault(bare(name), [0, 0])
            e[0] += cost
            e[1] += n
            called[bare(name)] = called.get(bare(name), 0) + n
    self_cost = {}
    for k, v in load(path, False).items():
        self_cost[bare(k)] = self_cost.get(bare(k), 0) + v
    total = self_cost.pop("PROGRAM TOTALS", 0)
    print(f"{path}: {total:,} instructions in all")
    for f in funcs:
        if f not in incl:
            print(f"\n{f}: not in the profile")
            continue
        n = called.get(f, 0)
        per = f", {incl[f] // n:,} per call" if n else ""
        print(f"\n{f}: {incl[f]:,} inclusive ({100 * incl[f] / total:.1f}% of all), "
              f"{self_cost.get(f, 0):,} self, {n:,} calls{per}")
        rows = sorted(tree[f].items(), key=lambda kv: -kv[1][0])
        for name, (cost, calls) in rows[:top]:
            pc = f"{cost // calls:>9,}" if calls else f"{'':>9}"
            print(f"  {cost:>14,} {100 * cost / incl[f] if incl[f] else 0:5.1f}% {calls:>10,}x {pc}/call  {name[:80]}")


def main(argv):
    inclusive = "--inclusive" in argv
    top = 40
    args = [a for a in argv[1:] if a != "--inclusive"]
    if "--top" in args:
        k = args.index("--top")
        top = int(args[k + 1])
        del args[k:k + 2]
    if "--callees" in args:
        k = args.index("--callees")
        funcs = [f for f in args[k + 1].split(",") if f]
        del args[k:k + 2]
        if len(args) != 1:
            raise SystemExit(__doc__)
        callees(args[0], funcs, top)
        return
    if len(args) != 2:
        raise SystemExit(__doc__)
    a, b = load(args[0], inclusive), load(args[1], inclusive)
    ta, tb = a.pop("PROGRAM TOTALS", 0), b.pop("PROGRAM TOTALS", 0)
    print(f"total: {ta:,} vs {tb:,} instructions, difference {ta - tb:+,} "
          f"({ta / tb:.3f}x)" if tb else "")
    rows = sorted(((a.get(k, 0) - b.get(k, 0), a.get(k, 0), b.get(k, 0), k)
                   for k in set(a) | set(b)), reverse=True)
    print(f"{'difference':>14} {'share':>6} {'first':>14} {'second':>14}  function")
    for d, x, y, k in rows[:top]:
        share = f"{100 * d / (ta - tb):5.1f}%" if ta != tb else ""
        print(f"{d:>14,} {share:>6} {x:>14,} {y:>14,}  {k[:110]}")


if __name__ == "__main__":
    main(sys.argv)
