#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh - boot the installed Debian kernel under QEMU/TCG with a throwaway
# initramfs and run one shell command inside it.
#
# usage: run-vm.sh [-t TIMEOUT] [-m MEM] [-s SMP] [-a KERNEL_ARG]...
#                  [-f SRC[:DEST]]... [-k MODULE]... [-o FILE] [-l LOG] [-K]
#                  -- COMMAND...
#
#   -t TIMEOUT   seconds before QEMU is killed (default 300); exit status 124
#   -m MEM       guest memory (default 1G)
#   -s SMP       guest vCPUs (default 2)
#   -a ARG       extra kernel command-line argument (repeatable)
#   -f SRC[:DEST] copy SRC (file or directory) into the initramfs; DEST
#                defaults to /bin/NAME for executables, /data/NAME otherwise
#   -k MODULE    a module of the installed kernel by name (e.g. vhost_iotlb),
#                or a path to an out-of-tree .ko (installed as extra/NAME.ko);
#                its dependencies come along (modules.dep / modinfo depends),
#                and "modprobe NAME" works inside the guest
#   -o FILE      a second serial port: what the guest writes to /dev/ttyS1
#                (raw mode) lands in FILE, apart from the kernel's console
#   -l LOG       also keep the whole console log in LOG
#   -K           keep the temporary directory (initramfs, log)
#
# COMMAND (all words joined by spaces, as ssh does) runs under /bin/sh in the
# guest, from /, with proc, sysfs, devtmpfs, debugfs and a tmpfs /tmp mounted
# and lo up.  The console goes to stdout: live on a terminal, otherwise
# whole once QEMU has exited.  Exit status: COMMAND's own;
# 124 on timeout; 123 when the guest stopped without reporting a status
# (panic, crash); 122 when COMMAND succeeded but the kernel log shows an oops,
# WARNING, BUG, "sleeping function called", a call trace, a KASAN/kmemleak
# report or a panic; 2 on a usage or setup error.  Every failure also prints
# one "run-vm: ..." line on stderr saying why.
#
# Environment: BUILD (default <repo>/build), KDIR (selects the kernel
# version: /lib/modules/VER/build or /usr/src/linux-headers-VER), QEMU
# (default qemu-system-x86_64), KVERSION (overrides the version outright).

set -u
set -o pipefail

me=run-vm
die() {
	echo "$me: $*" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/../.." && pwd)
timeout_s=300
mem=1G
smp=2
files=()
kmods=()
appends=()
keep=0
log_copy=
out_file=

while getopts ":t:m:s:a:f:k:o:l:Kh" opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) smp=$OPTARG ;;
	a) appends+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	k) kmods+=("$OPTARG") ;;
	l) log_copy=$OPTARG ;;
	o) out_file=$OPTARG ;;
	K) keep=1 ;;
	h) sed -n '4,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	:) die "option -$OPTARG needs an argument" ;;
	*) die "unknown option -$OPTARG (try -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || die "no COMMAND given (usage: run-vm.sh [options] -- COMMAND...)"
[[ $timeout_s =~ ^[0-9]+$ ]] && [ "$timeout_s" -gt 0 ] ||
	die "bad timeout '$timeout_s'"
command_text="$*"

# --- kernel version -------------------------------------------------------
kver=${KVERSION:-}
if [ -z "$kver" ] && [ -n "${KDIR:-}" ]; then
	kd=$(readlink -f "$KDIR" 2>/dev/null || echo "$KDIR")
	case $kd in
	*/linux-headers-*) kver=${kd##*/linux-headers-} ;;
	/lib/modules/*/build) kver=${kd#/lib/modules/}; kver=${kver%/build} ;;
	esac
	[ -n "$kver" ] && [ ! -e "/boot/vmlinuz-$kver" ] && kver=
fi
if [ -z "$kver" ]; then
	# newest installed image that has its modules
	for img in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
		v=${img#/boot/vmlinuz-}
		if [ -d "/lib/modules/$v" ]; then
			kver=$v
			break
		fi
	done
fi
[ -n "$kver" ] || die "no /boot/vmlinuz-* with /lib/modules/* found (install linux-image-amd64)"
vmlinuz=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver
[ -r "$vmlinuz" ] || die "$vmlinuz not readable"
[ -r "$moddir/modules.dep" ] || die "$moddir/modules.dep missing"

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found (install qemu-system-x86)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found (install busybox-static)"
if file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
	die "$busybox is dynamically linked (install busybox-static)"
fi

# --- temp dir -----------------------------------------------------------------
build=${BUILD:-$top/build}
mkdir -p "$build/vm" || die "cannot create $build/vm"
tmp=$(mktemp -d "$build/vm/run.XXXXXX") || die "mktemp failed"
tmp=$(cd "$tmp" && pwd)
qpid=
cleanup() {
	[ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null
	if [ "$keep" = 1 ]; then
		echo "$me: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$tmp/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,data,etc,root,lib/modules/"$kver"}

# busybox and its applets
cp "$busybox" "$root/bin/busybox" || die "cannot copy busybox"
# Relative links only: an absolute link would point at the HOST's busybox
# while we fill the tree, and a later copy onto it would overwrite that.
(cd "$root" && "$busybox" --list-full | grep -v '^bin/busybox$' |
	while read -r app; do
		up=$(echo "$app" | sed 's|[^/]*/|../|g; s|[^/]*$||')
		ln -s "${up}bin/busybox" "$app"
	done) || die "cannot create the busybox applet links"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'user:x:1000:1000:user:/tmp:/bin/sh' >>"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"

# --- files ----------------------------------------------------------------------
for spec in ${files[@]+"${files[@]}"}; do
	src=${spec%%:*}
	if [ "$src" != "$spec" ]; then
		dest=${spec#*:}
	elif [ -f "$src" ] && [ -x "$src" ]; then
		dest=/bin/$(basename "$src")
	else
		dest=/data/$(basename "$src")
	fi
	[ -e "$src" ] || die "-f $spec: $src does not exist"
	case $dest in /*) ;; *) dest=/$dest ;; esac
	mkdir -p "$root$(dirname "$dest")"
	# replace, never write through, whatever is there (e.g. an applet link)
	rm -rf "${root:?}$dest"
	cp -a "$src" "$root$dest" || die "cannot copy $src"
	if [ -f "$src" ] && [ -x "$src" ] &&
	   file -L "$src" 2>/dev/null | grep -q 'ELF.*dynamically linked'; then
		echo "$me: warning: $src is dynamically linked; it will not run in the guest" >&2
	fi
done

# --- modules --------------------------------------------------------------------
# Copy one module file to its place, uncompressing .ko.xz/.ko.zst/.ko.gz.
install_ko() { # $1 source path, $2 destination path (ending in .ko)
	mkdir -p "$(dirname "$2")"
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) return 1 ;;
	esac
}
strip_ext() { # drop a compression suffix from a modules.dep path
	local p=$1
	p=${p%.xz}; p=${p%.zst}; p=${p%.gz}
	echo "$p"
}
declare -A have_mod=()
depfile=$root/lib/modules/$kver/modules.dep
: >"$depfile"
# Add a Debian module (modules.dep path, relative) and its dependencies.
add_dep_path() {
	local rel=$1 line deps d out=()
	[ -n "${have_mod[$rel]:-}" ] && return 0
	have_mod[$rel]=1
	line=$(grep -m1 -E "^${rel//./\\.}:" "$moddir/modules.dep") ||
		die "$rel not in $moddir/modules.dep"
	deps=${line#*:}
	for d in $deps; do
		add_dep_path "$d"
		out+=("$(strip_ext "$d")")
	done
	install_ko "$moddir/$rel" "$root/lib/modules/$kver/$(strip_ext "$rel")" ||
		die "cannot install $moddir/$rel"
	echo "$(strip_ext "$rel"):${out[*]:+ ${out[*]}}" >>"$depfile"
}
# Name (dashes and underscores are the same) -> modules.dep path.
find_mod() {
	local n=${1//-/_} rel
	rel=$(awk -F: -v n="$n" '{
		p = $1; b = p; sub(/.*\//, "", b); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", b)
		gsub(/-/, "_", b)
		if (b == n) { print p; exit }
	}' "$moddir/modules.dep")
	echo "$rel"
}
for m in ${kmods[@]+"${kmods[@]}"}; do
	if [[ $m == */* || $m == *.ko ]]; then
		[ -r "$m" ] || die "-k $m: no such module file"
		name=$(basename "$m" .ko)
		deps=$(/sbin/modinfo -F depends "$m" 2>/dev/null || modinfo -F depends "$m" 2>/dev/null || true)
		out=()
		for d in ${deps//,/ }; do
			rel=$(find_mod "$d")
			[ -n "$rel" ] || die "$m depends on $d, which $moddir lacks"
			add_dep_path "$rel"
			out+=("$(strip_ext "$rel")")
		done
		install_ko "$m" "$root/lib/modules/$kver/extra/$name.ko" ||
			die "cannot install $m"
		echo "extra/$name.ko:${out[*]:+ ${out[*]}}" >>"$depfile"
	else
		rel=$(find_mod "$m")
		if [ -z "$rel" ]; then
			if grep -qE "/${m//-/[-_]}\.ko$" "$moddir/modules.builtin" 2>/dev/null; then
				continue # built in: nothing to load
			fi
			die "-k $m: no module of that name in $moddir"
		fi
		add_dep_path "$rel"
	fi
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -r "$moddir/$f" ] && cp "$moddir/$f" "$root/lib/modules/$kver/"
done

# --- init ---------------------------------------------------------------------
token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
marker="run-vm-exit-$token"
printf '%s\n' "$command_text" >"$root/command.sh"
cat >"$root/init" <<EOF
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
echo 8 > /proc/sys/kernel/printk
[ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 2>/dev/null
cd /
echo "run-vm: booted in \$(cut -d' ' -f1 /proc/uptime) s"
/bin/sh /command.sh </dev/null
rc=\$?
sync
echo "$marker status=\$rc"
poweroff -f
EOF
chmod 755 "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) >"$tmp/initramfs.cpio" ||
	die "cpio failed"

# --- boot ---------------------------------------------------------------------
log=$tmp/console.log
: >"$log" || die "cannot create $log"
cmdline="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init"
cmdline+=" ${appends[*]:-}"
serial=()
if [ -n "$out_file" ]; then
	: >"$out_file" || die "cannot write $out_file"
	serial=(-serial mon:stdio -serial "file:$out_file")
fi
start=$(date +%s.%N)
"$qemu" -accel tcg -smp "$smp" -m "$mem" -nographic -no-reboot -net none \
	${serial[@]+"${serial[@]}"} \
	-kernel "$vmlinuz" -initrd "$tmp/initramfs.cpio" -append "$cmdline" \
	</dev/null >"$log" 2>&1 &
qpid=$!
# Stream the console live only to a terminal.  When stdout is a file or a
# pipe (every test harness), the whole log is copied once QEMU has exited:
# a CI run lost all of a guest's output through "tail -f --pid" (tail can
# start before the backgrounded QEMU has created the log, and then quits;
# the log is now created first as well).
tpid=
if [ -t 1 ]; then
	tail -n +1 -s 0.2 --pid="$qpid" -f "$log" &
	tpid=$!
fi
deadline=$((SECONDS + timeout_s))
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		timed_out=1
		kill -KILL "$qpid" 2>/dev/null
		break
	fi
	sleep 0.2
done
wait "$qpid" 2>/dev/null
qrc=$?
qpid=
if [ -n "$tpid" ]; then
	wait "$tpid" 2>/dev/null
else
	cat "$log"
fi
end=$(date +%s.%N)
[ -n "$log_copy" ] && cp "$log" "$log_copy"

elapsed=$(echo "$end - $start" | bc)
echo "$me: qemu ran ${elapsed%???????} s (exit $qrc)" >&2

if [ "$timed_out" = 1 ]; then
	echo "$me: timeout after $timeout_s s; QEMU killed" >&2
	exit 124
fi
status=$(tr -d '\r' <"$log" | sed -n "s/^.*$marker status=\([0-9]*\)\$/\1/p" | tail -n1)
bad=$(tr -d '\r' <"$log" | grep -m1 -E \
	'Oops|WARNING:|BUG:|sleeping function called|Call Trace|KASAN|kmemleak|Kernel panic|general protection fault|UBSAN:|RCU detected stall|soft lockup|hung_task|blocked for more than' || true)
if [ -z "$status" ]; then
	echo "$me: guest stopped without reporting a status${bad:+: $bad}" >&2
	exit 123
fi
if [ -n "$bad" ]; then
	echo "$me: kernel log shows a problem: $bad" >&2
	[ "$status" -eq 0 ] && exit 122
fi
exit "$status"
