#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-kbench.sh [--check] [PARAM=VALUE]...
#
# Boots Debian's kernel under QEMU/TCG (tests/vm/run-vm.sh), loads
# vhost_iotlb and memdisp_kbench.ko with the given module parameters, then
# unloads it.
#   default:  prints the module's "bench: NAME VALUE UNIT" lines (console
#             timestamps and module prefix stripped); exits non-zero if the
#             run failed or printed no figure.
#   --check:  runs only the checks (selftest against a linear scan, the four
#             structures agreeing on every probe) and prints TAP.
# Environment: BUILD, KDIR as for run-vm.sh; KBENCH_TIMEOUT (default 600 s).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ko=$here/memdisp_kbench.ko
check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
params="$*"
[ $check = 1 ] && params="bench=0 nlookups=20000 $params"

if [ ! -f "$ko" ]; then
	echo "run-kbench: $ko not built (make $ko)" >&2
	[ $check = 1 ] && echo "not ok 1 - memdisp_kbench.ko is built"
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$top/tests/vm/run-vm.sh" -t "${KBENCH_TIMEOUT:-600}" -k vhost_iotlb -k "$ko" -- \
	"modprobe vhost_iotlb && insmod /lib/modules/\$(uname -r)/extra/memdisp_kbench.ko $params && rmmod memdisp_kbench" \
	>"$log" 2>&1
rc=$?
# "[   12.345678] memdisp_kbench: text" -> "text"
msgs=$(tr -d '\r' <"$log" | sed -n 's/^.*memdisp_kbench: //p')

if [ $check = 1 ]; then
	echo "TAP version 13"
	fail=0
	if grep -q '^selftest: ok' <<<"$msgs"; then
		echo "ok 1 - in-kernel mdindex matches a linear scan on random maps of 0..100 ranges"
	else
		echo "not ok 1 - in-kernel mdindex matches a linear scan on random maps of 0..100 ranges"
		fail=1
	fi
	if grep -q '^done' <<<"$msgs" && ! grep -q 'differ\|cannot\|refused' <<<"$msgs"; then
		echo "ok 2 - index, maple tree, vhost IOTLB and bisection agree on every probe (64, 1k, 64k ranges)"
	else
		echo "not ok 2 - index, maple tree, vhost IOTLB and bisection agree on every probe (64, 1k, 64k ranges)"
		fail=1
	fi
	if [ $rc -eq 0 ]; then
		echo "ok 3 - module loads and unloads with a clean kernel log"
	else
		echo "not ok 3 - module loads and unloads with a clean kernel log (run-vm status $rc)"
		fail=1
	fi
	echo "1..3"
	if [ $fail = 1 ]; then
		echo "# console:"
		sed 's/^/# /' "$log" | tail -n 60
		exit 1
	fi
	exit 0
fi

if [ $rc -ne 0 ] || ! grep -q '^bench: ' <<<"$msgs"; then
	echo "run-kbench: the VM run failed (run-vm status $rc); last lines:" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
echo "memdisp_kbench in a TCG VM (only the ratios mean anything):"
grep -v '^bench: ' <<<"$msgs" | grep -v 'taints kernel\|verification failed' | sed 's/^/  /'
grep '^bench: ' <<<"$msgs"
