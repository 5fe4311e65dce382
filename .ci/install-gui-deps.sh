#!/usr/bin/env bash
# The tools of the headless GUI test (ctest gui/mail-sessions) on top of
# install-deps.sh: the Wireshark GUI (Debian's wireshark-qt, the same 4.0 as
# tshark), the X server without a screen (Xvfb), xdotool (windows, keys,
# clicks), xclip (the clipboard), imagemagick (import: screenshots) and
# x11-utils (xwininfo). For CI only: quickstart.sh does not install them, and
# the test skips without wireshark or Xvfb.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends \
    wireshark-qt xvfb xdotool xclip imagemagick x11-utils
