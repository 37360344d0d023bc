// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/xs/test_as.c - address_space_* accesses of libmemdisp against
 * references: RAM contents, MMIO callbacks seen, results.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <cmocka.h>

#include <memdisp/memory.h>

#define MAX_LOG 64

/* A device that records its accesses and reads back a pattern. */
struct dev {
	unsigned int n;
	hwaddr addr[MAX_LOG];
	unsigned int size[MAX_LOG];
	uint64_t data[MAX_LOG];
	bool write[MAX_LOG];
	uint64_t pattern;
};

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
	struct dev *d = opaque;

	if (d->n < MAX_LOG) {
		d->addr[d->n] = addr;
		d->size[d->n] = size;
		d->write[d->n] = false;
		d->data[d->n++] = 0;
	}
	return d->pattern + addr;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t data, unsigned size)
{
	struct dev *d = opaque;

	if (d->n < MAX_LOG) {
		d->addr[d->n] = addr;
		d->size[d->n] = size;
		d->write[d->n] = true;
		d->data[d->n++] = data;
	}
}

static const MemoryRegionOps le_ops = {
	.read = dev_read, .write = dev_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .min_access_size = 1, .max_access_size = 8 },
	.impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps be_ops = {
	.read = dev_read, .write = dev_write,
	.endianness = DEVICE_BIG_ENDIAN,
	.valid = { .min_access_size = 1, .max_access_size = 8 },
	.impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* Map: RAM 0x0000-0x1fff, LE dev 0x2000-0x20ff, BE dev 0x3000-0x30ff,
 * ROM 0x4000-0x4fff, reservation 0x5000-0x50ff, hole elsewhere. */
struct fix {
	MemoryRegion root, ram, le, be, rom, resv;
	AddressSpace as;
	struct dev dle, dbe;
};

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	memory_region_init(&f->root, NULL, "root", 1ULL << 32);
	memory_region_init_ram(&f->ram, NULL, "ram", 0x2000, NULL);
	memory_region_init_io(&f->le, NULL, &le_ops, &f->dle, "le", 0x100);
	memory_region_init_io(&f->be, NULL, &be_ops, &f->dbe, "be", 0x100);
	memory_region_init_rom(&f->rom, NULL, "rom", 0x1000, NULL);
	memory_region_init_reservation(&f->resv, NULL, "resv", 0x100);
	memory_region_add_subregion(&f->root, 0, &f->ram);
	memory_region_add_subregion(&f->root, 0x2000, &f->le);
	memory_region_add_subregion(&f->root, 0x3000, &f->be);
	memory_region_add_subregion(&f->root, 0x4000, &f->rom);
	memory_region_add_subregion(&f->root, 0x5000, &f->resv);
	address_space_init(&f->as, &f->root, "as");
	f->dle.pattern = 0x1122334455667700ULL;
	f->dbe.pattern = 0x1122334455667700ULL;
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	MemoryRegion *subs[] = { &f->ram, &f->le, &f->be, &f->rom, &f->resv };
	unsigned int i;

	address_space_destroy(&f->as);
	for (i = 0; i < 5; i++) {
		memory_region_del_subregion(&f->root, subs[i]);
		object_unparent(OBJECT(subs[i]));
	}
	object_unparent(OBJECT(&f->root));
	memdisp_flatview_reclaim();
	free(f);
	return 0;
}

static void test_ram_rw(void **state)
{
	struct fix *f = *state;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	uint8_t buf[64], ref[64];
	unsigned int i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + 1;
	assert_int_equal(address_space_write(&f->as, 0x100, MEMTXATTRS_UNSPECIFIED,
					     buf, sizeof(buf)), MEMTX_OK);
	assert_memory_equal(host + 0x100, buf, sizeof(buf));
	memset(ref, 0, sizeof(ref));
	assert_int_equal(address_space_read(&f->as, 0x100, MEMTXATTRS_UNSPECIFIED,
					    ref, sizeof(ref)), MEMTX_OK);
	assert_memory_equal(ref, buf, sizeof(buf));
}

static void test_ld_st(void **state)
{
	struct fix *f = *state;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	MemTxResult r = 99;
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;

	address_space_stl_le(&f->as, 0x10, 0x11223344, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(host[0x10], 0x44);
	assert_int_equal(host[0x13], 0x11);
	assert_int_equal(address_space_ldl_be(&f->as, 0x10, a, NULL), 0x44332211);
	assert_int_equal(address_space_lduw_le(&f->as, 0x11, a, NULL), 0x2233);
	assert_int_equal(address_space_ldub(&f->as, 0x12, a, NULL), 0x22);
	address_space_stq_be(&f->as, 0x20, 0x0102030405060708ULL, a, NULL);
	assert_int_equal(host[0x20], 1);
	assert_int_equal(host[0x27], 8);
	assert_true(address_space_ldq_le(&f->as, 0x20, a, NULL) ==
		    0x0807060504030201ULL);
	address_space_stw_be(&f->as, 0x30, 0xabcd, a, NULL);
	assert_int_equal(host[0x30], 0xab);
	address_space_stb(&f->as, 0x31, 0x99, a, NULL);
	assert_int_equal(address_space_lduw_be(&f->as, 0x30, a, NULL), 0xab99);
	/* Native order follows the runtime target setting. */
	memdisp_set_target_big_endian(true);
	assert_int_equal(address_space_lduw(&f->as, 0x30, a, NULL), 0xab99);
	address_space_stl(&f->as, 0x40, 0xa1b2c3d4, a, NULL);
	assert_int_equal(host[0x40], 0xa1);
	memdisp_set_target_big_endian(false);
	assert_int_equal(address_space_lduw(&f->as, 0x30, a, NULL), 0x99ab);
	address_space_stq(&f->as, 0x48, 0x1ULL, a, NULL);
	assert_int_equal(host[0x48], 1);
	assert_true(address_space_ldq(&f->as, 0x48, a, NULL) == 1);
	assert_int_equal(address_space_ldl(&f->as, 0x40, a, NULL), 0xd4c3b2a1);
}

static void test_mmio(void **state)
{
	struct fix *f = *state;
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemTxResult r = 99;
	uint8_t buf[4];

	f->dle.n = f->dbe.n = 0;
	assert_int_equal(address_space_ldl_le(&f->as, 0x2008, a, &r),
			 (uint32_t)(f->dle.pattern + 8));
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(f->dle.n, 1);
	assert_int_equal(f->dle.addr[0], 8);
	assert_int_equal(f->dle.size[0], 4);
	/* BE device read with an LE accessor: bytes swapped. */
	assert_int_equal(address_space_lduw_le(&f->as, 0x3010, a, NULL),
			 __builtin_bswap16((uint16_t)(f->dbe.pattern + 0x10)));
	assert_int_equal(address_space_lduw_be(&f->as, 0x3010, a, NULL),
			 (uint16_t)(f->dbe.pattern + 0x10));
	address_space_stl_be(&f->as, 0x3020, 0xdeadbeef, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(f->dbe.n, 3);
	assert_true(f->dbe.write[2]);
	assert_int_equal(f->dbe.data[2], 0xdeadbeef);
	/* Buffer bytes: host order of the LE device = memory order. */
	buf[0] = 0x11; buf[1] = 0x22; buf[2] = 0x33; buf[3] = 0x44;
	assert_int_equal(address_space_write(&f->as, 0x2040, a, buf, 4),
			 MEMTX_OK);
	assert_int_equal(f->dle.n, 2);
	assert_int_equal(f->dle.size[1], 4);
	assert_int_equal(f->dle.data[1], 0x44332211);
	/* Misaligned 4 bytes at offset 2: split into 2 + 2 (QEMU). */
	assert_int_equal(address_space_write(&f->as, 0x2042, a, buf, 4),
			 MEMTX_OK);
	assert_int_equal(f->dle.n, 4);
	assert_int_equal(f->dle.size[2], 2);
	assert_int_equal(f->dle.addr[3], 0x44);
}

/* A device with QEMU <= 3.1's old_mmio callbacks only. */
static uint32_t om_rb(void *o, hwaddr a) { return dev_read(o, a, 1); }
static uint32_t om_rw(void *o, hwaddr a) { return dev_read(o, a, 2); }
static uint32_t om_rl(void *o, hwaddr a) { return dev_read(o, a, 4); }
static void om_wb(void *o, hwaddr a, uint32_t v) { dev_write(o, a, v, 1); }
static void om_ww(void *o, hwaddr a, uint32_t v) { dev_write(o, a, v, 2); }
static void om_wl(void *o, hwaddr a, uint32_t v) { dev_write(o, a, v, 4); }

static const MemoryRegionOps om_ops = {
	.endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .min_access_size = 1, .max_access_size = 8 },
	.impl = { .min_access_size = 1, .max_access_size = 8 },
	.old_mmio = {
		.read = { om_rb, om_rw, om_rl },
		.write = { om_wb, om_ww, om_wl },
	},
};

static void test_old_mmio(void **state)
{
	struct fix *f = *state;
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemoryRegion om = { 0 };
	struct dev d = { .pattern = 0x1000 };
	MemTxResult r = 99;
	uint64_t v;

	memory_region_init_io(&om, NULL, &om_ops, &d, "old", 0x100);
	memory_region_add_subregion(&f->root, 0x6000, &om);
	assert_int_equal(address_space_ldl_le(&f->as, 0x6010, a, &r), 0x1010);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.size[0], 4);
	/* 8 bytes: two long callbacks, low half first (LE device). */
	v = address_space_ldq_le(&f->as, 0x6020, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.size[1], 4);
	assert_int_equal(d.addr[1], 0x20);
	assert_int_equal(d.addr[2], 0x24);
	assert_true(v == ((uint64_t)0x1024 << 32 | 0x1020));
	address_space_stw_le(&f->as, 0x6030, 0xbeef, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(d.n, 4);
	assert_true(d.write[3]);
	assert_int_equal(d.size[3], 2);
	assert_int_equal(d.data[3], 0xbeef);
	memory_region_del_subregion(&f->root, &om);
	object_unparent(OBJECT(&om));
	memdisp_flatview_reclaim();
}

static void test_crossing(void **state)
{
	struct fix *f = *state;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	uint8_t buf[8];

	memset(host + 0x1ffc, 0xaa, 4);
	f->dle.n = 0;
	/* 4 RAM bytes then 4 bytes of the LE device. */
	assert_int_equal(address_space_read(&f->as, 0x1ffc, a, buf, 8),
			 MEMTX_OK);
	assert_int_equal(buf[0], 0xaa);
	assert_int_equal(buf[3], 0xaa);
	assert_int_equal(f->dle.n, 1);
	assert_int_equal(f->dle.addr[0], 0);
	assert_int_equal(buf[4], (uint8_t)f->dle.pattern);
	/* A crossing store: bytes land on both sides. */
	address_space_stl_le(&f->as, 0x1ffe, 0x44332211, a, NULL);
	assert_int_equal(host[0x1ffe], 0x11);
	assert_int_equal(host[0x1fff], 0x22);
	assert_int_equal(f->dle.n, 2);
	assert_true(f->dle.write[1]);
	assert_int_equal(f->dle.data[1], 0x4433);
	/* A crossing load: split at the boundary, the device piece in one
	 * 4-byte access (not byte by byte), the value assembled in order. */
	host[0x1ffc] = 0x01; host[0x1ffd] = 0x02;
	host[0x1ffe] = 0x03; host[0x1fff] = 0x04;
	f->dle.n = 0;
	assert_true(address_space_ldq_be(&f->as, 0x1ffc, a, NULL) ==
		    (0x01020304ULL << 32 |
		     __builtin_bswap32((uint32_t)f->dle.pattern)));
	assert_int_equal(f->dle.n, 1);
	assert_int_equal(f->dle.size[0], 4);
	assert_int_equal(f->dle.addr[0], 0);
	f->dle.n = 0;
	address_space_stq_le(&f->as, 0x1ffc, 0x8877665544332211ULL, a, NULL);
	assert_int_equal(host[0x1ffc], 0x11);
	assert_int_equal(host[0x1fff], 0x44);
	assert_int_equal(f->dle.n, 1);
	assert_int_equal(f->dle.size[0], 4);
	assert_int_equal(f->dle.data[0], 0x88776655);
}

static void test_unassigned_rom_resv(void **state)
{
	struct fix *f = *state;
	uint8_t *rom = memory_region_get_ram_ptr(&f->rom);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	uint8_t buf[8];
	MemTxResult r;

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(address_space_read(&f->as, 0x9000, a, buf, 8),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[7], 0);
	assert_int_equal(address_space_ldl_le(&f->as, 0x9000, a, &r), 0);
	assert_int_equal(r, MEMTX_DECODE_ERROR);
	/* Partly mapped: RAM bytes copied, hole reported. */
	assert_int_equal(address_space_read(&f->as, 0x20fe, a, buf, 4),
			 MEMTX_DECODE_ERROR);
	assert_false(address_space_access_valid(&f->as, 0x9000, 4, false, a));
	assert_true(address_space_access_valid(&f->as, 0x100, 4, true, a));
	assert_true(address_space_access_valid(&f->as, 0x2000, 4, true, a));
	/* ROM: writes dropped, reads direct. */
	rom[0] = 0x5a;
	address_space_stb(&f->as, 0x4000, 0x77, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(rom[0], 0x5a);
	assert_int_equal(address_space_ldub(&f->as, 0x4000, a, NULL), 0x5a);
	/* Reservation: decode error, no crash. */
	address_space_stl_le(&f->as, 0x5000, 1, a, &r);
	assert_int_equal(r, MEMTX_DECODE_ERROR);
	assert_int_equal(address_space_ldl_le(&f->as, 0x5004, a, &r), 0);
	assert_int_equal(r, MEMTX_DECODE_ERROR);
}

static void test_translate(void **state)
{
	struct fix *f = *state;
	hwaddr xlat, len = 0x100000;
	MemoryRegion *mr;

	mr = address_space_translate(&f->as, 0x1f00, &xlat, &len, false,
				     MEMTXATTRS_UNSPECIFIED);
	assert_ptr_equal(mr, &f->ram);
	assert_int_equal(xlat, 0x1f00);
	assert_int_equal(len, 0x100);
	len = 0x100000;
	mr = address_space_translate(&f->as, 0x8000, &xlat, &len, false,
				     MEMTXATTRS_UNSPECIFIED);
	assert_null(mr);
	assert_true(len > 0);
}

/* IOMMU: 4 KiB pages, iova page p -> target page (p ^ 1), page 3 RO. */
static AddressSpace *iommu_target;

static IOMMUTLBEntry tr(IOMMUMemoryRegion *iommu, hwaddr addr,
			IOMMUAccessFlags flag, int idx)
{
	IOMMUTLBEntry e = {
		.target_as = iommu_target,
		.iova = addr & ~0xfffULL,
		.translated_addr = (addr & ~0xfffULL) ^ 0x1000,
		.addr_mask = 0xfff,
		.perm = (addr >> 12) == 3 ? IOMMU_RO : IOMMU_RW,
	};

	(void)iommu; (void)flag; (void)idx;
	return e;
}

static const IOMMUMemoryRegionClass tr_class = { .translate = tr };

static unsigned int notified;
static void on_notify(IOMMUNotifier *n, IOMMUTLBEntry *e)
{
	(void)n; (void)e;
	notified++;
}

static void test_iommu(void **state)
{
	struct fix *f = *state;
	IOMMUMemoryRegion *iommu = calloc(1, sizeof(*iommu));
	MemoryRegion droot;
	AddressSpace das;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	hwaddr xlat, len = 0x10000;
	MemTxResult r;
	IOMMUNotifier n;
	IOMMUTLBEvent ev = { .type = IOMMU_NOTIFIER_MAP,
			     .entry = { .iova = 0x1000, .addr_mask = 0xfff } };

	assert_int_equal(memdisp_iommu_class_register("xs-iommu", &tr_class), 0);
	memory_region_init_iommu(iommu, sizeof(*iommu), "xs-iommu", NULL,
				 "iommu", 0x10000);
	memory_region_init(&droot, NULL, "droot", 0x10000);
	memory_region_add_subregion(&droot, 0, MEMORY_REGION(iommu));
	address_space_init(&das, &droot, "dma");
	iommu_target = &f->as;

	host[0x1234] = 0x42;
	assert_int_equal(address_space_ldub(&das, 0x0234, a, &r), 0x42);
	assert_int_equal(r, MEMTX_OK);
	assert_ptr_equal(address_space_translate(&das, 0x0234, &xlat, &len,
						 false, a), &f->ram);
	assert_int_equal(xlat, 0x1234);
	assert_int_equal(len, 0x1000 - 0x234);
	/* Page 3 -> target 0x2000 (the LE device), read-only. */
	f->dle.n = 0;
	address_space_stl_le(&das, 0x3000, 5, a, &r);
	assert_int_equal(r, MEMTX_DECODE_ERROR);
	assert_int_equal(f->dle.n, 0);
	address_space_ldl_le(&das, 0x3004, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(f->dle.n, 1);
	assert_int_equal(f->dle.addr[0], 4);
	/* A cycle (IOMMU translating into its own AS) ends with an error. */
	iommu_target = &das;
	address_space_ldl_le(&das, 0x0, a, &r);
	assert_int_equal(r, MEMTX_DECODE_ERROR);
	iommu_target = &f->as;

	iommu_notifier_init(&n, on_notify, IOMMU_NOTIFIER_MAP, 0, 0x1fff, 0);
	assert_int_equal(memory_region_register_iommu_notifier(
				MEMORY_REGION(iommu), &n, NULL), 0);
	memory_region_notify_iommu(iommu, 0, ev);
	assert_int_equal(notified, 1);
	ev.entry.iova = 0x8000;
	memory_region_notify_iommu(iommu, 0, ev);
	assert_int_equal(notified, 1);
	memory_region_unregister_iommu_notifier(MEMORY_REGION(iommu), &n);
	ev.entry.iova = 0x1000;
	memory_region_notify_iommu(iommu, 0, ev);
	assert_int_equal(notified, 1);
	assert_int_equal(memory_region_register_iommu_notifier(&f->ram, &n,
							       NULL), -EINVAL);
	address_space_destroy(&das);
	memory_region_del_subregion(&droot, MEMORY_REGION(iommu));
	object_unparent(OBJECT(iommu));
	object_unparent(OBJECT(&droot));
	memdisp_flatview_reclaim();
	free(iommu);
}

/*
 * The IOMMU translation cache: off, every access calls translate (QEMU);
 * on, a page's translation is reused until the model notifies.
 */
static unsigned int tc_calls;
static hwaddr tc_base;

static IOMMUTLBEntry tc_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
				  IOMMUAccessFlags flag, int idx)
{
	IOMMUTLBEntry e = {
		.target_as = iommu_target,
		.iova = addr & ~0xfffULL,
		.translated_addr = tc_base + (addr & ~0xfffULL),
		.addr_mask = 0xfff,
		.perm = IOMMU_RW,
	};

	(void)iommu; (void)flag; (void)idx;
	tc_calls++;
	return e;
}

static const IOMMUMemoryRegionClass tc_class = { .translate = tc_translate };

static void test_iommu_tlb(void **state)
{
	struct fix *f = *state;
	IOMMUMemoryRegion *iommu = calloc(1, sizeof(*iommu));
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	IOMMUTLBEvent ev = { .type = IOMMU_NOTIFIER_UNMAP,
			     .entry = { .iova = 0, .addr_mask = 0xfff } };
	MemoryRegion droot;
	AddressSpace das;

	assert_int_equal(memdisp_iommu_class_register("xs-tc", &tc_class), 0);
	memory_region_init_iommu(iommu, sizeof(*iommu), "xs-tc", NULL,
				 "tc", 0x2000);
	memory_region_init(&droot, NULL, "tcroot", 0x2000);
	memory_region_add_subregion(&droot, 0, MEMORY_REGION(iommu));
	address_space_init(&das, &droot, "tc");
	iommu_target = &f->as;
	host[0x10] = 0x51;
	host[0x11] = 0;
	host[0x1010] = 0x52;
	tc_base = 0;
	/* Off: one call per access. */
	tc_calls = 0;
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x51);
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x51);
	assert_int_equal(tc_calls, 2);
	/* On: the second access of the page hits. */
	memdisp_iommu_set_tlb(iommu, true);
	tc_calls = 0;
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x51);
	assert_int_equal(address_space_ldub(&das, 0x11, a, NULL), 0);
	assert_int_equal(tc_calls, 1);
	/* Another direction is another entry. */
	address_space_stb(&das, 0x12, 0x61, a, NULL);
	address_space_stb(&das, 0x13, 0x62, a, NULL);
	assert_int_equal(tc_calls, 2);
	assert_int_equal(host[0x12], 0x61);
	/* A changed mapping is seen only after the model notifies. */
	tc_base = 0x1000;
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x51);
	assert_int_equal(tc_calls, 2);
	memory_region_notify_iommu(iommu, 0, ev);
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x52);
	assert_int_equal(tc_calls, 3);
	/* Off again: every access translates. */
	memdisp_iommu_set_tlb(iommu, false);
	tc_base = 0;
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x51);
	assert_int_equal(address_space_ldub(&das, 0x10, a, NULL), 0x51);
	assert_int_equal(tc_calls, 5);
	address_space_destroy(&das);
	memory_region_del_subregion(&droot, MEMORY_REGION(iommu));
	object_unparent(OBJECT(iommu));
	object_unparent(OBJECT(&droot));
	memdisp_flatview_reclaim();
	free(iommu);
}

/*
 * address_space_read/write through one IOMMU level (the fast path):
 * pages p -> p ^ 1, page 3 read-only; a buffer crossing an IOMMU page
 * lands in two non-adjacent target pages; a denied write is an error and
 * changes nothing; a logged target is marked dirty.
 */
static void test_iommu_rw(void **state)
{
	struct fix *f = *state;
	IOMMUMemoryRegion *iommu = calloc(1, sizeof(*iommu));
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	uint8_t buf[16], w[16];
	MemoryRegion droot = { 0 };
	AddressSpace das;
	unsigned int i, pass;

	assert_int_equal(memdisp_iommu_class_register("xs-iommu", &tr_class), 0);
	memory_region_init_iommu(iommu, sizeof(*iommu), "xs-iommu", NULL,
				 "iommu-rw", 0x4000);
	memory_region_init(&droot, NULL, "rwroot", 0x4000);
	memory_region_add_subregion(&droot, 0, MEMORY_REGION(iommu));
	address_space_init(&das, &droot, "rw");
	iommu_target = &f->as;
	for (i = 0; i < 16; i++)
		w[i] = 0xc0 + i;
	/* Twice: cold, then with every cache warm. */
	for (pass = 0; pass < 2; pass++) {
		memset(host, 0, 0x2000);
		/* iova 0x0ff8..0x1007 -> 0x1ff8..0x1fff, 0x0000..0x0007 */
		assert_int_equal(address_space_write(&das, 0x0ff8, a, w, 16),
				 MEMTX_OK);
		assert_memory_equal(host + 0x1ff8, w, 8);
		assert_memory_equal(host, w + 8, 8);
		memset(buf, 0, sizeof(buf));
		assert_int_equal(address_space_read(&das, 0x0ff8, a, buf, 16),
				 MEMTX_OK);
		assert_memory_equal(buf, w, 16);
	}
	/* iova 0x1ff8..0x2007: RAM 0x0ff8..0x0fff, then page 2 -> 0x3000
	 * (the BE device), not the RAM that follows 0x0fff. */
	memset(host + 0xff8, 0x5a, 16);
	f->dbe.n = 0;
	assert_int_equal(address_space_read(&das, 0x1ff8, a, buf, 16),
			 MEMTX_OK);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(buf[7], 0x5a);
	assert_true(f->dbe.n > 0);
	assert_int_equal(f->dbe.addr[0], 0);
	/* Page 3 (-> 0x2000, the LE device) is read-only: write refused. */
	f->dle.n = 0;
	assert_int_equal(address_space_write(&das, 0x3000, a, w, 4),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(f->dle.n, 0);
	/* Writes through the IOMMU mark the target's block. */
	memory_region_set_log(&f->ram, true, DIRTY_MEMORY_VGA);
	memory_region_reset_dirty(&f->ram, 0, 0x2000, DIRTY_MEMORY_VGA);
	assert_int_equal(address_space_write(&das, 0x0010, a, w, 4), MEMTX_OK);
	assert_true(memory_region_get_dirty(&f->ram, 0x1000, 0x1000,
					    DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&f->ram, 0, 0x1000,
					     DIRTY_MEMORY_VGA));
	memory_region_set_log(&f->ram, false, DIRTY_MEMORY_VGA);
	memory_region_reset_dirty(&f->ram, 0, 0x2000, DIRTY_MEMORY_VGA);
	address_space_destroy(&das);
	memory_region_del_subregion(&droot, MEMORY_REGION(iommu));
	object_unparent(OBJECT(iommu));
	object_unparent(OBJECT(&droot));
	memdisp_flatview_reclaim();
	free(iommu);
}

static unsigned int retried;
static void on_retry(void *opaque)
{
	(void)opaque;
	retried++;
}

static void test_map(void **state)
{
	struct fix *f = *state;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	hwaddr len = 0x4000;
	uint8_t *p, *q;
	void *h;

	p = address_space_map(&f->as, 0x1000, &len, true, a);
	assert_ptr_equal(p, host + 0x1000);
	assert_int_equal(len, 0x1000);
	address_space_unmap(&f->as, p, len, true, len);
	/* MMIO read map: bounce filled by reads of the device. */
	f->dle.n = 0;
	len = 8;
	p = address_space_map(&f->as, 0x2000, &len, false, a);
	assert_non_null(p);
	assert_int_equal(len, 8);
	assert_int_equal(p[0], (uint8_t)f->dle.pattern);
	assert_int_equal(f->dle.n, 1);
	/* The pool is bounded: maps get what is left, then nothing. */
	{
		uint8_t *qs[64];
		unsigned int nq = 0, i;
		hwaddr total = 0;

		for (;;) {
			len = 0x100;
			q = address_space_map(&f->as, 0x3000, &len, true, a);
			if (!q)
				break;
			assert_true(nq < 64);
			qs[nq++] = q;
			total += len;
		}
		assert_int_equal(len, 0);
		assert_int_equal(total, 4096 - 8);
		memdisp_register_map_client(on_retry, NULL, &h);
		assert_int_equal(retried, 0);
		address_space_unmap(&f->as, p, 8, false, 8);
		assert_int_equal(retried, 1);
		memdisp_unregister_map_client(h);
		/* Write map: written back at unmap. */
		f->dbe.n = 0;
		memset(qs[0], 0x5a, 4);
		address_space_unmap(&f->as, qs[0], 0x100, true, 4);
		assert_int_equal(f->dbe.n, 1);
		assert_true(f->dbe.write[0]);
		assert_int_equal(f->dbe.data[0], 0x5a5a5a5a);
		for (i = 1; i < nq; i++)
			address_space_unmap(&f->as, qs[i], 0x100, true, 0);
		assert_int_equal(f->dbe.n, 1);
	}
	len = 9;
	assert_null(address_space_map(&f->as, 0x9000, &len, false, a));
	assert_int_equal(len, 0);
}

/*
 * address_space_map over consecutive sections showing consecutive bytes
 * of one RAM block returns the whole length (QEMU's
 * flatview_extend_translation); it stops where the next section does not
 * continue the block.  The alias "b" is readonly so that the view cannot
 * merge it with "a".
 */
static void test_map_contiguous(void **state)
{
	struct fix *f = *state;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemoryRegion al[3];
	hwaddr len;
	void *p;

	memset(al, 0, sizeof(al));
	memory_region_init_alias(&al[0], NULL, "a", &f->ram, 0, 0x1000);
	memory_region_init_alias(&al[1], NULL, "b", &f->ram, 0x1000, 0x1000);
	memory_region_init_alias(&al[2], NULL, "c", &f->ram, 0x1800, 0x800);
	memory_region_set_readonly(&al[1], true);
	memory_region_add_subregion(&f->root, 0x10000, &al[0]);
	memory_region_add_subregion(&f->root, 0x11000, &al[1]);
	memory_region_add_subregion(&f->root, 0x12000, &al[2]);
	/* a + b continue each other: one read map of both. */
	len = 0x2000;
	p = address_space_map(&f->as, 0x10800, &len, false, a);
	assert_ptr_equal(p, host + 0x800);
	assert_int_equal(len, 0x1800);
	address_space_unmap(&f->as, p, len, false, len);
	/* A write map stops before the readonly b. */
	len = 0x2000;
	p = address_space_map(&f->as, 0x10800, &len, true, a);
	assert_ptr_equal(p, host + 0x800);
	assert_int_equal(len, 0x800);
	address_space_unmap(&f->as, p, len, true, 0);
	/* b then c: c shows 0x1800, not 0x2000: clipped at the boundary. */
	len = 0x1000;
	p = address_space_map(&f->as, 0x11800, &len, false, a);
	assert_ptr_equal(p, host + 0x1800);
	assert_int_equal(len, 0x800);
	address_space_unmap(&f->as, p, len, false, len);
	memory_region_del_subregion(&f->root, &al[0]);
	memory_region_del_subregion(&f->root, &al[1]);
	memory_region_del_subregion(&f->root, &al[2]);
	object_unparent(OBJECT(&al[0]));
	object_unparent(OBJECT(&al[1]));
	object_unparent(OBJECT(&al[2]));
	memdisp_flatview_reclaim();
}

static void test_ioeventfd(void **state)
{
	struct fix *f = *state;
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	EventNotifier e1, e2;
	MemTxResult r;

	assert_int_equal(event_notifier_init(&e1, 0), 0);
	assert_int_equal(event_notifier_init(&e2, 0), 0);
	memory_region_add_eventfd(&f->le, 0x80, 4, true, 0x1234, &e1);
	memory_region_add_eventfd(&f->be, 0x80, 4, true, 0x1234, &e2);
	f->dle.n = f->dbe.n = 0;
	/* Matching value: signalled, device skipped. */
	address_space_stl_le(&f->as, 0x2080, 0x1234, a, &r);
	assert_int_equal(r, MEMTX_OK);
	assert_int_equal(f->dle.n, 0);
	assert_int_equal(event_notifier_test_and_clear(&e1), 1);
	/* Other value: reaches the device. */
	address_space_stl_le(&f->as, 0x2080, 0x1235, a, &r);
	assert_int_equal(f->dle.n, 1);
	assert_int_equal(event_notifier_test_and_clear(&e1), 0);
	/* BE device, native (LE target) store: data was converted at
	 * registration like QEMU, so the same native value matches. */
	address_space_stl(&f->as, 0x3080, 0x1234, a, &r);
	assert_int_equal(f->dbe.n, 0);
	assert_int_equal(event_notifier_test_and_clear(&e2), 1);
	memory_region_del_eventfd(&f->le, 0x80, 4, true, 0x1234, &e1);
	memory_region_del_eventfd(&f->be, 0x80, 4, true, 0x1234, &e2);
	address_space_stl_le(&f->as, 0x2080, 0x1234, a, &r);
	assert_int_equal(f->dle.n, 2);
	event_notifier_cleanup(&e1);
	event_notifier_cleanup(&e2);
}

static void test_dirty(void **state)
{
	struct fix *f = *state;
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	uint8_t buf[4] = { 1, 2, 3, 4 };
	hwaddr len = 0x100;
	uint8_t *p;

	/* Not logging: writes leave no trace. */
	address_space_write(&f->as, 0x1000, a, buf, 4);
	assert_false(memory_region_get_dirty(&f->ram, 0, 0x2000,
					     DIRTY_MEMORY_VGA));
	memory_region_set_log(&f->ram, true, DIRTY_MEMORY_VGA);
	address_space_write(&f->as, 0x1ffe, a, buf, 4);	/* RAM + MMIO */
	assert_true(memory_region_get_dirty(&f->ram, 0x1000, 0x1000,
					    DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&f->ram, 0, 0x1000,
					     DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&f->ram, 0x1000, 0x1000,
					     DIRTY_MEMORY_MIGRATION));
	assert_true(memory_region_test_and_clear_dirty(&f->ram, 0x1000, 0x1000,
						       DIRTY_MEMORY_VGA));
	assert_false(memory_region_test_and_clear_dirty(&f->ram, 0x1000,
							0x1000,
							DIRTY_MEMORY_VGA));
	address_space_stl_le(&f->as, 0x10, 5, a, NULL);
	assert_true(memory_region_get_dirty(&f->ram, 0, 0x1000,
					    DIRTY_MEMORY_VGA));
	memory_region_reset_dirty(&f->ram, 0, 0x1000, DIRTY_MEMORY_VGA);
	assert_false(memory_region_get_dirty(&f->ram, 0, 0x1000,
					     DIRTY_MEMORY_VGA));
	/* A write map marks at unmap, only what was written. */
	p = address_space_map(&f->as, 0x0f00, &len, true, a);
	assert_non_null(p);
	assert_false(memory_region_get_dirty(&f->ram, 0, 0x2000,
					     DIRTY_MEMORY_VGA));
	address_space_unmap(&f->as, p, len, true, 0x10);
	assert_true(memory_region_get_dirty(&f->ram, 0, 0x1000,
					    DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&f->ram, 0x1000, 0x1000,
					     DIRTY_MEMORY_VGA));
	memory_region_set_dirty(&f->ram, 0x1800, 1);
	assert_true(memory_region_get_dirty(&f->ram, 0x1000, 0x1000,
					    DIRTY_MEMORY_VGA));
	memory_region_set_log(&f->ram, false, DIRTY_MEMORY_VGA);
}

/*
 * Dirty bits belong to the RAM block: two aliases of one block share
 * them, the API on an alias works at the alias's offset, a resize cleans
 * the old used length and dirties the new one, and DIRTY_MEMORY_CODE is
 * never set (no TCG).
 */
static void test_dirty_block(void **state)
{
	struct fix *f = *state;
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemoryRegion blk = { 0 }, al[2], rz = { 0 };
	uint8_t buf[4] = { 1, 2, 3, 4 };

	memset(al, 0, sizeof(al));
	memory_region_init_ram(&blk, NULL, "blk", 0x4000, NULL);
	memory_region_init_alias(&al[0], NULL, "a0", &blk, 0x1000, 0x2000);
	memory_region_init_alias(&al[1], NULL, "a1", &blk, 0x1000, 0x2000);
	memory_region_add_subregion(&f->root, 0x20000, &al[0]);
	memory_region_add_subregion(&f->root, 0x30000, &al[1]);
	memory_region_set_log(&blk, true, DIRTY_MEMORY_VGA);
	/* Through a0 at block offset 0x2000. */
	address_space_write(&f->as, 0x21000, a, buf, 4);
	assert_true(memory_region_get_dirty(&blk, 0x2000, 0x1000,
					    DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&blk, 0, 0x2000,
					     DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&blk, 0x2000, 0x1000,
					     DIRTY_MEMORY_CODE));
	/* Seen (and cleared) through the other alias, at its offset. */
	assert_true(memory_region_get_dirty(&al[1], 0x1000, 0x1000,
					    DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&al[1], 0, 0x1000,
					     DIRTY_MEMORY_VGA));
	assert_true(memory_region_test_and_clear_dirty(&al[1], 0x1000, 0x10,
						       DIRTY_MEMORY_VGA));
	assert_false(memory_region_get_dirty(&blk, 0, 0x4000,
					     DIRTY_MEMORY_VGA));
	/* Global logging adds MIGRATION, still no CODE. */
	memory_global_dirty_log_start(GLOBAL_DIRTY_MIGRATION);
	address_space_write(&f->as, 0x30000, a, buf, 4);
	assert_true(memory_region_get_dirty(&blk, 0x1000, 4,
					    DIRTY_MEMORY_MIGRATION));
	assert_true(memory_region_get_dirty(&al[0], 0, 4, DIRTY_MEMORY_VGA));
	memory_region_set_dirty(&blk, 0x3800, 1);
	assert_true(memory_region_get_dirty(&blk, 0x3000, 0x1000,
					    DIRTY_MEMORY_MIGRATION));
	assert_false(memory_region_get_dirty(&blk, 0, 0x4000,
					     DIRTY_MEMORY_CODE));
	memory_global_dirty_log_stop(GLOBAL_DIRTY_MIGRATION);
	memory_region_set_log(&blk, false, DIRTY_MEMORY_VGA);
	/* Resize: the block's bits follow its used length. */
	memory_region_init_resizeable_ram(&rz, NULL, "rz", 0x2000, 0x8000,
					  NULL, NULL);
	memory_region_add_subregion(&f->root, 0x40000, &rz);
	memory_region_set_log(&rz, true, DIRTY_MEMORY_VGA);
	address_space_write(&f->as, 0x40000, a, buf, 4);
	assert_true(memory_region_get_dirty(&rz, 0, 0x1000, DIRTY_MEMORY_VGA));
	assert_true(memory_region_test_and_clear_dirty(&rz, 0, 0x1000,
						       DIRTY_MEMORY_VGA));
	memory_region_ram_resize(&rz, 0x6000, NULL);
	assert_true(memory_region_get_dirty(&rz, 0x5000, 0x1000,
					    DIRTY_MEMORY_VGA));
	assert_true(memory_region_get_dirty(&rz, 0x5000, 0x1000,
					    DIRTY_MEMORY_MIGRATION));
	assert_false(memory_region_get_dirty(&rz, 0, 0x6000,
					     DIRTY_MEMORY_CODE));
	assert_true(memory_region_test_and_clear_dirty(&rz, 0, 0x6000,
						       DIRTY_MEMORY_VGA));
	/* Writes beyond the old size land in the same log. */
	address_space_write(&f->as, 0x45ffc, a, buf, 4);
	assert_true(memory_region_get_dirty(&rz, 0x5000, 0x1000,
					    DIRTY_MEMORY_VGA));
	/* Shrunk: bits beyond the used length are not reported. */
	memory_region_ram_resize(&rz, 0x1000, NULL);
	memory_region_reset_dirty(&rz, 0, 0x1000, DIRTY_MEMORY_VGA);
	assert_false(memory_region_get_dirty(&rz, 0, 0x8000,
					     DIRTY_MEMORY_VGA));
	memory_region_set_log(&rz, false, DIRTY_MEMORY_VGA);
	memory_region_del_subregion(&f->root, &rz);
	memory_region_del_subregion(&f->root, &al[0]);
	memory_region_del_subregion(&f->root, &al[1]);
	object_unparent(OBJECT(&rz));
	object_unparent(OBJECT(&al[0]));
	object_unparent(OBJECT(&al[1]));
	object_unparent(OBJECT(&blk));
	memdisp_flatview_reclaim();
}

/*
 * Readers vs. a committing writer.  Generation g maps RAM "a" (all 0xa0)
 * and "b" (all 0xa1) at 0 and 0x1000, swapped on every commit, plus an
 * MMIO page at 0x2000 moved between 0x2000 and 0x3000.  One read of
 * [0xfff, 0x1001) must see two different bytes (a torn view would see the
 * same region twice); an MMIO read must find the device at exactly one
 * of its two places.
 */
#define NGEN 3000
static MemoryRegion st_root, st_ram[2], st_io;
static AddressSpace st_as;
static bool st_stop;
static unsigned int st_started;
static unsigned long st_torn, st_reads, st_seen[2];

static uint64_t st_io_read(void *opaque, hwaddr addr, unsigned size)
{
	(void)opaque; (void)addr; (void)size;
	return 0x5a;
}

static const MemoryRegionOps st_io_ops = {
	.read = st_io_read, .endianness = DEVICE_LITTLE_ENDIAN,
};

static void *st_reader(void *arg)
{
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	unsigned long torn = 0, n = 0, seen[2] = { 0, 0 };
	uint8_t buf[2];

	(void)arg;
	__atomic_add_fetch(&st_started, 1, __ATOMIC_SEQ_CST);
	do {
		MemTxResult r1, r2;
		uint32_t v1, v2;

		address_space_read(&st_as, 0xfff, a, buf, 2);
		if (buf[0] == buf[1] || (buf[0] != 0xa0 && buf[0] != 0xa1) ||
		    (buf[1] != 0xa0 && buf[1] != 0xa1))
			torn++;
		else
			seen[buf[0] & 1]++;
		v1 = address_space_ldub(&st_as, 0x2000, a, &r1);
		v2 = address_space_ldub(&st_as, 0x3000, a, &r2);
		/* Two separate accesses may straddle one commit; each must
		 * still see either the device (0x5a) or nothing (0). */
		if ((r1 == MEMTX_OK) != (v1 == 0x5a) ||
		    (r2 == MEMTX_OK) != (v2 == 0x5a))
			torn++;
		n++;
	} while (!__atomic_load_n(&st_stop, __ATOMIC_RELAXED));
	__atomic_add_fetch(&st_torn, torn, __ATOMIC_RELAXED);
	__atomic_add_fetch(&st_reads, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&st_seen[0], seen[0], __ATOMIC_RELAXED);
	__atomic_add_fetch(&st_seen[1], seen[1], __ATOMIC_RELAXED);
	return NULL;
}

static void test_stress(void **state)
{
	pthread_t t[3];
	unsigned int i;

	(void)state;
	memory_region_init(&st_root, NULL, "st", 0x10000);
	for (i = 0; i < 2; i++) {
		memory_region_init_ram(&st_ram[i], NULL, i ? "b" : "a", 0x1000,
				       NULL);
		memset(memory_region_get_ram_ptr(&st_ram[i]), 0xa0 + i, 0x1000);
	}
	memory_region_init_io(&st_io, NULL, &st_io_ops, NULL, "io", 0x1000);
	memory_region_add_subregion(&st_root, 0, &st_ram[0]);
	memory_region_add_subregion(&st_root, 0x1000, &st_ram[1]);
	memory_region_add_subregion(&st_root, 0x2000, &st_io);
	address_space_init(&st_as, &st_root, "st");
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, st_reader, NULL);
	while (__atomic_load_n(&st_started, __ATOMIC_SEQ_CST) < 3)
		sched_yield();
	for (i = 0; i < NGEN; i++) {
		memory_region_transaction_begin();
		memory_region_set_address(&st_ram[0], (i & 1) ? 0 : 0x1000);
		memory_region_set_address(&st_ram[1], (i & 1) ? 0x1000 : 0);
		memory_region_set_address(&st_io, (i & 1) ? 0x2000 : 0x3000);
		memory_region_transaction_commit();
	}
	__atomic_store_n(&st_stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(st_torn, 0);
	assert_true(st_reads > 0);
	print_message("# %lu reads, %lu in even maps, %lu in odd maps\n",
		      st_reads, st_seen[0], st_seen[1]);
	address_space_destroy(&st_as);
	for (i = 0; i < 2; i++) {
		memory_region_del_subregion(&st_root, &st_ram[i]);
		object_unparent(OBJECT(&st_ram[i]));
	}
	memory_region_del_subregion(&st_root, &st_io);
	object_unparent(OBJECT(&st_io));
	object_unparent(OBJECT(&st_root));
	memdisp_flatview_reclaim();
}

/*
 * The per-thread last-range cache of the RAM fast path must never outlive
 * the view it was filled from: every change below is made right after an
 * access filled it for the same range.
 */
static void test_fast_stale(void **state)
{
	struct fix *f = *state;
	uint8_t *host = memory_region_get_ram_ptr(&f->ram);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemoryRegion ov = { 0 };
	uint8_t buf[4], w[4] = { 9, 8, 7, 6 };

	memset(host + 0x100, 0x33, 4);
	assert_int_equal(address_space_read(&f->as, 0x100, a, buf, 4),
			 MEMTX_OK);
	assert_int_equal(buf[0], 0x33);
	/* Readonly: the write is dropped. */
	memory_region_set_readonly(&f->ram, true);
	assert_int_equal(address_space_write(&f->as, 0x100, a, w, 4), MEMTX_OK);
	assert_int_equal(host[0x100], 0x33);
	memory_region_set_readonly(&f->ram, false);
	assert_int_equal(address_space_write(&f->as, 0x100, a, w, 4), MEMTX_OK);
	assert_int_equal(host[0x100], 9);
	/* Disabled: unassigned. */
	memory_region_set_enabled(&f->ram, false);
	assert_int_equal(address_space_read(&f->as, 0x100, a, buf, 4),
			 MEMTX_DECODE_ERROR);
	memory_region_set_enabled(&f->ram, true);
	assert_int_equal(address_space_read(&f->as, 0x100, a, buf, 4),
			 MEMTX_OK);
	assert_int_equal(buf[0], 9);
	/* Covered by another RAM region, then uncovered. */
	memory_region_init_ram(&ov, NULL, "ov", 0x1000, NULL);
	memset(memory_region_get_ram_ptr(&ov), 0x77, 0x1000);
	memory_region_add_subregion_overlap(&f->root, 0, &ov, 1);
	assert_int_equal(address_space_read(&f->as, 0x100, a, buf, 4),
			 MEMTX_OK);
	assert_int_equal(buf[0], 0x77);
	address_space_write(&f->as, 0x100, a, w, 4);
	assert_int_equal(host[0x100], 9);
	assert_int_equal(((uint8_t *)memory_region_get_ram_ptr(&ov))[0x100], 9);
	memory_region_del_subregion(&f->root, &ov);
	host[0x100] = 0x44;
	assert_int_equal(address_space_read(&f->as, 0x100, a, buf, 4),
			 MEMTX_OK);
	assert_int_equal(buf[0], 0x44);
	object_unparent(OBJECT(&ov));
	memdisp_flatview_reclaim();
}


/*
 * The direct MMIO read (one callback, no dispatch engine) against what
 * memory_region_dispatch_read does: sizes, byte orders, value masking,
 * the re-entrancy guard, and the accesses it must leave to the engine.
 */
struct rdev {
	AddressSpace *as;
	hwaddr reenter;		/* address to read from inside the callback */
	MemTxResult inner;	/* its result */
	unsigned int calls, last_size;
	hwaddr last_addr;
};

static uint64_t rdev_read(void *opaque, hwaddr addr, unsigned size)
{
	struct rdev *d = opaque;
	uint8_t b[4];

	d->calls++;
	d->last_size = size;
	d->last_addr = addr;
	if (d->reenter) {
		hwaddr a = d->reenter;

		d->reenter = 0;
		d->inner = address_space_read(d->as, a, MEMTXATTRS_UNSPECIFIED,
					      b, 4);
	}
	/* garbage above any size: the access must clear it */
	return 0xa5a5a5a500000000ULL | 0x44332211ULL;
}

static bool rdev_refuse(void *opaque, hwaddr addr, unsigned size,
			bool is_write, MemTxAttrs attrs)
{
	(void)opaque; (void)size; (void)is_write; (void)attrs;
	return addr == 0x10;	/* accepts 0x10 only */
}

static const MemoryRegionOps r_le = {
	.read = rdev_read, .endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .max_access_size = 8 },
	.impl = { .max_access_size = 8 },
};
static const MemoryRegionOps r_be = {
	.read = rdev_read, .endianness = DEVICE_BIG_ENDIAN,
	.valid = { .max_access_size = 8 },
	.impl = { .max_access_size = 8 },
};
static const MemoryRegionOps r_native = {
	.read = rdev_read, .endianness = DEVICE_NATIVE_ENDIAN,
};
static const MemoryRegionOps r_impl4 = {	/* 1-byte reads widened */
	.read = rdev_read, .endianness = DEVICE_LITTLE_ENDIAN,
	.impl = { .min_access_size = 4, .max_access_size = 4 },
};
static const MemoryRegionOps r_valid2 = {	/* 4-byte reads split */
	.read = rdev_read, .endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .max_access_size = 2 },
};
static const MemoryRegionOps r_accepts = {
	.read = rdev_read, .endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .accepts = rdev_refuse },
};

static void test_mmio_direct(void **state)
{
	static const MemoryRegionOps *const ops[] = {
		&r_le, &r_be, &r_native, &r_impl4, &r_valid2, &r_accepts,
	};
	const unsigned int nd = sizeof(ops) / sizeof(ops[0]);
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemoryRegion root, io[6];
	struct rdev d[6];
	AddressSpace as;
	uint8_t b[8];
	unsigned int i;

	(void)state;
	memset(d, 0, sizeof(d));
	memory_region_init(&root, NULL, "root", 0x10000);
	for (i = 0; i < nd; i++) {
		d[i].as = &as;
		memory_region_init_io(&io[i], NULL, ops[i], &d[i], "rdev",
				      0x100);
		memory_region_add_subregion(&root, 0x1000 * i, &io[i]);
	}
	address_space_init(&as, &root, "direct");

	/* LE: one callback of each size, the value masked, LE bytes. */
	for (i = 1; i <= 8; i <<= 1) {
		memset(b, 0xee, sizeof(b));
		d[0].calls = 0;
		assert_int_equal(address_space_read(&as, 0x8 * i, a, b, i),
				 MEMTX_OK);
		assert_int_equal(d[0].calls, 1);
		assert_int_equal(d[0].last_size, i);
		assert_int_equal(d[0].last_addr, 0x8 * i);
		assert_int_equal(b[0], 0x11);
		if (i >= 2)
			assert_int_equal(b[1], 0x22);
		if (i == 8)
			assert_int_equal(b[7], 0xa5);
		if (i < 8)
			assert_int_equal(b[i], 0xee);	/* nothing past it */
	}
	assert_int_equal(address_space_ldub(&as, 0x3, a, NULL), 0x11);
	assert_int_equal(address_space_lduw_le(&as, 0x4, a, NULL), 0x2211);
	assert_int_equal(address_space_lduw_be(&as, 0x4, a, NULL), 0x1122);
	assert_int_equal(address_space_ldl_be(&as, 0x4, a, NULL),
			 0x11223344);

	/* BE device: memory order is big-endian. */
	assert_int_equal(address_space_read(&as, 0x1010, a, b, 4), MEMTX_OK);
	assert_int_equal(b[0], 0x44);
	assert_int_equal(b[3], 0x11);
	assert_int_equal(address_space_read(&as, 0x1010, a, b, 2), MEMTX_OK);
	assert_int_equal(b[0], 0x22);
	assert_int_equal(b[1], 0x11);
	assert_int_equal(address_space_ldl_le(&as, 0x1010, a, NULL),
			 0x11223344);
	assert_int_equal(address_space_ldl_be(&as, 0x1010, a, NULL),
			 0x44332211);

	/* NATIVE follows the target's order, switched at run time. */
	memdisp_set_target_big_endian(true);
	assert_int_equal(address_space_read(&as, 0x2010, a, b, 4), MEMTX_OK);
	assert_int_equal(b[0], 0x44);
	memdisp_set_target_big_endian(false);
	assert_int_equal(address_space_read(&as, 0x2010, a, b, 4), MEMTX_OK);
	assert_int_equal(b[0], 0x11);

	/*
	 * impl.min 4: a 1-byte read is one 4-byte callback at the same
	 * offset (QEMU does not align it down), its low byte out.
	 */
	d[3].calls = 0;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(address_space_read(&as, 0x3011, a, b, 1), MEMTX_OK);
	assert_int_equal(d[3].calls, 1);
	assert_int_equal(d[3].last_size, 4);
	assert_int_equal(d[3].last_addr, 0x11);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(b[1], 0xee);

	/* valid.max 2: a 4-byte read is two 2-byte callbacks. */
	d[4].calls = 0;
	assert_int_equal(address_space_read(&as, 0x4010, a, b, 4), MEMTX_OK);
	assert_int_equal(d[4].calls, 2);
	assert_int_equal(d[4].last_size, 2);
	assert_int_equal(d[4].last_addr, 0x12);

	/* accepts: refused without a callback, accepted with one. */
	d[5].calls = 0;
	assert_int_equal(address_space_read(&as, 0x5020, a, b, 4),
			 MEMTX_DECODE_ERROR);
	assert_int_equal(d[5].calls, 0);
	assert_int_equal(address_space_read(&as, 0x5010, a, b, 4), MEMTX_OK);
	assert_int_equal(d[5].calls, 1);

	/* Unaligned: split as QEMU (2 + 2), not one direct call. */
	d[0].calls = 0;
	assert_int_equal(address_space_read(&as, 0x2, a, b, 4), MEMTX_OK);
	assert_int_equal(d[0].calls, 2);
	assert_int_equal(d[0].last_size, 2);

	/* Re-entering its own region is refused, the guard released. */
	d[0].calls = 0;
	d[0].reenter = 0x20;
	assert_int_equal(address_space_read(&as, 0x10, a, b, 4), MEMTX_OK);
	assert_int_equal(d[0].inner, MEMTX_ACCESS_ERROR);
	assert_int_equal(d[0].calls, 1);
	assert_int_equal(address_space_read(&as, 0x10, a, b, 4), MEMTX_OK);
	assert_int_equal(d[0].calls, 2);
	/* ... through ldl as well ... */
	d[0].reenter = 0x20;
	address_space_ldl_le(&as, 0x10, a, NULL);
	assert_int_equal(d[0].inner, MEMTX_ACCESS_ERROR);
	/* ... while another device may be read from inside a callback. */
	d[0].reenter = 0x1010;
	d[1].calls = 0;
	assert_int_equal(address_space_read(&as, 0x10, a, b, 4), MEMTX_OK);
	assert_int_equal(d[0].inner, MEMTX_OK);
	assert_int_equal(d[1].calls, 1);
	/* and a device re-entered one level down is still refused */
	d[0].reenter = 0x1010;
	d[1].reenter = 0x1020;
	assert_int_equal(address_space_read(&as, 0x10, a, b, 4), MEMTX_OK);
	assert_int_equal(d[0].inner, MEMTX_OK);
	assert_int_equal(d[1].inner, MEMTX_ACCESS_ERROR);

	address_space_destroy(&as);
	for (i = 0; i < nd; i++) {
		memory_region_del_subregion(&root, &io[i]);
		object_unparent(OBJECT(&io[i]));
	}
	object_unparent(OBJECT(&root));
	memdisp_flatview_reclaim();
}

/*
 * A map far larger than the TLB's initial 1,024 entries, read at random
 * until the table grows, stays exact: every read sees its section's
 * bytes, before and after commits that remap sections.
 */
static void test_tlb_grow(void **state)
{
	enum { N = 6000, SEC = 4096 };
	const MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;
	MemoryRegion *root = calloc(1, sizeof(*root));
	MemoryRegion *ram = calloc(1, sizeof(*ram));
	MemoryRegion *al = calloc(N, sizeof(*al));
	AddressSpace as;
	static int chunk[N];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t *host;
	unsigned int i, round;

	(void)state;
	memory_region_init(root, NULL, "root", (uint64_t)N * SEC);
	memory_region_init_ram(ram, NULL, "ram", (uint64_t)N * SEC, NULL);
	host = memory_region_get_ram_ptr(ram);
	for (i = 0; i < N; i++)
		memset(host + (uint64_t)i * SEC, (int)(i * 7 % 251), SEC);
	memory_region_transaction_begin();
	for (i = 0; i < N; i++) {
		/* section i shows chunk (N - 1 - i): nothing merges */
		memory_region_init_alias(&al[i], NULL, "al", ram,
					 (uint64_t)(N - 1 - i) * SEC, SEC);
		memory_region_add_subregion(root, (uint64_t)i * SEC, &al[i]);
	}
	memory_region_transaction_commit();
	address_space_init(&as, root, "grow");
	for (i = 0; i < N; i++)
		chunk[i] = N - 1 - i;
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20 * N; i++) {
			uint64_t sec, off;
			uint32_t v = 0xdeadbeef, want;
			MemTxResult r;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sec = x % N;
			off = (x >> 32) % (SEC - 4);
			r = address_space_read(&as, sec * SEC + off, a, &v, 4);
			want = chunk[sec] < 0 ? 0 :
			       (uint32_t)(chunk[sec] * 7 % 251) * 0x01010101U;
			if (r != (chunk[sec] < 0 ? MEMTX_DECODE_ERROR :
				  MEMTX_OK) || v != want)
				fail_msg("round %u section %llu: %08x (%d), want %08x",
					 round, (unsigned long long)sec, v,
					 (int)r, want);
		}
		if (round == 0) {
			/* section 5 now shows chunk 0 */
			memory_region_set_alias_offset(&al[5], 0);
			chunk[5] = 0;
		} else if (round == 1) {
			memory_region_del_subregion(root, &al[17]);
			chunk[17] = -1;
		}
	}
	address_space_destroy(&as);
	memory_region_transaction_begin();
	for (i = 0; i < N; i++) {
		if (i != 17)
			memory_region_del_subregion(root, &al[i]);
		object_unparent(OBJECT(&al[i]));
	}
	memory_region_transaction_commit();
	object_unparent(OBJECT(ram));
	object_unparent(OBJECT(root));
	memdisp_flatview_reclaim();
	free(al);
	free(ram);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram_rw),
		cmocka_unit_test(test_ld_st),
		cmocka_unit_test(test_mmio),
		cmocka_unit_test(test_crossing),
		cmocka_unit_test(test_old_mmio),
		cmocka_unit_test(test_unassigned_rom_resv),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_iommu),
		cmocka_unit_test(test_iommu_tlb),
		cmocka_unit_test(test_iommu_rw),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_map_contiguous),
		cmocka_unit_test(test_ioeventfd),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_dirty_block),
		cmocka_unit_test(test_stress),
		cmocka_unit_test(test_fast_stale),
		cmocka_unit_test(test_mmio_direct),
		cmocka_unit_test(test_tlb_grow),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, fix_setup, fix_teardown);
}
