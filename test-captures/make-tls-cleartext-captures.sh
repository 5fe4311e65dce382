#!/usr/bin/env bash
# make-tls-cleartext-captures.sh - regenerate the test captures of a client
# that keeps talking in clear text after the STARTTLS/STLS go-ahead (issue 15,
# "TLS observed, not assumed"):
#
#   smtp-starttls-cleartext-auth  a scripted client (tools/starttls_cleartext.py
#                                 smtp) gets postfix's 220 go-ahead on port 25,
#                                 then sends AUTH PLAIN with its secret in
#                                 clear text instead of a ClientHello
#   pop3-stls-cleartext-user      the same client (pop3) gets dovecot's +OK to
#                                 STLS on port 110, then sends USER and PASS in
#                                 clear text
#
# The normal case (a real TLS handshake after the go-ahead, no false
# positive) is covered by the existing smtp-starttls-auth, pop3-stls and
# port-smtp-587-starttls captures, whose goldens do not move.
#
# Run as root on Debian 12, under the servers' lock when other work shares
# the machine's postfix and dovecot:
#     sudo flock /tmp/mailsess-servers.lock bash test-captures/make-tls-cleartext-captures.sh
#
# What it does (idempotent, re-runnable): apt-get installs postfix, dovecot,
# tcpdump, tshark, python3 (SKIP_APT=1 skips this step); configures and
# (re)starts postfix (port 25, servers.sh setup_smtp_server) and the dovecot
# POP3 instance of port 110 (setup_pop3_server) from scratch, as the other
# make-*-captures.sh scripts do; records one TCP connection per case with
# tcpdump on "lo" into test-captures/<case>/capture.pcap, checks what is on
# the wire and writes a README.md per case with the segments, what the
# client printed and the server's log lines. All traffic goes to 127.0.0.1
# only. CASES="..." records only those cases.
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

ALL_CASES="smtp-starttls-cleartext-auth pop3-stls-cleartext-user"
select_cases
setup_work mailsess-tls-cleartext-captures

apt_install "${POSTFIX_DEBCONF[@]}" -- postfix tcpdump tshark python3 iproute2 \
    dovecot-core dovecot-pop3d
need_tools tcpdump tshark ss "$PY"

setup_smtp_server
setup_pop3_server

pcap_of() { echo "$OUT/$1/capture.pcap"; }

client_smtp-starttls-cleartext-auth() { "$PY" "$TOOLS/starttls_cleartext.py" smtp 127.0.0.1 25; }
client_pop3-stls-cleartext-user() { "$PY" "$TOOLS/starttls_cleartext.py" pop3 127.0.0.1 110; }

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

# segments <pcap> <server port>: one line per TCP segment with payload or FIN/RST
segments() {
    tshark -r "$1" -Y 'tcp.len > 0 || tcp.flags.fin == 1 || tcp.flags.reset == 1' -T fields -E separator=' ' -e frame.number -e tcp.srcport \
        -e tcp.len -e _ws.col.Info 2>/dev/null |
        awk -v sp="$2" '{ side = ($2 == sp) ? "S" : "C"; $2 = side; print "        " $0 }'
}

# check <case>: the go-ahead, then the secret in clear text from the client
check() {
    local c=$1 p; p=$(pcap_of "$1")
    case $c in
        smtp-starttls-cleartext-auth)
            tshark -r "$p" -Y 'smtp.response.code == 220 && smtp.rsp.parameter contains "TLS"' 2>/dev/null |
                grep -q . || die "$c: no 220 go-ahead"
            tshark -r "$p" -Y 'tcp.srcport != 25 && tcp.payload contains "AUTH PLAIN"' 2>/dev/null |
                grep -q . || die "$c: no clear-text AUTH PLAIN" ;;
        pop3-stls-cleartext-user)
            tshark -r "$p" -Y 'pop.request.command == "STLS"' 2>/dev/null | grep -q . ||
                die "$c: no STLS"
            tshark -r "$p" -Y 'tcp.srcport != 110 && tcp.payload contains "PASS alicepw"' 2>/dev/null |
                grep -q . || die "$c: no clear-text PASS" ;;
    esac
}

readme() {
    local c=$1 port=$2 p; p=$(pcap_of "$1")
    local tsv pfv dovv pyv
    tsv=$(tshark --version 2>/dev/null | awk 'NR==1{print $3}')
    pfv=$(postconf -h mail_version 2>/dev/null || echo '?')
    dovv=$(dovecot --version | awk '{print $1}')
    pyv=$("$PY" -c 'import platform; print(platform.python_version())')
    {
        echo "# $c"
        echo
        case $c in
            smtp-starttls-cleartext-auth)
                echo "**STARTTLS accepted, then the client sends its password in clear text instead of starting TLS.**"
                echo
                echo "Client: a scripted client (\`tools/starttls_cleartext.py smtp\`, python $pyv, standard library): EHLO, STARTTLS, reads \`220 2.0.0 Ready to start TLS\`, then sends \`AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\` (alice / alicepw) in clear text where its ClientHello belongs, reads what comes back and closes. No stock client does this on purpose (a client with a broken TLS layer, or a man in the middle removing TLS after the go-ahead, does), hence the script."
                echo "Server: the real postfix $pfv on 127.0.0.1:25 (servers.sh). It takes the clear text as a broken TLS handshake: see the segments and its log below for what it answered (the client's own report of it: \`$(client_said "$c" "after the switch" | cut -c1-80)\`). The password crossed the wire in clear all the same."
                echo
                echo "What a reader should see: \`mailsess.tls\` \`starttls\`, \`mailsess.tls_cleartext\` \`client\`, \`mailsess.expert.tls_cleartext\` (Warning/Security) and \`mailsess.expert.plaintext_auth\` on the client's clear-text frame, \`mailsess.auth_plaintext\` 1, \`mailsess.auth_user\` \`alice\`. The built-in TLS dissector shows that frame as \"Ignored Unknown Record\"; mailsess reads it as SMTP because its bytes are not a TLS record." ;;
            pop3-stls-cleartext-user)
                echo "**STLS accepted, then the client sends USER and PASS in clear text instead of starting TLS.**"
                echo
                echo "Client: a scripted client (\`tools/starttls_cleartext.py pop3\`, python $pyv, standard library): STLS right after the greeting, reads \`+OK Begin TLS negotiation now.\`, then sends \`USER alice\` and \`PASS alicepw\` (one write) in clear text where its ClientHello belongs, reads what comes back and closes. No stock client does this on purpose, hence the script."
                echo "Server: the real dovecot $dovv POP3 on 127.0.0.1:110 (servers.sh). It takes the clear text as a broken TLS handshake: see the segments and its log below for what it answered (the client's own report of it: \`$(client_said "$c" "after the switch" | cut -c1-80)\`). The password crossed the wire in clear all the same."
                echo
                echo "What a reader should see: \`mailsess.tls\` \`starttls\`, \`mailsess.tls_cleartext\` \`client\`, \`mailsess.expert.tls_cleartext\` (Warning/Security) and \`mailsess.expert.plaintext_auth\` on the client's clear-text frame, \`mailsess.auth_plaintext\` 1, \`mailsess.auth_user\` \`alice\` (USER/PASS, no reply to either)." ;;
        esac
        echo
        echo "On the wire (every segment with payload, and the FIN/RST: frame, C client / S server, TCP payload bytes, tshark's summary):"
        echo
        segments "$p" "$port"
        echo
        echo "What the client printed:"
        echo
        sed 's/^/    /' "$WORK/$c.log"
        echo
        echo "The server's log of the session:"
        echo
        sed 's/^/    /' "$WORK/$c.slog"
        echo
        echo "Generated by \`test-captures/make-tls-cleartext-captures.sh\`: $(frames "$p") frames, 1 TCP connection; tshark $tsv."
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
