# lib.sh - what the make-*-captures.sh scripts share: case selection, the
# work folder, package installation, tcpdump on "lo" and the retry loop.
# Sourced (not run) by each script after it sets ALL_CASES; it needs bash
# with "set -euo pipefail".
# SPDX-License-Identifier: GPL-2.0-or-later

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8

PY=/usr/bin/python3          # Debian's python3, not some pyenv shim
# the Python helpers of the scripts (clients, servers, stream walkers)
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tools

# fd 3 = the script's stderr, also inside functions whose output goes to a log
exec 3>&2
log()  { printf '==> %s\n' "$*" >&3; }
die()  { printf 'ERROR: %s\n' "$*" >&3; exit 1; }

# select_cases [prefix]: SELECTED = the cases of $CASES (default: all of
# $ALL_CASES, in their order; space or comma separated). A name is a case of
# ALL_CASES with or without the folder prefix given (or "port-"), or else any
# unambiguous suffix of one ("stripped" for port-smtp-starttls-stripped).
select_cases() {
    local prefix=${1:-} c k m e
    SELECTED=
    for c in $(printf '%s' "${CASES:-$ALL_CASES}" | tr ',' ' '); do
        c=${c%/}
        [ -n "$prefix" ] && c=${c#"$prefix"}
        m= e=
        for k in $ALL_CASES; do
            case $k in "$c"|"port-$c") e=$k ;; *"-$c") m="$m $k" ;; esac
        done
        [ -n "$e" ] && m=$e
        [ "$(echo $m | wc -w)" = 1 ] ||
            die "unknown or ambiguous case '$c' in CASES (known: $(echo $ALL_CASES))"
        SELECTED="$SELECTED $m"
    done
    [ -n "$SELECTED" ] || die "CASES selects no case"
}
# want <case>: is this case selected?
want() { case " $SELECTED " in *" $1 "*) return 0 ;; esac; return 1; }

# setup_work <name>: root check, WORK=/tmp/<name>.XXXXXX, removed on exit
# together with a tcpdump ($TCPDUMP_PID) or server ($SERVER_PID) still running
setup_work() {
    [ "$(id -u)" = 0 ] || die "must run as root (sudo bash $0)"
    WORK=$(mktemp -d "/tmp/$1.XXXXXX")
    TCPDUMP_PID=
    SERVER_PID=
    trap cleanup EXIT
}
cleanup() {
    if [ -n "$TCPDUMP_PID" ] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}

# apt_install [debconf line...] -- <package...>: unless SKIP_APT=1. tshark's
# setuid question is always answered (no dialog).
apt_install() {
    local sel=("wireshark-common wireshark-common/install-setuid boolean false")
    while [ "$1" != -- ]; do sel+=("$1"); shift; done
    shift
    if [ "${SKIP_APT:-0}" = 1 ]; then
        log "SKIP_APT=1: not installing packages"
        return 0
    fi
    log "installing packages"
    printf '%s\n' "${sel[@]}" | debconf-set-selections
    apt-get update
    apt-get install -y -o DPkg::Lock::Timeout=600 "$@"
}
# need_tools <command...>: each one is on PATH (or an executable path)
need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || die "missing tool: $t"
    done
}

listening() { ss -Hltn "sport = :$1" | grep -q "127\.0\.0\.1:$1\b"; }
# wait_listening <port...>: up to 10 s each
wait_listening() {
    local p i
    for p in "$@"; do
        for i in $(seq 100); do listening "$p" && break; sleep 0.1; done
        listening "$p" || die "nothing listens on 127.0.0.1:$p"
    done
}

# start_server <name> <port> <command...>: a server (or proxy) that runs only
# for one case, in $SERVER_PID; its output goes to $WORK/server-<name>.log
start_server() {
    local name=$1 port=$2; shift 2
    "$@" >"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 100); do listening "$port" && break; sleep 0.1; done
    listening "$port" || { cat "$WORK/server-$name.log" >&2; die "$name server did not start on $port"; }
}

# ---- tcpdump on lo ------------------------------------------------------

TCP_ODD='tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.out_of_order || tcp.analysis.lost_segment'
# odd_frames <pcap>: frames where TCP saw a retransmission, reordering or loss
odd_frames() {
    tshark -r "$1" -Y "$TCP_ODD" -T fields -e frame.number 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}
frames() { tshark -r "$1" 2>/dev/null | wc -l; }

# start_tcpdump <pcap> <filter>: tcpdump on lo into <pcap> (its stderr in
# $WORK/tcpdump.err, which stop_tcpdump reads); returns 1 when it does not
# come up
start_tcpdump() {
    local pcap=$1 err="$WORK/tcpdump.err" i
    rm -f "$pcap"
    # --immediate-mode: every packet is written when it is seen (without it,
    # the last packets may still sit in the kernel's buffer block at SIGINT)
    tcpdump -i lo -s 0 -U --immediate-mode -n -Z root -w "$pcap" "$2" 2>"$err" &
    TCPDUMP_PID=$!
    for i in $(seq 300); do
        grep -q 'listening on' "$err" 2>/dev/null && break
        kill -0 "$TCPDUMP_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q 'listening on' "$err"; then
        log "tcpdump did not start within 30 s: $(cat "$err")"
        kill_tcpdump
        return 1
    fi
    sleep 0.5
}
kill_tcpdump() {
    local i
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -TERM "$TCPDUMP_PID" 2>/dev/null || true
        sleep 2
        kill -KILL "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
        TCPDUMP_PID=
        return 1
    fi
    wait "$TCPDUMP_PID" 2>/dev/null || true
    TCPDUMP_PID=
}

# stop_tcpdump <pcap> <port>: once no connection to <port> is left (other
# than TIME-WAIT; up to 10 s), so the last FIN/RST is in the capture too.
# Returns 1 (record again) when tcpdump hangs, drops packets or wrote fewer
# packets than it counted.
stop_tcpdump() {
    local pcap=$1 port=$2 err="$WORK/tcpdump.err" i n
    for i in $(seq 100); do
        ss -Htn "( sport = :$port or dport = :$port )" | grep -v -q -e TIME-WAIT -e '^$' || break
        sleep 0.1
    done
    sleep 1
    kill_tcpdump || { log "tcpdump did not stop on SIGINT (killed)"; return 1; }
    grep -q '^0 packets dropped by kernel' "$err" ||
        { log "tcpdump dropped packets: $(cat "$err")"; return 1; }
    n=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$err")
    [ "$n" = "$(frames "$pcap")" ] ||
        { log "tcpdump says '$n' packets, the file has $(frames "$pcap")"; return 1; }
    chmod 644 "$pcap"
}

# run_recorded <case> <pcap> <filter> <port> <command...>: tcpdump on lo into
# <pcap> while the client <command...> runs (its output in $WORK/<case>.log);
# returns 1 when tcpdump misbehaved (the client may have run); stops the
# script when the client failed
run_recorded() {
    local c=$1 pcap=$2 filter=$3 port=$4 rc=0
    shift 4
    start_tcpdump "$pcap" "$filter" || return 1
    "$@" >"$WORK/$c.log" 2>&1 || rc=$?
    stop_tcpdump "$pcap" "$port" || return 1
    if [ "$rc" != 0 ]; then
        cat "$WORK/$c.log" >&3
        die "client for case $c exited with $rc"
    fi
}

# check_one_session <case> <pcap>: exactly one TCP connection, nothing else,
# with its SYN and a FIN or RST
check_one_session() {
    local c=$1 p=$2 streams syn fin
    streams=$(tshark -r "$p" -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
    [ "$streams" = 1 ] || die "case $c: expected 1 TCP stream, found $streams"
    syn=$(tshark -r "$p" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' 2>/dev/null | wc -l)
    [ "$syn" = 1 ] || die "case $c: expected the SYN of the session in the capture"
    fin=$(tshark -r "$p" -Y 'tcp.flags.fin==1 || tcp.flags.reset==1' 2>/dev/null | wc -l)
    [ "$fin" -ge 1 ] || die "case $c: expected the FIN/RST of the session in the capture"
}

# record <case> <pcap> <command...>: run "<command...>" (the script's
# recording of one case, which returns 1 when tcpdump misbehaved) until
# tcpdump behaved and TCP shows no retransmission or reordering (loopback
# tail loss probes; more frequent on a busy machine); 5 tries.
record() {
    local c=$1 pcap=$2 try ok=
    shift 2
    for try in 1 2 3 4 5; do
        if "$@"; then
            ok=1
            [ -z "$(odd_frames "$pcap")" ] && return 0
            log "case $c: TCP retransmission/out-of-order in frames $(odd_frames "$pcap") (try $try)"
        else
            ok=
            log "case $c: tcpdump problem (try $try), recording again"
        fi
    done
    [ -n "$ok" ] || die "case $c: no good capture in 5 tries"
}

# versions: TSV SWAKSV PFV DOVV CURLV PYV, for the READMEs
versions() {
    TSV=$(tshark --version 2>/dev/null | awk 'NR==1{print $3}')
    SWAKSV=$(swaks --version 2>/dev/null | awk '/version/{print $3; exit}')
    PFV=$(postconf -h mail_version 2>/dev/null || echo '?')
    DOVV=$(dovecot --version | awk '{print $1}')
    CURLV=$(curl --version 2>/dev/null | awk 'NR==1{print $2}')
    PYV=$("$PY" -c 'import platform, ssl; print(platform.python_version(), "(" + ssl.OPENSSL_VERSION + ")")')
}

# ---- clients and their messages -------------------------------------------

# client_said <case> <key>: the last "<key>: value" line of the client's log
client_said() { sed -n "s/^$2: //p" "$WORK/$1.log" | tail -1; }

# mkmsg <file> <case> [To]: the fixed test message (CRLF line ends)
mkmsg() {
    local f=$1 c=$2 to=${3:-"Bob <bob@$DOMAIN>"}
    printf '%s\r\n' \
        "From: Alice <alice@$DOMAIN>" \
        "To: $to" \
        "Subject: mailsess test $c" \
        "Date: Mon, 01 Jan 2024 12:00:00 +0000" \
        "Message-ID: <$c@$HELO>" \
        "" \
        "Hello Bob," \
        "" \
        "this is the fixed test message for case $c." \
        "" \
        "Alice" >"$f"
}
# swaksmsg <file> <case> [To]: the same without the last CRLF (swaks adds one)
swaksmsg() {
    mkmsg "$@"
    truncate -s -2 "$1"
}
