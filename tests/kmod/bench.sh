#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench.sh - boot the test VM, load memdisp.ko and memdisp_bench.ko (which
# measures at load) and print its "bench: NAME VALUE UNIT" lines: ns per
# lookup of memdisp_translate(), mtree_load(), vhost_iotlb_itree_first()
# and a sorted-array binary search on the same ranges (64, 1k, 64k), the
# IOTLB hit cost (our whole translation through an IOMMU section, and our
# IOTLB lookup alone, memdisp_iotlb_lookup(), which is the like-for-like
# row against vhost_iotlb_itree_first()), and the ratios.  Each figure is
# the sum over 512-lookup batches of the best of five passes, every
# structure on the same probes in the same boot.  Then (memdisp-nltest
# bench) the cost of
# publishing 1k and 100k sections over netlink against NOOP messages carrying
# the same bytes (the transport floor), and bytes per section on the wire and
# in the kernel.  Under TCG only the ratios mean anything.
#
# Environment: BUILD (default build), BENCH_ITERS (lookups per measurement),
# BENCH_SEED (seed of the random ranges; default 0, a new one each run).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
export BUILD
ko=$BUILD/vm/memdisp.ko
bko=$BUILD/vm/memdisp_bench.ko
nlt=$BUILD/vm/memdisp-nltest
for f in "$ko" "$bko" "$nlt" "$top/tests/vm/run-vm.sh"; do
	[ -r "$f" ] || { echo "bench.sh: missing $f (make kmod; tests/vm)" >&2; exit 1; }
done
iters=${BENCH_ITERS:-1048576}
seed=${BENCH_SEED:-0}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$top/tests/vm/run-vm.sh" -t 600 -k vhost_iotlb \
	-f "$ko:/lib/modules/memdisp.ko" -f "$bko:/lib/modules/memdisp_bench.ko" \
	-f "$nlt:/bin/memdisp-nltest" -- \
	"modprobe vhost_iotlb && insmod /lib/modules/memdisp.ko && insmod /lib/modules/memdisp_bench.ko iters=$iters seed=$seed && rmmod memdisp_bench && memdisp-nltest bench && rmmod memdisp" \
	>"$out" 2>&1
rc=$?
tr -d '\r' <"$out" | sed -n -e 's/^\[[^]]*\] *\(bench: .*\)$/\1/p' -e 's/^\(bench: .*\)$/\1/p' | awk '!seen[$0]++'
if [ $rc -ne 0 ] || ! grep -q 'memdisp_bench: done' "$out"; then
	echo "bench.sh: the VM run failed (status $rc)" >&2
	grep -E 'run-vm:|memdisp' "$out" | tail -n 20 >&2
	exit 1
fi
