#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# smoke.sh - run each libFuzzer target for a fixed number of inputs from a
# fixed seed (its seed corpus first, where it has one) and report TAP: a
# target that is missing, crashes, leaks or times out is "not ok".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
runs=${FUZZ_SMOKE_RUNS:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# binary, extra corpus directory (or -), max input length
targets=(
	"$build/tests/access/fuzz_memops - 512"
	"$build/tests/diff/fuzz-render $root/tests/diff/corpus 4096"
	"$build/tests/index/fuzz_mdindex - 4096"
	"$build/tests/oracle/fuzz-mtree-parse - 4096"
)
echo "1..${#targets[@]}"
i=0
for t in "${targets[@]}"; do
	read -r bin seeds maxlen <<<"$t"
	i=$((i + 1))
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "not ok $i - $name: $bin is not built"
		continue
	fi
	mkdir -p "$work/$name"
	dirs=("$work/$name")
	[ "$seeds" != - ] && dirs+=("$seeds")
	if "$bin" -runs="$runs" -seed=1 -max_len="$maxlen" -timeout=20 \
		-artifact_prefix="$work/" "${dirs[@]}" >"$work/$name.log" 2>&1; then
		execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/$name.log")
		echo "ok $i - $name: ${execs:-?} inputs from seed 1"
	else
		echo "not ok $i - $name: failed (last lines below)"
		tail -n 20 "$work/$name.log" | sed 's/^/# /'
	fi
done
