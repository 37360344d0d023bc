#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench entry: the end-to-end mirror benchmark (one VM boot).
exec "$(dirname "$0")/run" --bench
