#!/usr/bin/env bash
# quickstart.sh - install the dependencies (apt-get), build mailsess, install
# it for the current user (as root: system-wide, where root's tshark looks),
# check that tshark loads that very copy, and show the session layer on
# bundled captures.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" = 0 ]; then bash .ci/install-deps.sh; else sudo bash .ci/install-deps.sh; fi
cmake -S . -B build
cmake --build build -j"$(nproc)"
sysdir=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')/epan
if [ "$(id -u)" = 0 ]; then
    # tshark ignores personal plugin dirs when run by root: use the system dir
    if owner=$(dpkg-query -S "$sysdir/mailsess.so" 2>/dev/null); then
        echo "quickstart: $sysdir/mailsess.so belongs to the package ${owner%%:*}; not overwriting it" >&2
        echo "  (apt-get remove ${owner%%:*} first, or run quickstart as a normal user)" >&2
        exit 1
    fi
    cmake --install build
    echo "installed $sysdir/mailsess.so for every user (undo: cmake --build build --target uninstall)"
else
    cmake --build build --target install-user
fi
# the copy tshark loads must be the one just built (a stale system-wide copy
# hides a personal one)
loaded=$(tshark -G plugins 2>/dev/null | awk '$1 == "mailsess.so" {print $NF}')
echo "tshark loads $loaded"
if [ "$(echo "$loaded" | wc -l)" != 1 ] || ! cmp -s "$loaded" build/plugin/mailsess.so; then
    echo "quickstart: tshark does not load the plugin just built (build/plugin/mailsess.so)." >&2
    [ -e "$sysdir/mailsess.so" ] && [ "$(id -u)" != 0 ] &&
        echo "  A system-wide $sysdir/mailsess.so hides it: remove it (sudo cmake --build build --target uninstall, or sudo apt-get remove wireshark-mailsess)." >&2
    exit 1
fi

# The session table (-z mailsess,sessions; Statistics > Mail Sessions in
# Wireshark) of a few bundled captures, merged into one file, their TLS keys
# into one key log.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
caps=()
: > "$tmp/keylog.txt"
for c in smtp-auth-plain smtp-auth-fail-then-ok smtp-multi-msg-rejected-rcpt \
         smtp-starttls-auth smtp-no-quit pop3-user-pass pop3-dele-no-quit pop3-stls; do
    caps+=("test-captures/$c/capture.pcap")
    if [ -f "test-captures/$c/keylog.txt" ]; then cat "test-captures/$c/keylog.txt" >> "$tmp/keylog.txt"; fi
done
mergecap -F pcap -w "$tmp/sessions.pcap" "${caps[@]}"
chmod -R a+rX "$tmp"
tshark -r "$tmp/sessions.pcap" -o "tls.keylog_file:$tmp/keylog.txt" -q -z mailsess,sessions
