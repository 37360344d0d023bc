#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The mdindex suite under valgrind memcheck (without the 1M map, which
# would take minutes there).  Any memcheck error fails the run.
set -eu
bin=${BUILD:-build}/tests/index/test_mdindex
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite "$bin" -q
