// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/xs/bench_as.c - cost of address_space_read at random addresses
 * in maps of 10, 1k and 100k sections (aliases of 256 bytes into one RAM
 * block, shuffled so they cannot merge), against a floor measured in the
 * same run: binary search over the same section starts + memcpy.  Also
 * one MMIO read (ldl) against a direct call of the device callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <memdisp/memory.h>

#define SEC 256ULL
#define NOPS 400000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xr(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The floor's map: sorted starts and host pointers. */
static uint64_t *f_start;
static uint8_t **f_host;
static unsigned int f_n;

static void floor_read(uint64_t addr, void *buf, unsigned int len)
{
	while (len) {
		unsigned int lo = 0, hi = f_n, l;
		uint64_t off;

		while (hi - lo > 1) {
			unsigned int mid = (lo + hi) / 2;

			if (f_start[mid] <= addr)
				lo = mid;
			else
				hi = mid;
		}
		off = addr - f_start[lo];
		l = SEC - off < len ? SEC - off : len;
		memcpy(buf, f_host[lo] + off, l);
		buf = (uint8_t *)buf + l;
		addr += l;
		len -= l;
	}
}

static volatile uint64_t sink;

static uint64_t io_read(void *opaque, hwaddr addr, unsigned size)
{
	(void)opaque; (void)size;
	return addr;
}

static const MemoryRegionOps io_ops = {
	.read = io_read, .endianness = DEVICE_LITTLE_ENDIAN,
};

static void run(unsigned int n)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8, 4096 };
	MemoryRegion *root = calloc(1, sizeof(*root));
	MemoryRegion *ram = calloc(1, sizeof(*ram));
	MemoryRegion *al = calloc(n, sizeof(*al));
	uint64_t *addrs = malloc(NOPS * sizeof(*addrs));
	uint64_t span = n * SEC;
	AddressSpace as;
	uint8_t *host, buf[4096];
	unsigned int i, s;
	char name[32];

	memory_region_init(root, NULL, "root", span + 0x10000);
	memory_region_init_ram(ram, NULL, "ram", span, NULL);
	host = memory_region_get_ram_ptr(ram);
	memset(host, 0x11, span);
	f_start = malloc(n * sizeof(*f_start));
	f_host = malloc(n * sizeof(*f_host));
	f_n = n;
	memory_region_transaction_begin();
	for (i = 0; i < n; i++) {
		/* Section i shows block chunk (i * 7919) % n (n not a
		 * multiple of 7919): neighbours never continue each other. */
		uint64_t chunk = ((uint64_t)i * 7919) % n;

		snprintf(name, sizeof(name), "a%u", i);
		memory_region_init_alias(&al[i], NULL, name, ram, chunk * SEC,
					 SEC);
		memory_region_add_subregion(root, i * SEC, &al[i]);
		f_start[i] = i * SEC;
		f_host[i] = host + chunk * SEC;
	}
	memory_region_transaction_commit();
	address_space_init(&as, root, "bench");

	for (s = 0; s < 5; s++) {
		unsigned int len = sizes[s];
		double t0, t1, t2;

		if (len > span)
			continue;
		for (i = 0; i < NOPS; i++)
			addrs[i] = xr() % (span - len + 1);
		t0 = now();
		for (i = 0; i < NOPS; i++)
			address_space_read(&as, addrs[i],
					   MEMTXATTRS_UNSPECIFIED, buf, len);
		t1 = now();
		for (i = 0; i < NOPS; i++)
			floor_read(addrs[i], buf, len);
		t2 = now();
		sink += buf[0];
		printf("bench: as_read_%u_%usec %.1f ns/op\n", len, n,
		       (t1 - t0) / NOPS);
		printf("bench: floor_read_%u_%usec %.1f ns/op\n", len, n,
		       (t2 - t1) / NOPS);
		printf("bench: as_read_%u_%usec_ratio %.2f x\n", len, n,
		       (t1 - t0) / (t2 - t1));
	}
	address_space_destroy(&as);
	/* Regions are left allocated: the process exits after the runs. */
	free(addrs);
	free(f_start);
	free(f_host);
}

static void run_mmio(void)
{
	MemoryRegion *root = calloc(1, sizeof(*root));
	MemoryRegion *io = calloc(1, sizeof(*io));
	AddressSpace as;
	double t0, t1, t2;
	unsigned int i;

	memory_region_init(root, NULL, "root", 0x10000);
	memory_region_init_io(io, NULL, &io_ops, NULL, "io", 0x1000);
	memory_region_add_subregion(root, 0x1000, io);
	address_space_init(&as, root, "mmio");
	t0 = now();
	for (i = 0; i < NOPS; i++)
		sink += address_space_ldl_le(&as, 0x1000 + (i & 0x3fc),
					     MEMTXATTRS_UNSPECIFIED, NULL);
	t1 = now();
	for (i = 0; i < NOPS; i++)
		sink += ((uint64_t (*volatile)(void *, hwaddr, unsigned))
			 io_read)(NULL, i & 0x3fc, 4);
	t2 = now();
	printf("bench: as_mmio_ldl %.1f ns/op\n", (t1 - t0) / NOPS);
	printf("bench: direct_callback %.1f ns/op\n", (t2 - t1) / NOPS);
	printf("bench: as_mmio_ldl_ratio %.2f x\n", (t1 - t0) / (t2 - t1));
	address_space_destroy(&as);
}

int main(void)
{
	run(10);
	run(1000);
	run(100003);
	run_mmio();
	return 0;
}
