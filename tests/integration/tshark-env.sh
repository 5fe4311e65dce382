# tshark-env.sh - run the real tshark with a freshly built mailsess.so.
# Source it, then: ms_env_setup PLUGIN_SO WS_VERSION; ms_tshark ARGS...
#
# tshark ignores personal plugin dirs when run by root (CI runs as root), so
# as root the test tshark runs as 'nobody' with a private HOME; as any other
# user it runs as that user with the same private HOME. Files given to it must
# be under $MS_ENV (ms_env_copy puts them there).
# SPDX-License-Identifier: GPL-2.0-or-later

ms_env_setup() {
    local plugin=$1 wsver=$2
    MS_ENV=$(mktemp -d "${TMPDIR:-/tmp}/mailsess-test.XXXXXX")
    chmod 755 "$MS_ENV"
    mkdir -p "$MS_ENV/home/.local/lib/wireshark/plugins/$wsver/epan" "$MS_ENV/home/.config/wireshark"
    cp "$plugin" "$MS_ENV/home/.local/lib/wireshark/plugins/$wsver/epan/"
    chmod -R a+rX "$MS_ENV"
    trap 'rm -rf "$MS_ENV"' EXIT
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
    local extra=(${MS_TSHARK_ENV[@]+"${MS_TSHARK_ENV[@]}"} ${MS_TSHARK_WRAP[@]+"${MS_TSHARK_WRAP[@]}"})
    if [ "$(id -u)" = 0 ]; then
        (cd "$MS_ENV" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
            env -i PATH="$PATH" HOME="$MS_ENV/home" LC_ALL=C.UTF-8 TZ=UTC ${extra[@]+"${extra[@]}"} tshark "$@")
    else
        (cd "$MS_ENV" && env -i PATH="$PATH" HOME="$MS_ENV/home" LC_ALL=C.UTF-8 TZ=UTC ${extra[@]+"${extra[@]}"} tshark "$@")
    fi
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
        echo "FAIL: tshark loads another mailsess.so (installed system-wide?):" >&2
        echo "$lines" >&2
        return 1
    fi
}
