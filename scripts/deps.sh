#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install everything memdisp needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are not reinstalled and nothing is
# fetched when the set is complete.  Needs root (or sudo) only when something
# is missing; without it, prints the exact command to run instead.
set -eu

PKGS="build-essential pkg-config git python3 cpio kmod bc
libnl-3-dev libnl-genl-3-dev liburcu-dev libcmocka-dev
clang llvm libclang-rt-14-dev valgrind sparse
qemu-system-x86 busybox-static
linux-image-amd64 linux-headers-amd64
libunicorn-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	[ "${1:-}" = "-q" ] || echo "deps: all packages present"
	exit 0
fi

echo "deps: missing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		echo "deps: run as root: apt-get update && apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
else
	SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
echo "deps: installed:$missing"
