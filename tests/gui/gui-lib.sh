# gui-lib.sh - sourced by the GUI tests and docs/screenshots/make-screenshots.sh:
# the tools they need, an X server of its own (Xvfb), Wireshark on it as the
# test user, waiting for its windows. Past gui_require_tools: needs
# tests/integration/tshark-env.sh sourced and ms_env_setup done ($MS_ENV);
# the caller's out dir is $out.
# SPDX-License-Identifier: GPL-2.0-or-later

gui_xpid="" wpid=""

# gui_require_tools: exit 77 (a ctest skip) without wireshark or Xvfb
# (.ci/install-gui-deps.sh installs them); any other missing tool fails
gui_require_tools() {
    local t
    for t in wireshark Xvfb; do
        if ! command -v "$t" > /dev/null; then
            echo "SKIP: $t is not installed (bash .ci/install-gui-deps.sh installs the GUI test tools)"
            exit 77
        fi
    done
    for t in xdotool xclip xwininfo import mergecap python3; do
        command -v "$t" > /dev/null || { echo "FAIL: $t is not installed (.ci/install-gui-deps.sh)" >&2; exit 1; }
    done
}

# gui_start_x: Xvfb on a free display (chosen by Xvfb itself); exports DISPLAY
gui_start_x() {
    Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3> "$out/display" > "$out/xvfb.log" 2>&1 &
    gui_xpid=$!
    for _ in $(seq 50); do [ -s "$out/display" ] && break; sleep 0.1; done
    [ -s "$out/display" ] || { cat "$out/xvfb.log" >&2; echo "FAIL: Xvfb did not start" >&2; exit 1; }
    DISPLAY=:$(tr -d '\n' < "$out/display")
    export DISPLAY
}

# gui_wireshark ARGS...: Wireshark (as the test user) in the background; $wpid
gui_wireshark() {
    ms_wireshark "$DISPLAY" "$@" > "$out/wireshark.log" 2>&1 &
    wpid=$!
}

# gui_stop_ws: Wireshark runs in a subshell ($wpid): stop its children too
gui_stop_ws() {
    [ -n "$wpid" ] || return 0
    local c
    for c in $(pgrep -P "$wpid" || true); do kill "$c" 2> /dev/null || true; done
    kill "$wpid" 2> /dev/null || true
    wait "$wpid" 2> /dev/null || true
    wpid=""
}

# gui_cleanup: for the caller's EXIT trap
gui_cleanup() {
    gui_stop_ws
    [ -z "$gui_xpid" ] || kill "$gui_xpid" 2> /dev/null || true
    wait 2> /dev/null || true
    rm -rf "$MS_ENV"
}

# gui_wait_window REGEX: the id of the first window whose name matches (30 s)
gui_wait_window() {
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

# gui_menu KEY N: open the main window's menu KEY (alt+s, alt+t) and go N
# entries down (negative: up, wrapping to the last), then Right and Return
# when ENTER_SUB=1 (a submenu's first entry), else Return
gui_menu() {
    local main key=$1 n=$2
    main=$(xdotool search --name '^merged\.pcap$' | head -1)
    xdotool mousemove 100 200
    xdotool windowfocus --sync "$main"
    xdotool key "$key"
    sleep 0.8
    if [ "$n" -lt 0 ]; then
        for _ in $(seq $((-n))); do xdotool key Up; done
    else
        for _ in $(seq "$n"); do xdotool key Down; done
    fi
    sleep 0.3
    import -window root "$out/menu.png"
    [ -z "${ENTER_SUB:-}" ] || { xdotool key Right; sleep 0.5; }
    xdotool key Return
}

# gui_clip: the clipboard's text (empty when none)
gui_clip() {
    timeout 5 xclip -o -selection clipboard 2> /dev/null || true
}
