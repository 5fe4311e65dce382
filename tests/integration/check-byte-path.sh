#!/usr/bin/env bash
# check-byte-path.sh PLUGIN_SO WS_VERSION CAPTURES_DIR
#
# The byte path (plugin/epan/ms_bytes.c): mailsess gets the SMTP/POP3 bytes
# from wrappers on the port-table entries of the built-in dissectors, so
# whatever puts smtp/pop on a port must still reach it, and the built-in
# dissection must stay as without mailsess:
#  - Decode As on the command line (-d tcp.port==2525,smtp) and the port
#    preferences (-o smtp.tcp.port:2525, -o pop.tcp.port:1110): the session
#    is found through the port table (mailsess.heuristic 0) with the values the
#    heuristic finds on the same capture, and the built-in dissection (-V
#    without the Mail Session subtree) is that of tshark with mailsess
#    disabled and the same option; the preference set to its default value
#    changes nothing;
#  - Decode As saved in a profile (decode_as_entries, as Wireshark's dialog
#    saves it), naming the built-in ("SMTP") or the wrapper the dialog lists
#    too ("SMTP (mailsess)", "POP (mailsess)"; also -d ...,mailsess_smtp):
#    the same checks;
#  - --disable-protocol mailsess: SMTP and POP3 are dissected, no frame has
#    mailsess, and -V is byte for byte that of tshark without the plugin;
#    enabled, frame.protocols is the same (the wrappers add no layer);
#  - SMTP's line reassembly on a heuristic port (pinfo->can_desegment given
#    back to the built-in by the heuristic's wrapper): smtp-split-lines moved
#    to port 2526 shows the same SMTP lines as on port 25 and as with
#    mailsess disabled and -d tcp.port==2526,smtp, and the session values
#    (but mailsess.heuristic) of port 25.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2 caps=$(cd "$3" && pwd)
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
for c in port-smtp-2525 port-pop3-1110 smtp-auth-plain pop3-user-pass smtp-split-lines \
         smtp-starttls-auth port-smtps-465; do
    ms_env_copy "$caps/$c"
done
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

fields=()
while read -r f; do [ "$f" = mailsess.heuristic ] || fields+=(-e "$f"); done < "$here/fields.txt"
# every session value of every frame (-2) but mailsess.heuristic
values() {
    ms_tshark -2 -Y mailsess -T fields -E occurrence=a -E aggregator='|' "${fields[@]}" "$@"
}
# (booleans print 1/0 in tshark 4.0, True/False from 4.2: as 4.0's)
heuristic() {
    ms_tshark -2 -Y mailsess -T fields -e mailsess.heuristic "$@" | sed 's/^True$/1/; s/^False$/0/' |
        sort -u | tr '\n' ' '
}
# -V without the Mail Session subtree
builtin() {
    ms_tshark -V "$@" | awk '/^Mail Session/ {s=1; next} s && /^[ \t]/ {next} {s=0; print}'
}
# the SMTP/POP subtrees of -V, with the frame headers
mail_lines() {
    ms_tshark -V "$@" | awk '/^Frame [0-9]+:/ {print; next}
        /^(Simple Mail Transfer Protocol|Post Office Protocol)/ {s=1; print; next}
        s && /^[ \t]/ {print; next} {s=0}'
}
differs() { # label file-a file-b
    if ! cmp -s "$2" "$3"; then
        bad "$1"
        diff "$2" "$3" | head -12 >&2 || true
        return 0
    fi
    return 1
}
o=$MS_ENV/out
mkdir -p "$o"

# ---- Decode As and the port preferences ------------------------------------
port_case() { # case option... : the port table instead of the heuristic
    local c=$1 label="$1 $2 $3"
    shift
    local cap=$c/capture.pcap
    local h
    h=$(heuristic -r "$cap" "$@")
    [ "$h" = "0 " ] || bad "[$label] mailsess.heuristic is '$h', expected 0 (found through the port table)"
    values -r "$cap" > "$o/heur.txt"
    values -r "$cap" "$@" > "$o/port.txt"
    [ -s "$o/port.txt" ] || bad "[$label] no session"
    differs "[$label] the session values differ from the heuristic's" "$o/heur.txt" "$o/port.txt" ||
        echo "ok [$label] session as found by the heuristic ($(wc -l < "$o/port.txt") frames)"
    builtin -r "$cap" "$@" > "$o/with.txt"
    ms_tshark -V -r "$cap" "$@" --disable-protocol mailsess > "$o/without.txt"
    grep -qE '^(Simple Mail Transfer Protocol|Post Office Protocol)' "$o/without.txt" ||
        bad "[$label] the option does not give the built-in dissector"
    differs "[$label] the built-in dissection changes with mailsess" "$o/without.txt" "$o/with.txt" ||
        echo "ok [$label] built-in dissection unchanged"
}
port_case port-smtp-2525 -d tcp.port==2525,smtp
port_case port-smtp-2525 -o smtp.tcp.port:2525
port_case port-pop3-1110 -d tcp.port==1110,pop
port_case port-pop3-1110 -o pop.tcp.port:1110
# Decode As saved in a profile (decode_as_entries, what Wireshark's dialog
# writes; it names the handle by its short name and is read before the init
# routine): the built-in, and the wrapper the dialog also offers
da_profile() { # name entry
    local d=$MS_ENV/home/.config/wireshark/profiles/$1
    mkdir -p "$d"
    printf '# "Decode As" entries file\ndecode_as_entry: %s\n' "$2" > "$d/decode_as_entries"
    chmod -R a+rX "$MS_ENV/home/.config"
}
da_profile da-smtp 'tcp.port,2525,(none),SMTP'
da_profile da-wrap 'tcp.port,2525,(none),SMTP (mailsess)'
da_profile da-pop 'tcp.port,1110,(none),POP (mailsess)'
port_case port-smtp-2525 -C da-smtp
port_case port-smtp-2525 -C da-wrap
port_case port-pop3-1110 -C da-pop
port_case port-smtp-2525 -d tcp.port==2525,mailsess_smtp

# the preference set to its default value re-registers the entries: nothing changes
for x in smtp-auth-plain:smtp.tcp.port:25,587 pop3-user-pass:pop.tcp.port:110; do
    c=${x%%:*} opt=${x#*:}
    values -r "$c/capture.pcap" > "$o/a.txt"
    values -r "$c/capture.pcap" -o "$opt" > "$o/b.txt"
    [ -s "$o/a.txt" ] || bad "[$c] no session"
    differs "[$c -o $opt] the default value of the preference changes the session" "$o/a.txt" "$o/b.txt" ||
        echo "ok [$c -o $opt] unchanged"
done

# ---- --disable-protocol mailsess --------------------------------------------
keylog() { [ -f "$MS_ENV/$1/keylog.txt" ] && echo "-otls.keylog_file:$1/keylog.txt" || true; }
pdir=$MS_ENV/home/.local/lib/wireshark/plugins/$wsver/epan
for c in smtp-auth-plain pop3-user-pass smtp-starttls-auth port-smtps-465; do
    k=$(keylog "$c")
    r=(-r "$c/capture.pcap" ${k:+"$k"})
    proto=smtp
    [[ $c == pop3-* ]] && proto=pop
    n_on=$(ms_tshark "${r[@]}" -Y "$proto" | wc -l)
    n_off=$(ms_tshark "${r[@]}" -Y "$proto" --disable-protocol mailsess | wc -l)
    m_off=$(ms_tshark "${r[@]}" -Y mailsess --disable-protocol mailsess | wc -l)
    [ "$n_on" -gt 0 ] && [ "$n_on" = "$n_off" ] ||
        bad "[$c] $proto on $n_on frames with mailsess, $n_off with it disabled"
    [ "$m_off" = 0 ] || bad "[$c] mailsess on $m_off frames while disabled"
    ms_tshark "${r[@]}" -T fields -e frame.protocols > "$o/p-on.txt"
    ms_tshark "${r[@]}" -T fields -e frame.protocols --disable-protocol mailsess > "$o/p-off.txt"
    differs "[$c] frame.protocols changes with mailsess" "$o/p-off.txt" "$o/p-on.txt" || true
    ms_tshark "${r[@]}" -V --disable-protocol mailsess > "$o/off.txt"
    mv "$pdir/mailsess.so" "$MS_ENV/mailsess.so.aside"
    ms_tshark "${r[@]}" -V > "$o/none.txt"
    mv "$MS_ENV/mailsess.so.aside" "$pdir/mailsess.so"
    differs "[$c] --disable-protocol mailsess dissects differently from tshark without the plugin" \
        "$o/none.txt" "$o/off.txt" ||
        echo "ok [$c] disabled: $proto on $n_off frames, no mailsess, as without the plugin"
done

# ---- SMTP's own line reassembly on a heuristic port -------------------------
python3 "$caps/tools/set_client_port.py" "$MS_ENV/smtp-split-lines/capture.pcap" \
    "$MS_ENV/split-2526.pcap" 25 2526 >/dev/null
chmod a+r "$MS_ENV/split-2526.pcap"
h=$(heuristic -r split-2526.pcap)
[ "$h" = "1 " ] || bad "[split-2526] mailsess.heuristic is '$h', expected 1"
mail_lines -r smtp-split-lines/capture.pcap > "$o/l25.txt"
mail_lines -r split-2526.pcap > "$o/lheur.txt"
mail_lines -r split-2526.pcap --disable-protocol mailsess -d tcp.port==2526,smtp > "$o/ldec.txt"
grep -q 'EHLO client.example.test' "$o/l25.txt" || bad "[smtp-split-lines] no reassembled EHLO line on port 25"
differs "[split-2526] the SMTP lines on the heuristic port differ from those on port 25" \
    "$o/l25.txt" "$o/lheur.txt" ||
    echo "ok [split-2526] heuristic port: the same reassembled SMTP lines as on port 25"
differs "[split-2526] the SMTP lines differ from Decode As with mailsess disabled" \
    "$o/ldec.txt" "$o/lheur.txt" ||
    echo "ok [split-2526] the same SMTP lines as -d tcp.port==2526,smtp without mailsess"
values -r smtp-split-lines/capture.pcap > "$o/v25.txt"
values -r split-2526.pcap > "$o/vheur.txt"
differs "[split-2526] the session values differ from those on port 25" "$o/v25.txt" "$o/vheur.txt" ||
    echo "ok [split-2526] the session values of port 25"
exit "$fail"
