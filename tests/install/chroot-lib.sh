# chroot-lib.sh - fresh Debian chroots for the install tests (root only).
# Source it, then: ch_make SUITE DIR; ch_run DIR 'bash commands'; mounts are
# undone by ch_cleanup (set as the EXIT trap by ch_make).
#
# ch_make makes a minimal Debian (debootstrap --variant=minbase) from Debian's
# archive. MAILSESS_CHROOT_CACHE=DIR keeps the bare debootstrap result as
# DIR/SUITE.tar and unpacks that next time (for runs by hand; CI leaves it
# unset and debootstraps afresh).
# SPDX-License-Identifier: GPL-2.0-or-later

CH_MIRROR=${MAILSESS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CH_MOUNTS=()
CH_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        HOME=/root LC_ALL=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive)

ch_cleanup() {
    local i
    for ((i = ${#CH_MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${CH_MOUNTS[i]}" 2> /dev/null || umount -l "${CH_MOUNTS[i]}" 2> /dev/null || true
    done
    CH_MOUNTS=()
}

ch_mount() {
    local root=$1
    # /proc only (debootstrap made the device nodes /dev needs)
    mountpoint -q "$root/proc" || { mount -t proc proc "$root/proc" && CH_MOUNTS+=("$root/proc"); }
}

# unmounts whatever an earlier run left mounted under DIR (before rm -rf)
ch_unmount_all() {
    local root m
    # -m: on a fresh machine neither DIR nor its parent exists yet (-f fails)
    root=$(readlink -m "$1")
    awk -v r="$root/" 'index($2 "/", r) == 1 {print $2}' /proc/mounts | sort -r |
        while read -r m; do umount "$m" 2> /dev/null || umount -l "$m"; done
    if awk -v r="$root/" 'index($2 "/", r) == 1 {f = 1} END {exit !f}' /proc/mounts; then
        echo "something is still mounted under $root: not removing it" >&2
        return 1
    fi
}

# ch_remove DIR: unmount, then delete a chroot
ch_remove() {
    ch_unmount_all "$1" && rm -rf "$1"
}

# ch_make SUITE DIR: a fresh minimal SUITE in DIR (removed first), mounted
ch_make() {
    local suite=$1 root=$2 cache=${MAILSESS_CHROOT_CACHE:-}
    command -v debootstrap > /dev/null || { echo "needs debootstrap (apt-get install debootstrap)" >&2; return 1; }
    trap ch_cleanup EXIT
    ch_unmount_all "$root"
    rm -rf "$root"
    mkdir -p "$(dirname "$root")"
    mkdir -p "$root"
    if [ -n "$cache" ] && [ -f "$cache/$suite.tar" ]; then
        tar -xf "$cache/$suite.tar" -C "$root"
    else
        debootstrap --variant=minbase "$suite" "$root" "$CH_MIRROR" > "$root.debootstrap.log" 2>&1 ||
            { tail -20 "$root.debootstrap.log" >&2; return 1; }
        if [ -n "$cache" ]; then mkdir -p "$cache"; tar -cf "$cache/$suite.tar" -C "$root" .; fi
    fi
    # no daemons started by package scripts; the host's resolver
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    ch_mount "$root"
}

# ch_run DIR 'commands': bash -c in the chroot, as root, cwd /
ch_run() {
    local root=$1; shift
    chroot "$root" "${CH_ENV[@]}" bash -c "cd / && $*"
}
