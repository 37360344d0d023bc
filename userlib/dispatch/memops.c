// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * memops.c: dispatch of an access to a region with MemoryRegionOps.
 *
 * The semantics are QEMU 7.2's memory_region_dispatch_read/write (with the
 * CVE-2020-13754 size check) plus QEMU 8.1's re-entrancy guard; see
 * dispatch.h for the contract.  The guard here is per thread: a device is
 * refused only when the same thread is already inside one of its
 * callbacks, so concurrent accesses from different threads (the library's
 * readers are lock-free) never refuse each other.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dispatch.h"

static bool target_big;	/* accessed with __atomic builtins */
static unsigned long reentrancy_blocked;

void memdisp_set_target_big_endian(bool big)
{
	__atomic_store_n(&target_big, big, __ATOMIC_RELAXED);
}

bool memdisp_target_big_endian(void)
{
	return __atomic_load_n(&target_big, __ATOMIC_RELAXED);
}

/*
 * Internal static versions of the exported helpers: with -fPIC the
 * exported ones may be interposed, so the compiler would not inline them
 * on the access path.
 */
static inline bool endian_big(enum device_endian end)
{
	switch (end) {
	case DEVICE_BIG_ENDIAN:
		return true;
	case DEVICE_LITTLE_ENDIAN:
		return false;
	default:
		return __atomic_load_n(&target_big, __ATOMIC_RELAXED);
	}
}

bool memdisp_endian_is_big(enum device_endian end)
{
	return endian_big(end);
}

static inline bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static uint64_t bswap_size(uint64_t v, unsigned size)
{
	switch (size) {
	case 2:
		return __builtin_bswap16((uint16_t)v);
	case 4:
		return __builtin_bswap32((uint32_t)v);
	case 8:
		return __builtin_bswap64(v);
	default:
		return v & 0xff;
	}
}

static inline uint64_t convert(uint64_t val, unsigned size,
			       enum device_endian from, enum device_endian to)
{
	val &= size_mask(size);
	if (endian_big(from) != endian_big(to))
		val = bswap_size(val, size);
	return val;
}

uint64_t memdisp_endian_convert(uint64_t val, unsigned size,
				enum device_endian from, enum device_endian to)
{
	return convert(val, size, from, to);
}

unsigned long memdisp_ops_reentrancy_blocked(void)
{
	return __atomic_load_n(&reentrancy_blocked, __ATOMIC_RELAXED);
}

static void guest_error(const struct memdisp_ops_target *t, hwaddr addr,
			unsigned size, const char *why)
{
	/*
	 * QEMU logs these under -d guest_errors only; a guest can trigger
	 * them at will, so stay quiet unless asked.
	 */
	static int verbose = -1;	/* __atomic: readers race */
	int v = __atomic_load_n(&verbose, __ATOMIC_RELAXED);

	if (v < 0) {
		const char *e = getenv("MEMDISP_GUEST_ERRORS");

		v = e && *e && *e != '0';
		__atomic_store_n(&verbose, v, __ATOMIC_RELAXED);
	}
	if (v)
		fprintf(stderr,
			"memdisp: invalid access at addr 0x%llx, size %u, region '%s', reason: %s\n",
			(unsigned long long)addr, size,
			t->name ? t->name : "(unnamed)", why);
}

static inline bool access_valid(const struct memdisp_ops_target *t,
				hwaddr addr, unsigned size, bool is_write,
				MemTxAttrs attrs)
{
	const MemoryRegionOps *ops = t->ops;

	if (!size_ok(size)) {
		guest_error(t, addr, size, "bad size");
		return false;
	}
	if (ops->valid.accepts &&
	    !ops->valid.accepts(t->opaque, addr, size, is_write, attrs)) {
		guest_error(t, addr, size, "rejected");
		return false;
	}
	if (!ops->valid.unaligned && (addr & (size - 1))) {
		guest_error(t, addr, size, "unaligned");
		return false;
	}
	/* A zero max_access_size means "any size" (QEMU's compatibility). */
	if (!ops->valid.max_access_size)
		return true;
	if (size > ops->valid.max_access_size ||
	    size < ops->valid.min_access_size) {
		guest_error(t, addr, size, "invalid size");
		return false;
	}
	return true;
}

bool memdisp_ops_access_valid(const struct memdisp_ops_target *t, hwaddr addr,
			      unsigned size, bool is_write, MemTxAttrs attrs)
{
	return access_valid(t, addr, size, is_write, attrs);
}

/*
 * The devices this thread is inside a callback of, innermost last.  A
 * chain of distinct devices calling each other deeper than this is refused
 * like a re-entry: it bounds the stack a guest can make us use.
 */
#define GUARD_DEPTH_MAX 32
/* shared with access.c's direct MMIO read (dispatch.h) */
__thread const void *memdisp_guard_stack[GUARD_DEPTH_MAX]
	__attribute__((tls_model("initial-exec"), visibility("hidden")));
__thread unsigned int memdisp_guard_depth
	__attribute__((tls_model("initial-exec"), visibility("hidden")));
#define guard_stack memdisp_guard_stack
#define guard_depth memdisp_guard_depth

static bool guard_engaged(const void *key)
{
	unsigned int i;

	if (guard_depth >= GUARD_DEPTH_MAX)
		return true;
	for (i = 0; i < guard_depth; i++)
		if (guard_stack[i] == key)
			return true;
	return false;
}

static void warn_blocked_once(const struct memdisp_ops_target *t, hwaddr addr)
{
	if (__atomic_fetch_add(&reentrancy_blocked, 1, __ATOMIC_RELAXED) == 0)
		fprintf(stderr,
			"memdisp: warning: blocked re-entrant IO on MemoryRegion: %s at addr: 0x%llX\n",
			t->name ? t->name : "(unnamed)",
			(unsigned long long)addr);
}

enum cb_kind {
	CB_PLAIN,
	CB_ATTRS,
	CB_OLD,
};

/*
 * Issue one piece: a callback of @asz bytes at @addr.  For a read, the
 * piece's result is masked to @asz bytes and OR'ed into *@value at @shift
 * (negative: shifted right, when the access is narrower than the piece).
 */
static MemTxResult piece_read(const struct memdisp_ops_target *t,
			      enum cb_kind kind, hwaddr addr, uint64_t *value,
			      unsigned asz, int shift, MemTxAttrs attrs)
{
	const MemoryRegionOps *ops = t->ops;
	uint64_t tmp = 0;
	MemTxResult r = MEMTX_OK;

	switch (kind) {
	case CB_PLAIN:
		tmp = ops->read(t->opaque, addr, asz);
		break;
	case CB_ATTRS:
		r = ops->read_with_attrs(t->opaque, addr, &tmp, asz, attrs);
		break;
	case CB_OLD:
#ifdef MEMDISP_OPS_HAVE_OLD_MMIO
		tmp = ops->old_mmio.read[__builtin_ctz(asz)](t->opaque, addr);
#endif
		break;
	}
	tmp &= size_mask(asz);
	if (shift >= 0)
		*value |= tmp << shift;
	else
		*value |= tmp >> -shift;
	return r;
}

static MemTxResult piece_write(const struct memdisp_ops_target *t,
			       enum cb_kind kind, hwaddr addr, uint64_t value,
			       unsigned asz, int shift, MemTxAttrs attrs)
{
	const MemoryRegionOps *ops = t->ops;
	uint64_t tmp;

	if (shift >= 0)
		tmp = (value >> shift) & size_mask(asz);
	else
		tmp = (value << -shift) & size_mask(asz);

	switch (kind) {
	case CB_PLAIN:
		ops->write(t->opaque, addr, tmp, asz);
		return MEMTX_OK;
	case CB_ATTRS:
		return ops->write_with_attrs(t->opaque, addr, tmp, asz, attrs);
	case CB_OLD:
#ifdef MEMDISP_OPS_HAVE_OLD_MMIO
		ops->old_mmio.write[__builtin_ctz(asz)](t->opaque, addr,
							(uint32_t)tmp);
#endif
		return MEMTX_OK;
	}
	return MEMTX_ERROR;
}

/*
 * Pick the callback family for a direction and the piece size, QEMU's
 * access_with_adjusted_size() clamping.  Returns false when the ops table
 * cannot serve the access at all.
 */
static bool pick(const MemoryRegionOps *ops, bool is_write, unsigned size,
		 enum cb_kind *kind, unsigned *asz, MemTxResult *err)
{
	unsigned lo = ops->impl.min_access_size;
	unsigned hi = ops->impl.max_access_size;
	unsigned a;

	if (!lo)
		lo = 1;
	if (!hi)
		hi = 4;
	if (!size_ok(lo) || !size_ok(hi)) {
		*err = MEMTX_ERROR;
		return false;
	}
	a = size < hi ? size : hi;
	if (a < lo)
		a = lo;

	if (is_write ? !!ops->write : !!ops->read) {
		*kind = CB_PLAIN;
	} else if (is_write ? !!ops->write_with_attrs : !!ops->read_with_attrs) {
		*kind = CB_ATTRS;
	} else {
#ifdef MEMDISP_OPS_HAVE_OLD_MMIO
		/* old_mmio has byte/word/long callbacks only. */
		if (a > 4)
			a = 4;
		if (is_write ? !!ops->old_mmio.write[__builtin_ctz(a)] :
			       !!ops->old_mmio.read[__builtin_ctz(a)]) {
			*kind = CB_OLD;
			*asz = a;
			return true;
		}
#endif
		*err = MEMTX_DECODE_ERROR;
		return false;
	}
	*asz = a;
	return true;
}

/* access_with_adjusted_size() with the re-entrancy guard of QEMU 8.1. */
static MemTxResult adjusted_access(const struct memdisp_ops_target *t,
				   bool is_write, hwaddr addr, uint64_t *value,
				   unsigned size, MemTxAttrs attrs)
{
	bool big = endian_big(t->ops->endianness);
	bool guarded = false;
	MemTxResult r = MEMTX_OK;
	enum cb_kind kind;
	unsigned asz, i;

	if (!pick(t->ops, is_write, size, &kind, &asz, &r))
		return r;

	if (t->guard_key && !(t->flags & MEMDISP_OPS_NO_GUARD)) {
		if (guard_engaged(t->guard_key)) {
			warn_blocked_once(t, addr);
			return MEMTX_ACCESS_ERROR;
		}
		guard_stack[guard_depth++] = t->guard_key;
		guarded = true;
	}

	for (i = 0; i < size; i += asz) {
		int shift = big ? ((int)size - (int)asz - (int)i) * 8 :
				  (int)i * 8;

		if (is_write)
			r |= piece_write(t, kind, addr + i, *value, asz,
					 shift, attrs);
		else
			r |= piece_read(t, kind, addr + i, value, asz,
					shift, attrs);
	}

	if (guarded)
		guard_depth--;
	return r;
}

/*
 * The common device and access: a plain callback for the direction, no
 * accepts hook, an aligned access of a size that valid and impl both
 * allow.  access_valid() passes and access_with_adjusted_size() makes one
 * callback of @size bytes, so one direct call is the same access.
 */
static inline bool simple_access(const MemoryRegionOps *ops, hwaddr addr,
				 unsigned size, bool is_write)
{
	unsigned vmax = ops->valid.max_access_size;
	unsigned imin = ops->impl.min_access_size;
	unsigned imax = ops->impl.max_access_size;

	if (is_write ? !ops->write : !ops->read)
		return false;
	if (ops->valid.accepts || !size_ok(size) || (addr & (size - 1)))
		return false;
	if (vmax && (size > vmax || size < ops->valid.min_access_size))
		return false;
	if (!imin)
		imin = 1;
	if (!imax)
		imax = 4;
	return size_ok(imin) && size_ok(imax) && size >= imin && size <= imax;
}

/* The re-entrancy guard of adjusted_access(): false when refused. */
static inline bool guard_enter(const struct memdisp_ops_target *t,
			       hwaddr addr, bool *guarded)
{
	*guarded = false;
	if (!t->guard_key || (t->flags & MEMDISP_OPS_NO_GUARD))
		return true;
	if (guard_engaged(t->guard_key)) {
		warn_blocked_once(t, addr);
		return false;
	}
	guard_stack[guard_depth++] = t->guard_key;
	*guarded = true;
	return true;
}

unsigned int memdisp_ops_direct_sizes(const MemoryRegionOps *ops,
				      bool is_write)
{
	unsigned int s, m = 0;

	for (s = 1; s <= 8; s <<= 1)
		if (simple_access(ops, 0, s, is_write))
			m |= s;
	return m;
}

MemTxResult memdisp_ops_read(const struct memdisp_ops_target *t, hwaddr addr,
			     uint64_t *pval, unsigned size,
			     enum device_endian value_end, MemTxAttrs attrs)
{
	const MemoryRegionOps *ops = t->ops;
	MemTxResult r;
	bool guarded;

	if (simple_access(ops, addr, size, false)) {
		uint64_t v = 0;

		if (guard_enter(t, addr, &guarded)) {
			v = ops->read(t->opaque, addr, size);
			if (guarded)
				guard_depth--;
			r = MEMTX_OK;
		} else {
			r = MEMTX_ACCESS_ERROR;
		}
		*pval = convert(v, size, ops->endianness, value_end);
		return r;
	}
	*pval = 0;
	if (!access_valid(t, addr, size, false, attrs))
		return MEMTX_DECODE_ERROR;

	r = adjusted_access(t, false, addr, pval, size, attrs);
	*pval = convert(*pval, size, t->ops->endianness, value_end);
	return r;
}

MemTxResult memdisp_ops_write(const struct memdisp_ops_target *t, hwaddr addr,
			      uint64_t data, unsigned size,
			      enum device_endian value_end, MemTxAttrs attrs)
{
	int fd;

	if (!access_valid(t, addr, size, true, attrs))
		return MEMTX_DECODE_ERROR;

	data = convert(data, size, value_end, t->ops->endianness);

	if (t->ioeventfds) {
		fd = memdisp_ioeventfd_match(t->ioeventfds, addr, size, data);
		if (fd >= 0) {
			memdisp_ioeventfd_signal(fd);
			return MEMTX_OK;
		}
	}
	if (simple_access(t->ops, addr, size, true)) {
		bool guarded;

		if (!guard_enter(t, addr, &guarded))
			return MEMTX_ACCESS_ERROR;
		t->ops->write(t->opaque, addr, data, size);
		if (guarded)
			guard_depth--;
		return MEMTX_OK;
	}

	return adjusted_access(t, true, addr, &data, size, attrs);
}
