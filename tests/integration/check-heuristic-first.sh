#!/usr/bin/env bash
# check-heuristic-first.sh PLUGIN_SO WS_VERSION CASE_DIR...
#
# tcp.try_heuristic_first:TRUE (which the README suggests for mail on ports
# Wireshark gives to other protocols) must not change what mailsess shows on
# the ports that already give SMTP or POP3, nor on the heuristic ports: for
# each case, every mailsess field of every frame (-2) and the -z expert rows
# are the same with the preference as without it.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2
shift 2
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
fields=()
while read -r f; do fields+=(-e "$f"); done < "$here/fields.txt"
fail=0
for dir in "$@"; do
    name=$(basename "$dir")
    mkdir -p "$MS_ENV/$name"
    cp "$dir"/capture.pcap* "$MS_ENV/$name/"
    [ -f "$dir/keylog.txt" ] && cp "$dir/keylog.txt" "$MS_ENV/$name/"
    chmod -R a+rX "$MS_ENV/$name"
    cap=$(cd "$MS_ENV/$name" && ls capture.pcap*)
    opts=()
    [ -f "$dir/keylog.txt" ] && opts+=(-o "tls.keylog_file:$name/keylog.txt")
    run() {
        ms_tshark -r "$name/$cap" "${opts[@]}" "$@" -2 -Y mailsess -T fields -E occurrence=a \
            -E aggregator='|' "${fields[@]}"
        ms_tshark -r "$name/$cap" "${opts[@]}" "$@" -q -z expert | grep MAILSESS | sort || true
    }
    if ! diff <(run) <(run -o tcp.try_heuristic_first:TRUE) > "$MS_ENV/$name.diff"; then
        echo "FAIL [$name]: tcp.try_heuristic_first:TRUE changes the session layer:" >&2
        head -20 "$MS_ENV/$name.diff" >&2
        fail=1
    else
        echo "ok [$name]"
    fi
done
exit "$fail"
