#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check suite: memdisp_kbench.ko's correctness checks in a TCG VM (TAP).
exec "$(dirname "$0")/run-kbench.sh" --check
