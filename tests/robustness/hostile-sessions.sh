#!/usr/bin/env bash
# hostile-sessions.sh - hostile SMTP/POP3 sessions against real servers on
# loopback, captured and read back by tshark with and without mailsess
# (issue #5, item 4).
#
# Run as root, after test-captures/make-smtp-captures.sh has configured
# postfix once (SKIP_APT=1 CASES=smtp-noauth is enough) and, for
# garbage-pop3, make-pop3-captures.sh its dovecot POP3 on 127.0.0.1:110
# (started here if configured but not running):
#     sudo tests/robustness/hostile-sessions.sh
#
# What it does:
#   1. servers (all on 127.0.0.1):
#      - postfix smtpd listener 2529 (master.cf via postconf -M/-P), with -o
#        overrides so the attacker is never cut off: recipient, error, junk
#        command limits 2,000,000, smtpd_error_sleep_time=0, no forbidden
#        commands, no local recipient check, message_size_limit 1 GB, bare LF
#        and unadvertised pipelining allowed. Accepted mail is discarded
#        (content_filter=discard:), never delivered. Its own cleanup service
#        "mshostile-cleanup" (message_size_limit 1 GB, in_flow_delay=0).
#        line_length_limit stays 2048: postfix cuts longer lines into
#        records (DATA) or answers the truncated command once (commands).
#      - SASL for 2529: a stand-in for dovecot's auth service
#        (hostile_client.py fake-sasl, private/auth-hostile) that refuses
#        every attempt at once, while this script runs; see below why;
#      - dovecot POP3 on 2531 (/etc/dovecot/mailsess-hostile.conf) whose
#        every login fails at once (nopassword + nologin + nodelay);
#      - the fake SMTP server of "unsolicited" on 2530 (hostile_client.py).
#      The listener and the 2531 dovecot stay (re-running is idempotent);
#      remove them with:  hostile-sessions.sh --remove
#   2. per case: tcpdump -i lo -s 0 --immediate-mode into
#      $HOSTILE_WORK/<case>/capture.pcap, one session by
#      tests/robustness/hostile_client.py, which also writes the summary
#      mailsess should show, computed from what it sent and what the server
#      answered (result.json);
#   3. per capture, tshark (as nobody with the plugin in a private HOME, see
#      tests/integration/tshark-env.sh): "-2 -q -z expert" with the plugin
#      and with --disable-protocol mailsess (plus Decode As SMTP/POP on the
#      odd port, so that both runs dissect SMTP/POP3), each under
#      /usr/bin/time (wall time, peak RSS), and the two-pass session row
#      (frame.number == mailsess.last_frame) with the plugin;
#   4. prints a markdown table (hostile_client.py report) and the details,
#      also written to $HOSTILE_WORK/report.md.
#
# Cases (HOSTILE_CASES, default all, in this order):
#   rcpt          1,000,000 RCPT TO in one transaction, fully pipelined (every 997th
#                 refused: relay denied), QUIT (no DATA)
#   data          one 100 MB DATA message
#   longline      a 1 MB NOOP command line, then a message with a 1 MB line
#   auth          100,000 AUTH PLAIN with wrong passwords (32 in flight)
#   pop3auth      10,000 USER/PASS pairs with wrong passwords, dovecot POP3 2531
#   pipeline      20,000 pipelined MAIL/RCPT/NOOP/RSET, then close without QUIT
#   unsolicited   20,000 replies nobody asked for, from a fake server (generated
#                 by hostile_client.py on 127.0.0.1:2530: postfix never does this)
#   noop          NOOP after NOOP for 60 s; the capture stops before the close
#   garbage-smtp  4 MB of random bytes (seed 8) after the greeting, postfix 2529
#   garbage-pop3  the same against dovecot POP3 110
#
# Environment:
#   HOSTILE_SCALE   multiplies every count, size and duration (default 1, about
#                   12 minutes on 2 busy cores; 0.01 is a quick run of about 1 minute)
#   HOSTILE_WORK    work dir (default /tmp/mailsess-hostile; captures are big,
#                   never commit them)
#   HOSTILE_CASES   space separated subset of the cases above
#   MAILSESS_PLUGIN plugin under test (default build/plugin/mailsess.so)
#   HOSTILE_TSHARK_TIMEOUT  seconds per tshark run (default 3600)
#   HOSTILE_REANALYSE=1  no new sessions: run tshark again on the captures
#                   already in the work dir
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail
export LC_ALL=C.UTF-8

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
CLIENT="$HERE/hostile_client.py"
WORK=${HOSTILE_WORK:-/tmp/mailsess-hostile}
SCALE=${HOSTILE_SCALE:-1}
CASES=${HOSTILE_CASES:-"rcpt data longline auth pop3auth pipeline unsolicited noop garbage-smtp garbage-pop3"}
PLUGIN=${MAILSESS_PLUGIN:-$ROOT/build/plugin/mailsess.so}
TSHARK_TIMEOUT=${HOSTILE_TSHARK_TIMEOUT:-3600}
PORT=2529            # the hostile smtpd listener
FAKE_PORT=2530       # the fake server of "unsolicited"
SVC="127.0.0.1:$PORT"
CLEANUP_SVC=mshostile-cleanup

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (tcpdump, postfix configuration)"

listening() { ss -Hltn "sport = :$1" | grep -q "127\.0\.0\.1:$1 "; }

###########################################################################
# 1. servers
###########################################################################
remove_listener() {
    postconf -MX "$SVC/inet" 2>/dev/null || true
    postconf -MX "$CLEANUP_SVC/unix" 2>/dev/null || true
    postfix reload
    if [ -e "$HD_BASE/master.pid" ]; then dovecot -c "$HD_CONF" stop || true; fi
}

setup_postfix() {
    [ "$(postconf -h myhostname 2>/dev/null)" = mx.example.test ] ||
        die "postfix is not configured by test-captures/make-smtp-captures.sh (run it once: SKIP_APT=1 CASES=smtp-noauth)"
    # dovecot SASL for postfix (make-smtp-captures.sh's private instance)
    if [ ! -S /var/spool/postfix/private/auth ] ||
       ! { [ -e /run/dovecot-mailsess/master.pid ] && kill -0 "$(cat /run/dovecot-mailsess/master.pid)" 2>/dev/null; }; then
        [ -f /etc/dovecot/mailsess-auth.conf ] || die "no /etc/dovecot/mailsess-auth.conf (run make-smtp-captures.sh)"
        log "starting dovecot SASL (/etc/dovecot/mailsess-auth.conf)"
        dovecot -c /etc/dovecot/mailsess-auth.conf </dev/null >/dev/null 2>&1
    fi
    log "postfix: smtpd listener $SVC, cleanup service $CLEANUP_SVC"
    # limits high enough that the attacker is never cut off by the server;
    # accepted mail goes to the discard transport
    local o opts=(
        syslog_name=postfix/hostile$PORT
        smtpd_recipient_limit=2000000
        smtpd_recipient_overshoot_limit=2000000
        smtpd_hard_error_limit=2000000
        smtpd_soft_error_limit=2000000
        smtpd_error_sleep_time=0
        smtpd_junk_command_limit=2000000
        smtpd_forbidden_commands=
        smtpd_client_auth_rate_limit=0
        smtpd_client_recipient_rate_limit=0
        smtpd_client_message_rate_limit=0
        smtpd_timeout=300s
        message_size_limit=1000000000
        cleanup_service_name=$CLEANUP_SVC
        smtpd_sasl_path=private/auth-hostile
        local_recipient_maps=
        content_filter=discard:hostile-sessions
    )
    # 3.7.10+/3.8.5+/3.9: refuse bare LF / unadvertised pipelining; off here
    postconf -d smtpd_forbid_bare_newline >/dev/null 2>&1 && opts+=(smtpd_forbid_bare_newline=no)
    postconf -d smtpd_forbid_unauth_pipelining >/dev/null 2>&1 && opts+=(smtpd_forbid_unauth_pipelining=no)
    postconf -M "$SVC/inet=$SVC inet n - n - - smtpd"
    for o in "${opts[@]}"; do postconf -P "$SVC/inet/$o"; done
    # cleanup enforces message_size_limit too: a cleanup of its own
    postconf -M "$CLEANUP_SVC/unix=$CLEANUP_SVC unix n - n - 0 cleanup"
    postconf -P "$CLEANUP_SVC/unix/message_size_limit=1000000000"
    # no 1 s pause per MAIL transaction (no mail is delivered, so the flow
    # control tokens of in_flow_delay never come back)
    postconf -P "$CLEANUP_SVC/unix/in_flow_delay=0"
    postfix check
    setup_hostile_dovecot
    start_fake_sasl
    if postfix status >/dev/null 2>&1; then postfix reload >/dev/null 2>&1; else postfix start; fi
    local i
    for i in $(seq 100); do listening $PORT && break; sleep 0.1; done
    listening $PORT || die "postfix does not listen on $SVC"
    [ -n "$(postconf -M "$SVC/inet")" ] || die "the $SVC entry vanished from master.cf (concurrent postconf?)"
}

# Authentication for the hostile sessions. dovecot 2.3 holds every failed
# authentication in a queue it flushes every 500 ms, even with
# auth_failure_delay = 0; a session waits for each, so 100,000 failures would
# take 14 hours. So:
#  - SMTP AUTH on 2529: postfix asks a stand-in for dovecot's SASL service
#    (hostile_client.py fake-sasl on private/auth-hostile) that refuses every
#    attempt at once; the 535 replies are postfix's own;
#  - POP3 USER/PASS: a private dovecot POP3 on 127.0.0.1:2531 whose passdb
#    accepts any password but marks every user "nologin" + "nodelay": dovecot
#    refuses each login at once with "-ERR [AUTH] hostile-test" (for POP3
#    logins dovecot honours nodelay; for postfix, an auth-only client, it
#    does not, hence the stand-in above).
HD_CONF=/etc/dovecot/mailsess-hostile.conf
HD_BASE=/run/dovecot-mailsess-hostile
HD_POP3_PORT=2531
setup_hostile_dovecot() {
    cat > "$HD_CONF" <<HDEOF
# mailsess hostile sessions: POP3 on 127.0.0.1:$HD_POP3_PORT where every login fails at once.
# Generated by tests/robustness/hostile-sessions.sh - do not edit.
instance_name = dovecot-mailsess-hostile
base_dir = $HD_BASE
state_dir = $HD_BASE/state
protocols = pop3
listen = 127.0.0.1
ssl = no
log_path = /var/log/dovecot-mailsess-hostile.log
login_greeting = mailsess-hostile POP3 ready.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = no
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = static
  args = nopassword=y nologin=y nodelay=y reason=hostile-test
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
mail_location = maildir:/nonexistent/Maildir
service pop3-login {
  inet_listener pop3 {
    port = $HD_POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
HDEOF
    mkdir -p "$HD_BASE/state"
    doveconf -c "$HD_CONF" -n > /dev/null || die "dovecot rejects $HD_CONF"
    if [ -e "$HD_BASE/master.pid" ] && kill -0 "$(cat "$HD_BASE/master.pid")" 2>/dev/null; then
        doveadm -c "$HD_CONF" reload 2>/dev/null || true
    else
        log "starting dovecot ($HD_CONF)"
        dovecot -c "$HD_CONF" </dev/null >/dev/null 2>&1 ||
            die "dovecot did not start, see /var/log/dovecot-mailsess-hostile.log"
    fi
    local i
    for i in $(seq 100); do
        listening $HD_POP3_PORT && return 0
        sleep 0.1
    done
    die "the hostile dovecot does not listen on 127.0.0.1:$HD_POP3_PORT"
}

SASL_SOCK=/var/spool/postfix/private/auth-hostile
SASL_PID=
start_fake_sasl() {
    rm -f "$SASL_SOCK"
    $PY "$CLIENT" fake-sasl "$SASL_SOCK" > "$WORK/fake-sasl.log" 2>&1 &
    SASL_PID=$!
    local i
    for i in $(seq 50); do [ -S "$SASL_SOCK" ] && return 0; sleep 0.1; done
    die "the fake SASL service did not start: $(cat "$WORK/fake-sasl.log")"
}

setup_pop3() {
    listening 110 && return 0
    if [ -f /etc/dovecot/mailsess-pop3.conf ]; then
        log "starting dovecot POP3 (/etc/dovecot/mailsess-pop3.conf, 127.0.0.1:110)"
        dovecot -c /etc/dovecot/mailsess-pop3.conf </dev/null >/dev/null 2>&1 || true
        local i
        for i in $(seq 100); do listening 110 && return 0; sleep 0.1; done
    fi
    return 1
}

if [ "${1:-}" = --remove ]; then
    remove_listener
    exit 0
fi

###########################################################################
# 2. tshark environment (tshark as nobody, plugin in a private HOME)
###########################################################################
. "$ROOT/tests/integration/tshark-env.sh"
[ -f "$PLUGIN" ] || die "no plugin $PLUGIN (build it first)"
WSVER=$(tshark --version | sed -n '1s/.* \([0-9]*\.[0-9]*\)\.[0-9].*/\1/p')
ms_env_setup "$PLUGIN" "$WSVER"
mkdir -p "$MS_ENV/noextcap" "$MS_ENV/out"
chmod 755 "$MS_ENV/noextcap"
chmod 1777 "$MS_ENV/out"
MS_TSHARK_ENV=(WIRESHARK_EXTCAP_DIR="$MS_ENV/noextcap")
ms_assert_loaded || exit 1

TCPDUMP_PID=
CLIENT_PID=
cleanup() {
    [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null || true
    if [ -n "$SASL_PID" ]; then kill "$SASL_PID" 2>/dev/null || true; rm -f "$SASL_SOCK"; fi
    if [ -n "$TCPDUMP_PID" ] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    rm -rf "$MS_ENV"
}
trap cleanup EXIT

# timed NAME ARGS...: tshark under nice and /usr/bin/time; "wall rss" in $dir/time-NAME
timed() {
    local name=$1
    shift
    local tf="$MS_ENV/out/time-$name"
    rm -f "$tf"
    MS_TSHARK_WRAP=(timeout "$TSHARK_TIMEOUT" nice -n 10 /usr/bin/time -o "$tf" -f '%e %M')
    local rc=0
    ms_tshark "$@" || rc=$?
    MS_TSHARK_WRAP=()
    # /usr/bin/time prefixes "Command exited with non-zero status N" lines
    tail -1 "$tf" > "$dir/time-$name" 2>/dev/null || echo "0 0" > "$dir/time-$name"
    echo "$rc" > "$dir/rc-$name"
    return 0
}

###########################################################################
# 3. one case
###########################################################################
start_capture() {
    local filter=$1 i
    : > "$dir/tcpdump.err"
    # --immediate-mode: without it, the packets of the last, unfilled TPACKET_V3
    # block are lost when tcpdump is stopped (and not counted as dropped)
    nice -n 5 tcpdump -i lo -s 0 -B 262144 --immediate-mode -n -Z root -w "$dir/capture.pcap" "$filter" \
        2> "$dir/tcpdump.err" &
    TCPDUMP_PID=$!
    for i in $(seq 100); do grep -q 'listening on' "$dir/tcpdump.err" && return 0; sleep 0.1; done
    die "tcpdump did not start: $(cat "$dir/tcpdump.err")"
}

stop_capture() {
    sleep 1.5
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    chmod 644 "$dir/capture.pcap"
}

FIELDS="session proto auth_method auth_user auth_result auth_attempts auth_failures auth_plaintext
        mail_from rcpt_to rcpt_rejected msg_count msg_bytes quit duration last_frame"

analyse() {
    local port=$1 cap="$dir/capture.pcap" opts=() base=() f ef=()
    # mailsess finds SMTP/POP3 on 2529-2531 by the greeting; let heuristics
    # look first. Without mailsess nothing would dissect those ports as mail:
    # the baseline run decodes them as SMTP/POP3 (Decode As), so that the
    # difference is mailsess' own cost, not that of the built-in dissectors.
    if [ "$port" != 110 ]; then
        opts=(-o tcp.try_heuristic_first:TRUE)
        if [ "$port" = "$HD_POP3_PORT" ]; then base=(-d "tcp.port==$port,pop"); else base=(-d "tcp.port==$port,smtp"); fi
    fi
    for f in $FIELDS; do ef+=(-e "mailsess.$f"); done
    log "$cname: tshark with mailsess"
    timed with -2 -r "$cap" ${opts[@]+"${opts[@]}"} -q -z expert > "$dir/expert-with.txt" 2> "$dir/tshark-with.err"
    log "$cname: tshark --disable-protocol mailsess"
    timed without -2 -r "$cap" ${base[@]+"${base[@]}"} --disable-protocol mailsess -q -z expert \
        > "$dir/expert-without.txt" 2> "$dir/tshark-without.err"
    log "$cname: session row"
    timed summary -2 -r "$cap" ${opts[@]+"${opts[@]}"} -Y 'frame.number == mailsess.last_frame' -T fields \
        -E header=y -E occurrence=a -E aggregator='|' "${ef[@]}" > "$dir/session.tsv" 2> "$dir/tshark-summary.err"
    # the end of the connection is in the capture (noop: it must not be)
    local fins
    fins=$(ms_tshark -r "$cap" --disable-protocol mailsess -Y 'tcp.flags.fin == 1 || tcp.flags.reset == 1' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    local frames
    frames=$(capinfos -M -c "$cap" 2>/dev/null | sed -n 's/^Number of packets: *//p')
    CAP="$cap" DIR="$dir" FRAMES="${frames:-0}" FINS="$fins" CASE="$cname" $PY - <<'PYEOF'
import json, os, re
d = os.environ["DIR"]
def tm(n):
    try:
        w, r = open(os.path.join(d, "time-" + n)).read().split()[:2]
        rc = int(open(os.path.join(d, "rc-" + n)).read())
        return {"wall_s": float(w), "rss_kb": int(r), "rc": rc}
    except Exception:
        return {"wall_s": 0, "rss_kb": 0, "rc": -1}
res = {"capture_bytes": os.path.getsize(os.environ["CAP"]), "frames": int(os.environ["FRAMES"]),
       "with": tm("with"), "without": tm("without"), "two_pass": tm("summary")}
rows = open(os.path.join(d, "session.tsv")).read().splitlines()
if len(rows) >= 2:
    hdr = [h.replace("mailsess.", "") for h in rows[0].split("\t")]
    res["summary"] = dict(zip(hdr, rows[1].split("\t")))
    res["sessions"] = len(rows) - 1
res["experts"] = [l.rstrip() for l in open(os.path.join(d, "expert-with.txt"), errors="replace")
                  if "MAILSESS" in l]
chk = {}
err = open(os.path.join(d, "tcpdump.err")).read()
m = re.search(r"(\d+) packets? dropped by kernel", err)
chk["tcpdump drops"] = True if m and m.group(1) == "0" else "tcpdump: " + " ".join(err.split())[-120:]
for n in ("with", "without", "two_pass"):
    if res[n]["rc"] != 0:
        chk["tshark " + n + " exit"] = "tshark exited %d" % res[n]["rc"]
if res.get("sessions", 1) != 1:
    chk["sessions"] = "%d session rows" % res["sessions"]
for n in ("with", "summary"):
    e = open(os.path.join(d, "tshark-%s.err" % n), errors="replace").read()
    if re.search(r"(?i)mailsess|dissector bug|malformed", e):
        chk["tshark %s stderr" % n] = e[:200]
if os.environ["CASE"] != "noop":
    chk["FIN/RST in the capture"] = True if os.environ["FINS"] != "0" else "the capture misses the end of the connection"
else:
    info = json.load(open(os.path.join(d, "result.json")))
    chk["no FIN/RST in the capture"] = True if os.environ["FINS"] == "0" else "%s FIN/RST frames" % os.environ["FINS"]
    dur = float(res.get("summary", {}).get("duration", "0") or 0)
    chk["duration covers the session"] = True if dur >= 0.95 * info["seconds"] else \
        "duration %.1f s < %.1f s the client ran" % (dur, info["seconds"])
json.dump(res, open(os.path.join(d, "metrics.json"), "w"), indent=1)
PYEOF
}

run_case() {
    cname=$1
    local ccase=$1 port=$PORT extra=()
    case $cname in
        garbage-smtp) ccase=garbage ;;
        garbage-pop3) ccase=garbage; port=110 ;;
        pop3auth) port=$HD_POP3_PORT ;;
        unsolicited) port=$FAKE_PORT ;;
    esac
    if [ "$port" = 110 ] && ! setup_pop3; then
        log "$cname: skipped (no dovecot POP3 on 127.0.0.1:110; run make-pop3-captures.sh once)"
        return 0
    fi
    if [ "$port" = $FAKE_PORT ] && listening $FAKE_PORT; then
        die "something already listens on 127.0.0.1:$FAKE_PORT"
    fi
    dir="$WORK/$cname"
    if [ "${HOSTILE_REANALYSE:-0}" = 1 ]; then
        [ -f "$dir/capture.pcap" ] && [ -f "$dir/result.json" ] || { log "$cname: no capture to analyse"; return 0; }
        log "$cname: analysing the capture again"
        analyse $port
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 755 "$dir"
    log "$cname: recording (scale $SCALE)"
    start_capture "tcp port $port"
    local t0=$SECONDS
    if [ "$cname" = noop ]; then
        # the capture ends while the session is still open: no FIN in it
        nice -n 5 $PY "$CLIENT" noop --scale "$SCALE" --port $port --out "$dir/result.json" \
            --pause-file "$dir/pause" > "$dir/client.log" 2>&1 &
        CLIENT_PID=$!
        while [ ! -e "$dir/pause" ]; do
            kill -0 $CLIENT_PID 2>/dev/null || die "$cname: client failed: $(tail -5 "$dir/client.log")"
            sleep 0.2
        done
        stop_capture
        touch "$dir/pause.go"
        wait $CLIENT_PID || die "$cname: client failed: $(tail -5 "$dir/client.log")"
        CLIENT_PID=
    else
        nice -n 5 $PY "$CLIENT" "$ccase" --scale "$SCALE" --port $port --out "$dir/result.json" \
            "${extra[@]}" > "$dir/client.log" 2>&1 ||
            { stop_capture; die "$cname: client failed: $(tail -5 "$dir/client.log")"; }
        stop_capture
    fi
    log "$cname: session took $((SECONDS - t0)) s, capture $(du -h "$dir/capture.pcap" | cut -f1)"
    analyse $port
}

mkdir -p "$WORK"
chmod 755 "$WORK"
setup_postfix
log "plugin $PLUGIN ($(stat -c %y "$PLUGIN" | cut -d. -f1)), scale $SCALE, work dir $WORK"
T0=$SECONDS
for c in $CASES; do
    case " rcpt data longline auth pop3auth pipeline unsolicited noop garbage-smtp garbage-pop3 " in
        *" $c "*) run_case "$c" ;;
        *) die "unknown case $c" ;;
    esac
done
log "all cases: $((SECONDS - T0)) s"
$PY "$CLIENT" report "$WORK" | tee "$WORK/report.md"
