/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/xs/bench_as.h - what bench_as (libmemdisp and the floor) and
 * bench_as_uc (Unicorn, its own process) share: the section layout and the
 * random address stream of every row, so both time the same accesses.
 */
#ifndef BENCH_AS_H
#define BENCH_AS_H

#include <stdint.h>
#include <time.h>

/* Section size: Unicorn maps whole 4 KiB pages only. */
#define BAS_SEC 4096ULL
/* Accesses per timed loop. */
#define BAS_NOPS 100000
/*
 * Each figure is the fastest of this many loops: the machine is shared,
 * and a loop that was preempted says nothing about the code.
 */
#define BAS_REPS 7
/*
 * The MMIO rows are short (under 1 ms a loop) and the most sensitive to
 * the other tenants of the machine: both sides take the fastest of more.
 */
#define BAS_MMIO_REPS 41
/*
 * Unicorn aborts the process at its 4,096th region, and mapping N regions
 * costs it O(N^2) (4,000 take one to two minutes here).  Up to
 * BAS_UC_MAX_REGIONS sections it maps the same layout (like for like); a
 * larger layout is built from BAS_UC_BIG_REGIONS equal, larger regions
 * over the same span, which is not like for like (its lookups search
 * 100x fewer regions), and bench_as says so.
 */
#define BAS_UC_MAX_REGIONS 4000U
#define BAS_UC_BIG_REGIONS 1000U
/*
 * Section counts of the rows: 4,000 is the largest both hold (within
 * Unicorn's 4,095 regions), 100,003 only libmemdisp and the floor.
 */
#define BAS_NR_COUNTS 4
static const unsigned int bas_counts[BAS_NR_COUNTS] = {
	10, 1000, 4000, 100003
};
/* Access sizes of the rows. */
#define BAS_NR_SIZES 5
static const unsigned int bas_sizes[BAS_NR_SIZES] = { 1, 2, 4, 8, 4096 };
/* The MMIO region of the MMIO rows. */
#define BAS_MMIO_BASE 0x100000000ULL
#define BAS_MMIO_SIZE 0x1000ULL

/*
 * Backing chunks: section i of n shows chunk (i * 7919) % chunks of one
 * RAM block, so neighbouring sections never continue each other and the
 * view cannot merge them; at most 4,096 chunks (16 MiB) are backed.
 */
static inline uint64_t bas_chunks(unsigned int n)
{
	return n < 4096 ? n : 4096;
}

static inline uint64_t bas_chunk_of(unsigned int i, unsigned int n)
{
	return ((uint64_t)i * 7919) % bas_chunks(n);
}

/* xorshift64, seeded per row: both processes draw the same addresses. */
static inline void bas_addrs(uint64_t *a, unsigned int n, unsigned int len,
			     unsigned int is_write)
{
	uint64_t x = 88172645463325252ULL ^ ((uint64_t)n << 20) ^
		     ((uint64_t)len << 4) ^ is_write;
	uint64_t span = (uint64_t)n * BAS_SEC;
	unsigned int i;

	for (i = 0; i < BAS_NOPS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a[i] = x % (span - len + 1);
	}
}

static inline double bas_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#endif /* BENCH_AS_H */
