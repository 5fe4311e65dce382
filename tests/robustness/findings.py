#!/usr/bin/env python3
"""findings.py - sorts sanitizer and valgrind reports of one tshark run.

    findings.py asan [--baseline SUMMARY] LOG...   ASan / LeakSanitizer / UBSan logs
    findings.py valgrind XML...                     valgrind --xml=yes output

Prints one line per report: "FINDING <kind> ..." for what counts against
mailsess, "noise <kind> ..." for what does not, then the first stack of each
finding. Exit status: 1 when there is a finding, else 0; 2 (asan with
--baseline) when there are leaks beyond tshark's own but none names mailsess:
the stacks may be cut short (fast unwinding stops in GLib and glibc, built
without frame pointers): run again with fast_unwind_on_malloc=0 to decide.

--baseline: the LeakSanitizer SUMMARY line of tshark with mailsess on an
empty capture (tshark's own leaks, the same on every capture). A log with the
same SUMMARY has no leak of its own.

What is a finding:
  - every AddressSanitizer / UBSan error that is not a leak (a bad access,
    a SEGV, an undefined behaviour), wherever it is: tshark itself is not
    instrumented, so such a report nearly always comes from mailsess, and one
    that does not is still worth a look;
  - a leak (LeakSanitizer: direct or indirect; valgrind: definitely lost)
    whose allocation stack has a frame in mailsess (mailsess.so or a source
    file under plugin/core or plugin/epan). tshark 4.0 and GLib leak a few
    hundred blocks of their own at exit (GVariants of the registration
    thread, ...), with or without mailsess loaded: those are noise;
  - every valgrind error (invalid read/write/free, uninitialised value,
    overlapping copy...) with a frame in mailsess.so.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import re
import sys
import xml.etree.ElementTree as ET

OURS = re.compile(r"mailsess\.so|/plugin/(core|epan)/")


def asan(paths, baseline=None):
    findings, noise = [], []
    for path in paths:
        with open(path, errors="replace") as f:
            text = f.read()
        summary = re.search(r"^SUMMARY: AddressSanitizer: \d+ byte\(s\) leaked.*$", text, re.M)
        lsan = re.search(r"^=+\n==\d+==ERROR: LeakSanitizer", text, re.M)
        if baseline is not None and summary and lsan and \
                summary.group(0).strip() == baseline.strip():
            text = text[:lsan.start()]  # tshark's own leaks only
        # LeakSanitizer: blocks of "Direct/Indirect leak of N byte(s) ... allocated from:" + frames
        for m in re.finditer(r"^(Direct|Indirect) leak of .*?(?=^\S|\Z)", text, re.M | re.S):
            block = m.group(0).rstrip()
            kind = "leak-" + m.group(1).lower()
            (findings if OURS.search(block) else noise).append((kind, path, block))
        # every other report: "ERROR: AddressSanitizer: <kind>" or "runtime error: ..." (UBSan)
        for m in re.finditer(r"^==\d+==ERROR: AddressSanitizer: (\S+).*?(?=^SUMMARY|\Z)",
                             text, re.M | re.S):
            findings.append(("asan-" + m.group(1), path, m.group(0).rstrip()))
        for m in re.finditer(r"^.*runtime error: .*?(?=^SUMMARY|\Z)", text, re.M | re.S):
            findings.append(("ubsan", path, m.group(0).rstrip()))
        if "ERROR: AddressSanitizer" not in text and "runtime error:" not in text and \
                "LeakSanitizer" not in text and text.strip("=\n "):
            # anything else the runtimes printed (e.g. a failed LSan scan): show it
            findings.append(("sanitizer-other", path, text.strip()[:2000]))
    return findings, noise


def valgrind(paths):
    findings, noise = [], []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:  # valgrind killed: the XML is cut short
            findings.append(("valgrind-xml-unreadable", path, str(e)))
            continue
        for err in root.iter("error"):
            kind = err.findtext("kind", "?")
            what = err.findtext("what") or err.findtext("xwhat/text") or ""
            lines, ours = [what], False
            for st in err.iter("stack"):
                for fr in st.iter("frame"):
                    obj = fr.findtext("obj", "")
                    fn = fr.findtext("fn", "?")
                    loc = fr.findtext("file", "")
                    line = fr.findtext("line", "")
                    lines.append(f"    {fn} {loc}:{line} ({obj})")
                    if obj.endswith("mailsess.so"):
                        ours = True
            block = "\n".join(lines)
            (findings if ours else noise).append((kind, path, block))
    return findings, noise


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("asan", "valgrind"):
        sys.exit(__doc__)
    mode, args = args[0], args[1:]
    baseline = None
    if args[:1] == ["--baseline"]:
        baseline, args = args[1], args[2:]
    if mode == "asan":
        findings, noise = asan(args, baseline)
    else:
        findings, noise = valgrind(args)
    for kind, path, block in noise:
        first = block.splitlines()[0] if block else ""
        print(f"noise {kind} {path}: {first}")
    for kind, path, block in findings:
        print(f"FINDING {kind} {path}")
        print("\n".join(block.splitlines()[:40]))
    if findings:
        sys.exit(1)
    if baseline is not None and any(k.startswith("leak") for k, _, _ in noise):
        sys.exit(2)
    sys.exit(0)


if __name__ == "__main__":
    main()
