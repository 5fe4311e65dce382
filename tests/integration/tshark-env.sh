# tshark-env.sh - run the real tshark with a freshly built mailsess.so.
# Source it, then: ms_env_setup PLUGIN_SO WS_VERSION; ms_tshark ARGS...
#
# tshark ignores personal plugin dirs when run by root (CI runs as root), so
# as root the test tshark runs as 'nobody' with a private HOME; as any other
# user it runs as that user with the same private HOME. Files given to it must
# be under $MS_ENV (ms_env_copy puts them there).
#
# The plugin under test goes into that private HOME's personal plugin dir.
# A mailsess.so installed system-wide (cmake --install, the package) would be
# found too and win ("found in multiple directories"), so the test tshark gets
# WIRESHARK_PLUGIN_DIR (honoured for a user that is not root) pointing at a
# copy of the system plugin dir made of symlinks to every system plugin except
# mailsess.so: the tests load the plugin they were given, whatever is installed.
# SPDX-License-Identifier: GPL-2.0-or-later

ms_env_setup() {
    local plugin=$1 wsver=$2
    MS_ENV=$(mktemp -d "${TMPDIR:-/tmp}/mailsess-test.XXXXXX")
    chmod 755 "$MS_ENV"
    mkdir -p "$MS_ENV/home/.local/lib/wireshark/plugins/$wsver/epan" "$MS_ENV/home/.config/wireshark"
    chmod -R a+rX "$MS_ENV"
    trap 'rm -rf "$MS_ENV"' EXIT
    # asked while the personal dir is still empty: tshark loads every plugin
    # it finds even for -G folders, and an ASan build loads only with the ASan
    # runtime preloaded (MS_TSHARK_ENV, set later by the robustness tests)
    ms_env_system_plugins "$wsver" || return 1
    cp "$plugin" "$MS_ENV/home/.local/lib/wireshark/plugins/$wsver/epan/"
    MS_PLUGIN_UNDER_TEST=$(readlink -f "$plugin")
    chmod -R a+rX "$MS_ENV/home"
}

# $MS_ENV/sysplugins: the system plugin dir of this tshark without mailsess.so
# (sets MS_SYSTEM_COPY to the hidden system-wide mailsess.so, if there is one).
ms_env_system_plugins() {
    local wsver=$1 global root e sub f
    global=$(ms_tshark_raw -G folders | sed -n 's/^Global Plugins:[[:space:]]*//p')
    if [ -z "$global" ] || [ "$(basename "$global")" != "$wsver" ]; then
        echo "FAIL: tshark's global plugin dir ('$global') is not for Wireshark $wsver" >&2
        return 1
    fi
    root=$(dirname "$global")
    MS_SYSTEM_COPY=""
    [ -e "$global/epan/mailsess.so" ] && MS_SYSTEM_COPY=$global/epan/mailsess.so
    mkdir -p "$MS_ENV/sysplugins/$wsver/epan"
    for e in "$root"/*; do
        [ -e "$e" ] && [ "$e" != "$global" ] && ln -s "$e" "$MS_ENV/sysplugins/"
    done
    for sub in "$global"/*; do
        [ -e "$sub" ] && [ "$sub" != "$global/epan" ] && ln -s "$sub" "$MS_ENV/sysplugins/$wsver/"
    done
    for f in "$global"/epan/*; do
        [ -e "$f" ] && [ "$(basename "$f")" != mailsess.so ] && ln -s "$f" "$MS_ENV/sysplugins/$wsver/epan/"
    done
    chmod -R a+rX "$MS_ENV/sysplugins"
    MS_PLUGIN_ENV=(WIRESHARK_PLUGIN_DIR="$MS_ENV/sysplugins")
}

# ms_env_merge NAME CASE_DIR...: the cases' captures merged (mergecap, in time
# order) into $MS_ENV/NAME, readable by the test user.
ms_env_merge() {
    local name=$1 d caps=()
    shift
    for d in "$@"; do caps+=("$d"/capture.pcap*); done
    mergecap -F pcap -w "$MS_ENV/$name" "${caps[@]}"
    chmod a+r "$MS_ENV/$name"
}

# Copies files or folders into $MS_ENV (readable by the test user).
ms_env_copy() {
    cp -r "$@" "$MS_ENV/"
    chmod -R a+rX "$MS_ENV"
}

# Optional, for the robustness tests: MS_TSHARK_ENV (array of NAME=value added
# to tshark's otherwise empty environment, e.g. LD_PRELOAD and ASAN_OPTIONS)
# and MS_TSHARK_WRAP (array: a command tshark runs under, e.g. valgrind ...).
ms_tshark() {
    ms_tshark_raw ${MS_PLUGIN_ENV[@]+"${MS_PLUGIN_ENV[@]}"} "$@"
}

# ms_tshark_raw [NAME=value...] ARGS...: tshark as the test user, without the
# system plugin dir replaced (ms_env_system_plugins asks it where that is)
ms_tshark_raw() {
    ms_as_test_user tshark "$@"
}

# ms_as_test_user PROGRAM [NAME=value...] ARGS...: PROGRAM (tshark, wireshark)
# as the test user in $MS_ENV, with an empty environment but PATH, HOME, the
# locale, TZ, MS_TSHARK_ENV and the leading NAME=value arguments
# (WIRESHARK_PLUGIN_DIR, DISPLAY, XDG_RUNTIME_DIR).
ms_as_test_user() {
    local prog=$1
    shift
    local extra=(${MS_TSHARK_ENV[@]+"${MS_TSHARK_ENV[@]}"})
    while [ $# -gt 0 ] && [[ "$1" =~ ^(WIRESHARK_PLUGIN_DIR|DISPLAY|XDG_RUNTIME_DIR)= ]]; do
        extra+=("$1"); shift
    done
    extra+=(${MS_TSHARK_WRAP[@]+"${MS_TSHARK_WRAP[@]}"})
    if [ "$(id -u)" = 0 ]; then
        (cd "$MS_ENV" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
            env -i PATH="$PATH" HOME="$MS_ENV/home" LC_ALL=C.UTF-8 TZ=UTC ${extra[@]+"${extra[@]}"} "$prog" "$@")
    else
        (cd "$MS_ENV" && env -i PATH="$PATH" HOME="$MS_ENV/home" LC_ALL=C.UTF-8 TZ=UTC ${extra[@]+"${extra[@]}"} "$prog" "$@")
    fi
}

# ms_run CMD ARGS...: any command as the test user, with tshark's environment
# (the plugin under test), in $MS_ENV: for scripts that run tshark themselves.
ms_run() {
    local extra=(${MS_PLUGIN_ENV[@]+"${MS_PLUGIN_ENV[@]}"} ${MS_TSHARK_ENV[@]+"${MS_TSHARK_ENV[@]}"})
    if [ "$(id -u)" = 0 ]; then
        (cd "$MS_ENV" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
            env -i PATH="$PATH" HOME="$MS_ENV/home" LC_ALL=C.UTF-8 TZ=UTC ${extra[@]+"${extra[@]}"} "$@")
    else
        (cd "$MS_ENV" && env -i PATH="$PATH" HOME="$MS_ENV/home" LC_ALL=C.UTF-8 TZ=UTC ${extra[@]+"${extra[@]}"} "$@")
    fi
}

# The Wireshark GUI needs to write its profile, font cache and runtime dir:
# ms_env_gui makes them (owned by the test user), ms_wireshark DISPLAY ARGS...
# runs it on that X display with the plugin under test.
ms_env_gui() {
    mkdir -p "$MS_ENV/home/.config/wireshark" "$MS_ENV/home/.cache" "$MS_ENV/run"
    chmod 700 "$MS_ENV/run"
    if [ "$(id -u)" = 0 ]; then
        chown -R nobody:nogroup "$MS_ENV/home/.config" "$MS_ENV/home/.cache" "$MS_ENV/run"
    fi
}

ms_wireshark() {
    local display=$1
    shift
    ms_as_test_user wireshark ${MS_PLUGIN_ENV[@]+"${MS_PLUGIN_ENV[@]}"} DISPLAY="$display" \
        XDG_RUNTIME_DIR="$MS_ENV/run" "$@"
}

# Fails loudly when the plugin does not load: every other check depends on it.
# It must be the plugin under test, not one installed system-wide.
ms_assert_loaded() {
    local lines
    lines=$(ms_tshark -G plugins 2>/dev/null | grep '^mailsess\.so' || true)
    if [ -z "$lines" ]; then
        echo "FAIL: tshark -G plugins does not list mailsess.so" >&2
        ms_tshark -G plugins >&2 || true
        return 1
    fi
    if [ "$(echo "$lines" | wc -l)" != 1 ] || ! echo "$lines" | grep -qF "$MS_ENV/"; then
        echo "FAIL: tshark loads another mailsess.so than $MS_PLUGIN_UNDER_TEST:" >&2
        echo "$lines" >&2
        return 1
    fi
    echo "testing $MS_PLUGIN_UNDER_TEST (tshark loads its copy ${lines##*[[:space:]]})"
    [ -z "$MS_SYSTEM_COPY" ] ||
        echo "note: the system-wide $MS_SYSTEM_COPY is hidden from this test run"
}
