#!/usr/bin/env python3
"""mailsess-elastic-mapping.py - Elasticsearch / OpenSearch index mappings for mailsess.

    scripts/mailsess-elastic-mapping.py [--tshark PATH] > mailsess-ek-mapping.json
    scripts/mailsess-elastic-mapping.py --sessions > mailsess-sessions-mapping.json

Default: the mapping for `tshark -T ek` output, as `tshark -G elastic-mapping
--elastic-mapping-filter mailsess` prints it, with two fixes: tshark 4.0 maps
every relative time (mailsess.duration, response_time, greeting_time,
transfer_time) as "date", but -T ek prints them as seconds ("0.005123000"),
which a date field reads as milliseconds since 1970; they become "double"
(seconds). And it leaves out every string field (auth_user, rcpt_to,
banner...), which a "dynamic": false index then does not index: they are added
as "keyword". The fields are found by their type in `tshark -G fields`, not
by a list here. The enumerated fields (proto, tls, auth_result...) are
integers with value strings: -T ek prints their numbers and tshark maps them
as integers.

--sessions: the mapping for the JSON lines of scripts/mailsess-sessions.py
(or `tshark -q -z mailsess,sessions,json`): keywords, counts as long,
duration as double (seconds), frame numbers as long.

Then, e.g.:
    curl -XPUT localhost:9200/mail-sessions -H 'Content-Type: application/json' \\
        -d @mailsess-sessions-mapping.json
Python standard library only.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import json
import subprocess
import sys

SESSION_TYPES = {
    "capture": "keyword", "proto": "keyword", "client": "keyword", "server": "keyword",
    "users": "keyword", "methods": "keyword", "auth": "keyword", "failures": "long",
    "cleartext": "keyword", "tls": "keyword", "messages": "long", "bytes": "long",
    "refused": "long", "deleted": "long", "committed": "keyword", "quit": "keyword",
    "duration": "double", "first_frame": "long", "last_frame": "long", "guessing": "keyword",
}


# what a field type is indexed as, for the fields tshark's mapping leaves out
EK_TYPES = {"FT_STRING": "keyword", "FT_STRINGZ": "keyword", "FT_BOOLEAN": "boolean",
            "FT_FRAMENUM": "long", "FT_UINT8": "long", "FT_UINT16": "long", "FT_UINT32": "long",
            "FT_UINT64": "long", "FT_INT32": "long", "FT_INT64": "long",
            "FT_RELATIVE_TIME": "double"}


def mailsess_fields(tshark):
    """{-T ek key: field type} of the mailsess fields (tshark -G fields)."""
    out = subprocess.run([tshark, "-G", "fields"], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    fields = {}
    for line in out.splitlines():
        p = line.split("\t")
        if len(p) > 3 and p[0] == "F" and p[2].startswith("mailsess."):
            fields["mailsess_" + p[2].replace(".", "_")] = p[3]
    return fields


def find_layer(node):
    """The properties of layers.mailsess, or None."""
    if isinstance(node, dict):
        if isinstance(node.get("mailsess"), dict) and "properties" in node["mailsess"]:
            return node["mailsess"]["properties"]
        for v in node.values():
            r = find_layer(v)
            if r is not None:
                return r
    return None


def fix(node, keys, fixed):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in keys and isinstance(v, dict) and v.get("type") == "date":
                v["type"] = "double"
                fixed.append(k)
            else:
                fix(v, keys, fixed)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", action="store_true")
    ap.add_argument("--tshark", default="tshark")
    args = ap.parse_args(argv)
    if args.sessions:
        m = {"mappings": {"dynamic": False,
                          "properties": {k: {"type": t} for k, t in SESSION_TYPES.items()}}}
        print(json.dumps(m, indent=2))
        return 0
    raw = subprocess.run([args.tshark, "-G", "elastic-mapping", "--elastic-mapping-filter",
                          "mailsess"], stdout=subprocess.PIPE, text=True, check=True).stdout
    m = json.loads(raw)
    fields = mailsess_fields(args.tshark)
    layer = find_layer(m)
    if not fields or layer is None:
        print("mailsess-elastic-mapping: tshark has no mailsess fields (is the plugin loaded? "
              "tshark -G plugins)", file=sys.stderr)
        return 1
    fixed = []
    fix(m, {k for k, t in fields.items() if t == "FT_RELATIVE_TIME"}, fixed)
    added = []
    for k, t in sorted(fields.items()):
        if k not in layer and t in EK_TYPES:
            layer[k] = {"type": EK_TYPES[t]}
            added.append(k)
    print(json.dumps(m, indent=2))
    print("mailsess-elastic-mapping: %d relative times mapped as double (seconds), %d fields "
          "tshark leaves out added" % (len(fixed), len(added)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
