# servers.sh - the one server setup of the make-*-captures.sh scripts: postfix
# (port 25 and the extra listeners 2525, 587, 465, 2526) with its dovecot SASL
# instance, and the dovecot POP3/IMAP instances, all from one dovecot template
# (conf/dovecot.conf.in). Every function configures its server from scratch
# and (re)starts it, so a script sets up what it needs whatever ran before.
# Sourced after lib.sh (needs log, die, listening, wait_listening, PY, TOOLS).
# SPDX-License-Identifier: GPL-2.0-or-later

CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/conf
DOMAIN=example.test
MYHOST=mx.example.test
POPHOST=pop.example.test
HELO=client.example.test
PLOG=/var/log/postfix-mailsess.log
SMTP_AUTH_CONF=/etc/dovecot/mailsess-auth.conf
SMTP_TLS_DIR=/etc/postfix/mailsess-tls
BAD_KEY=/etc/postfix/mailsess-ports-tls/mismatched-key.pem
# the debconf answers for apt_install when postfix is installed
POSTFIX_DEBCONF=("postfix postfix/main_mailer_type select Local only"
                 "postfix postfix/mailname string $MYHOST")

# self_signed <dir> <host>: a throwaway certificate (kept across runs)
self_signed() {
    mkdir -p "$1"
    if [ ! -s "$1/cert.pem" ] || [ ! -s "$1/key.pem" ]; then
        log "creating throwaway self-signed certificate for $2"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
            -subj "/CN=$2" -addext "subjectAltName=DNS:$2" \
            -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
    fi
    chmod 600 "$1/key.pem"
}

# system_user <name> <home>: a system user owning the maildirs under <home>
system_user() {
    if ! id "$1" >/dev/null 2>&1; then
        log "creating system user $1 (owner of the test maildirs)"
        useradd -r -M -d "$2" -s /usr/sbin/nologin "$1"
    fi
    mkdir -p "$2/.dovecot-state"
    chown "$1:$1" "$2"
    chmod 700 "$2"
}

# stop_default_dovecot <port>: the dovecot packages' maintainer scripts may
# start the system's default instance, which holds 110/143/993/995 on all
# addresses.
stop_default_dovecot() {
    local pidf=/run/dovecot/master.pid
    if [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
        log "stopping the system's default dovecot instance (it would hold port $1)"
        if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
            systemctl stop dovecot.service dovecot.socket 2>/dev/null || true
        fi
        if [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
            doveadm -c /etc/dovecot/dovecot.conf stop 2>/dev/null ||
                dovecot -c /etc/dovecot/dovecot.conf stop 2>/dev/null || true
        fi
        local i
        for i in $(seq 50); do
            [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null || break
            sleep 0.1
        done
    fi
}

# dovecot_instance <conf> <tags> [PORTS=...] <KEY=value...>: stop the
# instance if it runs (base_dir /run/<NAME>), check that nothing else holds
# its PORTS, write <conf> from conf/dovecot.conf.in (lines "@TAG@..." kept
# for the given tags, @KEY@ replaced) and its passwd-file (USERS=...:
# alice/alicepw, bob/bobpw), check it with doveconf and start the instance
dovecot_instance() {
    local conf=$1 tags=" $2 " kv key val users= name= ports= script
    shift 2
    script='/^# ---- everything below goes into the generated file ----$/,$!d; /^# ---- everything/d'
    for kv in "$@"; do
        key=${kv%%=*} val=${kv#*=}
        case $key in USERS) users=$val ;; NAME) name=$val ;; PORTS) ports=$val; continue ;; esac
        script="$script; s|@$key@|$val|g"
    done
    for key in AUTH MAIL IMAP POP3S; do
        case $tags in *" $key "*) script="$script; s|^@$key@||" ;; *) script="$script; /^@$key@/d" ;; esac
    done
    local base=/run/$name i
    if [ -e "$base/master.pid" ] && kill -0 "$(cat "$base/master.pid")" 2>/dev/null; then
        [ -f "$conf" ] && dovecot -c "$conf" stop || true
        for i in $(seq 50); do
            [ -e "$base/master.pid" ] || break
            sleep 0.1
        done
    fi
    printf 'alice:{PLAIN}alicepw\nbob:{PLAIN}bobpw\n' >"$users"
    chown root:dovecot "$users"
    chmod 640 "$users"
    sed -e "$script" "$CONF_DIR/dovecot.conf.in" >"$conf"
    ! grep -n '@[A-Z0-9_]*@' "$conf" >&2 || die "$conf: placeholder left"
    doveconf -c "$conf" -n >/dev/null || die "dovecot rejects $conf"
    # shellcheck disable=SC2086
    [ -z "$ports" ] || free_ports $ports
    # no inherited stdout/stderr/fd 3: the daemon would keep a caller's pipe open
    # (start-up errors go to its log)
    dovecot -c "$conf" </dev/null >/dev/null 2>&1 3>&- || die "dovecot did not start, see /var/log/$name.log"
}

# only_ports <base_dir> <regex of addr:port>: the instance listens on nothing else
only_ports() {
    if ss -Hltnp | grep "pid=$(cat "$1/master.pid")," | grep -v -E "$2 " | grep -q .; then
        ss -Hltnp | grep "pid=$(cat "$1/master.pid")," >&2
        die "the dovecot instance $1 listens on more than $2"
    fi
}
# free_ports <port...>: nothing listens there yet
free_ports() {
    local p
    for p in "$@"; do
        if ss -Hltn "sport = :$p" | grep -q .; then
            ss -Hltnp "sport = :$p" >&2
            die "something else listens on port $p"
        fi
    done
}
# v4_and_v6 <port> <server>: it listens on 127.0.0.1 and [::1] (up to 10 s),
# and on no other address
v4_and_v6() {
    local p=$1 i
    for i in $(seq 100); do
        ss -Hltn "sport = :$p" | grep -q "127\.0\.0\.1:$p\b" &&
            ss -Hltn "sport = :$p" | grep -q "\[::1\]:$p\b" && break
        sleep 0.1
    done
    ss -Hltn "sport = :$p" | grep -q "127\.0\.0\.1:$p\b" || die "$2 not listening on 127.0.0.1:$p"
    ss -Hltn "sport = :$p" | grep -q "\[::1\]:$p\b" || die "$2 not listening on [::1]:$p"
    if ss -Hltn "sport = :$p" | grep -v -e "127\.0\.0\.1:$p\b" -e "\[::1\]:$p\b" | grep -q .; then
        die "something listens on port $p on a non-loopback address"
    fi
}
# greets <port> [tls] <glob>: the first line the server sends matches
greets() {
    local p=$1 tls= g
    [ "${2:-}" = tls ] && { tls=tls; shift; }
    g=$("$PY" "$TOOLS/port_peers.py" probe "$p" $tls) || die "no answer on 127.0.0.1:$p${tls:+ (TLS)}"
    # shellcheck disable=SC2254
    case $g in $2) ;; *) die "127.0.0.1:$p${tls:+ (TLS)} greets '$g'" ;; esac
}

###########################################################################
# postfix on 25 (127.0.0.1 and ::1), 2525, 587, 465 (smtps), 2526 (broken TLS)
###########################################################################
setup_smtp_server() {
    need_tools postfix postconf dovecot doveconf openssl ss useradd "$PY"
    local u
    for u in alice bob; do
        if ! id "$u" >/dev/null 2>&1; then
            log "creating local user $u"
            useradd -m -s /usr/sbin/nologin "$u"
        fi
    done
    # make sure the "unknown user" really is unknown
    if id nosuchuser >/dev/null 2>&1; then
        die "a local user 'nosuchuser' exists; it is used as the unknown recipient"
    fi
    self_signed "$SMTP_TLS_DIR" "$MYHOST"
    # the key of port 2526: a valid RSA key that does not belong to the
    # certificate, so smtpd's TLS set-up fails ("key values mismatch") while
    # smtpd_tls_security_level = may still advertises STARTTLS
    mkdir -p "$(dirname "$BAD_KEY")"
    if [ ! -s "$BAD_KEY" ]; then
        log "creating the mismatched TLS key for port 2526"
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$BAD_KEY" 2>/dev/null
    fi
    chmod 600 "$BAD_KEY"
    if [ "$(openssl pkey -in "$BAD_KEY" -pubout 2>/dev/null | sha256sum)" = \
         "$(openssl x509 -in "$SMTP_TLS_DIR/cert.pem" -noout -pubkey | sha256sum)" ]; then
        die "$BAD_KEY matches the certificate; delete it and run again"
    fi

    log "configuring dovecot (auth only, private instance: $SMTP_AUTH_CONF)"
    mkdir -p /var/spool/postfix/private
    dovecot_instance "$SMTP_AUTH_CONF" AUTH \
        NAME=dovecot-mailsess ROLE="dovecot used only as SASL server for postfix" \
        PROTOCOLS=none MECHANISMS="plain login cram-md5" USERS=/etc/dovecot/mailsess-users

    log "configuring postfix"
    [ -f /etc/aliases ] || printf 'postmaster: root\n' >/etc/aliases
    grep -q '^postmaster:' /etc/aliases || printf 'postmaster: root\n' >>/etc/aliases
    printf '%s\n' "$MYHOST" >/etc/mailname

    postconf -e \
        "compatibility_level = 3.6" \
        "myhostname = $MYHOST" \
        "mydomain = $DOMAIN" \
        "myorigin = \$mydomain" \
        "mydestination = \$myhostname, $DOMAIN, localhost, localhost.localdomain" \
        "inet_interfaces = loopback-only" \
        "inet_protocols = all" \
        "mynetworks = 127.0.0.0/8 [::1]/128" \
        "relayhost =" \
        "relay_domains =" \
        "default_transport = error:5.7.1 mailsess test server does not relay" \
        "relay_transport = error:5.7.1 mailsess test server does not relay" \
        "alias_maps = hash:/etc/aliases" \
        "alias_database = hash:/etc/aliases" \
        "local_recipient_maps = proxy:unix:passwd.byname \$alias_maps" \
        "unknown_local_recipient_reject_code = 550" \
        "smtpd_banner = \$myhostname ESMTP mailsess-test" \
        "smtpd_relay_restrictions = reject_unauth_destination" \
        "smtpd_recipient_restrictions =" \
        "smtpd_client_restrictions =" \
        "smtpd_helo_restrictions =" \
        "smtpd_sender_restrictions =" \
        "smtpd_data_restrictions =" \
        "smtpd_discard_ehlo_keywords =" \
        "smtpd_discard_ehlo_keyword_address_maps =" \
        "smtpd_sasl_auth_enable = yes" \
        "smtpd_sasl_type = dovecot" \
        "smtpd_sasl_path = private/auth" \
        "smtpd_sasl_security_options = noanonymous" \
        "smtpd_sasl_tls_security_options = noanonymous" \
        "broken_sasl_auth_clients = no" \
        "smtpd_tls_auth_only = no" \
        "smtpd_tls_security_level = may" \
        "smtpd_tls_cert_file = $SMTP_TLS_DIR/cert.pem" \
        "smtpd_tls_key_file = $SMTP_TLS_DIR/key.pem" \
        "smtpd_tls_chain_files =" \
        "smtpd_tls_loglevel = 1" \
        "smtp_tls_security_level = none" \
        "smtpd_error_sleep_time = 0" \
        "smtpd_soft_error_limit = 100" \
        "smtpd_hard_error_limit = 200" \
        "smtpd_junk_command_limit = 1000" \
        "maillog_file = $PLOG"
    # avoid reverse DNS lookups of the client (postfix >= 3.4)
    if postconf -d smtpd_peername_lookup >/dev/null 2>&1; then
        postconf -e "smtpd_peername_lookup = no"
    fi
    # no chroot: no files need to be copied into /var/spool/postfix
    postconf -F '*/*/chroot = n'
    # logging to maillog_file needs the postlog service
    if ! postconf -M postlog/unix-dgram >/dev/null 2>&1 ||
       [ -z "$(postconf -M postlog/unix-dgram)" ]; then
        postconf -M "postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd"
    fi
    # the extra listeners: same settings as port 25 (main.cf); syslog_name
    # only tells them apart in the log
    postconf -M "127.0.0.1:2525/inet=127.0.0.1:2525 inet n - n - - smtpd -o syslog_name=postfix/port2525"
    postconf -M "127.0.0.1:587/inet=127.0.0.1:587 inet n - n - - smtpd -o syslog_name=postfix/port587"
    postconf -M "127.0.0.1:465/inet=127.0.0.1:465 inet n - n - - smtpd -o syslog_name=postfix/port465 -o smtpd_tls_wrappermode=yes"
    postconf -M "127.0.0.1:2526/inet=127.0.0.1:2526 inet n - n - - smtpd -o syslog_name=postfix/port2526 -o smtpd_tls_key_file=$BAD_KEY"

    newaliases
    postfix check
    # inet_interfaces changes need a full restart, not just a reload
    if postfix status >/dev/null 2>&1; then
        postfix stop
        local i
        for i in $(seq 50); do
            postfix status >/dev/null 2>&1 || break
            sleep 0.2
        done
    fi
    postfix start 3>&-                 # (fd 3: see dovecot_instance)
    v4_and_v6 25 postfix
    [ -S /var/spool/postfix/private/auth ] || die "dovecot auth socket missing"
    wait_listening 2525 587 465 2526
    local p
    for p in 25 2525 587 2526; do greets "$p" "220 $MYHOST ESMTP mailsess-test"; done
    greets 465 tls "220 $MYHOST ESMTP mailsess-test"
    # drain anything left in the queue from earlier runs
    postqueue -f >/dev/null 2>&1 || true
}

# mail_instance <x> <tags> <role> <listen> <KEY=value...>: the POP3/IMAP
# instance mailsess-<x>: system user mailsess-<x> owning the maildirs under
# /var/lib/mailsess-<x>, certificate in /etc/dovecot/mailsess-<x>-tls,
# /etc/dovecot/mailsess-<x>.conf and -users, base_dir and log
# dovecot-mailsess-<x>
mail_instance() {
    local x=$1 tags=$2 role=$3 listen=$4
    shift 4
    log "configuring dovecot instance /etc/dovecot/mailsess-$x.conf: $role"
    system_user "mailsess-$x" "/var/lib/mailsess-$x"
    self_signed "/etc/dovecot/mailsess-$x-tls" "$POPHOST"
    dovecot_instance "/etc/dovecot/mailsess-$x.conf" "MAIL $tags" \
        NAME="dovecot-mailsess-$x" ROLE="$role" LISTEN="$listen" HOSTNAME="$POPHOST" \
        MECHANISMS="plain login cram-md5 apop" USERS="/etc/dovecot/mailsess-$x-users" \
        UID="$(id -u "mailsess-$x")" GID="$(id -g "mailsess-$x")" MAILROOT="/var/lib/mailsess-$x" \
        TLS_DIR="/etc/dovecot/mailsess-$x-tls" "$@"
}

###########################################################################
# dovecot POP3 on 127.0.0.1:110 and [::1]:110 (make-pop3-captures.sh)
###########################################################################
POP3_CONF=/etc/dovecot/mailsess-pop3.conf
POP3_BASE=/run/dovecot-mailsess-pop3
POP3_ROOT=/var/lib/mailsess-pop3
POP3_USER=mailsess-pop3
POP3_LOG=/var/log/dovecot-mailsess-pop3.log

setup_pop3_server() {
    need_tools dovecot doveconf openssl ss useradd "$PY"
    [ -x /usr/lib/dovecot/pop3 ] && [ -x /usr/lib/dovecot/pop3-login ] ||
        die "dovecot-pop3d is not installed"
    stop_default_dovecot 110
    mail_instance pop3 "" "POP3 server for the POP3 test captures (pop3-*)" "127.0.0.1, ::1" \
        PORTS=110 PROTOCOLS=pop3 POP3_PORT=110 POP3S_PORT=0
    v4_and_v6 110 dovecot
    only_ports "$POP3_BASE" '(127\.0\.0\.1|\[::1\]):110'
}

###########################################################################
# dovecot POP3 on 1110, pop3s on 995, IMAP on 1143, all 127.0.0.1
# (make-port-captures.sh, make-injection-captures.sh); a separate instance,
# so that the one of port 110 listens there only
###########################################################################
PORTS_CONF=/etc/dovecot/mailsess-ports.conf
PORTS_BASE=/run/dovecot-mailsess-ports
PORTS_ROOT=/var/lib/mailsess-ports
PORTS_USER=mailsess-ports
PORTS_LOG=/var/log/dovecot-mailsess-ports.log

setup_ports_server() {
    need_tools dovecot doveconf openssl ss useradd "$PY"
    [ -x /usr/lib/dovecot/pop3-login ] || die "dovecot-pop3d is not installed"
    [ -x /usr/lib/dovecot/imap-login ] || die "dovecot-imapd is not installed"
    stop_default_dovecot 995
    mail_instance ports "IMAP POP3S" \
        "POP3 on 127.0.0.1:1110, pop3s on 127.0.0.1:995 and IMAP on 127.0.0.1:1143 (port-*, nonmail-imap)" \
        127.0.0.1 PORTS="1110 995 1143" PROTOCOLS="pop3 imap" POP3_PORT=1110 POP3S_PORT=995 IMAP_PORT=1143
    wait_listening 1110 995 1143
    only_ports "$PORTS_BASE" '127\.0\.0\.1:(1110|995|1143)'
    greets 1110 "+OK mailsess-test POP3 ready. <*>"
    greets 995 tls "+OK mailsess-test POP3 ready. <*>"
    greets 1143 "* OK *mailsess-test IMAP ready."
}
