#!/usr/bin/env bash
# make-tarball.sh [OUTDIR] - the release tarball OUTDIR/mailsess-<VERSION>.tar.gz
# (default OUTDIR: build), unpacking into mailsess-<VERSION>/: every file git
# tracks, as it is in the work tree. Warns when the tree has uncommitted
# changes (fine to try packaging, not for a release). Prints the tarball's path
# on its last line. Also: cmake --build build --target dist.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
version=$(head -1 VERSION)
name=mailsess-$version
git rev-parse --is-inside-work-tree > /dev/null 2>&1 ||
    { echo "make-tarball.sh: needs the git checkout (it packs what git tracks)" >&2; exit 1; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "warning: uncommitted changes are in the tarball (not a release build)" >&2
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
# tracked files only (no build trees, fuzz artefacts or editor files)
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$stage/$name"
# reproducible: fixed owner, order and times (the last commit's)
mtime=$(git log -1 --format=%cI)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
    -C "$stage" -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
