// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_memops: libFuzzer target for the MemoryRegionOps engine.
 *
 * The input picks an ops table (any valid/impl numbers, any endianness
 * value, any set of callbacks, an accepts answer, re-entry from the
 * callbacks, an ioeventfd) and then a list of accesses with arbitrary
 * offsets, sizes, caller byte orders and data.  Besides ASan/UBSan, each
 * access is checked against the byte model of test_memops: a refused
 * access calls nothing, an accepted one hands the callbacks exactly the
 * pieces and bytes the model says, and a read gives the model's value.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "dispatch.h"

#define MEM_SIZE 256
#define MAX_CALLS 16

struct fz {
	uint8_t mem[MEM_SIZE];
	bool big;
	unsigned ncalls;
	hwaddr addr[MAX_CALLS];
	unsigned size[MAX_CALLS];
	uint64_t val[MAX_CALLS];
	bool accept;
	bool reenter;
	unsigned depth;
	const struct memdisp_ops_target *self;
	MemTxResult inner;
};

static void die(void)
{
	abort();
}

static uint64_t dec(const uint8_t *p, unsigned n, bool big)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = big ? (v << 8) | p[i] : v | (uint64_t)p[i] << (8 * i);
	return v;
}

static void enc(uint8_t *p, uint64_t v, unsigned n, bool big)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = big ? v >> (8 * (n - 1 - i)) : v >> (8 * i);
}

static void note(struct fz *f, hwaddr addr, unsigned size, uint64_t val)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		die();
	if (f->ncalls < MAX_CALLS) {
		f->addr[f->ncalls] = addr;
		f->size[f->ncalls] = size;
		f->val[f->ncalls] = val;
	}
	f->ncalls++;
	if (f->reenter) {
		uint64_t v;

		/* Refused by the guard, or earlier by the validity checks. */
		if (f->depth++)
			die();
		f->inner = memdisp_ops_read(f->self, addr, &v, size,
					    DEVICE_LITTLE_ENDIAN,
					    MEMTXATTRS_UNSPECIFIED);
		f->depth--;
		if ((f->inner != MEMTX_ACCESS_ERROR &&
		     f->inner != MEMTX_DECODE_ERROR) || v)
			die();
	}
}

static uint64_t rd(void *o, hwaddr a, unsigned s)
{
	struct fz *f = o;
	uint64_t v = a < MEM_SIZE - 8 ? dec(&f->mem[a], s, f->big) : 0;

	note(f, a, s, v);
	return v | (s < 8 ? ~0ULL << (8 * s) : 0);	/* junk above size */
}

static void wr(void *o, hwaddr a, uint64_t v, unsigned s)
{
	struct fz *f = o;

	if (s < 8 && (v >> (8 * s)))
		die();
	note(f, a, s, v);
}

static MemTxResult rda(void *o, hwaddr a, uint64_t *d, unsigned s,
		       MemTxAttrs at)
{
	(void)at;
	*d = rd(o, a, s);
	return MEMTX_OK;
}

static MemTxResult wra(void *o, hwaddr a, uint64_t v, unsigned s,
		       MemTxAttrs at)
{
	(void)at;
	wr(o, a, v, s);
	return MEMTX_OK;
}

static bool acc(void *o, hwaddr a, unsigned s, bool w, MemTxAttrs at)
{
	(void)a;
	(void)s;
	(void)w;
	(void)at;
	return ((struct fz *)o)->accept;
}

static int efd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum device_endian ends[4] = {
		DEVICE_LITTLE_ENDIAN, DEVICE_BIG_ENDIAN, DEVICE_NATIVE_ENDIAN,
		(enum device_endian)9,
	};
	MemoryRegionOps ops;
	struct fz f;
	struct memdisp_ioeventfd_table tab;
	struct memdisp_ops_target t;
	struct memdisp_ioeventfd e;
	unsigned lo, hi;
	bool impl_ok;
	size_t pos;

	if (len < 12)
		return 0;
	if (efd < 0) {
		efd = eventfd(0, EFD_NONBLOCK);
		urcu_memb_register_thread();
	}

	memset(&ops, 0, sizeof(ops));
	memset(&f, 0, sizeof(f));
	ops.valid.min_access_size = data[0] % 10;
	ops.valid.max_access_size = data[1] % 10;
	ops.impl.min_access_size = data[2] % 10;
	ops.impl.max_access_size = data[3] % 10;
	ops.valid.unaligned = data[4] & 1;
	ops.impl.unaligned = data[4] & 2;
	if (data[4] & 4)
		ops.valid.accepts = acc;
	f.accept = data[4] & 8;
	f.reenter = data[4] & 16;
	ops.endianness = ends[data[5] & 3];
	if (data[5] & 4) {
		ops.read = rd;
		ops.write = wr;
	}
	if (data[5] & 8) {
		ops.read_with_attrs = rda;
		ops.write_with_attrs = wra;
	}
	memdisp_set_target_big_endian(data[5] & 16);
	for (unsigned i = 0; i < MEM_SIZE; i++)
		f.mem[i] = i * 37 + data[6];

	memset(&t, 0, sizeof(t));
	t.ops = &ops;
	t.opaque = &f;
	t.guard_key = (data[5] & 32) ? NULL : &f;
	t.name = "fuzz";
	f.self = &t;
	if (!t.guard_key)
		f.reenter = false;	/* would recurse without a guard */

	memdisp_ioeventfd_table_init(&tab);
	memset(&e, 0, sizeof(e));
	e.addr = data[7] % 64;
	e.size = 1U << (data[8] & 3);
	e.match_data = data[8] & 4;
	e.data = data[9] & (e.size == 1 ? 0xff : 0xffff);
	e.fd = efd;
	if (data[8] & 8) {
		if (memdisp_ioeventfd_add(&tab, &e))
			die();
		t.ioeventfds = &tab;
	}

	lo = ops.impl.min_access_size ? ops.impl.min_access_size : 1;
	hi = ops.impl.max_access_size ? ops.impl.max_access_size : 4;
	impl_ok = (lo == 1 || lo == 2 || lo == 4 || lo == 8) &&
		  (hi == 1 || hi == 2 || hi == 4 || hi == 8);
	f.big = memdisp_endian_is_big(ops.endianness);

	urcu_memb_read_lock();
	for (pos = 12; pos + 11 <= len; pos += 11) {
		const uint8_t *a = &data[pos];
		hwaddr addr = a[0] % 64;
		unsigned size = a[1] & 15;
		bool write = a[2] & 1;
		enum device_endian ve = ends[(a[2] >> 1) & 3];
		bool cbig = memdisp_endian_is_big(ve);
		uint64_t v = 0, d = 0, want;
		bool valid, plain, eventfd_hit = false;
		unsigned asz, n;
		MemTxResult r;

		memcpy(&d, &a[3], 8);
		f.ncalls = 0;
		if (a[2] & 8)	/* far offsets too: no callback may fault */
			addr += (hwaddr)a[0] << 56;
		if (write)
			r = memdisp_ops_write(&t, addr, d, size, ve,
					      MEMTXATTRS_UNSPECIFIED);
		else
			r = memdisp_ops_read(&t, addr, &v, size, ve,
					     MEMTXATTRS_UNSPECIFIED);

		valid = (size == 1 || size == 2 || size == 4 || size == 8) &&
			(!ops.valid.accepts || f.accept) &&
			(ops.valid.unaligned || addr % size == 0) &&
			(!ops.valid.max_access_size ||
			 (size >= ops.valid.min_access_size &&
			  size <= ops.valid.max_access_size));
		if (!valid) {
			if (r != MEMTX_DECODE_ERROR || f.ncalls || v)
				die();
			continue;
		}
		if (write && t.ioeventfds && addr == e.addr &&
		    size == e.size) {
			uint64_t dd = memdisp_endian_convert(d, size, ve,
							     ops.endianness);

			eventfd_hit = !e.match_data || dd == e.data;
		}
		if (eventfd_hit) {
			if (r != MEMTX_OK || f.ncalls)
				die();
			continue;
		}
		if (!impl_ok) {
			if (r != MEMTX_ERROR || f.ncalls)
				die();
			continue;
		}
		plain = write ? ops.write || ops.write_with_attrs :
				ops.read || ops.read_with_attrs;
		if (!plain) {
			if (r != MEMTX_DECODE_ERROR || f.ncalls)
				die();
			continue;
		}
		if (r != MEMTX_OK)
			die();
		asz = size < hi ? size : hi;
		if (asz < lo)
			asz = lo;
		n = size >= asz ? size / asz : 1;
		if (f.ncalls != n)
			die();
		for (unsigned i = 0; i < n; i++)
			if (f.addr[i] != addr + i * asz || f.size[i] != asz)
				die();
		if (write) {
			uint8_t b[16] = { 0 };

			enc(b, d, size, cbig);
			for (unsigned i = 0; i < n; i++)
				if (f.val[i] != dec(&b[i * asz], asz, f.big))
					die();
		} else {
			uint8_t b[16];

			/* Rebuild the bytes the device served. */
			for (unsigned i = 0; i < n; i++)
				enc(&b[i * asz], f.val[i], asz, f.big);
			want = dec(b, size, cbig);
			if (v != want)
				die();
		}
	}
	urcu_memb_read_unlock();
	memdisp_ioeventfd_table_destroy(&tab);
	{
		uint64_t cnt;

		if (read(efd, &cnt, sizeof(cnt)) < 0)
			cnt = 0;
	}
	return 0;
}
