#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-tests.sh - runs INSIDE the VM (busybox sh) for vm-check: loads
# memdisp.ko with its selftest, runs every test program, and writes each
# one's output between "@@begin NAME" / "@@end NAME rc=N" lines to $OUT
# (the second serial port), away from the kernel's console.
#
# usage: guest-tests.sh [TEST...]   (default: all, in the order below)
OUT=${OUT:-/dev/ttyS1}
KO=/lib/modules/memdisp.ko
ALL="insmod selftest kmod perm owner-exit cycles torn torn-kernel replay rmmod"

begin() { echo "@@begin $1" >"$OUT"; }
end() { echo "@@end $1 rc=$2" >"$OUT"; }

t_insmod() {
	if insmod $KO selftest=1; then
		echo "ok 1 - insmod memdisp.ko selftest=1"
	else
		echo "not ok 1 - insmod memdisp.ko selftest=1"
		# load it anyway so that the other tests still run
		insmod $KO
	fi
	if grep -q '^memdisp ' /proc/modules; then
		echo "ok 2 - memdisp in /proc/modules"
	else
		echo "not ok 2 - memdisp in /proc/modules"
		return 1
	fi
}

t_selftest() {
	# "[   4.1] memdisp selftest: ok 3 - NAME" -> "ok 3 - NAME"
	dmesg | sed -n 's/^\[[^]]*\] *memdisp selftest: \(\(not \)\{0,1\}ok [0-9].*\)$/\1/p'
	dmesg | grep -q 'memdisp selftest: done'
}

t_kmod() {
	# kmod's per-command tests, each a static program printing TAP
	local prog rc=0 found=0
	for prog in /kmodtests/*; do
		[ -x "$prog" ] || continue
		found=1
		echo "# $(basename "$prog")"
		"$prog" 2>&1 || rc=1
	done
	[ $found = 1 ] || { echo "not ok 1 - no kmod test programs in the image"; return 1; }
	return $rc
}

t_replay() {
	set -- /dumps/*.flat.txt
	[ -e "$1" ] || { echo "not ok 1 - no info mtree -f dumps in the image"; return 1; }
	md-vmtest replay "$@"
}

live_is_zero() {
	l=$(md-vmtest live) || return 1
	echo "# live: $l"
	[ "$l" = "as=0 maps=0 iommus=0 iotlb=0 txns=0" ]
}

# insmod/rmmod cycles with live address spaces and under load
t_rmmod() {
	local i k hold l1 l2 n=0 fail=0
	tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
	grep -q '^memdisp ' /proc/modules || insmod $KO
	for i in 1 2 3 4 5; do
		md-vmtest hold 600 >/tmp/hold.$i 2>&1 &
		hold=$!
		md-vmtest load 600 >/tmp/load1.$i 2>&1 &
		l1=$!
		md-vmtest load 600 >/tmp/load2.$i 2>&1 &
		l2=$!
		k=0
		while ! grep -q holding /tmp/hold.$i 2>/dev/null && [ $k -lt 100 ]; do
			sleep 0.1; k=$((k + 1))
		done
		grep -q holding /tmp/hold.$i; tap $? "cycle $i: address spaces held live (and a transaction open)"
		sleep 0.5
		rmmod memdisp; tap $? "cycle $i: rmmod with live address spaces, under load"
		! grep -q '^memdisp ' /proc/modules; tap $? "cycle $i: module gone"
		kill $l1 $l2 2>/dev/null
		wait $l1 $l2 2>/dev/null
		insmod $KO; tap $? "cycle $i: insmod again"
		live_is_zero; tap $? "cycle $i: fresh module has no live objects"
		# the holder's socket outlived the old module; closing it now
		# must not touch the new one
		kill $hold 2>/dev/null
		wait $hold 2>/dev/null
		sleep 0.1
		live_is_zero; tap $? "cycle $i: stale owner socket closed, still nothing live"
	done
	rmmod memdisp; tap $? "final rmmod"
	insmod $KO; tap $? "final insmod"
	return $fail
}

[ $# -gt 0 ] || set -- $ALL
for test in "$@"; do
	begin "$test"
	case $test in
	insmod) t_insmod ;;
	selftest) t_selftest ;;
	kmod) t_kmod ;;
	perm) md-vmtest perm ;;
	owner-exit) md-vmtest owner-exit ;;
	cycles) md-vmtest cycles 10000 ;;
	torn) md-vmtest torn 3000 ;;
	torn-kernel) md-vmtest torn-kernel 3000 /lib/modules/md_torn.ko ;;
	replay) t_replay ;;
	rmmod) t_rmmod ;;
	*) echo "not ok 1 - unknown test $test"; false ;;
	esac >"$OUT" 2>&1
	end "$test" $?
done
echo "@@done" >"$OUT"
