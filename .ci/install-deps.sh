#!/usr/bin/env bash
# Installs everything mailsess needs to build and test on Debian 12 / Ubuntu
# (run as root, or through sudo by quickstart.sh).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
    build-essential cmake pkg-config libglib2.0-dev \
    wireshark-dev libwireshark-dev libgcrypt20-dev tshark \
    libcmocka-dev util-linux bsdextrautils python3 time \
    clang libclang-rt-dev
