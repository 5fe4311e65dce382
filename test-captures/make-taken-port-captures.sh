#!/usr/bin/env bash
# make-taken-port-captures.sh - regenerate the captures of mail on ports that
# Wireshark 4.0 gives to another TCP protocol ("taken" ports), and of that
# other protocol's own traffic on the same ports (which must stay as it is):
#
#   port-smtp-8080-taken           postfix on 127.0.0.1:8080 (tcp.port 8080 = http), swaks
#   port-smtp-8080-taken-starttls  the same listener, curl with STARTTLS (keylog.txt)
#   port-pop3-21-taken             dovecot POP3 on 127.0.0.1:21 (tcp.port 21 = ftp), curl
#   nonmail-taken-http-8080        python3 http.server on 8080, curl
#   nonmail-taken-ftp-21           pyftpdlib on 21, curl (FTP greets with 220, like SMTP)
#   nonmail-taken-smtp-8080-decode-as  port-smtp-8080-taken's capture read with
#                                  -d tcp.port==8080,ftp (tshark-options): the
#                                  user's Decode As wins, no mail session
#
# Run as root on Debian 12, under the servers' lock (postfix and dovecot are
# shared):  flock /tmp/mailsess-servers.lock bash test-captures/make-taken-port-captures.sh
#
# It sets postfix up as servers.sh does (setup_smtp_server) plus one smtpd
# service 127.0.0.1:8080, and a dovecot instance of its own
# (/etc/dovecot/mailsess-taken.conf) with POP3 on 127.0.0.1:21 only; on exit
# the 8080 service is removed again (postfix as servers.sh leaves it) and the
# instance stopped. CASES="..." records only some cases; SKIP_APT=1 skips
# apt-get. Only capture.pcap, keylog.txt, tshark-options and README.md in
# each case folder are written; review the goldens after a new run.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck source=servers.sh
. "$SCRIPT_DIR/servers.sh"
OUT=${OUT:-$SCRIPT_DIR}

SMTP_PORT=8080     # tshark -G decodes: tcp.port 8080 http
POP_PORT=21        # tcp.port 21 ftp
TAKEN_CONF=/etc/dovecot/mailsess-taken.conf
TAKEN_ROOT=/var/lib/mailsess-taken
TAKEN_USER=mailsess-taken
TAKEN_LOG=/var/log/dovecot-mailsess-taken.log

ALL_CASES="nonmail-taken-http-8080 nonmail-taken-ftp-21 port-smtp-8080-taken
    port-smtp-8080-taken-starttls port-pop3-21-taken nonmail-taken-smtp-8080-decode-as"
select_cases
setup_work mailsess-taken-captures

restore_servers() {
    cleanup
    if postconf -M "127.0.0.1:$SMTP_PORT/inet" 2>/dev/null | grep -q .; then
        log "removing postfix's 127.0.0.1:$SMTP_PORT service again"
        postconf -MX "127.0.0.1:$SMTP_PORT/inet"
        postfix reload >/dev/null 2>&1 || true
    fi
    if [ -e /run/dovecot-mailsess-taken/master.pid ]; then
        log "stopping the dovecot instance of port $POP_PORT"
        dovecot -c "$TAKEN_CONF" stop 2>/dev/null || true
    fi
}
trap restore_servers EXIT

install_packages() {
    apt_install "${POSTFIX_DEBCONF[@]}" -- \
        postfix swaks curl tcpdump tshark python3 openssl iproute2 \
        libdigest-hmac-perl libauthen-sasl-perl libnet-ssleay-perl libio-socket-ssl-perl \
        dovecot-core dovecot-pop3d python3-pyftpdlib
    need_tools postfix swaks curl tcpdump tshark openssl ss dovecot "$PY"
    "$PY" -c 'import pyftpdlib' 2>/dev/null || die "python3-pyftpdlib is not installed"
}

# the ports must be taken in this tshark, and free on this machine
check_ports() {
    local p proto
    for p in "$SMTP_PORT:http" "$POP_PORT:ftp"; do
        proto=$(tshark -G decodes 2>/dev/null | awk -F'\t' -v p="${p%%:*}" '$1 == "tcp.port" && $2 == p { print $3 }')
        [ "$proto" = "${p#*:}" ] || die "tshark gives tcp.port ${p%%:*} to '$proto', not ${p#*:}"
        free_ports "${p%%:*}"
    done
}

pcap_of() { echo "$OUT/$1/capture.pcap"; }
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
# one_connection <case>: one TCP connection, its SYN/SYN-ACK and a FIN/RST
one_connection() {
    local p; p=$(pcap_of "$1")
    [ "$(tshark -r "$p" -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)" = 1 ] || die "case $1: not one TCP stream"
    [ "$(tshark -r "$p" -Y 'tcp.flags.syn==1' 2>/dev/null | wc -l)" = 2 ] || die "case $1: no handshake"
    tshark -r "$p" -Y 'tcp.flags.fin==1 || tcp.flags.reset==1' 2>/dev/null | grep -q . || die "case $1: no FIN/RST"
}
capture_once() {
    local c=$1 port=$2; shift 2
    run_recorded "$c" "$(pcap_of "$c")" "host 127.0.0.1 and tcp port $port" "$port" "$@" || return 1
    one_connection "$c"
}
# capture <case> <port> <command...>: one client session into the case folder
capture() {
    local c=$1
    mkdir -p "$OUT/$c"
    log "case $c"
    record "$c" "$(pcap_of "$c")" capture_once "$@"
}
# what tshark without mailsess shows: the protocol stacks of the payload frames
protos() {
    local p=$1; shift
    tshark -r "$p" --disable-protocol mailsess "$@" -Y 'tcp.len > 0' -T fields -e frame.protocols 2>/dev/null |
        sort | uniq -c | awk '{printf "%s%s (%s)", sep, $2, $1; sep = ", "} END {print ""}'
}
no_mail() {
    local n; n=$(tshark -r "$(pcap_of "$1")" --disable-protocol mailsess -Y 'smtp || pop || imf' 2>/dev/null | wc -l)
    [ "$n" = 0 ] || die "case $1: tshark without mailsess shows $n SMTP/POP/IMF frames"
}
# first <case> <port>: the first payload line of the connection and who sent it
first() {
    tshark -r "$(pcap_of "$1")" -Y 'tcp.len > 0' -T fields -e tcp.srcport -e tcp.payload 2>/dev/null | head -1 |
        "$PY" -c 'import sys; p, h = sys.stdin.read().split(); b = bytes.fromhex(h).split(b"\r\n")[0]; print(("server" if p == sys.argv[1] else "client") + ": `" + b.decode("ascii", "replace") + "`")' "$2"
}
# log_since <file> <offset>: the lines added since, timestamps cut
log_since() { tail -c +$(($2 + 1)) "$1" | sed -E 's/^[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} //'; }
readme() {
    local c=$1; shift
    { printf '# %s\n\n' "$c"; printf '%s\n' "$@"
      printf '\nGenerated by `test-captures/make-taken-port-captures.sh` (flock /tmp/mailsess-servers.lock): %s frames, one TCP connection (SYN to FIN/RST); tshark %s.\n' \
          "$(frames "$(pcap_of "$c")")" "$(tshark --version | awk 'NR==1{print $3}')"
    } >"$OUT/$c/README.md"
}
SAYS="With mailsess (default \`mailsess.taken_ports: TRUE\`, default \`tcp.try_heuristic_first: FALSE\`)"

###########################################################################
nonmail_cases() {
    local c
    if want nonmail-taken-http-8080; then
        c=nonmail-taken-http-8080
        local www="$WORK/www"
        mkdir -p "$www"
        printf '220 mx.example.test ESMTP looks like a greeting\r\n+OK and this like POP3\r\n' >"$www/index.txt"
        start_server http $SMTP_PORT "$PY" -m http.server $SMTP_PORT --bind 127.0.0.1 --directory "$www"
        capture $c $SMTP_PORT curl -sS --max-time 30 -o "$WORK/$c.out" "http://127.0.0.1:$SMTP_PORT/index.txt"
        stop_server
        cmp -s "$WORK/$c.out" "$www/index.txt" || die "case $c: curl got other bytes"
        no_mail $c
        readme $c \
            "Client: curl $(curl --version | awk 'NR==1{print $2}') \`http://127.0.0.1:$SMTP_PORT/index.txt\`. Server: \`python3 -m http.server $SMTP_PORT --bind 127.0.0.1\` (Python's real HTTP server; HTTP/1.0, it closes after the response) on **127.0.0.1:$SMTP_PORT**, the port Wireshark 4.0 gives to HTTP (\`tshark -G decodes\`: \`tcp.port $SMTP_PORT http\`), where \`port-smtp-8080-taken\` has postfix." \
            "" \
            "The served file is two lines that look like mail: \`220 mx.example.test ESMTP looks like a greeting\` and \`+OK and this like POP3\` (CRLF line ends), so the HTTP response body holds an SMTP-like greeting line; the first payload of the connection is the client's request line, $(first $c $SMTP_PORT)." \
            "" \
            "Session layer should show: **nothing**. $SAYS the connection's first payload is an HTTP request from the client, not a server greeting: mailsess steps aside and HTTP dissects the connection exactly as without mailsess (\`tshark -V\` identical with \`--disable-protocol mailsess\`). Without mailsess: $(protos "$(pcap_of $c)")."
    fi
    if want nonmail-taken-ftp-21; then
        c=nonmail-taken-ftp-21
        local root="$WORK/ftproot"
        mkdir -p "$root"
        printf 'MAIL FROM:<alice@example.test>\n' >"$root/notes.txt"
        start_server ftp $POP_PORT "$PY" "$TOOLS/port_peers.py" ftp-server "$root" "$WORK/ftp-server.log" $POP_PORT
        capture $c $POP_PORT curl -sS --max-time 30 -u alice:alicepw -o "$WORK/$c.out" "ftp://127.0.0.1:$POP_PORT/"
        stop_server
        grep -q notes.txt "$WORK/$c.out" || die "case $c: listing '$(cat "$WORK/$c.out")'"
        no_mail $c
        local g; g=$(first $c $POP_PORT)
        case $g in "server: \`220 ftp.example.test FTP server (pyftpdlib) ready.\`") ;; *) die "case $c: first payload $g" ;; esac
        readme $c \
            "Client: curl $(curl --version | awk 'NR==1{print $2}') \`-u alice:alicepw ftp://127.0.0.1:$POP_PORT/\` (a directory listing). Server: pyftpdlib $("$PY" -c 'import pyftpdlib; print(pyftpdlib.__ver__)') (Debian's python3-pyftpdlib, a real FTP server) on **127.0.0.1:$POP_PORT**, the port Wireshark gives to FTP (\`tcp.port $POP_PORT ftp\`), where \`port-pop3-21-taken\` has dovecot POP3. Only the control connection is captured (the listing goes over a passive data connection to a port in 2122-2130)." \
            "" \
            "First payload: $g, then USER/PASS (331/230), PWD, EPSV, TYPE, LIST (125/226), QUIT (221)." \
            "" \
            "Session layer should show: **nothing**. This is the closest look-alike of an SMTP greeting on a taken port: the server speaks first with \`220 <host> ...\`, but the line does not name SMTP (\`ms_heur_classify\`), so $SAYS mailsess steps aside and the FTP dissector shows the connection as without mailsess. Without mailsess: $(protos "$(pcap_of $c)")."
    fi
}

###########################################################################
setup_taken_servers() {
    log "postfix: one more smtpd service on 127.0.0.1:$SMTP_PORT"
    postconf -M "127.0.0.1:$SMTP_PORT/inet=127.0.0.1:$SMTP_PORT inet n - n - - smtpd -o syslog_name=postfix/port$SMTP_PORT"
    postfix reload >/dev/null
    wait_listening $SMTP_PORT
    greets $SMTP_PORT "220 $MYHOST ESMTP mailsess-test"
    system_user "$TAKEN_USER" "$TAKEN_ROOT"
    mail_instance taken "" "POP3 on 127.0.0.1:$POP_PORT (make-taken-port-captures.sh)" 127.0.0.1 \
        PORTS=$POP_PORT PROTOCOLS=pop3 POP3_PORT=$POP_PORT POP3S_PORT=0
    wait_listening $POP_PORT
    only_ports /run/dovecot-mailsess-taken "127\.0\.0\.1:$POP_PORT"
    rm -rf "$TAKEN_ROOT/alice" "$TAKEN_ROOT/bob"
    "$PY" "$TOOLS/maildrop.py" ports "$TAKEN_ROOT" >"$WORK/maildrop.txt"
    chown -R "$TAKEN_USER:$TAKEN_USER" "$TAKEN_ROOT/alice"
    chmod -R go-rwx "$TAKEN_ROOT/alice"
}

mail_cases() {
    local c m="$WORK/msg" off dflt
    if want port-smtp-8080-taken; then
        c=port-smtp-8080-taken; swaksmsg "$m-$c" "$c"
        off=$(stat -c %s "$PLOG")
        capture $c $SMTP_PORT swaks --server 127.0.0.1 --port $SMTP_PORT --ehlo "$HELO" --timeout 30 \
            --auth PLAIN --auth-user alice --auth-password alicepw \
            --from "alice@$DOMAIN" --to "bob@$DOMAIN" --data "@$m-$c"
        sleep 1
        log_since "$PLOG" "$off" | grep "port$SMTP_PORT/\|postfix/local\|postfix/qmgr" >"$WORK/$c.plog" || true
        grep -q 'sasl_method=PLAIN, sasl_username=alice' "$WORK/$c.plog" || die "case $c: no AUTH in the postfix log"
        grep -q 'to=<bob@example.test>.*status=sent' "$WORK/$c.plog" || die "case $c: not delivered"
        no_mail $c
        dflt=$(protos "$(pcap_of $c)")
        local size=$(( $(stat -c %s "$m-$c") + 2 ))
        readme $c \
            "Client: swaks $(swaks --version 2>/dev/null | awk '/version/{print $3; exit}') to **127.0.0.1:$SMTP_PORT** (\`--auth PLAIN\`, one message, no TLS). Server: postfix $(postconf -h mail_version), an extra smtpd service \`127.0.0.1:$SMTP_PORT inet n - n - - smtpd\` in master.cf with the settings of port 25. Wireshark 4.0 gives port $SMTP_PORT to HTTP (\`tshark -G decodes\`: \`tcp.port $SMTP_PORT http\`): a content filter's re-injection port or an ad-hoc test port can land there." \
            "" \
            "- first payload of the connection: $(first $c $SMTP_PORT)" \
            "- \`EHLO $HELO\` -> 250; \`AUTH PLAIN $(printf '\0alice\0alicepw' | base64)\` -> \`235 2.7.0 Authentication successful\`" \
            "- \`MAIL FROM:<alice@example.test>\` -> 250, \`RCPT TO:<bob@example.test>\` -> 250, \`DATA\` -> 354, message ($size content bytes) -> \`250 2.0.0 Ok: queued as ...\`; \`QUIT\` -> 221" \
            "" \
            "Session layer should show: $SAYS an SMTP session found by its content (\`mailsess.heuristic\` 1, expert \`heuristic\` on the greeting: \"SMTP found by its content on port $SMTP_PORT (Wireshark gives it to HTTP)\"), server port $SMTP_PORT, EHLO $HELO, authenticated as alice (PLAIN), sender alice@example.test, recipient bob@example.test, 1 message of **$size bytes**, QUIT (221); the built-in SMTP dissector shows every command and reply. With \`-o mailsess.taken_ports:FALSE\`, or without mailsess, HTTP keeps the port and no frame is SMTP: $dflt." \
            "" \
            "postfix log of the session (\`$PLOG\`, timestamps cut):" "" "$(sed 's/^/    /' "$WORK/$c.plog")"
    fi
    if want port-smtp-8080-taken-starttls; then
        c=port-smtp-8080-taken-starttls; mkmsg "$m-$c" "$c"
        mkdir -p "$OUT/$c"; rm -f "$OUT/$c/keylog.txt"
        off=$(stat -c %s "$PLOG")
        capture $c $SMTP_PORT env SSLKEYLOGFILE="$OUT/$c/keylog.txt" \
            curl -sS --max-time 30 --url "smtp://127.0.0.1:$SMTP_PORT/$HELO" --ssl-reqd --insecure \
            --login-options AUTH=PLAIN -u alice:alicepw \
            --mail-from "alice@$DOMAIN" --mail-rcpt "bob@$DOMAIN" -T "$m-$c"
        [ -s "$OUT/$c/keylog.txt" ] || die "case $c: no TLS keys were logged"
        chmod 644 "$OUT/$c/keylog.txt"
        sleep 1
        log_since "$PLOG" "$off" | grep "port$SMTP_PORT/\|postfix/local\|postfix/qmgr" >"$WORK/$c.plog" || true
        grep -q 'TLS connection established' "$WORK/$c.plog" || die "case $c: no TLS in the postfix log"
        grep -q 'to=<bob@example.test>.*status=sent' "$WORK/$c.plog" || die "case $c: not delivered"
        no_mail $c
        readme $c \
            "Client: curl $(curl --version | awk 'NR==1{print $2}') (\`smtp://127.0.0.1:$SMTP_PORT/$HELO --ssl-reqd --insecure --login-options AUTH=PLAIN -u alice:alicepw\`, \`SSLKEYLOGFILE=keylog.txt\`). Server: postfix on 127.0.0.1:$SMTP_PORT, the service of \`port-smtp-8080-taken\` (port given to HTTP by Wireshark)." \
            "" \
            "- in clear: $(first $c $SMTP_PORT); \`EHLO\` -> 250 with STARTTLS; \`STARTTLS\` -> \`220 2.0.0 Ready to start TLS\`; then the TLS handshake" \
            "- inside TLS (\`-o tls.keylog_file:keylog.txt\`): \`EHLO\`, \`AUTH PLAIN\` -> 334, credentials -> 235, \`MAIL FROM:<alice@example.test>\`, \`RCPT TO:<bob@example.test>\`, \`DATA\`, message ($(stat -c %s "$m-$c") content bytes) -> \`250 2.0.0 Ok: queued as ...\`, \`QUIT\` -> 221" \
            "" \
            "Session layer should show: $SAYS SMTP found by its content on port $SMTP_PORT (Wireshark gives it to HTTP), STARTTLS accepted, the rest inside TLS; with the key log: authenticated as alice, 1 message of **$(stat -c %s "$m-$c") bytes**, QUIT 221. The trap: TLS sets itself as the conversation's dissector for the whole connection and rejects the clear-text frames on a revisit (\`-2\`, the GUI); TCP would then hand them to HTTP (the port's protocol), not to the heuristic. In both modes the clear-text frames must stay SMTP. Without mailsess: $(protos "$(pcap_of $c)")." \
            "" \
            "postfix log of the session (\`$PLOG\`, timestamps cut):" "" "$(sed 's/^/    /' "$WORK/$c.plog")"
    fi
    if want port-pop3-21-taken; then
        c=port-pop3-21-taken
        off=$(stat -c %s "$TAKEN_LOG" 2>/dev/null || echo 0)
        capture $c $POP_PORT curl -sS --max-time 30 --login-options AUTH=PLAIN -u alice:alicepw \
            -o "$WORK/$c.out" "pop3://127.0.0.1:$POP_PORT/1"
        sleep 1
        log_since "$TAKEN_LOG" "$off" >"$WORK/$c.dlog"
        grep -q 'Login: user=<alice>, method=PLAIN' "$WORK/$c.dlog" || die "case $c: no login in the dovecot log"
        local s1; s1=$(awk '$1 == "alice" && $2 == 1 { print $5 }' "$WORK/maildrop.txt")
        no_mail $c
        readme $c \
            "Client: curl $(curl --version | awk 'NR==1{print $2}') \`--login-options AUTH=PLAIN -u alice:alicepw pop3://127.0.0.1:$POP_PORT/1\` (CAPA, AUTH PLAIN, RETR 1, QUIT). Server: dovecot $(dovecot --version | awk '{print $1}'), an instance of its own (\`$TAKEN_CONF\`) with POP3 on **127.0.0.1:$POP_PORT** only, configured like the POP3 server of the other captures; alice's maildrop holds the 2 messages of \`port-pop3-1110\` (#1: $s1 octets). Wireshark gives port $POP_PORT to FTP (\`tcp.port $POP_PORT ftp\`): FTP's dissector would take every line." \
            "" \
            "- first payload of the connection: $(first $c $POP_PORT)" \
            "- \`CAPA\` -> \`+OK\` + list; \`AUTH PLAIN\` -> \`+ \`, the base64 of \\0alice\\0alicepw -> \`+OK Logged in.\`; \`RETR 1\` -> \`+OK $s1 octets\` + the message; \`QUIT\` -> \`+OK Logging out.\`" \
            "" \
            "Session layer should show: $SAYS a POP3 session found by its content on port $POP_PORT (Wireshark gives it to FTP), user alice (PLAIN), login OK, RETR of message 1 ($s1 content bytes), QUIT answered +OK. Without mailsess, or with \`-o mailsess.taken_ports:FALSE\`: $(protos "$(pcap_of $c)")." \
            "" \
            "dovecot log of the session (\`$TAKEN_LOG\`, timestamps cut):" "" "$(sed 's/^/    /' "$WORK/$c.dlog")"
    fi
    if want nonmail-taken-smtp-8080-decode-as; then
        c=nonmail-taken-smtp-8080-decode-as
        [ -s "$(pcap_of port-smtp-8080-taken)" ] || die "case $c: record port-smtp-8080-taken first"
        mkdir -p "$OUT/$c"
        cp "$(pcap_of port-smtp-8080-taken)" "$(pcap_of $c)"
        printf '%s\n' "-d tcp.port==$SMTP_PORT,ftp" >"$OUT/$c/tshark-options"
        local ftp; ftp=$(tshark -r "$(pcap_of $c)" -d tcp.port==$SMTP_PORT,ftp --disable-protocol mailsess -Y ftp 2>/dev/null | wc -l)
        [ "$ftp" -gt 0 ] || die "case $c: -d ...,ftp shows no FTP"
        readme $c \
            "The capture of \`port-smtp-8080-taken\` (postfix on 127.0.0.1:$SMTP_PORT, swaks, one message), read with the Decode As \`-d tcp.port==$SMTP_PORT,ftp\` (\`tshark-options\`; lines starting with \`-\` are passed to tshark as they are): a user who tells Wireshark that port $SMTP_PORT carries FTP (the 220/250 replies look like FTP's)." \
            "" \
            "Session layer should show: **nothing**. A user's Decode As of a port wins: the entry's current handle differs from Wireshark's default, so mailsess does not look at connections on that port, and the FTP dissector shows the $ftp payload frames as FTP, exactly as without mailsess. (A Decode As naming the port's own default protocol, \`-d tcp.port==$SMTP_PORT,http\`, leaves no trace in epan's tables; \`-o mailsess.taken_ports:FALSE\` is the way to keep HTTP there.)"
    fi
}

main() {
    install_packages
    check_ports
    nonmail_cases
    setup_smtp_server
    setup_taken_servers
    mail_cases
    log "done"
}
main "$@"
