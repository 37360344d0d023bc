#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# harness-check.sh - TAP tests of run-vm.sh itself: it must pass COMMAND's
# status through, place files and modules, return 124 on timeout, 123 when
# the guest panics, and 122 when the kernel log shows a call trace although
# COMMAND succeeded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
run=$here/run-vm.sh
build=${BUILD:-$here/../../build}
mkdir -p "$build/vm"
work=$(mktemp -d "$build/vm/harness.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
n=0
fails=0
check() { # name expected-status actual-status
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 (expected status $2, got $3)"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..7"
printf 'payload-%s\n' "$$" >"$work/data.txt"
printf '#!/bin/sh\necho script-ran\n' >"$work/tool.sh"
chmod +x "$work/tool.sh"
"$run" -t 120 -f "$work/data.txt" -f "$work/tool.sh" -f "$work/data.txt:/etc/x.txt" \
	-k vhost_iotlb -- \
	'grep -q payload-'"$$"' /data/data.txt && cmp /data/data.txt /etc/x.txt &&
	 tool.sh | grep -q script-ran && modprobe vhost_iotlb &&
	 grep -q "^vhost_iotlb " /proc/modules && grep -q " /sys/kernel/debug debugfs" /proc/mounts &&
	 ip link show lo | grep -q UP && exit 7' >"$work/1.log" 2>&1
check "status passthrough, files, modules, mounts, lo" 7 $?
grep -qE 'run-vm: booted in [0-9.]+ s' "$work/1.log"
check "boot banner printed" 0 $?
"$run" -t 120 -- true >"$work/2.log" 2>&1
check "zero status on a clean run" 0 $?
"$run" -t 8 -- 'sleep 600' >"$work/3.log" 2>&1
check "timeout gives 124" 124 $?
"$run" -t 120 -- 'echo c > /proc/sysrq-trigger' >"$work/4.log" 2>&1
check "panic gives 123" 123 $?
"$run" -t 120 -- 'echo l > /proc/sysrq-trigger; sleep 1; true' >"$work/5.log" 2>&1
check "call trace in log gives 122 despite success" 122 $?
# Every line the guest prints must reach stdout, the last one included,
# even when the guest powers off right after printing it.
"$run" -t 120 -- 'i=1; while [ $i -le 3000 ]; do echo "line-$i"; i=$((i + 1)); done' \
	>"$work/6.log" 2>&1
rc=$?
got=$(tr -d '\r' <"$work/6.log" | grep -cE '^line-[0-9]+$')
last=$(tr -d '\r' <"$work/6.log" | grep -c '^line-3000$')
check "all 3000 guest lines reach stdout (got $got, last $last)" "0 3000 1" "$rc $got $last"
[ "$fails" -eq 0 ]
