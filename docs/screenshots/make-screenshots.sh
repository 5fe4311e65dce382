#!/usr/bin/env bash
# make-screenshots.sh PLUGIN_SO [WS_VERSION]
#
# Regenerates the README's screenshots of the real Wireshark GUI (4.0), run
# headless under Xvfb with the given mailsess.so (tests/integration/tshark-env.sh):
#   tree-535.png         packet details of frame 11 (the 535) of
#                        smtp-auth-fail-then-ok, the Mail Session item expanded
#   mail-statistics.png  Statistics > Mail > Mail Statistics ("Replies by
#                        command and code" collapsed); 64 colours
#   srt.png              the MAILSESS Service Response Time dialog (-z mailsess,srt),
#                        taken before the stats tree's retap
# the last two on a capture merged from five SMTP and POP3 cases. The PNGs go
# next to this script (or into $MAILSESS_SHOTS). The window geometry and the
# rows clicked are fixed (Xvfb 1600x1000, Wireshark 4.0's default layout and
# fonts): after a change, look at the pictures. About 30 s.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
plugin=$(readlink -f "$1")
wsver=${2:-4.0}
shots=${MAILSESS_SHOTS:-$here}
for t in wireshark Xvfb xdotool import mergecap; do
    command -v "$t" > /dev/null || { echo "FAIL: $t is not installed" >&2; exit 1; }
done
. "$top/tests/integration/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
ms_env_gui
tc=$top/test-captures
ms_env_merge merged.pcap "$tc"/{smtp-auth-plain,smtp-auth-fail-then-ok,smtp-multi-msg-rejected-rcpt,pop3-user-pass,pop3-dele-no-quit}
cp "$tc/smtp-auth-fail-then-ok/capture.pcap" "$MS_ENV/auth-fail.pcap"
chmod a+r "$MS_ENV/auth-fail.pcap"
out=$MS_ENV/out
mkdir "$out"

xpid="" wpid=""
# wireshark runs in a subshell ($wpid): stop its child (wireshark) by pid
stop_ws() {
    [ -n "$wpid" ] || return 0
    local c
    for c in $(pgrep -P "$wpid" || true); do kill "$c" 2> /dev/null || true; done
    kill "$wpid" 2> /dev/null || true
    wait "$wpid" 2> /dev/null || true
    wpid=""
}
cleanup() {
    stop_ws
    [ -z "$xpid" ] || kill "$xpid" 2> /dev/null || true
    wait 2> /dev/null || true
    rm -rf "$MS_ENV"
}
trap cleanup EXIT
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3> "$out/display" > "$out/xvfb.log" 2>&1 &
xpid=$!
for _ in $(seq 50); do [ -s "$out/display" ] && break; sleep 0.1; done
[ -s "$out/display" ] || { cat "$out/xvfb.log" >&2; echo "FAIL: Xvfb did not start" >&2; exit 1; }
DISPLAY=:$(tr -d '\n' < "$out/display")
export DISPLAY

# wait_window REGEX: the id of the first window whose name matches (30 s)
wait_window() {
    local w
    for _ in $(seq 60); do
        kill -0 "$wpid" 2> /dev/null || { cat "$out/wireshark.log" >&2; echo "FAIL: wireshark exited" >&2; exit 1; }
        w=$(xdotool search --name "$1" 2> /dev/null | head -1 || true)
        [ -n "$w" ] && { echo "$w"; return 0; }
        sleep 0.5
    done
    xwininfo -root -tree | grep '"' | grep -v 'has no name' >&2 || true
    echo "FAIL: no window named '$1' after 30 s" >&2
    exit 1
}

# (1) the packet list over the packet details, no bytes pane (-o); Go to
# Packet (Ctrl+G) 11; in the details, the Mail Session item is the last
# top-level one: End selects it, Right expands it; the details pane cropped.
ms_wireshark "$DISPLAY" -o gui.layout_type:1 -o gui.layout_content_3:NONE \
    -r auth-fail.pcap > "$out/wireshark.log" 2>&1 &
wpid=$!
main=$(wait_window '^auth-fail\.pcap$')
sleep 2
xdotool windowmove "$main" 0 0 windowsize "$main" 1000 900
sleep 1
xdotool windowfocus --sync "$main"
xdotool key ctrl+g
sleep 0.5
xdotool type 11
xdotool key Return
sleep 1
eval "$(xdotool getwindowgeometry --shell "$main")"
import -window "$main" "$out/before.png"
# the details pane's first row (Frame), in a 1000x900 window at y 495;
# Frame, Ethernet, IP, TCP, SMTP, Mail Session: 5 rows down
xdotool mousemove $((X + 300)) $((Y + 495)) click 1
sleep 0.3
xdotool key Down Down Down Down Down Right
sleep 1
import -window "$main" "$out/tree-full.png"
convert "$out/tree-full.png" -crop 1000x236+0+486 +repage "$shots/tree-535.png"
stop_ws

# (2), (3): the SRT dialog by -z mailsess,srt; the stats tree through
# Statistics > Mail > Mail Statistics (Wireshark 4.0's GUI takes no -z for
# a plugin's stats tree)
ms_wireshark "$DISPLAY" -r merged.pcap -z mailsess,srt > "$out/wireshark.log" 2>&1 &
wpid=$!
srt=$(wait_window 'Service Response Time')
main=$(wait_window '^merged\.pcap$')
sleep 2
xdotool windowmove "$srt" 780 0 windowsize "$srt" 720 420
sleep 1
import -window "$srt" "$shots/srt.png"
xdotool windowmove "$main" 0 0 windowsize "$main" 1000 800
sleep 0.5
xdotool mousemove 100 200
xdotool windowfocus --sync "$main"
xdotool key alt+s
sleep 0.8
import -window root "$out/menu.png"
# Mail is Statistics' last entry (Up from the first wraps to it); its
# submenu's first entry is Mail Statistics
xdotool key Up Right
sleep 0.5
xdotool key Return
if ! stat=$(wait_window 'Mail Statistics'); then
    cp "$out/menu.png" "$shots/menu-failed.png"
    echo "FAIL: Statistics > Mail > Mail Statistics did not open; the menu: $shots/menu-failed.png" >&2
    exit 1
fi
sleep 3
xdotool windowmove "$stat" 0 0 windowsize "$stat" 820 700
sleep 1
# "Replies by command and code" (the 5th row) collapsed: the rest in view
eval "$(xdotool getwindowgeometry --shell "$stat")"
xdotool mousemove $((X + 100)) $((Y + 109)) click 1
sleep 0.3
xdotool key Left
sleep 0.5
import -window "$stat" "$out/stat.png"
convert "$out/stat.png" -colors 64 "$shots/mail-statistics.png"
# the SRT dialog after the stats tree's retap (MAILSESS_SHOTS_DEBUG=1 keeps it)
[ -z "${MAILSESS_SHOTS_DEBUG:-}" ] || import -window "$srt" "$shots/srt-after-retap.png"
stop_ws
ls -l "$shots"/tree-535.png "$shots"/mail-statistics.png "$shots"/srt.png
