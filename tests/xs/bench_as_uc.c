// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/xs/bench_as_uc.c - the Unicorn side of bench_as: uc_mem_read and
 * uc_mem_write at the same random addresses over the same section layout
 * (bench_as.h), and a 4-byte uc_mem_read of a uc_mmio_map region.  Runs
 * in its own process (bench_as starts it) because libunicorn carries its
 * own copy of QEMU's memory code.
 *
 * Unicorn aborts the process at its 4,096th region, so a layout of more
 * than BAS_UC_MAX_REGIONS sections is built from BAS_UC_BIG_REGIONS equal,
 * larger regions covering the same address span (bench_as.h says why);
 * the "uc_layout" line says so.
 *
 * Prints "uc NAME NS" lines (ns/op) for bench_as to parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <unicorn/unicorn.h>

#include "bench_as.h"

static volatile uint64_t sink;

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size,
			  void *opaque)
{
	(void)uc; (void)size; (void)opaque;
	return off;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size,
		       uint64_t v, void *opaque)
{
	(void)uc; (void)off; (void)size; (void)opaque;
	sink += v;
}

static int fail(const char *what, uc_err err)
{
	fprintf(stderr, "bench_as_uc: %s: %s\n", what, uc_strerror(err));
	return 1;
}

static int run(unsigned int n, uint64_t *addrs, uint8_t *buf)
{
	uint64_t span = (uint64_t)n * BAS_SEC, per = 1, nreg = n, i, chunks;
	unsigned int s, w;
	uc_engine *uc;
	uint8_t *host;
	uc_err err;

	if (n > BAS_UC_MAX_REGIONS) {
		nreg = BAS_UC_BIG_REGIONS;
		per = (n + nreg - 1) / nreg;
		nreg = (n + per - 1) / per;
	}
	/*
	 * Larger regions: as many distinct buffers as make the same host
	 * working set as libmemdisp's (bas_chunks() sections' worth).
	 */
	chunks = n > BAS_UC_MAX_REGIONS ? bas_chunks(n) / per : bas_chunks(n);
	if (!chunks)
		chunks = 1;
	host = mmap(NULL, chunks * per * BAS_SEC, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (host == MAP_FAILED) {
		perror("bench_as_uc: mmap");
		return 1;
	}
	memset(host, 0x11, chunks * per * BAS_SEC);
	err = uc_open(UC_ARCH_X86, UC_MODE_64, &uc);
	if (err)
		return fail("uc_open", err);
	for (i = 0; i < nreg; i++) {
		uint64_t start = i * per * BAS_SEC;
		uint64_t size = per * BAS_SEC;
		uint64_t chunk = (i * 7919) % chunks;

		if (start + size > span)
			size = span - start;
		err = uc_mem_map_ptr(uc, start, size, UC_PROT_ALL,
				     host + chunk * per * BAS_SEC);
		if (err)
			return fail("uc_mem_map_ptr", err);
	}
	printf("uc_layout %u %llu %llu %llu\n", n, (unsigned long long)nreg,
	       (unsigned long long)(per * BAS_SEC),
	       (unsigned long long)(chunks * per * BAS_SEC));
	for (w = 0; w < 2; w++) {
		for (s = 0; s < BAS_NR_SIZES; s++) {
			unsigned int len = bas_sizes[s];
			double best = 1e300, t0, t1;
			unsigned int rep;

			bas_addrs(addrs, n, len, w);
			for (rep = 0; rep < BAS_REPS; rep++) {
				t0 = bas_now();
				for (i = 0; i < BAS_NOPS; i++) {
					err = w ? uc_mem_write(uc, addrs[i],
							       buf, len) :
						  uc_mem_read(uc, addrs[i],
							      buf, len);
					if (err)
						return fail(w ? "uc_mem_write" :
							    "uc_mem_read",
							    err);
				}
				t1 = bas_now();
				if (t1 - t0 < best)
					best = t1 - t0;
			}
			printf("uc %s_%u_%usec %.2f\n", w ? "write" : "read",
			       len, n, best / BAS_NOPS);
		}
	}
	if (n == bas_counts[0]) {
		double best = 1e300, t0, t1;
		unsigned int rep;

		err = uc_mmio_map(uc, BAS_MMIO_BASE, BAS_MMIO_SIZE, mmio_read,
				  NULL, mmio_write, NULL);
		if (err)
			return fail("uc_mmio_map", err);
		for (rep = 0; rep < BAS_MMIO_REPS; rep++) {
			t0 = bas_now();
			for (i = 0; i < BAS_NOPS; i++) {
				err = uc_mem_read(uc, BAS_MMIO_BASE +
						  (i & 0x3fc), buf, 4);
				if (err)
					return fail("uc_mem_read (mmio)", err);
				sink += buf[0];
			}
			t1 = bas_now();
			if (t1 - t0 < best)
				best = t1 - t0;
		}
		printf("uc mmio_read_4 %.2f\n", best / BAS_NOPS);
	}
	uc_close(uc);
	munmap(host, chunks * per * BAS_SEC);
	fflush(stdout);
	return 0;
}

int main(void)
{
	uint64_t *addrs = malloc(BAS_NOPS * sizeof(*addrs));
	static uint8_t buf[4096];
	unsigned int c;

	if (!addrs)
		return 1;
	for (c = 0; c < BAS_NR_COUNTS; c++)
		if (run(bas_counts[c], addrs, buf))
			return 1;
	free(addrs);
	return 0;
}
