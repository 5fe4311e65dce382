#!/usr/bin/env bash
# The tools CI's packaging and install steps need on top of install-deps.sh:
# dpkg-buildpackage + debhelper, lintian, rpmbuild (Debian's rpm package),
# debootstrap for the fresh chroots (Debian 12 for the installed-package test,
# Debian 13 for the Wireshark 4.4 run), git for the release tarball.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends \
    dpkg-dev debhelper lintian rpm debootstrap git
