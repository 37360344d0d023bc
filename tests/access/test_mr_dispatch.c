// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_mr_dispatch: memory_region_dispatch_read/write and
 * memory_region_access_valid on real libmemdisp regions: MemOp byte
 * orders, unassigned regions, the re-entrancy guard keyed on the owner,
 * and its exemptions (ROM device, readonly).
 */
#include <stdbool.h>
#include <string.h>

#include "dispatch.h"
#include "acc_test.h"

struct dev {
	Object obj;
	MemoryRegion *other;	/* re-entered from the callback when set */
	MemTxResult inner;
	unsigned calls, depth, max_depth;
};

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
	struct dev *d = opaque;

	(void)size;
	d->calls++;
	if (++d->depth > d->max_depth)
		d->max_depth = d->depth;
	if (d->other && d->depth < 3) {
		uint64_t v;

		d->inner = memory_region_dispatch_read(d->other, 0, &v, MO_32,
						       MEMTXATTRS_UNSPECIFIED);
	}
	d->depth--;
	return 0x11223344 + addr;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
	struct dev *d = opaque;

	(void)addr;
	(void)val;
	(void)size;
	d->calls++;
}

static const MemoryRegionOps dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .min_access_size = 1, .max_access_size = 4 },
};

static void test_memop_orders(void **state)
{
	struct dev d;
	MemoryRegion mr;
	uint64_t v;

	(void)state;
	memset(&d, 0, sizeof(d));
	object_initialize_simple(&d.obj, "dev", NULL);
	memory_region_init_io(&mr, &d.obj, &dev_ops, &d, "dev-io", 0x100);

	assert_int_equal(memory_region_dispatch_read(&mr, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(v, 0x11223344);
	assert_int_equal(memory_region_dispatch_read(&mr, 0, &v,
						     MO_32 | MO_BSWAP,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(v, 0x44332211);
	assert_int_equal(memory_region_dispatch_read(&mr, 0, &v, MO_16,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(v, 0x3344);
	/* valid.max_access_size 4: an 8-byte access is refused. */
	assert_int_equal(memory_region_dispatch_read(&mr, 0, &v, MO_64,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(v, 0);
	assert_false(memory_region_access_valid(&mr, 0, 8, false,
						MEMTXATTRS_UNSPECIFIED));
	assert_true(memory_region_access_valid(&mr, 0, 4, true,
					       MEMTXATTRS_UNSPECIFIED));
	assert_false(memory_region_access_valid(&mr, 1, 4, true,
						MEMTXATTRS_UNSPECIFIED));
	assert_int_equal(memory_region_dispatch_write(&mr, 4, 1, MO_8,
						      MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);

	/* devend_memop at run time. */
	assert_int_equal(memdisp_devend_memop(DEVICE_LITTLE_ENDIAN), 0);
	assert_int_equal(memdisp_devend_memop(DEVICE_BIG_ENDIAN), MO_BSWAP);
	assert_int_equal(memdisp_devend_memop(DEVICE_NATIVE_ENDIAN), 0);
	memdisp_set_target_big_endian(true);
	assert_int_equal(memdisp_devend_memop(DEVICE_NATIVE_ENDIAN), MO_BSWAP);
	assert_int_equal(memory_region_dispatch_read(
				 &mr, 0, &v,
				 MO_32 | memdisp_devend_memop(DEVICE_NATIVE_ENDIAN),
				 MEMTXATTRS_UNSPECIFIED), MEMTX_OK);
	assert_int_equal(v, 0x44332211);
	memdisp_set_target_big_endian(false);

	object_unparent(OBJECT(&mr));
	object_unref(&d.obj);
}

static void test_unassigned(void **state)
{
	MemoryRegion io, cont;
	uint64_t v = 7;

	(void)state;
	memory_region_init_io(&io, NULL, NULL, NULL, "no-ops", 0x100);
	assert_int_equal(memory_region_dispatch_read(&io, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(v, 0);
	assert_int_equal(memory_region_dispatch_write(&io, 0, 1, MO_32,
						      MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	memory_region_init(&cont, NULL, "container", 0x100);
	v = 7;
	assert_int_equal(memory_region_dispatch_read(&cont, 0, &v, MO_8,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(v, 0);
	object_unparent(OBJECT(&io));
	object_unparent(OBJECT(&cont));
}

static void test_guard_by_owner(void **state)
{
	struct dev d1, d2;
	MemoryRegion a, b, c;
	uint64_t v;

	(void)state;
	memset(&d1, 0, sizeof(d1));
	memset(&d2, 0, sizeof(d2));
	object_initialize_simple(&d1.obj, "dev", NULL);
	object_initialize_simple(&d2.obj, "dev", NULL);
	memory_region_init_io(&a, &d1.obj, &dev_ops, &d1, "d1-a", 0x100);
	memory_region_init_io(&b, &d1.obj, &dev_ops, &d2, "d1-b", 0x100);
	memory_region_init_io(&c, &d2.obj, &dev_ops, &d2, "d2", 0x100);

	/* a -> b: same owner, refused. */
	d1.other = &b;
	assert_int_equal(memory_region_dispatch_read(&a, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(d1.inner, MEMTX_ACCESS_ERROR);
	assert_int_equal(d2.calls, 0);

	/* a -> c: another device, allowed. */
	d1.other = &c;
	assert_int_equal(memory_region_dispatch_read(&a, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(d1.inner, MEMTX_OK);
	assert_int_equal(d2.calls, 1);

	/* a -> a: refused; no unbounded recursion. */
	d1.other = &a;
	d1.max_depth = 0;
	assert_int_equal(memory_region_dispatch_read(&a, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(d1.inner, MEMTX_ACCESS_ERROR);
	assert_int_equal(d1.max_depth, 1);

	/* Readonly regions are exempt (QEMU 8.1). */
	memory_region_set_readonly(&a, true);
	d1.max_depth = 0;
	assert_int_equal(memory_region_dispatch_read(&a, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(d1.max_depth, 3);	/* the test's own bound */
	assert_int_equal(d1.inner, MEMTX_OK);

	object_unparent(OBJECT(&a));
	object_unparent(OBJECT(&b));
	object_unparent(OBJECT(&c));
	object_unref(&d1.obj);
	object_unref(&d2.obj);
}

static void test_rom_device_exempt(void **state)
{
	struct dev d;
	MemoryRegion rom;
	uint64_t v;

	(void)state;
	memset(&d, 0, sizeof(d));
	object_initialize_simple(&d.obj, "dev", NULL);
	memory_region_init_rom_device(&rom, &d.obj, &dev_ops, &d, "flash",
				      0x1000, &error_abort);
	d.other = &rom;
	assert_int_equal(memory_region_dispatch_read(&rom, 0, &v, MO_32,
						     MEMTXATTRS_UNSPECIFIED),
			 MEMTX_OK);
	assert_int_equal(d.max_depth, 3);
	assert_int_equal(d.inner, MEMTX_OK);
	object_unparent(OBJECT(&rom));
	object_unref(&d.obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memop_orders),
		cmocka_unit_test(test_unassigned),
		cmocka_unit_test(test_guard_by_owner),
		cmocka_unit_test(test_rom_device_exempt),
	};

	return ACC_RUN(tests);
}
