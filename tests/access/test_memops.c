// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_memops: the MemoryRegionOps access engine against a naive model.
 *
 * The model describes an access by bytes, not shifts: a mock device holds
 * a byte array and answers a callback of size A at offset a with those A
 * bytes decoded in its byte order.  Then whatever the splitting, a read of
 * S bytes at a must give the caller mem[a, a+S) decoded in the caller's
 * order, and a write must hand the device the caller's bytes, piece by
 * piece (padded with zero bytes when the device's minimum is wider).
 * Every combination of size, offset, valid/impl bounds, unaligned flags,
 * device order, caller order, target setting and callback flavour is
 * checked, both directions.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "dispatch.h"
#include "acc_test.h"

#define MEM_SIZE	64
#define MAX_CALLS	16

struct call {
	bool write;
	hwaddr addr;
	unsigned size;
	uint64_t val;
	uint16_t requester;
};

struct mock {
	uint8_t mem[MEM_SIZE];
	bool big;			/* device byte order, as the test sees it */
	struct call calls[MAX_CALLS];
	unsigned ncalls;
	bool overflow;
	unsigned accepts_calls;
	bool accepts_answer;
	MemTxResult results[MAX_CALLS];	/* returned by *_with_attrs, per call */
	/* re-entrancy */
	const struct memdisp_ops_target *reenter;
	const struct memdisp_ops_target *reenter_write;
	MemTxResult inner_result;
	uint64_t inner_val;
	unsigned depth, max_depth;
};

static uint64_t decode(const uint8_t *p, unsigned n, bool big)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (big)
			v = (v << 8) | p[i];
		else
			v |= (uint64_t)p[i] << (8 * i);
	}
	return v;
}

static void encode(uint8_t *p, uint64_t v, unsigned n, bool big)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (big)
			p[i] = v >> (8 * (n - 1 - i));
		else
			p[i] = v >> (8 * i);
	}
}

static struct call *record(struct mock *m, bool write, hwaddr addr,
			   unsigned size, uint64_t val)
{
	struct call *c;

	if (m->ncalls >= MAX_CALLS) {
		m->overflow = true;
		return NULL;
	}
	c = &m->calls[m->ncalls++];
	c->write = write;
	c->addr = addr;
	c->size = size;
	c->val = val;
	return c;
}

static void maybe_reenter(struct mock *m)
{
	/* Bounded, so a broken guard fails an assertion instead of the stack. */
	if (m->depth > 4)
		return;
	if (m->reenter) {
		m->inner_result = memdisp_ops_read(m->reenter, 0, &m->inner_val,
						   4, DEVICE_LITTLE_ENDIAN,
						   MEMTXATTRS_UNSPECIFIED);
	}
	if (m->reenter_write) {
		m->inner_result = memdisp_ops_write(m->reenter_write, 0, 0x55, 1,
						    DEVICE_LITTLE_ENDIAN,
						    MEMTXATTRS_UNSPECIFIED);
	}
}

static uint64_t mock_read(void *opaque, hwaddr addr, unsigned size)
{
	struct mock *m = opaque;
	uint64_t v = 0;

	if (addr + size <= MEM_SIZE)
		v = decode(&m->mem[addr], size, m->big);
	record(m, false, addr, size, v);
	if (++m->depth > m->max_depth)
		m->max_depth = m->depth;
	maybe_reenter(m);
	m->depth--;
	/* Devices may leave junk above the access size: it must not leak. */
	return size < 8 ? v | (0xa5a5a5a5a5a5a5a5ULL << (8 * size)) : v;
}

static void mock_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
	struct mock *m = opaque;

	record(m, true, addr, size, val);
	if (addr + size <= MEM_SIZE)
		encode(&m->mem[addr], val, size, m->big);
	if (++m->depth > m->max_depth)
		m->max_depth = m->depth;
	maybe_reenter(m);
	m->depth--;
}

static MemTxResult mock_read_attrs(void *opaque, hwaddr addr, uint64_t *data,
				   unsigned size, MemTxAttrs attrs)
{
	struct mock *m = opaque;
	unsigned idx = m->ncalls;
	struct call *c;

	*data = mock_read(opaque, addr, size);
	c = idx < MAX_CALLS ? &m->calls[idx] : NULL;
	if (c)
		c->requester = attrs.requester_id;
	return idx < MAX_CALLS ? m->results[idx] : MEMTX_OK;
}

static MemTxResult mock_write_attrs(void *opaque, hwaddr addr, uint64_t data,
				    unsigned size, MemTxAttrs attrs)
{
	struct mock *m = opaque;
	unsigned idx = m->ncalls;

	mock_write(opaque, addr, data, size);
	if (idx < MAX_CALLS)
		m->calls[idx].requester = attrs.requester_id;
	return idx < MAX_CALLS ? m->results[idx] : MEMTX_OK;
}

static bool mock_accepts(void *opaque, hwaddr addr, unsigned size,
			 bool is_write, MemTxAttrs attrs)
{
	struct mock *m = opaque;

	(void)addr;
	(void)size;
	(void)is_write;
	(void)attrs;
	m->accepts_calls++;
	return m->accepts_answer;
}

/* ------------------------------------------------------------------ */
/* The model                                                          */
/* ------------------------------------------------------------------ */

static const unsigned sizes[] = { 1, 2, 4, 8 };
static const unsigned bounds[] = { 0, 1, 2, 4, 8 };
static const enum device_endian ends[] = {
	DEVICE_LITTLE_ENDIAN, DEVICE_BIG_ENDIAN, DEVICE_NATIVE_ENDIAN,
};

static bool model_big(enum device_endian e, bool target_big)
{
	if (e == DEVICE_BIG_ENDIAN)
		return true;
	if (e == DEVICE_LITTLE_ENDIAN)
		return false;
	return target_big;
}

static bool model_valid(const MemoryRegionOps *ops, hwaddr addr, unsigned s,
			bool accepted)
{
	if (!accepted)
		return false;
	if (!ops->valid.unaligned && addr % s != 0)
		return false;
	if (ops->valid.max_access_size == 0)
		return true;
	return s >= ops->valid.min_access_size &&
	       s <= ops->valid.max_access_size;
}

/* The piece size QEMU's device sees. */
static unsigned model_piece(const MemoryRegionOps *ops, unsigned s)
{
	unsigned lo = ops->impl.min_access_size ? ops->impl.min_access_size : 1;
	unsigned hi = ops->impl.max_access_size ? ops->impl.max_access_size : 4;
	unsigned a = s;

	if (a > hi)
		a = hi;
	if (a < lo)
		a = lo;
	return a;
}

struct combo {
	unsigned s, off;
	unsigned vmin, vmax, imin, imax;
	bool vun, iun;
	enum device_endian dev, caller;
	bool target_big, attrs, write;
};

static unsigned long combos_checked, combos_refused;

static void check_combo(const struct combo *k, uint64_t *seed)
{
	MemoryRegionOps ops = {
		.endianness = k->dev,
		.valid = {
			.min_access_size = k->vmin,
			.max_access_size = k->vmax,
			.unaligned = k->vun,
		},
		.impl = {
			.min_access_size = k->imin,
			.max_access_size = k->imax,
			.unaligned = k->iun,
		},
	};
	struct mock m;
	struct memdisp_ops_target t = {
		.ops = &ops, .opaque = &m, .guard_key = &m, .name = "mock",
	};
	MemTxAttrs attrs = { .requester_id = 0x1234 };
	hwaddr addr = 8 + k->off;
	uint8_t before[MEM_SIZE], bytes[16];
	bool cbig = model_big(k->caller, k->target_big);
	unsigned a, n, i;
	uint64_t val, data;
	MemTxResult r;

	if (k->attrs) {
		ops.read_with_attrs = mock_read_attrs;
		ops.write_with_attrs = mock_write_attrs;
	} else {
		ops.read = mock_read;
		ops.write = mock_write;
	}
	memset(&m, 0, sizeof(m));
	for (i = 0; i < MEM_SIZE; i++)
		m.mem[i] = acc_rand(seed);
	memcpy(before, m.mem, MEM_SIZE);
	m.big = model_big(k->dev, k->target_big);
	memdisp_set_target_big_endian(k->target_big);

	data = acc_rand(seed);
	val = 0xdeadbeefdeadbeefULL;
	if (k->write)
		r = memdisp_ops_write(&t, addr, data, k->s, k->caller, attrs);
	else
		r = memdisp_ops_read(&t, addr, &val, k->s, k->caller, attrs);

	combos_checked++;
	if (!model_valid(&ops, addr, k->s, true)) {
		combos_refused++;
		assert_int_equal(r, MEMTX_DECODE_ERROR);
		assert_int_equal(m.ncalls, 0);
		if (!k->write)
			assert_int_equal(val, 0);
		return;
	}
	assert_int_equal(r, MEMTX_OK);
	assert_false(m.overflow);

	a = model_piece(&ops, k->s);
	n = k->s >= a ? k->s / a : 1;
	assert_int_equal(m.ncalls, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(m.calls[i].write, k->write);
		assert_int_equal(m.calls[i].addr, addr + i * a);
		assert_int_equal(m.calls[i].size, a);
		if (k->attrs)
			assert_int_equal(m.calls[i].requester, 0x1234);
	}

	if (!k->write) {
		/* The caller sees the device bytes in its own order. */
		assert_int_equal(val, decode(&before[addr], k->s, cbig));
		assert_memory_equal(m.mem, before, MEM_SIZE);
		return;
	}

	/* The device gets the caller's bytes, zero-padded to a piece. */
	memset(bytes, 0, sizeof(bytes));
	encode(bytes, data, k->s, cbig);
	for (i = 0; i < n; i++)
		assert_int_equal(m.calls[i].val,
				 decode(&bytes[i * a], a, m.big));
}

static void test_all_combinations(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct combo k;
	unsigned si, vi, vj, ii, ij, di, ci;

	(void)state;
	memset(&k, 0, sizeof(k));
	for (si = 0; si < 4; si++)
	for (k.off = 0; k.off < 8; k.off++)
	for (vi = 0; vi < 5; vi++)
	for (vj = 0; vj < 5; vj++)
	for (ii = 0; ii < 5; ii++)
	for (ij = 0; ij < 5; ij++)
	for (di = 0; di < 3; di++)
	for (ci = 0; ci < 3; ci++) {
		k.s = sizes[si];
		k.vmin = bounds[vi];
		k.vmax = bounds[vj];
		k.imin = bounds[ii];
		k.imax = bounds[ij];
		k.dev = ends[di];
		k.caller = ends[ci];
		/* Vary the remaining bits so each value meets every other. */
		k.vun = (k.off + vi + ii) & 1;
		k.iun = (k.off + vj + ij + di) & 1;
		for (unsigned x = 0; x < 8; x++) {
			k.target_big = x & 1;
			k.attrs = x & 2;
			k.write = x & 4;
			check_combo(&k, &seed);
		}
		/* Unaligned both ways for the same combination. */
		k.vun = !k.vun;
		k.target_big = (si + ci) & 1;
		k.attrs = (vi + ij) & 1;
		k.write = false;
		check_combo(&k, &seed);
		k.write = true;
		check_combo(&k, &seed);
	}
	memdisp_set_target_big_endian(false);
	/* Both outcomes were exercised in bulk. */
	assert_true(combos_refused > 10000);
	assert_true(combos_checked - combos_refused > 100000);
	printf("# %lu combinations, %lu refused\n", combos_checked,
	       combos_refused);
}

/* ------------------------------------------------------------------ */
/* Fixed cases: concrete numbers a reader can check by hand           */
/* ------------------------------------------------------------------ */

static void setup_mem(struct mock *m)
{
	unsigned i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < MEM_SIZE; i++)
		m->mem[i] = 0x10 + i;
	m->accepts_answer = true;
}

static void test_known_values(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
		.impl = { .min_access_size = 1, .max_access_size = 1 },
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	uint64_t v;

	(void)state;
	setup_mem(&m);
	/* 4-byte LE read of a byte-wide LE device: 4 calls, LE value. */
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x13121110);
	assert_int_equal(m.ncalls, 4);
	/* Same, asked big-endian: swapped. */
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_BIG_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x10111213);

	/* Big-endian 4-byte device, 2-byte read: top half of the word. */
	setup_mem(&m);
	m.big = true;
	ops.endianness = DEVICE_BIG_ENDIAN;
	ops.impl.min_access_size = 4;
	ops.impl.max_access_size = 4;
	assert_int_equal(memdisp_ops_read(&t, 4, &v, 2, DEVICE_BIG_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 1);
	assert_int_equal(m.calls[0].size, 4);
	assert_int_equal(v, 0x1415);
	/* LE 4-byte device, 1-byte read: low byte, upper bits cleared. */
	setup_mem(&m);
	ops.endianness = DEVICE_LITTLE_ENDIAN;
	assert_int_equal(memdisp_ops_read(&t, 4, &v, 1, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x14);

	/* Native endianness follows the runtime setting. */
	setup_mem(&m);
	ops.endianness = DEVICE_NATIVE_ENDIAN;
	ops.impl.min_access_size = 0;
	ops.impl.max_access_size = 0;	/* default 4 */
	memdisp_set_target_big_endian(true);
	m.big = true;
	assert_true(memdisp_target_big_endian());
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 8, DEVICE_NATIVE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 2);	/* impl max defaults to 4 */
	assert_int_equal(v, 0x1011121314151617ULL);
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 8, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x1716151413121110ULL);
	memdisp_set_target_big_endian(false);
	m.big = false;
	assert_false(memdisp_target_big_endian());
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 8, DEVICE_NATIVE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x1716151413121110ULL);
	/* Byte-swapped device view, same caller value: the device's order
	 * decides what the bytes mean, the caller's what it is handed. */
	m.big = true;
	memdisp_set_target_big_endian(true);
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_BIG_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x10111213);
	memdisp_set_target_big_endian(false);

	/* Write of 0x11223344 LE into a BE byte-wide device: 44 33 22 11. */
	setup_mem(&m);
	m.big = true;
	ops.endianness = DEVICE_BIG_ENDIAN;
	ops.impl.min_access_size = 1;
	ops.impl.max_access_size = 1;
	assert_int_equal(memdisp_ops_write(&t, 0, 0x11223344, 4,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.mem[0], 0x44);
	assert_int_equal(m.mem[3], 0x11);
	/* Bits above the access size are ignored. */
	setup_mem(&m);
	ops.endianness = DEVICE_LITTLE_ENDIAN;
	ops.impl.min_access_size = 4;
	ops.impl.max_access_size = 4;
	assert_int_equal(memdisp_ops_write(&t, 0, 0xffffff5a, 1,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.calls[0].val, 0x5a);

	assert_int_equal(memdisp_endian_convert(0x1122, 2, DEVICE_BIG_ENDIAN,
						DEVICE_LITTLE_ENDIAN), 0x2211);
	assert_int_equal(memdisp_endian_convert(0xff1122, 2, DEVICE_BIG_ENDIAN,
						DEVICE_BIG_ENDIAN), 0x1122);
}

/* ------------------------------------------------------------------ */
/* Refusals                                                           */
/* ------------------------------------------------------------------ */

static void test_accepts(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
		.valid = { .accepts = mock_accepts },
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	uint64_t v = 1;

	(void)state;
	setup_mem(&m);
	m.accepts_answer = false;
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(v, 0);
	assert_int_equal(memdisp_ops_write(&t, 0, 7, 4, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(m.accepts_calls, 2);
	assert_int_equal(m.ncalls, 0);

	m.accepts_answer = true;
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.accepts_calls, 3);
	assert_int_equal(v, 0x13121110);
}

/*
 * CVE-2020-13754: QEMU 2.4..5.0 checked valid sizes only for ops without
 * an accepts callback.  Here a callback that accepts everything must not
 * let a too-wide or too-narrow access through.
 */
static void test_sizes_enforced_with_accepts(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
		.valid = { .min_access_size = 2, .max_access_size = 4,
			   .accepts = mock_accepts },
		.impl = { .min_access_size = 1, .max_access_size = 8 },
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	uint64_t v;

	(void)state;
	setup_mem(&m);
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 8, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(memdisp_ops_write(&t, 0, 1, 1, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(m.ncalls, 0);
	/* The callback still ran first, as in QEMU. */
	assert_int_equal(m.accepts_calls, 2);
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 2, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 1);
}

static void test_bad_sizes_and_ops(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
		.valid = { .unaligned = true },
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	static const unsigned bad[] = { 0, 3, 5, 6, 7, 9, 16, 1000 };
	uint64_t v = 5;
	unsigned i;

	(void)state;
	setup_mem(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(memdisp_ops_read(&t, 0, &v, bad[i],
						  DEVICE_LITTLE_ENDIAN,
						  MEMTXATTRS_UNSPECIFIED),
				 MEMTX_DECODE_ERROR);
		assert_int_equal(v, 0);
		assert_int_equal(memdisp_ops_write(&t, 0, 1, bad[i],
						   DEVICE_LITTLE_ENDIAN,
						   MEMTXATTRS_UNSPECIFIED),
				 MEMTX_DECODE_ERROR);
	}
	assert_int_equal(m.ncalls, 0);

	/* Misconfigured impl sizes: an error, no callback, no crash. */
	ops.impl.max_access_size = 3;
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_ERROR);
	ops.impl.max_access_size = 16;
	assert_int_equal(memdisp_ops_write(&t, 0, 1, 4, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_ERROR);
	assert_int_equal(m.ncalls, 0);

	/* No callback for the direction: refused (QEMU would crash). */
	ops.impl.max_access_size = 0;
	ops.read = NULL;
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(v, 0);
	ops.read = mock_read;
	ops.write = NULL;
	assert_int_equal(memdisp_ops_write(&t, 0, 1, 4, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(m.ncalls, 0);
	/* Out-of-range endianness behaves as native. */
	ops.write = mock_write;
	ops.endianness = (enum device_endian)77;
	assert_false(memdisp_endian_is_big((enum device_endian)77));
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 2, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x1110);
}

/* Results of split pieces are OR'ed: QEMU's r |= access_fn(...). */
static void test_results_ored(void **state)
{
	MemoryRegionOps ops = {
		.read_with_attrs = mock_read_attrs,
		.write_with_attrs = mock_write_attrs,
		.endianness = DEVICE_LITTLE_ENDIAN,
		.impl = { .min_access_size = 1, .max_access_size = 2 },
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	uint64_t v;

	(void)state;
	setup_mem(&m);
	m.results[1] = MEMTX_ERROR;
	m.results[3] = MEMTX_DECODE_ERROR;
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 8, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED),
			 MEMTX_ERROR | MEMTX_DECODE_ERROR);
	/* Every piece was still issued and combined. */
	assert_int_equal(m.ncalls, 4);
	assert_int_equal(v, 0x1716151413121110ULL);

	setup_mem(&m);
	m.results[0] = MEMTX_ERROR;
	assert_int_equal(memdisp_ops_write(&t, 0, 0, 4, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_ERROR);
	assert_int_equal(m.ncalls, 2);
}

/* read/write take precedence over the _with_attrs variants, as in QEMU. */
static void test_plain_preferred(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.read_with_attrs = mock_read_attrs,
		.write_with_attrs = mock_write_attrs,
		.endianness = DEVICE_LITTLE_ENDIAN,
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	uint64_t v;

	(void)state;
	setup_mem(&m);
	m.results[0] = MEMTX_ERROR;	/* would show if attrs were used */
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  (MemTxAttrs){ .requester_id = 9 }),
			 MEMTX_OK);
	assert_int_equal(m.calls[0].requester, 0);
	assert_int_equal(memdisp_ops_write(&t, 0, 1, 4, DEVICE_LITTLE_ENDIAN,
					   (MemTxAttrs){ .requester_id = 9 }),
			 MEMTX_OK);
}

#ifdef MEMDISP_OPS_HAVE_OLD_MMIO
static uint32_t old_rb(void *o, hwaddr a) { return mock_read(o, a, 1); }
static uint32_t old_rw(void *o, hwaddr a) { return mock_read(o, a, 2); }
static uint32_t old_rl(void *o, hwaddr a) { return mock_read(o, a, 4); }
static void old_wb(void *o, hwaddr a, uint32_t v) { mock_write(o, a, v, 1); }
static void old_wl(void *o, hwaddr a, uint32_t v) { mock_write(o, a, v, 4); }

static void test_old_mmio(void **state)
{
	MemoryRegionOps ops = {
		.endianness = DEVICE_LITTLE_ENDIAN,
		.impl = { .max_access_size = 8 },
		.old_mmio = {
			.read = { old_rb, old_rw, old_rl },
			.write = { old_wb, NULL, old_wl },
		},
	};
	struct mock m;
	struct memdisp_ops_target t = { .ops = &ops, .opaque = &m };
	uint64_t v;

	(void)state;
	setup_mem(&m);
	/* 8 bytes: two long reads (old_mmio has no 8-byte callback). */
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 8, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 2);
	assert_int_equal(m.calls[0].size, 4);
	assert_int_equal(v, 0x1716151413121110ULL);
	assert_int_equal(memdisp_ops_read(&t, 2, &v, 2, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x1312);
	/* Missing word write callback: refused, no crash. */
	assert_int_equal(memdisp_ops_write(&t, 0, 1, 2, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(memdisp_ops_write(&t, 0, 0xab, 1, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.mem[0], 0xab);
}
#endif

/* ------------------------------------------------------------------ */
/* Re-entrancy guard                                                  */
/* ------------------------------------------------------------------ */

static void test_reentrancy_blocked(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
	};
	struct mock m;
	struct memdisp_ops_target t = {
		.ops = &ops, .opaque = &m, .guard_key = &m, .name = "dev",
	};
	unsigned long before = memdisp_ops_reentrancy_blocked();
	uint64_t v;

	(void)state;
	setup_mem(&m);
	m.reenter = &t;
	m.inner_val = 99;
	assert_int_equal(memdisp_ops_read(&t, 4, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x17161514);
	/* One outer call; the nested one was refused before the device. */
	assert_int_equal(m.ncalls, 1);
	assert_int_equal(m.max_depth, 1);
	assert_int_equal(m.inner_result, MEMTX_ACCESS_ERROR);
	assert_int_equal(m.inner_val, 0);
	assert_int_equal(memdisp_ops_reentrancy_blocked(), before + 1);

	/* Write path, re-entered by a write. */
	setup_mem(&m);
	m.reenter_write = &t;
	assert_int_equal(memdisp_ops_write(&t, 4, 1, 1, DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 1);
	assert_int_equal(m.inner_result, MEMTX_ACCESS_ERROR);

	/* The guard is released afterwards: a plain access works. */
	setup_mem(&m);
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 1);
}

/* Two regions of one device share its guard (QEMU keys it on the device). */
static void test_reentrancy_same_owner(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
	};
	struct mock m1, m2;
	int owner;
	struct memdisp_ops_target t1 = {
		.ops = &ops, .opaque = &m1, .guard_key = &owner,
	};
	struct memdisp_ops_target t2 = {
		.ops = &ops, .opaque = &m2, .guard_key = &owner,
	};
	struct memdisp_ops_target other = {
		.ops = &ops, .opaque = &m2, .guard_key = &m2,
	};
	uint64_t v;

	(void)state;
	setup_mem(&m1);
	setup_mem(&m2);
	m1.reenter = &t2;
	assert_int_equal(memdisp_ops_read(&t1, 0, &v, 1, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m1.inner_result, MEMTX_ACCESS_ERROR);
	assert_int_equal(m2.ncalls, 0);

	/* Another device may be reached from a callback. */
	setup_mem(&m1);
	m1.reenter = &other;
	assert_int_equal(memdisp_ops_read(&t1, 0, &v, 1, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m1.inner_result, MEMTX_OK);
	assert_int_equal(m1.inner_val, 0x13121110);
	assert_int_equal(m2.ncalls, 1);
}

/* RAM devices, ROM devices, readonly regions, opted-out devices: exempt. */
static void test_reentrancy_exempt(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_LITTLE_ENDIAN,
	};
	struct mock m;
	struct memdisp_ops_target t = {
		.ops = &ops, .opaque = &m, .guard_key = &m,
		.flags = MEMDISP_OPS_NO_GUARD,
	};
	struct memdisp_ops_target inner = {
		.ops = &ops, .opaque = &m, .guard_key = &m,
	};
	uint64_t v;

	(void)state;
	setup_mem(&m);
	m.reenter = &inner;	/* one level of recursion, then guarded */
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.max_depth, 2);
	assert_int_equal(m.ncalls, 2);
	assert_int_equal(m.inner_result, MEMTX_OK);

	/* No key: no guard. */
	setup_mem(&m);
	m.reenter = &inner;
	t.flags = 0;
	t.guard_key = NULL;
	assert_int_equal(memdisp_ops_read(&t, 0, &v, 4, DEVICE_LITTLE_ENDIAN,
					  MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.max_depth, 2);
}

/*
 * The guard is per thread: two threads inside the same device at once are
 * concurrent accesses, not re-entrancy, and must both succeed.
 */
struct conc {
	pthread_barrier_t in;
	struct memdisp_ops_target *t;
	MemTxResult r[2];
};

static struct conc *conc_state;

static uint64_t conc_read(void *opaque, hwaddr addr, unsigned size)
{
	(void)opaque;
	(void)size;
	/* Both threads are inside the callback before either leaves. */
	pthread_barrier_wait(&conc_state->in);
	return addr;
}

static void *conc_thread(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	uint64_t v;

	conc_state->r[i] = memdisp_ops_read(conc_state->t, 4 * i, &v, 4,
					    DEVICE_LITTLE_ENDIAN,
					    MEMTXATTRS_UNSPECIFIED);
	if (v != 4 * i)
		conc_state->r[i] |= 0x100;
	return NULL;
}

static void test_reentrancy_per_thread(void **state)
{
	MemoryRegionOps ops = {
		.read = conc_read,
		.endianness = DEVICE_LITTLE_ENDIAN,
	};
	int key;
	struct memdisp_ops_target t = {
		.ops = &ops, .guard_key = &key,
	};
	struct conc c;
	pthread_t th[2];
	uintptr_t i;

	(void)state;
	conc_state = &c;
	c.t = &t;
	pthread_barrier_init(&c.in, NULL, 2);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, conc_thread,
						(void *)i), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&c.in);
	assert_int_equal(c.r[0], MEMTX_OK);
	assert_int_equal(c.r[1], MEMTX_OK);
}

/* ------------------------------------------------------------------ */
/* ioeventfd short-circuit on the write path                          */
/* ------------------------------------------------------------------ */

static void test_write_ioeventfd(void **state)
{
	MemoryRegionOps ops = {
		.read = mock_read, .write = mock_write,
		.endianness = DEVICE_BIG_ENDIAN,
	};
	struct mock m;
	struct memdisp_ioeventfd_table tab;
	struct memdisp_ops_target t = {
		.ops = &ops, .opaque = &m, .guard_key = &m, .ioeventfds = &tab,
	};
	int efd = eventfd(0, EFD_NONBLOCK);
	struct memdisp_ioeventfd e = {
		.addr = 0x10, .size = 2, .match_data = true,
		/* device (big-endian) order of the LE value 0x0201 */
		.data = memdisp_endian_convert(0x0201, 2, DEVICE_LITTLE_ENDIAN,
					       DEVICE_BIG_ENDIAN),
		.fd = efd,
	};
	uint64_t cnt;

	(void)state;
	assert_true(efd >= 0);
	urcu_memb_register_thread();
	memdisp_ioeventfd_table_init(&tab);
	assert_int_equal(memdisp_ioeventfd_add(&tab, &e), 0);
	setup_mem(&m);

	urcu_memb_read_lock();
	/* Matching write: eventfd signalled, device not called. */
	assert_int_equal(memdisp_ops_write(&t, 0x10, 0x0201, 2,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(m.ncalls, 0);
	/* Wrong value, wrong size, wrong address: the device is called. */
	assert_int_equal(memdisp_ops_write(&t, 0x10, 0x0102, 2,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(memdisp_ops_write(&t, 0x10, 0x01, 1,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(memdisp_ops_write(&t, 0x12, 0x0201, 2,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	/* A refused write never signals. */
	assert_int_equal(memdisp_ops_write(&t, 0x11, 0x0201, 2,
					   DEVICE_LITTLE_ENDIAN,
					   MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	urcu_memb_read_unlock();
	assert_int_equal(m.ncalls, 3);
	assert_int_equal(read(efd, &cnt, sizeof(cnt)), sizeof(cnt));
	assert_int_equal(cnt, 1);

	memdisp_ioeventfd_table_destroy(&tab);
	urcu_memb_unregister_thread();
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_combinations),
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_sizes_enforced_with_accepts),
		cmocka_unit_test(test_bad_sizes_and_ops),
		cmocka_unit_test(test_results_ored),
		cmocka_unit_test(test_plain_preferred),
#ifdef MEMDISP_OPS_HAVE_OLD_MMIO
		cmocka_unit_test(test_old_mmio),
#endif
		cmocka_unit_test(test_reentrancy_blocked),
		cmocka_unit_test(test_reentrancy_same_owner),
		cmocka_unit_test(test_reentrancy_exempt),
		cmocka_unit_test(test_reentrancy_per_thread),
		cmocka_unit_test(test_write_ioeventfd),
	};

	return ACC_RUN(tests);
}
