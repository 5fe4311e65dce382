#!/usr/bin/env python3
r"""goldens.py - the golden files of a test case and the checks of check-case.sh.

    goldens.py check CASE_DIR OUT_DIR [--update]
    goldens.py filters G_FIELDS     (the io,stat filters of the "named" runs)

check-case.sh runs tshark and leaves its outputs in OUT_DIR (names below);
this script turns them into the three golden files of CASE_DIR/expected/,
compares them with the reviewed ones (or rewrites them with --update) and
checks the invariants that need no golden file. Prints "FAIL [case]: ..."
lines and exits 1 on any failure.

The golden files (test-captures/README.md, "Golden files"):

  sessions.txt  two passes (-2), final values: per session a block
                    session<TAB>N
                    frames<TAB>1-23            (the frames that show it)
                    FIELD<TAB>VALUE            (fields with a value; a list
                    ...                         field has one line per value)
                blocks separated by an empty line.
  frames.txt    two passes, the per-frame facts, in tree order:
                    FRAME<TAB>FIELD<TAB>VALUE  (request_in, response_in,
                                                response_time, reply_queue_id)
                    FRAME<TAB>EXPERT<TAB>SEVERITY/GROUP<TAB>MESSAGE
                                               (each mailsess expert info)
  table.jsonl   the session table (-z mailsess,sessions,json, two passes):
                one JSON object per session, as tshark prints it; checked
                equal to the single-pass table and to sessions.txt's values.
  running.txt   single pass, running values where they change: per session
                    session<TAB>N
                    frames<TAB>4-23
                    FRAME<TAB>FIELD<TAB>VALUE  FIELD's value(s) from FRAME on
                    FRAME<TAB>+FIELD<TAB>VALUE VALUE appended to FIELD's list
                    FRAME<TAB>-FIELD           FIELD has no value any more
                (the session's first frame lists every field it has).

Values are escaped (backslash, tab, CR, LF as \\ \t \r \n, other control
characters as \xHH), so that every line is one fact.

The module is also read by golden-facts.py, crosscheck-msg-bytes.py and
tests/compat/classify-diffs.py (read_sessions, read_frames, read_running).
Python standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import collections
import difflib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The per-frame facts; every other field of fields.txt is a session value.
PER_FRAME = ("mailsess.request_in", "mailsess.response_in", "mailsess.response_time",
             "mailsess.login.method", "mailsess.login.user", "mailsess.login.result",
             "mailsess.reply_queue_id")
# Not in running.txt: absent on the first pass (checked).
RUNNING_OMITTED = ("mailsess.last_frame",)
# The bare boolean filters checked like the other fields (they show only when true).
FLAGS = ("mailsess.auth_plaintext", "mailsess.deleted_committed")

SEVERITIES = {0x00100000: "Comment", 0x00200000: "Chat", 0x00400000: "Note",
              0x00600000: "Warning", 0x00800000: "Error"}
# -z expert's block headers
SEVERITY_HEADERS = {"Comments": "Comment", "Chats": "Chat", "Notes": "Note",
                    "Warns": "Warning", "Errors": "Error"}
GROUPS = {0x01000000: "Checksum", 0x02000000: "Sequence", 0x03000000: "Response",
          0x04000000: "Request", 0x05000000: "Undecoded", 0x06000000: "Reassemble",
          0x07000000: "Malformed", 0x08000000: "Debug", 0x09000000: "Protocol",
          0x0a000000: "Security", 0x0b000000: "Comment", 0x0c000000: "Decryption",
          0x0d000000: "Assumption", 0x0e000000: "Deprecated"}


def read_field_list():
    """The fields of fields.txt without frame.number, in order."""
    with open(os.path.join(HERE, "fields.txt"), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and l.strip() != "frame.number"]


FIELDS = read_field_list()
SESSION_FIELDS = [f for f in FIELDS if f not in PER_FRAME]


def escape(v):
    out = []
    for ch in v:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def ranges(nums):
    """[1, 2, 3, 5] -> '1-3,5'"""
    out = []
    for n in sorted(nums):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in out)


def unranges(s):
    nums = []
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            nums.extend(range(int(a), int(b) + 1))
        elif part:
            nums.append(int(part))
    return nums


# ---------------------------------------------------------------- tshark output

class Obj(list):
    """A JSON object as the list of its (key, value) pairs: tshark repeats keys."""


class Frame:
    def __init__(self, number):
        self.number = number
        self.items = 0          # Mail Session protocol items on the frame
        self.values = collections.OrderedDict()  # field -> [values], tree order
        self.links = []         # [(field, value)] of PER_FRAME, tree order
        self.experts = []       # [(name, "Severity/Group", message)]

    def session(self):
        return self.values.get("mailsess.session", [None])[0]


def _walk_mailsess(obj, fr, bools, unknown):
    for k, v in obj:
        # a value, a subtree (Obj), or with --no-duplicate-keys a list of them
        for x in (v if isinstance(v, list) and not isinstance(v, Obj) else [v]):
            if isinstance(x, Obj):
                if k == "_ws.expert":
                    _expert(x, fr)
                else:
                    _walk_mailsess(x, fr, bools, unknown)  # a subtree (label or FIELD_tree)
            elif not k.startswith("mailsess."):
                continue  # a text-only item
            elif k not in FIELDS:
                unknown.add(k)
            else:
                if k in bools:
                    x = {"True": "1", "False": "0"}.get(x, x)
                if k in VALUE_NAMES:
                    if x not in VALUE_NAMES[k]:
                        unknown.add("%s value %s (no value string)" % (k, x))
                    x = VALUE_NAMES[k].get(x, x)
                if k in PER_FRAME:
                    fr.links.append((k, escape(x)))
                else:
                    fr.values.setdefault(k, []).append(escape(x))


def _expert(obj, fr):
    name, msg, sev, grp = None, "", 0, 0
    for k, v in obj:
        if k.startswith("mailsess.expert."):
            name = k
        elif k == "_ws.expert.message":
            msg = v
        elif k == "_ws.expert.severity":
            sev = int(v)
        elif k == "_ws.expert.group":
            grp = int(v)
    if name is None:
        name = "(expert info without a mailsess.expert name)"
    sg = "%s/%s" % (SEVERITIES.get(sev, "0x%x" % sev), GROUPS.get(grp, "0x%x" % grp))
    fr.experts.append((name, sg, escape(msg)))


def read_tshark_json(path, bools):
    """tshark -T json -J "frame mailsess" -> ([Frame], set of unknown fields)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    packets = json.loads(text, object_pairs_hook=Obj) if text.strip() else []
    frames, unknown = [], set()
    for pkt in packets:
        layers = dict(dict(pkt)["_source"])["layers"]
        number = None
        fr = Frame(None)
        for k, v in layers:
            if k == "frame":
                number = int(dict(v)["frame.number"])
            elif k == "mailsess":
                fr.items += 1
                _walk_mailsess(v, fr, bools, unknown)
        fr.number = number
        frames.append(fr)
    return frames, unknown


# {field: {number: name}}: the enumerated fields' names, as tshark -G values
# lists them (filled by check()); the goldens show the names
VALUE_NAMES = {}


def read_value_names(path):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 4 and p[0] == "V" and p[1].startswith("mailsess."):
                out.setdefault(p[1], {})[p[2]] = p[3]
    return out


def read_bools(path):
    """The FT_BOOLEAN mailsess fields of tshark -G fields."""
    out = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) > 3 and p[0] == "F" and p[2].startswith("mailsess.") and p[3] == "FT_BOOLEAN":
                out.add(p[2])
    return out


def read_stats(path, filters):
    """-q -z expert -z io,stat,0,FILTERS output -> (Counter of MAILSESS expert
    rows {(severity, group, summary): count}, {filter: frames})."""
    experts = collections.Counter()
    counts = {}
    sev = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^(\w+) \(\d+\)$", line)
            if m:
                sev = SEVERITY_HEADERS.get(m.group(1), m.group(1))
                continue
            m = re.match(r"^ *(\d+) +(.+?) +MAILSESS  (.*)$", line)
            if m:
                experts[(sev, m.group(2), m.group(3))] += int(m.group(1))
                continue
            if "<>" in line and line.startswith("|"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                frames = [int(c) for c in cells[1::2]]
                if len(frames) != len(filters):
                    raise SystemExit("%s: io,stat has %d columns, %d filters" % (path, len(frames), len(filters)))
                counts = dict(zip(filters, frames))
    return experts, counts


def nog(row):
    """A table row without its guessing column."""
    return {k: v for k, v in row.items() if k != "guessing"}


def read_table(path):
    """The -z mailsess,sessions,json lines of a -q run -> [(line, dict)]."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("{"):
                rows.append((line.rstrip("\n"), json.loads(line)))
    return rows


def _ms3(d):
    """A duration in seconds as printed by tshark (9 decimals) -> "S.mmm"
    (milliseconds cut, not rounded, as the table prints them)."""
    sec, _, frac = d.partition(".")
    return "%s.%s" % (sec, (frac + "000")[:3])


def table_vs_sessions(rows, frames2):
    """The differences between the session table and the two-pass session
    values (both come from one record: this proves it)."""
    out = []
    last = {}
    for sess, frs in by_session(frames2):
        last[frs[-1].values.get("mailsess.last_frame", [""])[0]] = (sess, frs)
    if len(rows) != len(last):
        out.append("the table has %d rows, the capture %d sessions" % (len(rows), len(last)))
    for _, r in rows:
        key = str(r.get("last_frame"))
        if key not in last:
            out.append("table row with last_frame %s: no session ends there" % key)
            continue
        sess, frs = last.pop(key)
        v = frs[-1].values
        one = lambda f, d="": v.get(f, [d])[0]
        def joined(f):
            j = ", ".join(v.get(f, []))
            more = one(f + "_more")
            if more:
                j += (", " if j else "") + "+%s more" % more
            return j
        smtp = one("mailsess.proto") == "SMTP"
        hidden = one("mailsess.tls") != "none"
        want = {
            "proto": one("mailsess.proto"),
            "users": joined("mailsess.auth_user"),
            "methods": joined("mailsess.auth_method"),
            "failures": int(one("mailsess.auth_failures", "0")),
            "tls": one("mailsess.tls"),
            "messages": int(one("mailsess.msg_count", "0")),
            "bytes": int(one("mailsess.msg_bytes", "0")),
            "refused": len(v.get("mailsess.rcpt_rejected", [])) +
                       int(one("mailsess.rcpt_rejected_more", "0")) if smtp else None,
            "deleted": None if smtp else int(one("mailsess.deleted", "0")),
            "duration": _ms3(one("mailsess.duration", "0.0")),
            "guessing": ", ".join(v.get("mailsess.guessing", [])),
        }
        got = dict(r)
        got["users"], got["methods"] = escape(got["users"]), escape(got["methods"])
        got["duration"] = "%.3f" % got["duration"] if isinstance(got["duration"], float) else got["duration"]
        for k, w in want.items():
            if got.get(k) != w:
                out.append("session %s: table %s=%r, the session's fields say %r" % (sess, k, got.get(k), w))
        # the flags: yes/no, or "?" only where TLS hides the rest
        for k, f, when in (("auth", "mailsess.auth_result", None),
                           ("cleartext", "mailsess.auth_plaintext", "1"),
                           ("quit", "mailsess.quit", "1")):
            t, fv = got.get(k), one(f)
            if t == "?":
                if not hidden or (fv and k != "quit" and fv != "0"):
                    out.append("session %s: table %s=? although the session is seen (%s %r)" % (sess, k, f, fv))
            elif when is None:
                if t != fv:
                    out.append("session %s: table auth=%r, %s=%r" % (sess, t, f, fv))
            elif (t == "yes") != (fv == when) or t not in ("yes", "no"):
                out.append("session %s: table %s=%r, %s=%r" % (sess, k, t, f, fv))
        committed = one("mailsess.deleted_committed") == "1"
        if not smtp and want["deleted"]:
            if got.get("committed") != ("yes" if committed else "no"):
                out.append("session %s: table committed=%r, deleted_committed=%r" % (
                    sess, got.get("committed"), committed))
        elif got.get("committed") != "":
            out.append("session %s: table committed=%r without deletions" % (sess, got.get("committed")))
        if not isinstance(got.get("first_frame"), int) or got["first_frame"] > frs[0].number:
            out.append("session %s: table first_frame %r after its first frame %d" % (
                sess, got.get("first_frame"), frs[0].number))
        server = got.get("server", "")
        if not re.match(r"^(\[[0-9a-f:.]+\]|[0-9.]+):\d+$", server) or \
                not re.match(r"^(\[[0-9a-f:.]+\]|[0-9.]+):\d+$", got.get("client", "")):
            out.append("session %s: table client/server %r / %r are not address:port" % (
                sess, got.get("client"), server))
    return out


def read_credentials(path):
    """The mailsess rows of -z credentials: {frame: line}."""
    rows = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^(\d+) +(SMTP|POP3) \(mailsess\) +(.*)$", line.rstrip("\n"))
            if m:
                rows.setdefault(int(m.group(1)), []).append(m.group(3))
    return rows


def credentials_vs_logins(creds, frames2):
    """Every login (mailsess.login.* on its reply frame) is a credentials row
    on that frame with its user, method and result, and nothing else is."""
    out = []
    want = {}
    for fr in frames2:
        links = collections.defaultdict(list)
        for k, v in fr.links:
            links[k].append(v)
        for i, method in enumerate(links.get("mailsess.login.method", [])):
            result = links["mailsess.login.result"][i] if i < len(links["mailsess.login.result"]) else "?"
            want.setdefault(fr.number, []).append((method, result))
    for num, logins in want.items():
        got = creds.get(num, [])
        if len(got) != len(logins):
            out.append("frame %d: %d logins, %d credentials rows" % (num, len(logins), len(got)))
            continue
        for (method, result), row in zip(logins, got):
            if ("  %s, %s" % (method, result) not in "  " + row and " %s, %s" % (method, result) not in row):
                out.append("frame %d: credentials row %r does not say %s, %s" % (num, row, method, result))
    for num in creds:
        if num not in want:
            out.append("frame %d: a credentials row without a login: %r" % (num, creds[num]))
    return out


def expert_rows(frames):
    """The per-frame experts counted as -z expert counts them."""
    c = collections.Counter()
    for fr in frames:
        for name, sg, msg in fr.experts:
            s, g = sg.split("/", 1)
            c[(s, g, msg)] += 1
    return c


# ---------------------------------------------------------------- golden files

def by_session(frames):
    s = collections.OrderedDict()
    for fr in sorted(frames, key=lambda f: f.number):
        s.setdefault(fr.session(), []).append(fr)
    return sorted(s.items(), key=lambda kv: int(kv[0]))


def render_sessions(frames2):
    blocks = []
    for sess, frs in by_session(frames2):
        last = frs[-1]
        lines = ["session\t%s" % sess, "frames\t%s" % ranges(f.number for f in frs)]
        for field in SESSION_FIELDS:
            if field == "mailsess.session":
                continue
            for v in last.values.get(field, []):
                lines.append("%s\t%s" % (field, v))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def render_frames(frames2):
    lines = []
    for fr in sorted(frames2, key=lambda f: f.number):
        for field, v in fr.links:
            lines.append("%d\t%s\t%s" % (fr.number, field, v))
        for name, sg, msg in fr.experts:
            lines.append("%d\t%s\t%s\t%s" % (fr.number, name, sg, msg))
    return "".join(l + "\n" for l in lines)


def render_running(frames1):
    blocks = []
    for sess, frs in by_session(frames1):
        lines = ["session\t%s" % sess, "frames\t%s" % ranges(f.number for f in frs)]
        prev = {}
        for fr in frs:
            for field in SESSION_FIELDS:
                if field in ("mailsess.session",) + RUNNING_OMITTED:
                    continue
                old, new = prev.get(field, []), fr.values.get(field, [])
                if old == new:
                    continue
                if not new:
                    lines.append("%d\t-%s" % (fr.number, field))
                elif old and new[:len(old)] == old:
                    lines.extend("%d\t+%s\t%s" % (fr.number, field, v) for v in new[len(old):])
                else:
                    lines.extend("%d\t%s\t%s" % (fr.number, field, v) for v in new)
            prev = fr.values
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _blocks(text):
    block = []
    for line in text.splitlines():
        if line == "":
            if block:
                yield block
            block = []
        else:
            block.append(line)
    if block:
        yield block


def _header(block, what):
    if len(block) < 2 or not block[0].startswith("session\t") or not block[1].startswith("frames\t"):
        raise ValueError("%s: a block must begin with session and frames lines: %r" % (what, block[:2]))
    return block[0].split("\t", 1)[1], unranges(block[1].split("\t", 1)[1])


def read_sessions(text):
    """sessions.txt -> {session: {"frames": [n...], "values": {field: [v...]}}}"""
    out = collections.OrderedDict()
    for block in _blocks(text):
        sess, frames = _header(block, "sessions.txt")
        values = collections.OrderedDict()
        for line in block[2:]:
            field, v = line.split("\t", 1)
            values.setdefault(field, []).append(v)
        out[sess] = {"frames": frames, "values": values}
    return out


def read_frames(text):
    """frames.txt -> {frame: {"links": [(field, v)], "experts": [(name, sg, msg)]}}"""
    out = collections.OrderedDict()
    for line in text.splitlines():
        p = line.split("\t")
        e = out.setdefault(int(p[0]), {"links": [], "experts": []})
        if p[1].startswith("mailsess.expert.") or len(p) == 4:
            e["experts"].append((p[1], p[2], "\t".join(p[3:])))
        else:
            e["links"].append((p[1], p[2]))
    return out


def read_running(text):
    """running.txt -> {session: {"frames": [n...], "values": {frame: {field: [v...]}},
    "changes": [(frame, op, field, value)]}}: the values on every frame rebuilt from the changes."""
    out = collections.OrderedDict()
    for block in _blocks(text):
        sess, frames = _header(block, "running.txt")
        changes = collections.defaultdict(list)
        raw = []
        for line in block[2:]:
            p = line.split("\t", 2)
            op = p[1][0] if p[1][0] in "+-" else "="
            field = p[1][1:] if op != "=" else p[1]
            raw.append((int(p[0]), op, field, p[2] if len(p) > 2 else None))
            changes[int(p[0])].append(raw[-1])
        state, values = {}, collections.OrderedDict()
        for n in frames:
            set_now = set()
            for _, op, field, v in changes.get(n, []):
                if op == "-":
                    state.pop(field, None)
                elif op == "+":
                    state[field] = state.get(field, []) + [v]
                else:
                    if field not in set_now:
                        state[field] = []
                        set_now.add(field)
                    state[field] = state[field] + [v]
            values[n] = {k: list(v) for k, v in state.items()}
        out[sess] = {"frames": frames, "values": values, "changes": raw}
    return out


# ---------------------------------------------------------------- the checks

def io_filters(bools):
    """The display filters counted in the "named" runs: all frames, the bare
    protocol, every field that is not a boolean, the two flags and their
    negations (bare boolean filters)."""
    return ["frame", "mailsess"] + [f for f in FIELDS if f not in bools] + \
        list(FLAGS) + ["!" + f for f in FLAGS]


def _where(fn, lines):
    """For each line of a golden file: the session/frame and field it is about."""
    out, sess = [], None
    for line in lines:
        p = line.split("\t")
        if p[0] == "session" and len(p) > 1:
            sess = p[1]
            out.append("session %s" % sess)
        elif p[0] == "frames":
            out.append("session %s frames" % sess)
        elif fn == "sessions.txt":
            out.append("session %s %s" % (sess, p[0]))
        elif fn == "running.txt" and len(p) > 1:
            out.append("session %s frame %s %s" % (sess, p[0], p[1].lstrip("+-")))
        elif len(p) > 1:
            out.append("frame %s %s" % (p[0], p[1]))
        else:
            out.append(line)
    return out


def changed_facts(fn, old, new):
    """What a difference between two versions of a golden file is about, e.g.
    ["session 0 mailsess.msg_bytes"]."""
    wo, wn = _where(fn, old), _where(fn, new)
    names = []
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            for w in wo[i1:i2] + wn[j1:j2]:
                if w not in names:
                    names.append(w)
    return names


def check(case_dir, out, update):
    name = os.path.basename(os.path.abspath(case_dir))
    fails = []

    def err(msg):
        fails.append(msg)
        print("FAIL [%s]: %s" % (name, msg), file=sys.stderr)

    bools = read_bools(os.path.join(out, "gfields.txt"))
    VALUE_NAMES.update(read_value_names(os.path.join(out, "gvalues.txt")))
    if "mailsess.proto" not in VALUE_NAMES:
        err("tshark -G values names no value of mailsess.proto")
    if not bools:
        err("tshark -G fields lists no mailsess boolean")
        return 1
    p1, u1 = read_tshark_json(os.path.join(out, "pass1.json"), bools)
    p2, u2 = read_tshark_json(os.path.join(out, "pass2.json"), bools)
    if u1 | u2:
        err("fields not in tests/integration/fields.txt (add them there), or enumerated values without a value string: %s" % " ".join(sorted(u1 | u2)))
    for label, frames in (("single pass", p1), ("two passes", p2)):
        for fr in frames:
            if fr.items != 1 or len(fr.values.get("mailsess.session", [])) != 1:
                err("%s: frame %s has %d Mail Session items, sessions %s" % (
                    label, fr.number, fr.items, fr.values.get("mailsess.session")))
                return 1
    if not p2:
        err("no session found")

    # first pass: running values, last_frame is the frame itself, no forward link
    for fr in p1:
        if fr.values.get("mailsess.final") != ["0"]:
            err("a first-pass frame claims final values (frame %d: final=%s)" % (
                fr.number, fr.values.get("mailsess.final")))
            break
    for fr in p1:
        if "mailsess.last_frame" in fr.values:
            err("first pass: frame %d shows last_frame %s before it is known" % (
                fr.number, fr.values["mailsess.last_frame"]))
            break
    for fr in p2:
        if fr.values.get("mailsess.final") != ["1"]:
            err("a two-pass frame does not show final values (frame %d: final=%s)" % (
                fr.number, fr.values.get("mailsess.final")))
            break
    # two passes: every frame of a session shows the same session values
    for sess, frs in by_session(p2):
        for fr in frs:
            if fr.values != frs[-1].values:
                diff = sorted(k for k in set(fr.values) | set(frs[-1].values)
                              if fr.values.get(k) != frs[-1].values.get(k))
                err("two-pass frames of one session show different session values "
                    "(session %s, frame %d vs %d: %s)" % (sess, fr.number, frs[-1].number, " ".join(diff)))
                break
    # the per-frame facts of the first pass are those of the two passes,
    # without the forward links
    by2 = {fr.number: fr for fr in p2}
    for fr in p1:
        f2 = by2.get(fr.number)
        if f2 is None:
            err("frame %d shows the session layer in the first pass only" % fr.number)
            continue
        back = [l for l in f2.links if l[0] != "mailsess.response_in"]
        if fr.links != back:
            err("frame %d: first-pass links %s, two-pass %s" % (fr.number, fr.links, f2.links))
        if fr.experts != f2.experts:
            err("frame %d: expert infos differ between single pass and -2: %s / %s" % (
                fr.number, fr.experts, f2.experts))
    by1 = {fr.number for fr in p1}
    for fr in p2:
        if fr.number not in by1 and fr.experts:
            err("frame %d: expert infos with -2 only: %s" % (fr.number, fr.experts))

    # -z expert, with nobody looking at the session items (plain) and with a
    # filter naming session fields (named), in both modes: the per-frame
    # expert infos counted
    want = expert_rows(p2)
    filters = io_filters(bools)
    stats = {}
    for run, flt in (("plain1", ["frame", "mailsess"]), ("plain2", ["frame", "mailsess"]),
                     ("named1", filters), ("named2", filters)):
        stats[run] = read_stats(os.path.join(out, run + ".txt"), flt)
        got = stats[run][0]
        if got != want:
            what = {"plain1": "single pass", "plain2": "-2", "named1": "single pass, a filter names session fields",
                    "named2": "-2, a filter names session fields"}[run]
            err("-z expert (%s) differs from the expert infos on the frames:" % what)
            for k in sorted(set(got) | set(want), key=str):
                if got.get(k, 0) != want.get(k, 0):
                    print("    %s/%s %r: -z expert %d, on the frames %d" % (k[0], k[1], k[2], got.get(k, 0), want.get(k, 0)),
                          file=sys.stderr)
    # the bare filter "mailsess" (protocol item only) selects the frames of the
    # -T json output; a filter naming a field selects the frames that show it
    for run, frames, label in (("plain1", p1, "single pass"), ("plain2", p2, "-2")):
        n = stats[run][1].get("mailsess")
        if n != len(frames):
            err("filter mailsess selects %s frames (%s), the -T json output has %d" % (n, label, len(frames)))
    n_all = stats["plain1"][1].get("frame")
    for run, frames, label in (("named1", p1, "single pass"), ("named2", p2, "-2")):
        counts = stats[run][1]
        for f in filters[2:]:
            if f.startswith("!"):
                continue
            if f in FLAGS:
                n_tsv = sum(1 for fr in frames if fr.values.get(f) == ["1"])
                if counts[f] != n_tsv or counts[f] + counts["!" + f] != n_all:
                    err("filter %s selects %d frames (%s, expected %d), its negation %d of %d" % (
                        f, counts[f], label, n_tsv, counts["!" + f], n_all))
                continue
            n_tsv = sum(1 for fr in frames if fr.values.get(f) or any(l[0] == f for l in fr.links))
            if counts[f] != n_tsv:
                err("filter %s selects %d frames (%s), the -T json output shows it on %d" % (f, counts[f], label, n_tsv))

    # the built-in dissection stays intact: -V without the Mail Session
    # subtree is what tshark prints with mailsess disabled (not for sessions
    # found by the heuristic, which without mailsess are no mail at all)
    with open(os.path.join(out, "verbose.txt"), encoding="utf-8", errors="replace") as f:
        verbose = f.read().splitlines()
    with open(os.path.join(out, "without.txt"), encoding="utf-8", errors="replace") as f:
        without = f.read().splitlines()
    if not any(l.startswith("Mail Session") for l in verbose):
        err("no Mail Session subtree in -V")
    stripped, skip = [], False
    for l in verbose:
        if l.startswith("Mail Session"):
            skip = True
            continue
        if skip and l[:1] in (" ", "\t"):
            continue
        skip = False
        stripped.append(l)
    if not any(fr.values.get("mailsess.heuristic") == ["1"] for fr in p2) and stripped != without:
        err("the built-in dissection changes when mailsess is loaded")
        for l in list(difflib.unified_diff(without, stripped, "without mailsess", "with mailsess", lineterm=""))[:20]:
            print("    " + l, file=sys.stderr)

    # the session table: the same in one pass and two, and the sessions' values
    t1 = read_table(os.path.join(out, "plain1.txt"))
    t2 = read_table(os.path.join(out, "plain2.txt"))
    # (but the guessing column: findings raised by later sessions of the
    # client are known as of the session's last frame in one pass)
    if [nog(r) for _, r in t1] != [nog(r) for _, r in t2]:
        err("the session table differs between single pass and -2")
        for l in list(difflib.unified_diff([l for l, _ in t1], [l for l, _ in t2], "single pass", "-2",
                                           lineterm="", n=0))[:10]:
            print("    " + l, file=sys.stderr)
    for d in table_vs_sessions(t2, p2):
        err("session table: " + d)
    # the logins on Wireshark's credentials tap
    for d in credentials_vs_logins(read_credentials(os.path.join(out, "plain1.txt")), p2):
        err("-z credentials: " + d)

    # the golden files
    new = {"sessions.txt": render_sessions(p2), "frames.txt": render_frames(p2),
           "running.txt": render_running(p1), "table.jsonl": "".join(l + "\n" for l, _ in t2)}
    exp_dir = os.path.join(case_dir, "expected")
    os.makedirs(exp_dir, exist_ok=True)
    for fn, text in new.items():
        path = os.path.join(exp_dir, fn)
        if update:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            continue
        try:
            with open(path, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            err("%s: no golden file (check-case.sh ... --update writes it)" % fn)
            continue
        if old != text:
            ol, nl = old.splitlines(), text.splitlines()
            names = changed_facts(fn, ol, nl)
            more = " (and %d more)" % (len(names) - 8) if len(names) > 8 else ""
            err("%s differs from the golden file: %s%s" % (fn, ", ".join(names[:8]) or "empty lines", more))
            diff = list(difflib.unified_diff(ol, nl, "expected/" + fn, "tshark", lineterm="", n=1))
            for l in diff[:40]:
                print("    " + l, file=sys.stderr)
            if len(diff) > 40:
                print("    ... (%d more diff lines)" % (len(diff) - 40), file=sys.stderr)
    if not fails:
        print("ok [%s]" % name)
    return 1 if fails else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2], len(argv) > 3 and argv[3] == "--update")
    if len(argv) == 2 and argv[0] == "filters":
        # for check-case.sh: the io,stat filter list, from the tshark -G fields output
        print(",".join(io_filters(read_bools(argv[1]))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
