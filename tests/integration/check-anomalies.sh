#!/usr/bin/env bash
# check-anomalies.sh PLUGIN_SO WS_VERSION LIST_ANOMALIES README
#
# Every anomaly declared in the core (plugin/core/ms_note.h, printed by
# LIST_ANOMALIES) is registered by the plugin as the expert info
# mailsess.expert.<name> (tshark -G fields), the plugin registers no other
# mailsess expert, and README.md documents each one in its table of findings
# (a row starting with | `mailsess.expert.<name>` |).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2 lister=$3 readme=$4
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded

declared=$("$lister" | cut -f1 | sed 's/^/mailsess.expert./' | sort)
[ -n "$declared" ] || { echo "FAIL: the core declares no anomaly" >&2; exit 1; }
registered=$(ms_tshark -G fields | awk -F'\t' '$1 == "F" && $3 ~ /^mailsess\.expert\./ {print $3}' | sort)
fail=0
if [ "$declared" != "$registered" ]; then
    echo "FAIL: declared anomalies (<) and registered mailsess experts (>) differ:" >&2
    diff <(echo "$declared") <(echo "$registered") >&2 || true
    fail=1
fi
for name in $declared; do
    grep -qF "| \`$name\` |" "$readme" || { echo "FAIL: README.md does not document $name" >&2; fail=1; }
done
[ "$fail" = 0 ] && echo "ok: $(echo "$declared" | wc -l) anomalies declared, registered and documented"
exit "$fail"
