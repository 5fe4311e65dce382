#!/usr/bin/env bash
# quickstart.sh - install the dependencies (apt-get), build mailsess, install
# it for the current user, and show the session layer on bundled captures.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" = 0 ]; then bash .ci/install-deps.sh; else sudo bash .ci/install-deps.sh; fi
cmake -S . -B build
cmake --build build -j"$(nproc)"
if [ "$(id -u)" = 0 ]; then
    # tshark ignores personal plugin dirs when run by root: use the system dir
    cmake --install build
else
    cmake --build build --target install-user
fi
tshark -G plugins | grep mailsess

fields=(mailsess.proto mailsess.auth_method mailsess.auth_user mailsess.auth_result
        mailsess.auth_plaintext mailsess.tls mailsess.mail_from mailsess.rcpt_to
        mailsess.rcpt_rejected mailsess.msg_count mailsess.msg_bytes mailsess.deleted
        mailsess.deleted_committed mailsess.quit mailsess.duration)
{
    printf 'capture'; printf '\t%s' "${fields[@]#mailsess.}"; printf '\n'
    for c in smtp-auth-plain smtp-auth-fail-then-ok smtp-multi-msg-rejected-rcpt \
             smtp-starttls-auth smtp-no-quit pop3-user-pass pop3-dele-no-quit pop3-stls; do
        dir=test-captures/$c
        opts=()
        [ -f "$dir/keylog.txt" ] && opts=(-o "tls.keylog_file:$dir/keylog.txt")
        # -2: two passes, so the row shows the session's final values
        tshark -2 -r "$dir/capture.pcap" "${opts[@]}" -Y 'frame.number == mailsess.last_frame' \
            -T fields -E occurrence=a -E aggregator=, "${fields[@]/#/-e}" | sed "s/^/$c\t/"
    done
} | column -t -s $'\t'
