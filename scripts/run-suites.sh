#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-suites.sh LOGDIR SUITE...
#
# Runs each test suite (an executable printing TAP or KTAP), keeps its whole
# output in LOGDIR/NAME.log, and counts its top-level "ok"/"not ok" lines.
# A suite that exits non-zero without reporting a failed test, or that
# reports no test at all, counts as one failure of its own: a crash or a
# silent suite never passes.  Ends with the line "N passed, N failed".
set -u
logdir=$1
shift
mkdir -p "$logdir"
total_pass=0
total_fail=0
for suite in "$@"; do
	name=$(basename "$suite")
	log="$logdir/$name.log"
	echo "== $name"
	"$suite" >"$log" 2>&1 </dev/null
	rc=$?
	pass=$(grep -cE '^ok [0-9]+' "$log")
	fail=$(grep -cE '^not ok [0-9]+' "$log")
	grep -E '^not ok [0-9]+' "$log" | sed 's/^/   /'
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "   not ok - $name exited with status $rc (see $log)"
		tail -n 5 "$log" | sed 's/^/   | /'
		fail=1
	fi
	if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
		echo "   not ok - $name reported no test (see $log)"
		fail=1
	fi
	echo "   $name: $pass passed, $fail failed"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
