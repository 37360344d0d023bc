// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_memops: cost of the MemoryRegionOps engine per MMIO access,
 * against its floor measured in the same run: calling the device's read
 * callback directly through the ops pointer.
 *
 * Prints "bench: NAME VALUE UNIT" lines (ns/op and the ratio).
 */
#include <stdio.h>
#include <time.h>

#include "dispatch.h"

#define N 20000000UL

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
	return addr + size + (uintptr_t)opaque;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
	*(volatile uint64_t *)opaque = addr + v + size;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const MemoryRegionOps ops4 = {
	.read = dev_read, .write = dev_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	.valid = { .min_access_size = 1, .max_access_size = 8 },
	.impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps ops_bytes = {
	.read = dev_read, .write = dev_write,
	.endianness = DEVICE_BIG_ENDIAN,
	.impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void report(const char *name, double ns, double floor)
{
	printf("bench: %s %.2f ns/op\n", name, ns);
	printf("bench: %s_vs_direct_call %.2f x\n", name, ns / floor);
}

int main(void)
{
	static uint64_t sink_store;
	const MemoryRegionOps *volatile opsp = &ops4;
	struct memdisp_ops_target t = {
		.ops = &ops4, .opaque = &sink_store, .guard_key = &t,
		.name = "bench",
	};
	struct memdisp_ops_target tb = t;
	volatile uint64_t sink = 0;
	double t0, floor, ns;
	uint64_t v;
	unsigned long i;

	tb.ops = &ops_bytes;

	t0 = now();
	for (i = 0; i < N; i++)
		sink += opsp->read(&sink_store, (i & 0xff) << 2, 4);
	floor = (now() - t0) * 1e9 / N;
	printf("bench: mmio_read4_direct_call %.2f ns/op\n", floor);

	t0 = now();
	for (i = 0; i < N; i++) {
		memdisp_ops_read(&t, (i & 0xff) << 2, &v, 4,
				 DEVICE_LITTLE_ENDIAN, MEMTXATTRS_UNSPECIFIED);
		sink += v;
	}
	ns = (now() - t0) * 1e9 / N;
	report("mmio_read4_engine", ns, floor);

	t0 = now();
	for (i = 0; i < N; i++)
		memdisp_ops_write(&t, (i & 0xff) << 2, i, 4,
				  DEVICE_BIG_ENDIAN, MEMTXATTRS_UNSPECIFIED);
	ns = (now() - t0) * 1e9 / N;
	report("mmio_write4_swapped_engine", ns, floor);

	t0 = now();
	for (i = 0; i < N / 4; i++) {
		memdisp_ops_read(&tb, (i & 0xff) << 3, &v, 8,
				 DEVICE_LITTLE_ENDIAN, MEMTXATTRS_UNSPECIFIED);
		sink += v;
	}
	ns = (now() - t0) * 1e9 / (N / 4);
	report("mmio_read8_split_bytes_engine", ns, floor);
	(void)sink;
	return 0;
}
