#!/usr/bin/env python3
"""cg-diff.py - where two callgrind profiles differ, function by function.

    bench/cg-diff.py [--inclusive] [--top N] ENABLED.out DISABLED.out

Runs callgrind_annotate on both files (e.g. the cg-summary-en.out and
cg-summary-dis.out that `BENCH_KEEP=DIR bench/run.sh` keeps) and prints the
functions whose instruction count grew the most, with both counts. Self cost
by default (each instruction counted once: the rows add up to the total
difference); --inclusive adds what the callees did (shows the call paths).

Debian's libwireshark is stripped: its exported functions (proto_tree_add_*,
call_dissector_*, tvb_*...) have names, static ones (dissect_tcp...) show as
addresses, the same in both files. Python standard library only.
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


def main(argv):
    inclusive = "--inclusive" in argv
    top = 40
    args = [a for a in argv[1:] if a != "--inclusive"]
    if "--top" in args:
        k = args.index("--top")
        top = int(args[k + 1])
        del args[k:k + 2]
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
