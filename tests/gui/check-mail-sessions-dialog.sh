#!/usr/bin/env bash
# check-mail-sessions-dialog.sh PLUGIN_SO WS_VERSION CASE_DIR|CAPTURE...
#
# Statistics > Mail Sessions in the real Wireshark GUI, headless: on one
# capture merged from the given cases (or capture files), Wireshark runs under
# Xvfb with the plugin under test and `-z mailsess,sessions`; then
# Statistics > Mail Sessions opens a second dialog while the first is open. For each
# dialog window: its title; a screenshot (gui-mail-sessions.png, the dialog
# alone: gui-mail-sessions-dialog.png, in the current directory or
# $MAILSESS_GUI_SHOTS); its text through its own Copy (right click > Copy,
# read from the clipboard), which must equal the table `tshark -z
# mailsess,sessions,json` gives on the same capture, as Wireshark 4.0 renders
# it (dialog-copy.py: unpadded column names, one row per session). Exit 77
# (a ctest skip) when wireshark or Xvfb is not installed
# (.ci/install-gui-deps.sh installs them); any other missing tool fails.
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
caps=()
for a in "$@"; do
    if [ -d "$a" ]; then caps+=("$a"/capture.pcap*); else caps+=("$a"); fi
done
mergecap -F pcap -w "$MS_ENV/merged.pcap" "${caps[@]}"
chmod a+r "$MS_ENV/merged.pcap"
out=$MS_ENV/out
mkdir "$out"
ms_tshark -r merged.pcap -q -z mailsess,sessions,json > "$out/expected.jsonl"

trap gui_cleanup EXIT
gui_start_x
gui_wireshark -r merged.pcap -z mailsess,sessions

title="Wireshark · Mail Sessions · merged.pcap"
# the ids of the windows titled $title, oldest first
dialogs() { xdotool search --name "^${title}\$" 2> /dev/null | sort -n; }
# waits (up to 30 s) for N dialog windows; their ids in wins[]
wait_dialogs() {
    local n=$1
    wins=()
    for _ in $(seq 60); do
        kill -0 "$wpid" 2> /dev/null ||
            { cat "$out/wireshark.log" >&2; echo "FAIL: wireshark exited before $n Mail Sessions dialog(s) opened (its output above)" >&2; exit 1; }
        mapfile -t wins < <(dialogs)
        [ "${#wins[@]}" -ge "$n" ] && return 0
        sleep 0.5
    done
    xwininfo -root -tree | grep '"' | grep -v 'has no name' >&2 || true
    import -window root "$shots/gui-mail-sessions.png" || true
    echo "FAIL: after 30 s, ${#wins[@]} window(s) titled '$title' ($2); the windows above; screenshot $shots/gui-mail-sessions.png" >&2
    grep -v '^ *$' "$out/wireshark.log" >&2 || true
    exit 1
}
# dialog window W's Copy (its context menu's first entry), retried until
# the retap has filled it, checked against tshark's table
check_copy() {
    local w=$1 name=$2 X Y WIDTH HEIGHT SCREEN
    for _ in $(seq 20); do
        eval "$(xdotool getwindowgeometry --shell "$w")"
        xdotool mousemove $((X + WIDTH / 2)) $((Y + HEIGHT / 4)) click 3
        sleep 0.3
        xdotool key Down Return
        sleep 0.3
        timeout 5 xclip -o -selection clipboard > "$out/copy.txt" 2> /dev/null || true
        python3 "$here/dialog-copy.py" "$out/expected.jsonl" "$out/copy.txt" > /dev/null 2>&1 && break
        sleep 0.5
    done
    python3 "$here/dialog-copy.py" "$out/expected.jsonl" "$out/copy.txt" "$name"
}

rc=0
wait_dialogs 1 "-z mailsess,sessions"
echo "dialog window ${wins[0]}: '$title'"
xdotool windowmove "${wins[0]}" 0 440 windowsize "${wins[0]}" 1600 460
check_copy "${wins[0]}" "dialog (-z mailsess,sessions)" || rc=1

# Statistics > Mail Sessions, by keyboard: Alt+S opens the menu on its first
# entry; Mail Sessions is the 10th (Wireshark 4.0, Debian's build: 8 entries,
# a separator, "DHCP (BOOTP) Statistics", "Mail Sessions"; the window title
# says whether it was). A second dialog on the table, the first still open.
main=$(xdotool search --name '^merged\.pcap$' | head -1)
xdotool mousemove 100 200
xdotool windowfocus --sync "$main"
xdotool key alt+s
sleep 0.5
for _ in $(seq 9); do xdotool key Down; done
sleep 0.3
import -window root "$out/menu.png"
xdotool key Return
if ! (wait_dialogs 2 "Statistics > Mail Sessions"); then
    cp "$out/menu.png" "$shots/gui-mail-sessions-menu.png"
    echo "FAIL: Statistics' 10th entry did not open a Mail Sessions dialog: the menu, entry highlighted: $shots/gui-mail-sessions-menu.png" >&2
    exit 1
fi
mapfile -t wins < <(dialogs)
echo "dialog window ${wins[1]}: '$title' (Statistics > Mail Sessions)"
xdotool windowmove "${wins[1]}" 0 0 windowsize "${wins[1]}" 1600 420
check_copy "${wins[1]}" "dialog (Statistics > Mail Sessions)" || rc=1
# the second dialog's run reset the table the first one shares: the first
# still has its rows (not freed memory)
check_copy "${wins[0]}" "first dialog, after the second one's run" || rc=1
sleep 0.3
import -window root "$shots/gui-mail-sessions.png"
import -window "${wins[0]}" "$shots/gui-mail-sessions-dialog.png"
echo "screenshots: $shots/gui-mail-sessions.png, $shots/gui-mail-sessions-dialog.png"
[ "$rc" = 0 ] && echo "ok: the Mail Sessions dialog (-z and Statistics menu) shows tshark's session table"
exit "$rc"
