#!/usr/bin/env bash
# check-stats-dialogs.sh PLUGIN_SO WS_VERSION CASE_DIR|CAPTURE...
#
# The other mailsess dialogs in the real Wireshark GUI, headless (Xvfb), on
# one capture merged from the given cases: the MAILSESS Service Response Time
# dialog (-z mailsess,srt), Statistics > Mail > Mail Statistics (the stats
# tree; Wireshark 4.0's GUI takes no -z for a plugin's stats tree) and
# Tools > Credentials. For each: the window by its title, a screenshot
# (gui-<name>.png in the current directory or $MAILSESS_GUI_SHOTS) and its
# text, compared with tshark on the same capture (stats-copy.py): the SRT and
# Mail Statistics dialogs through their Copy button (the same rows, counts and
# times as -z mailsess,srt and -z mailsess,tree), the Credentials dialog cell
# by cell (Ctrl+C copies the selected row's Additional Info: the same logins
# as -z credentials). Exit 77 (a ctest skip) when wireshark or Xvfb is not
# installed (.ci/install-gui-deps.sh installs them).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 wsver=$2
shift 2
. "$here/gui-lib.sh"
gui_require_tools
shots=${MAILSESS_GUI_SHOTS:-$PWD}
. "$here/../integration/tshark-env.sh"
ms_env_setup "$plugin" "$wsver"
ms_assert_loaded
ms_env_gui
ms_env_merge merged.pcap "$@"
out=$MS_ENV/out
mkdir "$out"
trap gui_cleanup EXIT
ms_tshark -r merged.pcap -q -z mailsess,srt > "$out/srt.txt"
ms_tshark -r merged.pcap -q -z mailsess,tree > "$out/tree.txt"
ms_tshark -r merged.pcap -q -z credentials > "$out/credentials.txt"
gui_start_x
gui_wireshark -r merged.pcap -z mailsess,srt
rc=0

# press the Copy button of dialog W (its place in a dialog of W x H, as
# Wireshark 4.0 lays it out: bottom right, left of "Save as..." and "Close")
# until the clipboard holds what check KIND accepts (the retap may be running)
copy_dialog() {
    local w=$1 kind=$2 X Y WIDTH HEIGHT SCREEN
    for _ in $(seq 10); do
        eval "$(xdotool getwindowgeometry --shell "$w")"
        xdotool mousemove $((X + WIDTH - 235)) $((Y + HEIGHT - 24)) click 1
        sleep 0.5
        gui_clip > "$out/$kind.copy"
        python3 "$here/stats-copy.py" "$kind" "$out" > /dev/null 2>&1 && break
        sleep 1
    done
    python3 "$here/stats-copy.py" "$kind" "$out"
}

srt=$(gui_wait_window 'MAILSESS Service Response Time')
echo "SRT dialog: window $srt"
xdotool windowmove "$srt" 780 0 windowsize "$srt" 720 420
sleep 1
copy_dialog "$srt" srt || rc=1
import -window "$srt" "$shots/gui-srt.png"

ENTER_SUB=1 gui_menu alt+s -1   # Statistics > Mail (the last entry) > Mail Statistics
stat=$(gui_wait_window 'Mail Statistics') ||
    { cp "$out/menu.png" "$shots/gui-menu-failed.png"; echo "FAIL: the menu: $shots/gui-menu-failed.png" >&2; exit 1; }
echo "Mail Statistics dialog: window $stat"
xdotool windowmove "$stat" 0 0 windowsize "$stat" 820 700
sleep 1
copy_dialog "$stat" tree || rc=1
import -window "$stat" "$shots/gui-mail-statistics.png"

gui_menu alt+t 1   # Tools > Credentials (the second entry)
cred=$(gui_wait_window 'Credentials · merged') ||
    { cp "$out/menu.png" "$shots/gui-menu-failed.png"; echo "FAIL: the menu: $shots/gui-menu-failed.png" >&2; exit 1; }
echo "Credentials dialog: window $cred"
xdotool windowmove "$cred" 0 0 windowsize "$cred" 900 400
sleep 1
# the first row's Additional Info cell, then one row down at a time
xdotool mousemove 400 42 click 1
: > "$out/credentials.copy"
rows=$(grep -c '^[0-9]' "$out/credentials.txt" || true)
for _ in $(seq "$rows"); do
    echo -n "" | xclip -selection clipboard
    xdotool key ctrl+c
    sleep 0.3
    { gui_clip; echo; } >> "$out/credentials.copy"
    xdotool key Down
done
python3 "$here/stats-copy.py" credentials "$out" || rc=1
import -window "$cred" "$shots/gui-credentials.png"
echo "screenshots: $shots/gui-srt.png, $shots/gui-mail-statistics.png, $shots/gui-credentials.png"
[ "$rc" = 0 ] && echo "ok: the SRT, Mail Statistics and Credentials dialogs show what tshark shows"
exit "$rc"
