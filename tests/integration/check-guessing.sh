#!/usr/bin/env bash
# check-guessing.sh PLUGIN_SO WS_VERSION CASE_DIR...
#
# The password-guessing counters across sessions (README, "Password guessing
# across sessions"): single pass shows the counts so far, two passes the
# final counts. For each guess-* case, from the real tshark with mailsess:
#   - two passes: every frame of every session of one client address shows
#     the same client counters (the final ones);
#   - single pass: a client's counters never decrease in frame order, and
#     its last single-pass values are the two-pass ones;
#   - single pass: on every frame, client_auth_failures is the number of
#     refused logins to that client in the frames up to it, counted from the
#     built-in smtp/pop dissectors (SMTP 535/454, POP3 -ERR [AUTH]), and
#     client_sessions the number of its TCP streams with a login reply so far;
#   - the expert infos brute_force, password_spraying, distributed_guessing
#     are the same frames in both modes, and one of each at most per client
#     (per user for distributed_guessing; here: one in all);
#   - with the rules turned off by preference (thresholds 0), none is raised
#     and the counters are unchanged.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2
shift 2
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
trap 'rm -rf "$MS_ENV"' EXIT
fail=0
F=(-T fields -E occurrence=a -E aggregator='|' -e frame.number -e tcp.stream -e ip.src -e ip.dst
   -e tcp.srcport -e mailsess.client_auth_failures -e mailsess.client_sessions
   -e mailsess.client_users_tried -e mailsess.client_auth_successes -e _ws.expert.message)
for dir in "$@"; do
    name=$(basename "$dir")
    mkdir -p "$MS_ENV/$name"
    cp "$dir/capture.pcap" "$MS_ENV/$name/"
    chmod -R a+rX "$MS_ENV/$name"
    r=(-r "$name/capture.pcap")
    out="$MS_ENV/$name.out"
    mkdir -p "$out"
    ms_tshark "${r[@]}" -Y mailsess "${F[@]}" > "$out/p1.tsv"
    ms_tshark "${r[@]}" -2 -Y mailsess "${F[@]}" > "$out/p2.tsv"
    ms_tshark "${r[@]}" -o mailsess.guess_failures:0 -o mailsess.guess_users:0 \
        -o mailsess.guess_clients:0 -Y mailsess "${F[@]}" > "$out/off.tsv"
    # the refused and accepted logins, by the built-in dissectors
    ms_tshark "${r[@]}" --disable-protocol mailsess -Y 'smtp.response.code == 235 ||
        smtp.response.code == 535 || smtp.response.code == 454 ||
        pop.response.description contains "[AUTH]" || pop.response.description contains "Logged in"' \
        -T fields -e frame.number -e tcp.stream -e ip.dst -e smtp.response.code \
        -e pop.response.indicator > "$out/logins.tsv"
    python3 - "$name" "$out" <<'EOF' || fail=1
import collections, sys
name, out = sys.argv[1], sys.argv[2]
EXPERTS = ("Brute force:", "Password spraying:", "Distributed guessing:")
fails = []

def read(fn):
    rows = []
    with open("%s/%s" % (out, fn)) as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            frame, stream, src, dst, sport = int(c[0]), int(c[1]), c[2], c[3], int(c[4])
            # the client is the side that is not the server port
            client = dst if sport in (25, 110) else src
            vals = tuple(c[5:9])
            experts = [m for m in c[9].split("|") if m.startswith(EXPERTS)] if len(c) > 9 else []
            rows.append((frame, stream, client, vals, experts))
    return rows

p1, p2, off = read("p1.tsv"), read("p2.tsv"), read("off.tsv")
# (the first pass has no session on the TCP handshake frames: fewer frames)
if not p1 or len(p1) > len(p2):
    fails.append("single pass shows %d mailsess frames, -2 %d" % (len(p1), len(p2)))

# two passes: one set of values per client, on every frame of its sessions
final = {}
for frame, stream, client, vals, _ in p2:
    if final.setdefault(client, vals) != vals:
        fails.append("-2: frame %d of client %s shows %s, another frame %s" % (frame, client, vals, final[client]))
        break
if any(v[0] == "" for v in final.values()):
    fails.append("-2: a client without counters: %s" % final)

# single pass: never decreasing, ending at the final values, and equal to an
# independent count of the refused logins and sessions so far
logins = []
with open("%s/logins.tsv" % out) as f:
    for line in f:
        c = line.rstrip("\n").split("\t")
        refused = c[3] in ("535", "454") or c[4] == "-ERR"
        logins.append((int(c[0]), int(c[1]), c[2], refused))
last = {}
for frame, stream, client, vals, _ in p1:
    if vals[0] == "":
        continue
    now = tuple(int(x) for x in vals)
    if client in last and any(a < b for a, b in zip(now, last[client])):
        fails.append("single pass: the counters of %s go down at frame %d: %s after %s" % (client, frame, now, last[client]))
    last[client] = now
    want_fail = sum(1 for f, s, d, r in logins if f <= frame and d == client and r)
    want_sess = len({s for f, s, d, r in logins if f <= frame and d == client})
    if (now[0], now[1]) != (want_fail, want_sess):
        fails.append("single pass, frame %d, client %s: %d failures / %d sessions so far, the replies in the capture say %d / %d"
                     % (frame, client, now[0], now[1], want_fail, want_sess))
        break
for client, vals in final.items():
    if tuple(str(x) for x in last.get(client, ())) != vals:
        fails.append("client %s: last single-pass counters %s, final %s" % (client, last.get(client), vals))

# expert infos: same frames in both modes, each finding once
e1 = sorted((fr, m) for fr, _, _, _, ex in p1 for m in ex)
e2 = sorted((fr, m) for fr, _, _, _, ex in p2 for m in ex)
if e1 != e2:
    fails.append("guessing expert infos differ: single pass %s, -2 %s" % (e1, e2))
kinds = collections.Counter((m.split(":")[0]) for _, m in e1)
if any(n > 1 for n in kinds.values()):
    fails.append("a finding raised more than once: %s" % dict(kinds))

# turned off: no finding, the same counters
if any(ex for *_, ex in off):
    fails.append("thresholds 0 still raise %s" % [ex for *_, ex in off if ex])
if [r[:4] for r in off] != [r[:4] for r in p1]:
    fails.append("thresholds 0 change the counters")

for m in fails:
    print("FAIL [%s]: %s" % (name, m), file=sys.stderr)
if not fails:
    print("ok [%s] (%d clients; findings: %s)" % (name, len(final), ", ".join(sorted(kinds)) or "none"))
sys.exit(1 if fails else 0)
EOF
done
exit "$fail"
