#!/usr/bin/env bash
# installed-deb.sh DEB [CHROOT_DIR] - the Debian package as a user gets it,
# in a fresh Debian 12 chroot (debootstrap; default dir
# /var/tmp/mailsess-install/deb-test, removed first, and after a pass):
# `apt-get install ./DEB`
# pulls in what it needs (libwireshark, and tshark through Recommends), as
# root `tshark -G plugins` lists mailsess.so from the system plugin dir, a
# test capture shows the session fields, and `apt-get remove` removes the
# plugin file. Root only (chroot). Nothing is installed on the host.
# SPDX-License-Identifier: GPL-2.0-or-later
set -Eeuo pipefail
trap 'echo "FAIL: $0 line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
deb=$(readlink -f "$1")
root=${2:-/var/tmp/mailsess-install/deb-test}
[ "$(id -u)" = 0 ] || { echo "run as root (chroot)" >&2; exit 2; }
[ -f "$deb" ] || { echo "no such package: $1" >&2; exit 2; }
. "$here/chroot-lib.sh"

t0=$(date +%s)
ch_make bookworm "$root"
echo "chroot: fresh Debian 12 in $root ($(( $(date +%s) - t0 )) s)"
cp "$deb" "$root/tmp/"
cp "$repo/test-captures/smtp-auth-plain/capture.pcap" "$root/tmp/smtp-auth-plain.pcap"
cp "$repo/test-captures/pop3-dele-no-quit/capture.pcap" "$root/tmp/pop3-dele-no-quit.pcap"
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

ch_run "$root" "apt-get update -q > /tmp/apt.log && apt-get install -y -q /tmp/$(basename "$deb") >> /tmp/apt.log 2>&1" ||
    { tail -30 "$root/tmp/apt.log" >&2; echo "FAIL: apt-get install ./$(basename "$deb")" >&2; exit 1; }
echo "apt-get install ./$(basename "$deb"): $(grep -c '^Setting up' "$root/tmp/apt.log") packages set up"
sysdir=$(ch_run "$root" "tshark -G folders 2>/dev/null" | sed -n 's/^Global Plugins:[[:space:]]*//p')/epan
plugins=$(ch_run "$root" "tshark -G plugins 2>/dev/null" | awk '$1 == "mailsess.so"')
echo "as root, tshark -G plugins: $plugins"
[ "$(echo "$plugins" | awk '{print $NF}')" = "$sysdir/mailsess.so" ] ||
    bad "root's tshark does not list $sysdir/mailsess.so"
[ "$(echo "$plugins" | awk '{print $2}')" = "$(head -1 "$repo/VERSION")" ] ||
    bad "the loaded plugin's version is not $(head -1 "$repo/VERSION")"

# the Mail profile, as a global profile: tshark -C Mail finds it
ch_run "$root" "test -f /usr/share/wireshark/profiles/Mail/colorfilters" ||
    bad "the package has no /usr/share/wireshark/profiles/Mail"
ch_run "$root" "tshark -C Mail -r /tmp/smtp-auth-plain.pcap -c 1 > /dev/null 2>&1" ||
    bad "tshark -C Mail does not find the Mail profile"
echo "global profile: /usr/share/wireshark/profiles/Mail"

# two known sessions, as in their golden files (README's session query)
row=$(ch_run "$root" "tshark -2 -r /tmp/smtp-auth-plain.pcap -Y 'frame.number == mailsess.last_frame' \
      -T fields -E occurrence=a -E aggregator=, -e mailsess.proto -e mailsess.auth_method \
      -e mailsess.auth_user -e mailsess.auth_result -e mailsess.msg_count 2>/dev/null")
echo "smtp-auth-plain session: $row"
# (-T fields prints enumerated fields as numbers: proto 0 = SMTP, auth_result 2 = success)
[ "$row" = "$(printf '0\tPLAIN\talice\t2\t1')" ] || bad "smtp-auth-plain: unexpected session row"
row=$(ch_run "$root" "tshark -2 -r /tmp/pop3-dele-no-quit.pcap -Y 'frame.number == mailsess.last_frame' \
      -T fields -e mailsess.proto -e mailsess.deleted -e mailsess.quit 2>/dev/null")
echo "pop3-dele-no-quit session: $row"
case $row in $'1\t'[1-9]*$'\t'*) ;; *) bad "pop3-dele-no-quit: unexpected session row" ;; esac
n=$(ch_run "$root" "tshark -r /tmp/smtp-auth-plain.pcap -q -z expert 2>/dev/null" | grep -c 'MAILSESS' || true)
echo "expert infos from mailsess: $n"
[ "$n" -gt 0 ] || bad "no mailsess expert info on smtp-auth-plain"

ch_run "$root" "apt-get remove -y -q wireshark-mailsess > /tmp/remove.log 2>&1" || bad "apt-get remove failed"
if [ -e "$root$sysdir/mailsess.so" ]; then bad "apt-get remove left $sysdir/mailsess.so"; else
    echo "apt-get remove wireshark-mailsess: $sysdir/mailsess.so is gone"; fi
ch_run "$root" "tshark -G plugins 2>/dev/null" | grep -q '^mailsess\.so' && bad "tshark still lists mailsess.so after remove"
ch_cleanup
if [ "$fail" = 0 ]; then
    ch_remove "$root"   # kept after a failure, to look into
    echo "ok: installed-package test passed ($(( $(date +%s) - t0 )) s)"
fi
exit "$fail"
