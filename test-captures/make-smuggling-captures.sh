#!/usr/bin/env bash
# make-smuggling-captures.sh - the SMTP smuggling captures: what a real
# postfix does with each end-of-data look-alike, under each setting of
# smtpd_forbid_bare_newline.
#
# Run as root on Debian 12 (shared servers: under the lock):
#     sudo flock /tmp/mailsess-servers.lock bash test-captures/make-smuggling-captures.sh
#
# Each case is one session of tools/smuggling_client.py (a scripted raw
# client: no real mail client sends an end-of-data look-alike on purpose)
# against the postfix of servers.sh on 127.0.0.1:25: MAIL alice, RCPT bob,
# DATA, then ONE write holding message 1, the look-alike, a second
# transaction (MAIL evil, RCPT bob, DATA, message 2) and CRLF.CRLF; every
# reply is read (until 3 s of silence), then QUIT.
#
# The script configures postfix with servers.sh (setup_smtp_server), then
# per case sets smtpd_forbid_bare_newline (and empties
# smtpd_forbid_bare_newline_exclusions, whose default $mynetworks covers
# 127.0.0.0/8 and would exempt the test client) and reloads postfix; on exit
# (also on failure) both parameters are removed again and postfix reloaded,
# which is the servers.sh setup. It writes capture.pcap and README.md of
# test-captures/smtp-smuggling-<case>/ (the golden files are not touched:
# review and update them after a run). CASES="reject cr-cr" records only
# those; SKIP_APT=1 skips package installation.
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck source=servers.sh
. "$SCRIPT_DIR/servers.sh"
OUT=${OUT:-$SCRIPT_DIR}

# case: look-alike (tools/smuggling_client.py), smtpd_forbid_bare_newline
CASE_TABLE="
reject     lf-crlf  reject
normalize  lf-crlf  normalize
lf-lf      lf-lf    no
crlf-lf    crlf-lf  no
cr-cr      cr-cr    no
"
ALL_CASES=$(awk 'NF { print $1 }' <<<"$CASE_TABLE")
select_cases smtp-smuggling-
setup_work mailsess-smuggling

restore_postfix() {
    # the servers.sh setup sets neither parameter (postfix defaults)
    postconf -X smtpd_forbid_bare_newline smtpd_forbid_bare_newline_exclusions 2>/dev/null || true
    postfix reload >/dev/null 2>&1 3>&- || true
}
on_exit() {
    local rc=$?
    restore_postfix
    cleanup
    exit $rc
}
trap on_exit EXIT

apt_install "${POSTFIX_DEBCONF[@]}" -- postfix dovecot-core tcpdump tshark python3 openssl iproute2
need_tools postfix postconf tcpdump tshark ss "$PY"
postconf -d smtpd_forbid_bare_newline >/dev/null 2>&1 ||
    die "this postfix ($(postconf -h mail_version)) has no smtpd_forbid_bare_newline"
setup_smtp_server

# set_bare_newline <value>: for the next sessions
set_bare_newline() {
    postconf -e "smtpd_forbid_bare_newline = $1" "smtpd_forbid_bare_newline_exclusions ="
    postfix reload 3>&-
    sleep 2                                 # the master restarts its smtpd processes
    greets 25 "220 $MYHOST ESMTP mailsess-test"
}

capture_once() {
    local c=$1 pcap=$2
    shift 2
    run_recorded "$c" "$pcap" 'tcp port 25' 25 "$@"
}

# client_writes_match <case> <pcap>: every write of the client is one segment
client_writes_match() {
    grep '^C: ' "$WORK/$1.log" | sed 's/^C: //' >"$WORK/$1.writes"
    tshark -r "$2" -Y 'tcp.dstport==25 && tcp.len>0' -T fields -e tcp.payload 2>/dev/null |
        "$PY" "$TOOLS/streams.py" segs >"$WORK/$1.segs"
    cmp -s "$WORK/$1.writes" "$WORK/$1.segs" || {
        diff "$WORK/$1.writes" "$WORK/$1.segs" >&2 || true
        die "case $1: client segments differ from the client's writes"
    }
}

# postfix_log <offset>: the log lines of smtpd, cleanup, qmgr and local since
# offset, timestamps and connect lines cut (waits up to 5 s for the queue)
postfix_log() {
    sleep 2
    tail -c +$(($1 + 1)) "$PLOG" | grep -E 'postfix/(smtpd|cleanup|qmgr|local)' |
        grep -v -E ' (dis)?connect from ' | sed -E 's/^[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} //'
}

# what a reader should see, per case (reviewed against the golden files)
shows() {
    case $1 in
        reject) echo "postfix refused the message (one reply, \`550 5.5.2\`): the smuggled part was message content and was refused with it. mailsess shows \`mailsess.smuggling_result == \"refused\"\`, \`mailsess.smuggled == 0\`, the look-alike as \`mailsess.expert.smuggling\` and the refusal as \`mailsess.expert.msg_rejected\`; \`msg_count\` 0." ;;
        normalize) echo "postfix did not split (one reply, 250: one message of the RFC reading, the smuggled commands delivered as text of it). mailsess shows \`mailsess.smuggling_result == \"not-split\"\`, \`mailsess.smuggled == 0\`, one message (\`msg_count\` 1, \`msg_bytes\` the RFC size) and \`mailsess.expert.smuggling\` on the look-alike; no unmatched reply." ;;
        cr-cr) echo "postfix did not split: it does not end lines at a bare CR (one reply, 250). mailsess shows \`mailsess.smuggling_result == \"not-split\"\`, \`mailsess.smuggled == 0\`, one message of the RFC size and \`mailsess.expert.smuggling\` on the look-alike; no unmatched reply." ;;
        *) echo "postfix split the data at the look-alike and queued the smuggled message (five replies). mailsess follows the server's reading: \`mailsess.smuggling_result == \"accepted\"\`, \`mailsess.smuggled == 1\`, \`mailsess.smuggled_from\` evil@example.test, \`mailsess.smuggled_rcpt\` bob@example.test, \`mailsess.smuggled_bytes\` the smuggled message's size by the LF reading below; \`mailsess.expert.smuggled_message\` (Security/Error) on the reply frame that accepted it; the four extra replies answer the smuggled MAIL/RCPT/DATA/end of data (\`mailsess.request_in\` = the data frame), none is \`unmatched_reply\`. The RFC reading stays: \`msg_count\` 1, \`msg_bytes\` the RFC size." ;;
    esac
}

while read -r c kind mode; do
    [ -n "$c" ] || continue
    want "$c" || continue
    dir="$OUT/smtp-smuggling-$c"
    pcap="$dir/capture.pcap"
    mkdir -p "$dir"
    log "case smtp-smuggling-$c: look-alike $kind, smtpd_forbid_bare_newline = $mode"
    set_bare_newline "$mode"
    off=$(stat -c %s "$PLOG" 2>/dev/null || echo 0)
    record "$c" "$pcap" capture_once "$c" "$pcap" "$PY" "$TOOLS/smuggling_client.py" "smuggling-$c" "$kind"
    check_one_session "$c" "$pcap"
    client_writes_match "$c" "$pcap"
    plog=$(postfix_log "$off")
    n=$(client_said "$c" 'replies after the content')
    codes=$(client_said "$c" 'codes after the content')
    replies=$(grep "^S: .*(after the content" "$WORK/$c.log" | sed -E 's/^S: b.(.*)\\r\\n.  \(after the content #([0-9]+)\)$/\2. `\1`/')
    case $c in
        reject) [ "$n" = 1 ] && case $codes in 5*) true ;; *) false ;; esac ||
                    die "case $c: expected one refusal, got: $codes" ;;
        normalize|cr-cr) [ "$codes" = 250 ] || die "case $c: expected one 250, got: $codes" ;;
        *) [ "$codes" = "250 250 250 354 250" ] || die "case $c: expected 250 250 250 354 250, got: $codes"
           grep -q 'from=<evil@example.test>' <<<"$plog" || die "case $c: no message from evil queued" ;;
    esac
    write=$(grep "^C: b'From: Alice" "$WORK/$c.log" | sed 's/^C: //')
    {
        printf '# smtp-smuggling-%s\n\n' "$c"
        printf 'Client: `test-captures/tools/smuggling_client.py smuggling-%s %s`, a scripted raw python3 socket client (TCP_NODELAY, no AUTH, no TLS): no real mail client sends an end-of-data look-alike on purpose. EHLO, MAIL FROM:<alice@example.test>, RCPT TO:<bob@example.test>, DATA -> 354; then ONE write: message 1 whose last line `Alice` is followed by the end-of-data look-alike `%s`, then a second transaction (MAIL FROM:<evil@example.test>, RCPT TO:<bob@example.test>, DATA, message 2), then the real end of data `\\r\\n.\\r\\n`:\n\n```\n%s\n```\n\n' \
            "$c" "$kind" "$(client_said "$c" 'look-alike')" "$write"
        printf 'Then the client reads every reply (until 3 s of silence) and sends QUIT -> 221.\n\n'
        printf 'Server: postfix %s as set up by `servers.sh`, with `smtpd_forbid_bare_newline = %s` and `smtpd_forbid_bare_newline_exclusions =` (empty: its default `$mynetworks` includes 127.0.0.0/8 and would exempt this client) for this session only.\n\n' \
            "$(postconf -h mail_version)" "$mode"
        printf 'What postfix did: %s repl%s after the content (codes `%s`):\n\n%s\n\npostfix log of the session (timestamps cut):\n\n```\n%s\n```\n\n' \
            "$n" "$([ "$n" = 1 ] && echo y || echo ies)" "$codes" "$replies" "$plog"
        printf 'Message sizes (content after the 354 up to the end-of-data line, line ends included, dot-stuffing removed; computed by the client from the bytes it sent, assuming the server gives DATA its 354):\n\n'
        printf -- '- RFC 5321 reading (only CRLF.CRLF ends the data): %s\n' "$(client_said "$c" 'sizes crlf')"
        printf -- '- a server that ends lines at LF (as postfix with `no`): %s\n' "$(client_said "$c" 'sizes lf')"
        printf -- '- a server that ends lines at CR or LF: %s\n\n' "$(client_said "$c" 'sizes cr')"
        printf 'What a reader should see: %s\n\n' "$(shows "$c")"
        printf 'Generated by `test-captures/make-smuggling-captures.sh`: %s frames, one TCP connection.\n' "$(frames "$pcap")"
    } >"$dir/README.md"
done <<<"$CASE_TABLE"
log "done; postfix is restored to the servers.sh setup on exit"
