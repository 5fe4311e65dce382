#!/usr/bin/env bash
# memory-small.sh PLUGIN_SO WS_VERSION - the small version of memory-cases.sh
# that ctest runs (robustness/memory-small, ~10 s): 100 sequential sessions,
# each with 1,024 unanswered pipelined RCPTs of 500-byte non-ASCII addresses
# and a FIN each way. An ended session must give back its machine (the queue
# holds ~0.5 MB of pending arguments per session): tshark -r with mailsess
# may take at most MEMORY_SMALL_MAX_KB (default 200) more peak RSS per
# session than with no mailsess plugin loaded. Kept: ~60 KB a session (the
# capped record and the notes); not released: ~640 KB.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2
sessions=100
max_kb=${MEMORY_SMALL_MAX_KB:-200}
. "$here/../integration/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
python3 "$here/make-memory-captures.py" "$MS_ENV/cap" "$sessions" 100 > /dev/null
chmod -R a+rX "$MS_ENV/cap"
mkdir -p "$MS_ENV/out"
chmod 1777 "$MS_ENV/out"
rss() { # peak RSS in KB of tshark -r the capture
    MS_TSHARK_WRAP=(/usr/bin/time -o "$MS_ENV/out/time" -f '%M')
    ms_tshark -r cap/unanswered.pcap > /dev/null
    MS_TSHARK_WRAP=()
    tail -1 "$MS_ENV/out/time"
}
with=$(rss)
personal=$(find "$MS_ENV/home" -name mailsess.so)
mv "$personal" "$MS_ENV/out/off.so"
without=$(rss)
per=$(( (with - without) / sessions ))
echo "peak RSS: $with KB with mailsess, $without KB without: $per KB per ended session (at most $max_kb)"
if [ "$per" -gt "$max_kb" ]; then
    echo "FAIL: ended sessions keep their state (more than $max_kb KB each)" >&2
    exit 1
fi
