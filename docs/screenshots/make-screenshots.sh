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
#   credentials.png      Tools > Credentials; 64 colours
# the last three on a capture merged from five SMTP and POP3 cases. The PNGs go
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
. "$top/tests/gui/gui-lib.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
ms_env_gui
tc=$top/test-captures
ms_env_merge merged.pcap "$tc"/{smtp-auth-plain,smtp-auth-fail-then-ok,smtp-multi-msg-rejected-rcpt,pop3-user-pass,pop3-dele-no-quit}
cp "$tc/smtp-auth-fail-then-ok/capture.pcap" "$MS_ENV/auth-fail.pcap"
chmod a+r "$MS_ENV/auth-fail.pcap"
out=$MS_ENV/out
mkdir "$out"

trap gui_cleanup EXIT
gui_start_x

# (1) the packet list over the packet details, no bytes pane (-o); Go to
# Packet (Ctrl+G) 11; in the details, the Mail Session item is the last
# top-level one: End selects it, Right expands it; the details pane cropped.
gui_wireshark -o gui.layout_type:1 -o gui.layout_content_3:NONE -r auth-fail.pcap
main=$(gui_wait_window '^auth-fail\.pcap$')
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
gui_stop_ws

# (2), (3): the SRT dialog by -z mailsess,srt; the stats tree through
# Statistics > Mail > Mail Statistics (Wireshark 4.0's GUI takes no -z for
# a plugin's stats tree)
gui_wireshark -r merged.pcap -z mailsess,srt
srt=$(gui_wait_window 'Service Response Time')
main=$(gui_wait_window '^merged\.pcap$')
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
if ! stat=$(gui_wait_window 'Mail Statistics'); then
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
# (4) Tools > Credentials (its second entry): mailsess's logins beside the
# built-in POP3 dissector's user names
gui_menu alt+t 1
cred=$(gui_wait_window 'Credentials · merged')
sleep 2
xdotool windowmove "$cred" 0 0 windowsize "$cred" 760 215
sleep 1
import -window "$cred" "$out/cred.png"
convert "$out/cred.png" -colors 64 "$shots/credentials.png"
gui_stop_ws
ls -l "$shots"/tree-535.png "$shots"/mail-statistics.png "$shots"/srt.png "$shots"/credentials.png
