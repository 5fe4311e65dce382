#!/usr/bin/env bash
# check-profile.sh PLUGIN_SO WS_VERSION REPO
#
# The "Mail" configuration profile (profiles/Mail), installed by the
# install-profile script (cmake/ProfileFiles.cmake) into the test user's HOME,
# in the real tshark (-C Mail): it loads without a warning; its columns show
# the session and the user; its colouring rules mark the frames they name
# (frame.coloring_rule.name, --color) on captures where each case happens;
# every filter button compiles, and "Failed logins" selects the failed
# login's reply only.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2 repo=$3
. "$here/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
HOME="$MS_ENV/home" XDG_CONFIG_HOME="" cmake -DACTION=install-profile -DSRC="$repo/profiles/Mail" \
    -P "$repo/cmake/ProfileFiles.cmake" > /dev/null
chmod -R a+rwX "$MS_ENV/home"
for c in smtp-auth-fail-then-ok port-smtp-starttls-inject-client smtp-smuggling pop3-user-pass; do
    cp "$repo/test-captures/$c/capture.pcap" "$MS_ENV/$c.pcap"
done
chmod a+r "$MS_ENV"/*.pcap
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# loads silently (a bad rule or preference is reported on stderr)
err=$(ms_tshark -C Mail -r smtp-auth-fail-then-ok.pcap -2 2>&1 > "$MS_ENV/list.txt") || bad "tshark -C Mail failed: $err"
[ -z "$err" ] || bad "tshark -C Mail warns: $err"
# the columns: frame 11 is the 535 to the first AUTH PLAIN (session 0, user alice)
line=$(awk '$1 == 11' "$MS_ENV/list.txt")
case $line in *" 0 alice failure "*) ;; *) bad "columns of frame 11: $line" ;; esac

# colouring rules: frame -> rule, for the frames each rule is about
rules() { ms_tshark -C Mail -r "$1" -2 --color -T fields -e frame.number -e frame.coloring_rule.name; }
expect_rule() { # capture frame rule
    local got
    got=$(rules "$1" | awk -F'\t' -v f="$2" '$1 == f {print $2}')
    [ "$got" = "$3" ] || bad "$1 frame $2: colouring rule '$got', expected '$3'"
}
expect_rule smtp-auth-fail-then-ok.pcap 9 "Mail: clear-text credentials on this frame"
expect_rule smtp-auth-fail-then-ok.pcap 11 "Mail: failed login"
expect_rule smtp-auth-fail-then-ok.pcap 1 "Mail: session with clear-text credentials"
for c in port-smtp-starttls-inject-client smtp-smuggling; do
    want=$([ $c = smtp-smuggling ] && echo "Mail: smuggling" || echo "Mail: STARTTLS/STLS tampering")
    rules $c.pcap | grep -qF "$want" || bad "$c: no frame coloured '$want'"
done
rules pop3-user-pass.pcap | grep -q "Mail: " || bad "pop3-user-pass: no frame coloured by a Mail rule"

# filter buttons: each expression compiles (UAT escapes \x22 -> ")
n=0
while IFS= read -r l; do
    [[ $l == \"* ]] || continue
    expr=$(printf '%s' "$l" | awk -F'","' '{print $3}' | sed 's/\\x22/"/g')
    n=$((n + 1))
    ms_tshark -r smtp-auth-fail-then-ok.pcap -Y "$expr" > /dev/null 2>&1 || bad "filter button does not compile: $expr"
done < "$repo/profiles/Mail/dfilter_buttons"
[ "$n" -ge 5 ] || bad "only $n filter buttons"
got=$(ms_tshark -r smtp-auth-fail-then-ok.pcap -Y 'mailsess.login.result == "failure"' -T fields -e frame.number | tr '\n' ' ')
[ "$got" = "11 " ] || bad "the failed-login filter selects frames '$got', expected 11"
[ "$fail" = 0 ] && echo "ok: the Mail profile (columns, $n filter buttons, colouring rules)"
exit "$fail"
