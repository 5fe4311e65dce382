#!/usr/bin/env bash
# make-guessing-captures.sh - regenerate the password-guessing captures
# (guess-*) of the mailsess Wireshark plugin: many connections, one failed
# login each, as password-guessing bots make them, against real postfix (with
# its dovecot SASL) and dovecot POP3 on loopback.
#
# Run as root on a (fresh) Debian 12 machine, holding the servers' lock when
# other jobs use them:
#     sudo flock /tmp/mailsess-servers.lock bash test-captures/make-guessing-captures.sh
#
# What it does (re-runnable):
#   1. apt-get installs postfix, dovecot-core, dovecot-pop3d, swaks, curl,
#      tcpdump, tshark, python3 and the Perl modules swaks needs for AUTH
#      (SKIP_APT=1 skips this step);
#   2. sets up postfix on 127.0.0.1:25 with its dovecot SASL instance and the
#      dovecot POP3 instance on 127.0.0.1:110 (servers.sh: setup_smtp_server,
#      setup_pop3_server; both with auth_failure_delay = 0 and dovecot's auth
#      penalty off, as for every other capture);
#   3. records each case with ONE tcpdump on "lo" for the whole run (every
#      connection of the case in one capture) into test-captures/<case>/
#      capture.pcap, and writes its README.md with the replies the servers
#      gave (from the capture, by tshark's built-in dissectors).
# guess-brute-force runs against a second dovecot SASL instance with
# dovecot's defaults for failed logins (auth_failure_delay = 2 s, the auth
# penalty on; /etc/dovecot/mailsess-guess-auth.conf, socket
# private/auth-guess), to which postfix's smtpd_sasl_path points during that
# case only; servers.sh's setting is put back afterwards (also on failure).
# Client addresses 127.0.0.2 ... 127.0.0.9 are loopback addresses too (Linux
# routes 127.0.0.0/8 to lo): swaks --local-interface, curl --interface.
#
# CASES="brute-force spraying" records only those cases (folder names with or
# without "guess-"). Regenerating changes times, ports and frame numbers:
# review the goldens again (tests/integration/check-case.sh ... --update).
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$SCRIPT_DIR/lib.sh"
# shellcheck source=servers.sh
. "$SCRIPT_DIR/servers.sh"
OUT=${OUT:-$SCRIPT_DIR}

ALL_CASES="guess-brute-force guess-spraying guess-distributed guess-below-threshold"
select_cases guess-
setup_work mailsess-guessing

apt_install "${POSTFIX_DEBCONF[@]}" -- \
    postfix dovecot-core dovecot-pop3d swaks curl tcpdump tshark python3 openssl \
    libdigest-hmac-perl libauthen-sasl-perl iproute2
need_tools postfix postconf dovecot doveconf swaks curl tcpdump tshark ss "$PY"

setup_smtp_server
setup_pop3_server
versions

FILTER='tcp port 25 or tcp port 110'

###########################################################################
# dovecot's defaults for failed logins, for guess-brute-force only
###########################################################################
GUESS_AUTH_CONF=/etc/dovecot/mailsess-guess-auth.conf
GUESS_AUTH_BASE=/run/dovecot-mailsess-guess
GUESS_AUTH_LOG=/var/log/dovecot-mailsess-guess.log
GUESS_SOCKET=/var/spool/postfix/private/auth-guess
PENALTY=

# penalty_on: (re)start the SASL instance with dovecot's default failure
# delay and auth penalty (a fresh anvil: no penalty left from a previous
# try), and point postfix at it
penalty_on() {
    penalty_off
    # servers.sh's SASL instance, without the two settings that turn the
    # delays off, on its own base_dir, log and socket
    sed -e "s|^base_dir = .*|base_dir = $GUESS_AUTH_BASE|" \
        -e "s|^log_path = .*|log_path = $GUESS_AUTH_LOG|" \
        -e "s|/var/spool/postfix/private/auth {|$GUESS_SOCKET {|" \
        -e 's|^# mailsess test setup: .*|# mailsess test setup: SASL for postfix with dovecot'"'"'s default failure delay and auth penalty (make-guessing-captures.sh, guess-brute-force only).|' \
        -e '/^auth_failure_delay = 0$/d' \
        -e '/^# no auth penalty/,/^}$/d' "$SMTP_AUTH_CONF" >"$GUESS_AUTH_CONF"
    ! grep -q -e auth_failure_delay -e anvil-auth-penalty "$GUESS_AUTH_CONF" ||
        die "$GUESS_AUTH_CONF: the delays are still turned off"
    doveconf -c "$GUESS_AUTH_CONF" -n >/dev/null || die "dovecot rejects $GUESS_AUTH_CONF"
    dovecot -c "$GUESS_AUTH_CONF" </dev/null >/dev/null 2>&1 3>&- ||
        die "dovecot did not start, see $GUESS_AUTH_LOG"
    PENALTY=1
    local i
    for i in $(seq 50); do [ -S "$GUESS_SOCKET" ] && break; sleep 0.1; done
    [ -S "$GUESS_SOCKET" ] || die "no $GUESS_SOCKET"
    postconf -e "smtpd_sasl_path = private/auth-guess"
    postfix reload 3>&- >/dev/null 2>&1
    sleep 1
}
# penalty_off: servers.sh's smtpd_sasl_path again, the instance stopped
penalty_off() {
    [ -n "$PENALTY" ] || [ -e "$GUESS_AUTH_BASE/master.pid" ] || return 0
    postconf -e "smtpd_sasl_path = private/auth"
    postfix reload 3>&- >/dev/null 2>&1 || true
    if [ -e "$GUESS_AUTH_BASE/master.pid" ]; then
        dovecot -c "$GUESS_AUTH_CONF" stop 2>/dev/null || true
        local i
        for i in $(seq 50); do [ -e "$GUESS_AUTH_BASE/master.pid" ] || break; sleep 0.1; done
    fi
    rm -f "$GUESS_SOCKET"
    PENALTY=
}
trap 'penalty_off; cleanup' EXIT

###########################################################################
# the logins: one connection each, from a given loopback address
###########################################################################
# Each prints "login: <source> <protocol> <method> <user>" to the case log;
# a refused login is the point, so the clients' exit codes are not checked
# here (the replies are read from the capture afterwards).
login_line() { printf 'login: %s\n' "$*"; }

# smtp_login <source> <PLAIN|LOGIN|CRAM-MD5> <user> <password>: swaks, EHLO,
# AUTH, then QUIT (--quit-after AUTH), as a bot that tries one password per
# connection
smtp_login() {
    login_line "$1 SMTP AUTH-$2 $3"
    swaks --server 127.0.0.1 --port 25 --local-interface "$1" --ehlo "$HELO" --timeout 60 \
        --auth "$2" --auth-user "$3" --auth-password "$4" --quit-after AUTH || true
}
# pop3_curl <source> <login options> <user> <password>: curl (CAPA, then AUTH
# as the options say, LIST on success, QUIT)
pop3_curl() {
    login_line "$1 POP3 $2 $3"
    curl -sS --max-time 60 --interface "$1" --login-options "$2" -u "$3:$4" \
        pop3://127.0.0.1/ || true
}
# pop3_userpass <source> <user> <password>: USER/PASS (tools/guess_pop3_login.py)
pop3_userpass() {
    login_line "$1 POP3 USER/PASS $2"
    "$PY" "$TOOLS/guess_pop3_login.py" "$1" "$2" "$3"
}

# guess-brute-force: 12 wrong passwords for alice from 127.0.0.1, then the
# right one (the guess that works)
client_brute_force() {
    local i
    for i in $(seq 12); do smtp_login 127.0.0.1 PLAIN alice "guess$i"; done
    smtp_login 127.0.0.1 PLAIN alice alicepw
}
# guess-spraying: one wrong password for each of 10 users from 127.0.0.1,
# over SMTP and POP3 (the users need not exist: the server refuses both alike)
client_spraying() {
    local u i=0
    for u in alice bob carol dave erin frank grace heidi admin info; do
        i=$((i + 1))
        case $((i % 3)) in
            0) pop3_curl 127.0.0.1 'AUTH=PLAIN' "$u" Spring2024 ;;
            *) smtp_login 127.0.0.1 PLAIN "$u" Spring2024 ;;
        esac
    done
}
# guess-distributed: one wrong password for alice from each of 127.0.0.2 ...
# 127.0.0.9, every method the servers offer (none of them reaches a
# per-client threshold)
client_distributed() {
    smtp_login   127.0.0.2 PLAIN    alice guess1
    smtp_login   127.0.0.3 LOGIN    alice guess2
    pop3_curl    127.0.0.4 'AUTH=*' alice guess3
    pop3_curl    127.0.0.5 'AUTH=+APOP' alice guess4
    pop3_userpass 127.0.0.6         alice guess5
    smtp_login   127.0.0.7 CRAM-MD5 alice guess6
    pop3_curl    127.0.0.8 'AUTH=PLAIN' alice guess7
    smtp_login   127.0.0.9 PLAIN    alice guess8
}
# guess-below-threshold: what honest users do, one short of every default
# threshold (5 failures, 5 users, 5 clients within 300 s): alice mistypes
# her password 4 times from 127.0.0.1, then gets it right; bob once from
# 127.0.0.2 (POP3) and then right; alice fails once each from 127.0.0.3 and
# 127.0.0.4 (so 3 clients failed for alice)
client_below_threshold() {
    local i
    for i in 1 2 3 4; do smtp_login 127.0.0.1 PLAIN alice "alicepw$i"; done
    smtp_login    127.0.0.1 PLAIN alice alicepw
    pop3_userpass 127.0.0.2 bob bobpw0
    pop3_userpass 127.0.0.2 bob bobpw
    smtp_login    127.0.0.3 LOGIN alice alicepx
    pop3_curl     127.0.0.4 'AUTH=PLAIN' alice alicepx
}

###########################################################################
# recording and checks
###########################################################################
# record_case <case> <client function> [penalty]: one tcpdump for all its
# connections; recorded again when tcpdump misbehaved or TCP shows a
# retransmission (lib.sh: record)
record_case() {
    local c=$1 fn=$2 pcap="$OUT/$1/capture.pcap"
    mkdir -p "$OUT/$c"
    log "case $c"
    record "$c" "$pcap" record_once "$@"
    penalty_off
}
record_once() {
    local c=$1 fn=$2 pen=${3:-}
    [ -z "$pen" ] || penalty_on
    run_recorded "$c" "$OUT/$c/capture.pcap" "$FILTER" 25 "$fn"
}

# replies <pcap>: the final reply of every login, by the built-in dissectors:
# "frame<TAB>stream<TAB>client<TAB>reply"
replies() {
    tshark -r "$1" -Y 'smtp.response.code == 235 || smtp.response.code == 535 || smtp.response.code == 454 ||
                       pop.response.description contains "[AUTH]" || pop.response.description contains "Logged in"' \
        -T fields -e frame.number -e tcp.stream -e ip.dst -e smtp.response.code -e smtp.rsp.parameter \
        -e pop.response.indicator -e pop.response.description 2>/dev/null |
        awk -F'\t' '{ r = $4 != "" ? $4 " " $5 : $6 " " $7; print $1 "\t" $2 "\t" $3 "\t" r }'
}
# waits <pcap>: for each of those replies (same order), the seconds from the
# client's last segment before it (the AUTH/PASS/APOP line or SASL response)
waits() {
    local frames
    frames=$(replies "$1" | cut -f1 | tr '\n' ' ')
    tshark -r "$1" -Y 'tcp.len > 0' -T fields -e frame.number -e tcp.stream -e frame.time_relative \
        -e tcp.dstport 2>/dev/null |
        awk -F'\t' -v want=" $frames" '$4 == 25 || $4 == 110 { t[$2] = $3; next }
                                         index(want, " " $1 " ") { printf "%.2f\n", $3 - t[$2] }'
}
streams() { tshark -r "$1" -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l; }

# check_case <case> <logins>: one TCP connection and one final reply per login
check_case() {
    local c=$1 n=$2 p="$OUT/$1/capture.pcap"
    [ "$(grep -c '^login: ' "$WORK/$c.log")" = "$n" ] || die "case $c: the client made $(grep -c '^login: ' "$WORK/$c.log") logins, expected $n"
    [ "$(streams "$p")" = "$n" ] || die "case $c: $(streams "$p") TCP connections, expected $n"
    [ "$(replies "$p" | wc -l)" = "$n" ] || { replies "$p" >&2; die "case $c: $(replies "$p" | wc -l) final login replies, expected $n"; }
    # each reply went to the address the client log names
    [ "$(sed -n 's/^login: \([^ ]*\).*/\1/p' "$WORK/$c.log" | tr '\n' ' ')" = \
      "$(replies "$p" | cut -f3 | tr '\n' ' ')" ] || die "case $c: the replies went to other addresses than the logins came from"
}
# sasl_mech <case> <client>: the mechanism of the client's POP3 AUTH
sasl_mech() {
    tshark -r "$OUT/$1/capture.pcap" -Y "ip.src == $2 && pop.request.command == \"AUTH\"" \
        -T fields -e pop.request.parameter 2>/dev/null | awk 'NF { print $1; exit }'
}

# readme <case> <paragraph...>: README.md = the paragraphs, the logins with
# the replies the servers gave, how it was made
readme() {
    local c=$1 p="$OUT/$1/capture.pcap"
    shift
    {
        printf '# %s\n\n' "$c"
        printf '%s\n\n' "$@"
        printf 'The logins, one TCP connection each (client log, then the final reply in the capture, by tshark %s'"'"'s built-in SMTP/POP dissectors; wait: seconds from the client'"'"'s last line to that reply):\n\n' "$TSV"
        printf '| # | client | protocol, method, user | reply frame | tcp.stream | final reply | wait (s) |\n'
        printf '|---|--------|------------------------|-------------|------------|-------------|----------|\n'
        paste <(sed -n 's/^login: //p' "$WORK/$c.log") <(replies "$p") <(waits "$p") |
            awk -F'\t' '{ split($1, w, " "); printf "| %d | %s | %s %s %s | %s | %s | `%s` | %s |\n", NR, $4, w[2], w[3], w[4], $2, $3, $5, $6 }'
        printf '\nGenerated by `test-captures/make-guessing-captures.sh` (one tcpdump on lo for the whole case): %s frames. postfix %s with dovecot %s SASL on 127.0.0.1:25, dovecot %s POP3 on 127.0.0.1:110; swaks %s, curl %s, python %s.\n' \
            "$(frames "$p")" "$PFV" "$DOVV" "$DOVV" "$SWAKSV" "$CURLV" "$PYV"
    } >"$OUT/$c/README.md"
}

###########################################################################
# the cases
###########################################################################
if want guess-brute-force; then
    record_case guess-brute-force client_brute_force penalty
    check_case guess-brute-force 13
    codes=$(replies "$OUT/guess-brute-force/capture.pcap" | cut -f4 | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
    log "guess-brute-force: reply codes $codes"
    # what the README says below: refusals 535 and 454, the right password accepted
    case " $codes " in *" 535 "*" 454 "*" 235 ") ;; *) die "case guess-brute-force: reply codes '$codes' (update the README text)" ;; esac
    readme guess-brute-force \
        "Brute force: one client address (127.0.0.1), one user (alice), 12 wrong passwords over SMTP AUTH PLAIN, one per connection (swaks \`--auth PLAIN --auth-user alice --auth-password guessN --quit-after AUTH\`: EHLO, AUTH, QUIT), then the right password in a 13th connection: the guess that works." \
        "Unlike every other capture, postfix's SASL server here is a dovecot instance with dovecot's defaults for failed logins: \`auth_failure_delay = 2 secs\` and the auth penalty on (anvil: after failures from an IP address dovecot delays its next answers to that address). Reply codes, in order: \`$codes\`. The last column of the table shows the delays. When dovecot's delay passes 10 s, postfix stops waiting and answers \`454 4.7.0 Temporary authentication failure: Connection lost to authentication server\` (postfix logs \`SASL PLAIN authentication failed: Connection lost to authentication server\`, and dovecot logs \`auth client 0 disconnected with 1 pending requests: EOF\`); otherwise it answers \`535 5.7.8 Error: authentication failed\`. The right password is still accepted (235) after the failures, later than usual: dovecot slows a guesser down, it does not lock the account. mailsess counts a 454 as a failed login, like a 535 (\`auth_failures\`: any reply but 2xx/334): the client made an attempt and was not logged in." \
        "What mailsess should show, with the default preferences (5 failures, 5 users, 5 clients within 300 s): one \`mailsess.expert.brute_force\` on the reply of the 5th failure, naming the first failure's frame; no spraying (one user), no distributed guessing (one client). Two-pass (\`-2\`): every session of 127.0.0.1 shows \`mailsess.client_auth_failures == 12\`, \`client_auth_successes == 1\`, \`client_users_tried == 1\`, \`client_sessions == 13\`, \`user_auth_failures == 12\` and \`user_clients == 1\` for alice, and \`mailsess.guessing == \"brute_force\"\`; single pass: the counts so far."
fi

if want guess-spraying; then
    record_case guess-spraying client_spraying
    check_case guess-spraying 10
    readme guess-spraying \
        "Password spraying: one client address (127.0.0.1), one common password (Spring2024) for 10 user names, one connection each: 7 over SMTP AUTH PLAIN (swaks), 3 over POP3 AUTH PLAIN (curl \`--login-options AUTH=PLAIN\`). Only alice and bob exist; dovecot refuses unknown users and wrong passwords with the same answer, so the client cannot tell them apart." \
        "Servers as for every other capture (servers.sh: no failure delay, no auth penalty)." \
        "What mailsess should show, with the default preferences: \`mailsess.expert.brute_force\` on the 5th failure (5 failures from one client within 300 s: a spraying client is a guessing client too) and \`mailsess.expert.password_spraying\` on the same frame (the 5th distinct user); no distributed guessing (every user from one client). Two-pass: every session shows \`client_auth_failures == 10\`, \`client_users_tried == 10\`, \`client_sessions == 10\`, its user's \`user_auth_failures == 1\` and \`user_clients == 1\`, and \`mailsess.guessing\` \"brute_force\" and \"password_spraying\"."
fi

if want guess-distributed; then
    record_case guess-distributed client_distributed
    check_case guess-distributed 8
    mech4=$(sasl_mech guess-distributed 127.0.0.4)
    [ -n "$mech4" ] || die "case guess-distributed: no POP3 AUTH from 127.0.0.4"
    readme guess-distributed \
        "Distributed guessing: one user (alice), one wrong password from each of 8 client addresses (127.0.0.2 ... 127.0.0.9), one connection each, with every method the two servers offer: SMTP AUTH PLAIN, LOGIN and CRAM-MD5 (swaks \`--local-interface\`), POP3 AUTH (curl \`--interface\`, \`AUTH=*\`: curl picks the mechanism from the CAPA SASL list, here $mech4; \`AUTH=PLAIN\`), APOP (curl \`AUTH=+APOP\`) and USER/PASS (\`tools/guess_pop3_login.py\`, python3 poplib with a source address: curl logs in with AUTH when the server offers SASL, as dovecot does)." \
        "Servers as for every other capture (servers.sh: no failure delay, no auth penalty)." \
        "What mailsess should show, with the default preferences: one \`mailsess.expert.distributed_guessing\` on the reply of the 5th client's failure (127.0.0.6, USER/PASS), naming the first failure's frame; nothing per client (one failure each). Two-pass: every session shows \`user_auth_failures == 8\` and \`user_clients == 8\` for alice, its client's \`client_auth_failures == 1\`, \`client_users_tried == 1\`, \`client_sessions == 1\`, and \`mailsess.guessing == \"distributed_guessing\"\`."
fi

if want guess-below-threshold; then
    record_case guess-below-threshold client_below_threshold
    check_case guess-below-threshold 9
    readme guess-below-threshold \
        "The false-positive guard: honest users one short of every default threshold (5 failures from a client, 5 users from a client, 5 clients for a user, within 300 s). alice mistypes her password 4 times over SMTP from 127.0.0.1, then logs in; bob mistypes once over POP3 USER/PASS from 127.0.0.2, then logs in; alice's wrong password is tried once more from each of 127.0.0.3 (SMTP AUTH LOGIN) and 127.0.0.4 (POP3 AUTH PLAIN), so 3 clients failed for alice." \
        "Servers as for every other capture (servers.sh: no failure delay, no auth penalty)." \
        "What mailsess should show: no brute_force, password_spraying or distributed_guessing expert info. The counters are there all the same: two-pass, the sessions of 127.0.0.1 show \`client_auth_failures == 4\`, \`client_auth_successes == 1\`, \`client_sessions == 5\`; alice's \`user_auth_failures == 6\` from \`user_clients == 3\`; bob's 1 from 1; no \`mailsess.guessing\`."
fi

log "done"
