#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ctl-check.sh [nomod] - memdispctl against the live module, in the VM.
# "e2e hold" keeps a PC-like machine mirrored (address spaces hold-memory
# and hold-dma, with an IOMMU) and answers IOTLB misses.  Prints TAP.
n=0
t() { # name command...
	name=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/ctl.out 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' /tmp/ctl.out | head -20
	fi
}
rc_is() { # expected command...
	want=$1
	shift
	"$@" >/tmp/ctl.rc 2>&1
	got=$?
	cat /tmp/ctl.rc
	[ "$got" = "$want" ] && [ "$(wc -l </tmp/ctl.rc)" -le 1 ] && [ -s /tmp/ctl.rc ]
}
if [ "${1:-}" = nomod ]; then
	t "memdispctl without the module: exit 3 and one line" rc_is 3 memdispctl stats
	echo "1..$n"
	exit 0
fi
e2e hold >/tmp/hold.out 2>&1 &
hold=$!
i=0
while ! grep -q ready /tmp/hold.out && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
iommu=$(sed -n 's/^ready iommu //p' /tmp/hold.out)
t "emulator holding a mirrored machine" test -n "$iommu"
t "as list shows both address spaces" sh -c 'memdispctl as list | grep -q " hold-memory " && memdispctl as list | grep -q " hold-dma "'
t "as list -j is JSON" sh -c 'memdispctl -j as list | grep -q "^\[{\"id\":[0-9]*,\"name\":\"" && memdispctl -j as list | grep -q "\"name\":\"hold-dma\""'
t "as show prints the map in info mtree -f layout" sh -c 'memdispctl as show hold-memory > /tmp/show && head -1 /tmp/show | grep -q "^FlatView #0" && grep -q "^  0000000000000000-000000000009ffff (prio 0, ram): region-" /tmp/show && grep -q "^  00000000fffc0000-00000000ffffffff (prio 0, rom): region-" /tmp/show && grep -q " (prio 0, romd): " /tmp/show && grep -q " (prio 0, i/o): " /tmp/show'
t "as show of the DMA space names its IOMMU" sh -c "memdispctl as show hold-dma | grep -q ' iommu $iommu'"
t "translate RAM" sh -c 'memdispctl translate hold-memory 0x1000 8 | grep -q ": ok ram region-.* @0x1000 len 8 perm rw"'
t "translate a write to ROM reports read-only" sh -c 'memdispctl translate hold-memory 0xfffc0010 4 --write | grep -q ": ok rom .* perm r\( \|$\)"'
t "translate unassigned clips to the gap" sh -c 'memdispctl translate hold-memory 0xfee01000 0x10000000 | grep -q "unassigned len 15724544"'
t "translate -j" sh -c 'memdispctl -j translate hold-memory 0x2000 | grep -q "\"status\":\"ok\",\"type\":\"ram\""'
t "translate through the IOMMU: miss, answered by the emulator, then hit" sh -c '
	memdispctl translate hold-dma 0x7000 4 | grep -q "iotlb-miss" || exit 1
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		memdispctl translate hold-dma 0x7000 4 | grep -q ": ok ram .* via 1 iommu hop" && exit 0
		sleep 0.1
	done; exit 1'
t "iommu show" sh -c "memdispctl iommu show | grep -q '^$iommu  *hold-dma '"
t "iotlb flush then the IOVA misses again" sh -c "memdispctl iotlb flush $iommu | grep -q flushed && memdispctl translate hold-dma 0x7000 4 | grep -q iotlb-miss"
t "monitor sees a miss event" sh -c "memdispctl monitor --count 1 > /tmp/mon & m=\$!; sleep 0.5; memdispctl iotlb flush $iommu >/dev/null; memdispctl translate hold-dma 0x9000 >/dev/null; i=0; while kill -0 \$m 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done; grep -q 'iotlb-miss iommu $iommu iova 0x9000' /tmp/mon"
t "stats" sh -c 'memdispctl stats | grep -q "^live_address_spaces  *[1-9]" && memdispctl -j stats | grep -q "^{\"lookups\":[0-9]"'
t "exit 5 and one line for no such address space" rc_is 5 memdispctl as show no-such-space
t "exit 2 for a usage error" rc_is 2 memdispctl translate hold-memory zz
t "exit 2 for an unknown command" sh -c 'memdispctl frobnicate 2>/dev/null; [ $? = 2 ]'
t "another uid does not see private address spaces" sh -c '! e2e runas 65534 memdispctl as list | grep -q hold-memory'
t "exit 4 and one line when another uid flushes the IOTLB" rc_is 4 e2e runas 65534 memdispctl iotlb flush "$iommu"
kill "$hold"
wait "$hold"
t "emulator exit removes its address spaces" sh -c '! memdispctl as list | grep -q hold-'
echo "1..$n"
