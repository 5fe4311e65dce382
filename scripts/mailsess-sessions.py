#!/usr/bin/env python3
"""mailsess-sessions.py - the session table of many captures, as JSON lines or CSV.

    scripts/mailsess-sessions.py [options] CAPTURE|DIR...

For each capture (a file, or every *.pcap, *.pcapng, *.cap file under a
directory), runs `tshark -q -z mailsess,sessions,json` and prints one row per
mail session with the capture's path in front ("capture" key / first CSV
column). Several captures run at once (--jobs, default: the number of CPUs);
rows come out capture by capture, in the order given (directories sorted).

Options:
  --format jsonl|csv   output form (default jsonl)
  --no-header          CSV without the header line (to concatenate outputs)
  --jobs N             captures dissected at once
  --tshark PATH        the tshark to run (default: tshark on PATH)
  --keylog FILE        TLS key log for STARTTLS/STLS and 465/995 sessions
  --filter FILTER      only sessions with a frame matching this display filter
  --two-pass           tshark -2 (the table is the same; slower)

With GNU parallel, over many machines (each needs tshark with mailsess):
    find /captures -name '*.pcap*' | parallel -j8 --sshlogin 4/host1,4/host2 \\
        scripts/mailsess-sessions.py --jobs 1 {} > sessions.jsonl

Exit status: 0, or 1 when tshark failed on a capture (its message goes to
stderr; the other captures are still printed). Python standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys

KEYS = ["proto", "client", "server", "users", "methods", "auth", "failures", "cleartext", "tls",
        "messages", "bytes", "refused", "deleted", "committed", "quit", "duration",
        "first_frame", "last_frame", "guessing"]
SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith(SUFFIXES):
                        yield os.path.join(root, f)
        else:
            yield p


def table(cap, args):
    """[(row dict)] of one capture, or raises RuntimeError with tshark's message."""
    z = "mailsess,sessions,json" + ("," + args.filter if args.filter else "")
    cmd = [args.tshark, "-r", cap, "-q", "-z", z]
    if args.keylog:
        cmd += ["-o", "tls.keylog_file:" + args.keylog]
    if args.two_pass:
        cmd.append("-2")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       encoding="utf-8", errors="replace")
    if p.returncode != 0:
        raise RuntimeError("%s: tshark exit %d: %s" % (cap, p.returncode, p.stderr.strip()[:500]))
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if not rows and "mailsess" not in subprocess.run([args.tshark, "-G", "plugins"],
                                                     stdout=subprocess.PIPE, text=True).stdout:
        raise RuntimeError("tshark does not load the mailsess plugin (tshark -G plugins)")
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", metavar="CAPTURE|DIR")
    ap.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    ap.add_argument("--no-header", action="store_true")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--keylog")
    ap.add_argument("--filter")
    ap.add_argument("--two-pass", action="store_true")
    args = ap.parse_args(argv)
    caps = list(captures(args.paths))
    out = csv.writer(sys.stdout, lineterminator="\n") if args.format == "csv" else None
    if out and not args.no_header:
        out.writerow(["capture"] + KEYS)
    rc = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futures = [ex.submit(table, c, args) for c in caps]
        for cap, fut in zip(caps, futures):
            try:
                rows = fut.result()
            except RuntimeError as e:
                print("mailsess-sessions: %s" % e, file=sys.stderr)
                rc = 1
                continue
            for r in rows:
                if out:
                    out.writerow([cap] + ["" if r.get(k) is None else r.get(k) for k in KEYS])
                else:
                    d = {"capture": cap}
                    d.update(r)
                    print(json.dumps(d, ensure_ascii=False))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
