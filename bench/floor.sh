#!/usr/bin/env bash
# bench/floor.sh [REF] - what the byte path's design costs before any session
# work: the floor under issue #12's instruction targets.
#
# Measures two builds of REF (default HEAD; a clean `git archive`) with
# bench/floor.patch applied, through bench/run.sh (callgrind only, the modes
# tree-less `tshark -r`, `-q -z mailsess,sessions` and `-Y mailsess`):
#   MS_BENCH_FLOOR=1: the wrappers call the built-in smtp/pop dissectors and
#                     return; the postdissector is called on every frame and
#                     returns. No session, no machine, no item.
#   MS_BENCH_FLOOR=2: the same plus the frame's one conversation lookup (in
#                     the wrapper, else in the postdissector) that finding a
#                     frame's session takes: what the issue allows ("one
#                     conversation lookup per frame at most").
# The enabled/disabled ratios these builds reach are the least any plugin
# built this way can cost: a target below them cannot be met by making
# mailsess's own work cheaper. Their sessions are not checked (there are none:
# BENCH_FLOOR=1 for run.sh). ~15 minutes here.
#
# Environment: as bench/run.sh (BENCH_SMALL, BENCH_KEEP=DIR keeps each
# build's callgrind files in DIR/floor-1, DIR/floor-2).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ref=${1:-HEAD}
command -v patch >/dev/null || { echo "floor: patch is missing (apt-get install patch)" >&2; exit 1; }

src=$(mktemp -d "${TMPDIR:-/tmp}/mailsess-floor.XXXXXX")
trap 'rm -rf "$src"' EXIT
git -C "$root" archive "$ref" | tar -x -C "$src"
patch -s -d "$src" -p1 < "$here/floor.patch"
chmod -R a+rX "$src"

for level in 1 2; do
    echo "== MS_BENCH_FLOOR=$level ($ref = $(git -C "$root" rev-parse --short "$ref"))"
    BENCH_SRC=$src BENCH_CFLAGS="-DMS_BENCH_FLOOR=$level" BENCH_FLOOR=1 \
        BENCH_MODES="summary tap filter" BENCH_NO_WALL=1 BENCH_NO_SCALE=1 BENCH_RCPT=0 \
        BENCH_KEEP=${BENCH_KEEP:+$BENCH_KEEP/floor-$level} \
        bash "$here/run.sh" 1
done
