#!/usr/bin/env bash
# make-tls-outcome-captures.sh - regenerate the test captures of what follows
# the STARTTLS/STLS go-ahead when no TLS session comes of it (issue 14 item 3):
#
#   smtp-starttls-handshake-failure  openssl s_client -starttls smtp offering
#                                    only NULL ciphers to the real postfix
#                                    (port 25): postfix answers 220, then the
#                                    ClientHello with a handshake_failure alert
#   smtp-starttls-abort              a scripted client (tools/starttls_abort.py)
#                                    closes right after postfix's 220 go-ahead,
#                                    before any TLS byte
#   pop3-stls-handshake-failure      openssl s_client -starttls pop3 offering
#                                    only NULL ciphers to the real dovecot
#                                    (port 110): +OK, then dovecot closes
#
# Run as root on Debian 12, under the servers' lock when other work shares
# the machine's postfix and dovecot:
#     sudo flock /tmp/mailsess-servers.lock bash test-captures/make-tls-outcome-captures.sh
#
# What it does (idempotent, re-runnable):
#   1. apt-get installs postfix, dovecot, tcpdump, tshark, python3, openssl
#      (SKIP_APT=1 skips this step);
#   2. configures and (re)starts postfix (port 25, servers.sh setup_smtp_server)
#      and the dovecot POP3 instance of port 110 (setup_pop3_server), from
#      scratch, as the other make-*-captures.sh scripts do;
#   3. records one TCP connection per case with tcpdump on "lo" into
#      test-captures/<case>/capture.pcap, checks what is on the wire (the
#      go-ahead, then no TLS session) and writes a README.md per case with
#      the segments and the server's log lines.
# All traffic goes to 127.0.0.1 only. No key log: no TLS session is ever
# established. CASES="..." records only those cases.
#
# Only capture.pcap and README.md are (re)written: review the goldens again
# (tests/integration/check-case.sh ... --update) after a new run.
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck source=servers.sh
. "$SCRIPT_DIR/servers.sh"   # PLOG POP3_LOG, setup_smtp_server, setup_pop3_server
OUT=${OUT:-$SCRIPT_DIR}

ALL_CASES="smtp-starttls-handshake-failure smtp-starttls-abort pop3-stls-handshake-failure"
select_cases
setup_work mailsess-tls-outcome-captures

apt_install "${POSTFIX_DEBCONF[@]}" -- postfix tcpdump tshark python3 openssl iproute2 \
    dovecot-core dovecot-pop3d
need_tools tcpdump tshark openssl ss "$PY"

setup_smtp_server
setup_pop3_server

pcap_of() { echo "$OUT/$1/capture.pcap"; }

# NULL ciphers only, TLS 1.2: a real client configuration no server of ours accepts
NULL_CIPHERS=(-tls1_2 -cipher 'eNULL:@SECLEVEL=0')

# client_<case>: the client of each case (its output goes to $WORK/<case>.log)
client_smtp-starttls-handshake-failure() {
    openssl s_client -connect 127.0.0.1:25 -starttls smtp -name "$HELO" "${NULL_CIPHERS[@]}" \
        </dev/null || echo "openssl s_client exited with $?"
}
client_smtp-starttls-abort() {
    "$PY" "$TOOLS/starttls_abort.py" 127.0.0.1 25
}
client_pop3-stls-handshake-failure() {
    openssl s_client -connect 127.0.0.1:110 -starttls pop3 "${NULL_CIPHERS[@]}" \
        </dev/null || echo "openssl s_client exited with $?"
}

# capture_once <case> <port> <server log>: returns 1 when tcpdump misbehaved
capture_once() {
    local c=$1 port=$2 slog=$3 off
    off=$(stat -c %s "$slog" 2>/dev/null || echo 0)
    run_recorded "$c" "$(pcap_of "$c")" "host 127.0.0.1 and tcp port $port" "$port" \
        "client_$c" || return 1
    sleep 1
    tail -c +$((off + 1)) "$slog" | sed -E 's/^[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} //' \
        >"$WORK/$c.slog"
    check_one_session "$c" "$(pcap_of "$c")"
}

# segments <pcap>: one line per TCP segment with payload or FIN/RST: frame, side, what it is
segments() {
    tshark -r "$1" -Y 'tcp.len > 0 || tcp.flags.fin == 1 || tcp.flags.reset == 1' -T fields -E separator=' ' -e frame.number -e tcp.srcport \
        -e tcp.len -e _ws.col.Info 2>/dev/null |
        awk -v sp="$2" '{ side = ($2 == sp) ? "S" : "C"; $2 = side; print "        " $0 }'
}

# check <case>: what a reader of the README is told is on the wire
check() {
    local c=$1 p; p=$(pcap_of "$1")
    case $c in
        smtp-starttls-handshake-failure)
            tshark -r "$p" -Y 'smtp.response.code == 220 && smtp.rsp.parameter contains "TLS"' 2>/dev/null |
                grep -q . || die "$c: no 220 go-ahead"
            tshark -r "$p" -Y 'tls.alert_message.desc == 40 && tcp.srcport == 25' 2>/dev/null |
                grep -q . || die "$c: postfix sent no handshake_failure alert" ;;
        smtp-starttls-abort)
            tshark -r "$p" -Y 'smtp.response.code == 220 && smtp.rsp.parameter contains "TLS"' 2>/dev/null |
                grep -q . || die "$c: no 220 go-ahead"
            ! tshark -r "$p" -Y tls 2>/dev/null | grep -q . || die "$c: a TLS record was sent" ;;
        pop3-stls-handshake-failure)
            tshark -r "$p" -Y 'pop.request.command == "STLS"' 2>/dev/null | grep -q . ||
                die "$c: no STLS"
            tshark -r "$p" -Y 'tls.handshake.type == 1' 2>/dev/null | grep -q . ||
                die "$c: no ClientHello" ;;
    esac
}

readme() {
    local c=$1 port=$2 p; p=$(pcap_of "$1")
    local tsv osv pfv dovv
    tsv=$(tshark --version 2>/dev/null | awk 'NR==1{print $3}')
    osv=$(openssl version | awk '{print $2}')
    pfv=$(postconf -h mail_version 2>/dev/null || echo '?')
    dovv=$(dovecot --version | awk '{print $1}')
    {
        echo "# $c"
        echo
        case $c in
            smtp-starttls-handshake-failure)
                echo "**STARTTLS accepted, then the TLS handshake fails: the server refuses the client's ciphers.**"
                echo
                echo "Client: \`openssl s_client -starttls smtp ${NULL_CIPHERS[*]}\` (OpenSSL $osv): EHLO, STARTTLS, then a TLS 1.2 ClientHello offering only NULL (unencrypted) cipher suites."
                echo "Server: the real postfix $pfv on 127.0.0.1:25 (servers.sh). It answers STARTTLS with \`220 2.0.0 Ready to start TLS\`, then the ClientHello with a fatal \`handshake_failure\` (40) alert in clear text (no cipher in common) and ends the session."
                echo
                echo "What a reader should see: \`mailsess.tls\` \`starttls\`, \`mailsess.starttls_result\` \`accepted\`, \`mailsess.tls_handshake\` \`failed\`, \`mailsess.tls_alert\` \`server: fatal handshake_failure (40)\`, and \`mailsess.expert.tls_handshake_failed\` (Warning/Security) on the frame of the alert. No \`no_quit\`: nothing after the switch is read as commands." ;;
            smtp-starttls-abort)
                echo "**STARTTLS accepted, then the client closes the connection before the TLS handshake.**"
                echo
                echo "Client: a scripted client (\`tools/starttls_abort.py\`, python $("$PY" -c 'import platform; print(platform.python_version())') smtplib): EHLO, STARTTLS, reads the 220 and closes the socket without sending a TLS byte. No stock client stops at this point on purpose (a real one does when its TLS set-up fails locally), hence the script."
                echo "Server: the real postfix $pfv on 127.0.0.1:25 (servers.sh); it logs \`lost connection after STARTTLS\`."
                echo
                echo "What a reader should see: \`mailsess.tls_handshake\` \`closed\` and \`mailsess.expert.tls_handshake_failed\` (Warning/Security) on the client's FIN: the client never sent an encrypted record, so no TLS session and no QUIT inside it can have existed. No \`mailsess.tls_alert\`." ;;
            pop3-stls-handshake-failure)
                echo "**STLS accepted, then the TLS handshake fails: dovecot refuses the client's ciphers by closing.**"
                echo
                echo "Client: \`openssl s_client -starttls pop3 ${NULL_CIPHERS[*]}\` (OpenSSL $osv): STLS right after the greeting, then a TLS 1.2 ClientHello offering only NULL cipher suites."
                echo "Server: the real dovecot $dovv POP3 on 127.0.0.1:110 (servers.sh). It answers \`+OK Begin TLS negotiation now.\`, then closes the connection (FIN) on the ClientHello without sending an alert (its log below: \`no shared cipher\`); the client, reading the close, then sends a fatal \`decode_error\` alert, which dovecot answers with a RST."
                echo
                echo "What a reader should see: \`mailsess.tls_handshake\` \`closed\` and \`mailsess.expert.tls_handshake_failed\` (Warning/Security) on dovecot's FIN: the client had sent no encrypted record when the connection closed, so the handshake demonstrably never completed. The first of the two facts decides: the client's alert after the close changes nothing (no \`mailsess.tls_alert\`)." ;;
        esac
        echo
        echo "On the wire (every segment with payload, and the FIN/RST: frame, C client / S server, TCP payload bytes, tshark's summary):"
        echo
        segments "$p" "$port"
        echo
        echo "The server's log of the session:"
        echo
        sed 's/^/    /' "$WORK/$c.slog"
        echo
        echo "Generated by \`test-captures/make-tls-outcome-captures.sh\`: $(frames "$p") frames, 1 TCP connection; tshark $tsv."
    } >"$OUT/$c/README.md"
}

for c in $ALL_CASES; do
    want "$c" || continue
    case $c in pop3-*) port=110 slog=$POP3_LOG ;; *) port=25 slog=$PLOG ;; esac
    mkdir -p "$OUT/$c"
    log "case $c"
    record "$c" "$(pcap_of "$c")" capture_once "$c" "$port" "$slog"
    check "$c"
    readme "$c" "$port"
done
log "done"
