#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh - memdisp's main job, run by `make demo` once everything is built.
#
# 1. The library alone: examples/pc-machine builds a small PC-like machine
#    and prints QEMU's `info mtree` / `info mtree -f` for it.
# 2. The kernel half: the same program mirrors its address spaces into
#    memdisp.ko and shows the kernel's copy with memdispctl.  On a host that
#    can load modules built for its running kernel, that happens here (as
#    root); anywhere else, in a VM booting Debian's kernel under TCG.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ko=$BUILD/vm/memdisp.ko
[ -f "$ko" ] || ko=memdisp.ko

echo "=== 1. libmemdisp in userspace: build/bin/pc-machine"
"$BUILD/bin/pc-machine"

echo
echo "=== 2. memdisp.ko: the same machine mirrored into the kernel"
can_load=no
if [ -e /proc/modules ] && [ "$(id -u)" -eq 0 ] &&
   modinfo -F vermagic "$ko" 2>/dev/null | grep -q "^$(uname -r) "; then
	can_load=yes
fi

if [ $can_load = yes ]; then
	echo "(this host can load modules: insmod $ko)"
	loaded_here=no
	if ! grep -q '^memdisp ' /proc/modules; then
		insmod "$ko"
		loaded_here=yes
	fi
	rc=0
	PATH="$BUILD/bin:$PATH" "$BUILD/bin/pc-machine" --kernel || rc=$?
	[ $loaded_here = no ] || rmmod memdisp
	exit $rc
fi

echo "(this host cannot load $ko, built for $(modinfo -F vermagic "$ko" | cut -d' ' -f1):"
echo " booting that kernel under qemu-system-x86_64 -accel tcg instead)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
tests/vm/run-vm.sh -t 180 -k "$ko" -f "$BUILD/vm/pc-machine:/bin/pc-machine" \
	-f "$BUILD/bin/memdispctl:/bin/memdispctl" -o "$out" -- \
	'modprobe memdisp && pc-machine --kernel >/dev/ttyS1 2>&1' >/dev/null || rc=$?
# Skip the part the first step printed already.
sed -n '/^### Mirroring into memdisp.ko/,$p' "$out" | tr -d '\r'
if [ $rc -ne 0 ]; then
	echo "demo: the VM run failed (status $rc): rerun tests/vm/run-vm.sh by hand to see its console" >&2
	exit $rc
fi
