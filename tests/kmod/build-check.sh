#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-check.sh - memdisp.ko builds warning-free with W=1 and sparse-clean
# with C=1 against KDIR (Debian's linux-headers).  Builds a private copy of
# the sources so it never disturbs the tree's own module build.  Prints TAP.
#
# Environment: KDIR (default: the running kernel's build dir, else the
# newest /usr/src/linux-headers-*), BUILD (default build).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
if [ -z "${KDIR:-}" ]; then
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		KDIR=/lib/modules/$(uname -r)/build
	else
		KDIR=$(ls -d /usr/src/linux-headers-* 2>/dev/null | grep -v -- '-common$' | sort -V | tail -n 1)
	fi
fi
echo "TAP version 13"
echo "1..3"
if [ -z "$KDIR" ] || [ ! -f "$KDIR/Makefile" ]; then
	echo "not ok 1 - kernel headers present (KDIR='$KDIR'; run scripts/deps.sh)"
	echo "not ok 2 - W=1 build # not run"
	echo "not ok 3 - sparse build # not run"
	exit 1
fi
echo "ok 1 - kernel headers present ($KDIR)"
mkdir -p "$BUILD"
work=$(mktemp -d "$BUILD/kmod-build-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/lib" "$work/src/uapi/linux"
cp -r "$top/kmod" "$top/Kbuild" "$work/src/"
cp "$top/lib/mdindex.c" "$top/lib/mdindex.h" "$work/src/lib/"
cp "$top/uapi/linux/memdisp.h" "$work/src/uapi/linux/"
rm -f "$work"/src/kmod/*.o "$work"/src/kmod/.*.cmd

fail=0
check() { # N NAME make-args...
	local n=$1 name=$2 log
	shift 2
	log=$work/build-$n.log
	make -C "$KDIR" M="$work/src" clean >/dev/null 2>&1
	if make -C "$KDIR" M="$work/src" "$@" modules >"$log" 2>&1 &&
	   [ -f "$work/src/memdisp.ko" ] &&
	   ! grep -qE 'warning:|error:' "$log"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		grep -E 'warning:|error:' "$log" | head -n 20 | sed 's/^/# /'
		tail -n 5 "$log" | sed 's/^/# /'
		fail=1
	fi
}
check 2 "memdisp.ko builds with W=1, no warning" W=1
check 3 "memdisp.ko is sparse clean (C=1)" C=1
exit $fail
