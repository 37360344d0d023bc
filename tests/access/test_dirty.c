// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_dirty: dirty-log bitmaps against a one-bool-per-page model, for
 * several page sizes and block lengths, random ranges (unaligned, empty,
 * past the end), and under concurrent setters and a clearing thread: no
 * set bit may ever be lost.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "acc_test.h"

static void test_init_errors(void **state)
{
	struct memdisp_dirty_log log;

	(void)state;
	assert_int_equal(memdisp_dirty_init(&log, 4096, 3), -EINVAL);
	assert_int_equal(memdisp_dirty_init(&log, 4096, 1U << 31), -EINVAL);
	assert_int_equal(memdisp_dirty_init(&log, UINT64_MAX, 1), -ENOMEM);

	assert_int_equal(memdisp_dirty_init(&log, 10 * 4096 + 1, 0), 0);
	assert_int_equal(memdisp_dirty_page_size(&log), 4096);
	assert_int_equal(log.npages, 11);
	memdisp_dirty_destroy(&log);

	/* An empty block: every call is a no-op. */
	assert_int_equal(memdisp_dirty_init(&log, 0, 0), 0);
	memdisp_dirty_set(&log, 0, 100, MEMDISP_DIRTY_ALL_CLIENTS);
	assert_false(memdisp_dirty_get(&log, 0, 100, MEMDISP_DIRTY_VGA));
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_VGA), 0);
	memdisp_dirty_destroy(&log);
}

static void test_basic(void **state)
{
	struct memdisp_dirty_log log;
	unsigned long snap[4];

	(void)state;
	assert_int_equal(memdisp_dirty_init(&log, 1 << 20, 4096), 0);
	/* A 2-byte write across a page boundary dirties both pages. */
	memdisp_dirty_set(&log, 4095, 2, 1U << MEMDISP_DIRTY_MIGRATION);
	assert_true(memdisp_dirty_get(&log, 0, 1, MEMDISP_DIRTY_MIGRATION));
	assert_true(memdisp_dirty_get(&log, 4096, 1, MEMDISP_DIRTY_MIGRATION));
	assert_false(memdisp_dirty_get(&log, 8192, 4096,
				       MEMDISP_DIRTY_MIGRATION));
	/* Other clients untouched. */
	assert_false(memdisp_dirty_get(&log, 0, 1 << 20, MEMDISP_DIRTY_VGA));
	assert_false(memdisp_dirty_get(&log, 0, 1 << 20, MEMDISP_DIRTY_CODE));
	assert_true(memdisp_dirty_all(&log, 0, 8192, MEMDISP_DIRTY_MIGRATION));
	assert_false(memdisp_dirty_all(&log, 0, 8193, MEMDISP_DIRTY_MIGRATION));
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_MIGRATION), 2);

	assert_true(memdisp_dirty_test_and_clear(&log, 4096, 10,
						 MEMDISP_DIRTY_MIGRATION));
	assert_false(memdisp_dirty_test_and_clear(&log, 4096, 10,
						  MEMDISP_DIRTY_MIGRATION));
	assert_true(memdisp_dirty_get(&log, 0, 4096, MEMDISP_DIRTY_MIGRATION));
	memdisp_dirty_reset(&log, 0, 1, MEMDISP_DIRTY_MIGRATION);
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_MIGRATION), 0);

	/* All clients at once; clipping at the end of the block. */
	memdisp_dirty_set(&log, (1 << 20) - 1, 4096, MEMDISP_DIRTY_ALL_CLIENTS);
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_VGA), 1);
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_CODE), 1);
	memdisp_dirty_set(&log, 1 << 20, 4096, MEMDISP_DIRTY_ALL_CLIENTS);
	memdisp_dirty_set(&log, UINT64_MAX, UINT64_MAX,
			  MEMDISP_DIRTY_ALL_CLIENTS);
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_VGA), 1);
	/* Bad client numbers are ignored. */
	assert_false(memdisp_dirty_get(&log, 0, 1 << 20,
				       (enum memdisp_dirty_client)7));

	/* Snapshot: bit 0 is the range's first page. */
	memdisp_dirty_set(&log, 3 * 4096, 1, 1U << MEMDISP_DIRTY_VGA);
	memdisp_dirty_set(&log, 70 * 4096, 1, 1U << MEMDISP_DIRTY_VGA);
	assert_int_equal(memdisp_dirty_snapshot_words(&log, 2 * 4096,
						      100 * 4096), 2);
	memset(snap, 0xff, sizeof(snap));
	assert_int_equal(memdisp_dirty_snapshot_and_clear(&log, 2 * 4096,
							  100 * 4096,
							  MEMDISP_DIRTY_VGA,
							  snap), 2);
	assert_int_equal(snap[0], 1UL << 1);
	assert_int_equal(snap[1], 1UL << (68 - 64));
	assert_int_equal(memdisp_dirty_count(&log, MEMDISP_DIRTY_VGA), 1);
	memdisp_dirty_destroy(&log);
}

/* Random operations against a bool-per-page model. */
static void run_model(unsigned page_size, uint64_t length, uint64_t *seed)
{
	struct memdisp_dirty_log log;
	uint64_t npages = (length + page_size - 1) / page_size;
	bool *model[MEMDISP_DIRTY_NUM];
	unsigned long *snap;
	unsigned op, c;

	assert_int_equal(memdisp_dirty_init(&log, length, page_size), 0);
	assert_int_equal(log.npages, npages);
	for (c = 0; c < MEMDISP_DIRTY_NUM; c++)
		model[c] = calloc(npages + 1, sizeof(bool));
	snap = calloc(npages / 64 + 2, sizeof(unsigned long));

	for (op = 0; op < 3000; op++) {
		uint64_t r = acc_rand(seed);
		uint64_t start, len, p, first, end;
		enum memdisp_dirty_client cl = r % 3;
		bool any = false, all = true, got;
		uint64_t cnt = 0;

		/* Ranges biased to small, sometimes huge or past the end. */
		start = acc_rand(seed) % (length + 2 * page_size + 1);
		switch (r >> 8 & 3) {
		case 0:
			len = acc_rand(seed) % 9;
			break;
		case 1:
			len = acc_rand(seed) % (4 * page_size);
			break;
		case 2:
			len = acc_rand(seed) % (length + 1);
			break;
		default:
			len = UINT64_MAX - acc_rand(seed) % 3;
			break;
		}
		first = start / page_size;
		end = first;
		if (len && start < length) {
			uint64_t last = len > length - start ? length - 1 :
							       start + len - 1;
			end = last / page_size + 1;
		}
		for (p = first; p < end; p++) {
			any |= model[cl][p];
			all &= model[cl][p];
		}
		if (end == first)
			all = false;

		switch (r >> 16 & 7) {
		case 0: case 1: case 2: {
			unsigned mask = (r >> 24) & MEMDISP_DIRTY_ALL_CLIENTS;

			memdisp_dirty_set(&log, start, len, mask);
			for (c = 0; c < MEMDISP_DIRTY_NUM; c++)
				if (mask & (1U << c))
					for (p = first; p < end; p++)
						model[c][p] = true;
			break;
		}
		case 3:
			assert_int_equal(memdisp_dirty_get(&log, start, len, cl),
					 any);
			break;
		case 4:
			assert_int_equal(memdisp_dirty_all(&log, start, len, cl),
					 all);
			break;
		case 5:
			got = memdisp_dirty_test_and_clear(&log, start, len, cl);
			assert_int_equal(got, any);
			for (p = first; p < end; p++)
				model[cl][p] = false;
			break;
		case 6:
			memdisp_dirty_reset(&log, start, len, cl);
			for (p = first; p < end; p++)
				model[cl][p] = false;
			break;
		default:
			cnt = memdisp_dirty_snapshot_and_clear(&log, start, len,
							       cl, snap);
			for (p = first; p < end; p++) {
				uint64_t b = p - first;
				bool bit = snap[b / 64] >> (b % 64) & 1;

				assert_int_equal(bit, model[cl][p]);
				if (model[cl][p])
					cnt--;
				model[cl][p] = false;
			}
			assert_int_equal(cnt, 0);
			break;
		}
		if (op % 500 == 0) {
			for (c = 0; c < MEMDISP_DIRTY_NUM; c++) {
				uint64_t n = 0;

				for (p = 0; p < npages; p++)
					n += model[c][p];
				assert_int_equal(memdisp_dirty_count(&log, c), n);
			}
		}
	}
	for (c = 0; c < MEMDISP_DIRTY_NUM; c++)
		free(model[c]);
	free(snap);
	memdisp_dirty_destroy(&log);
}

static void test_model(void **state)
{
	static const unsigned pages[] = { 1, 512, 4096, 65536 };
	static const uint64_t lens[] = { 1, 63, 64, 65, 4095, 4096, 4097,
					 100000, 1 << 20, (1 << 22) + 123 };
	uint64_t seed = 42;
	unsigned i, j;

	(void)state;
	for (i = 0; i < 4; i++)
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			/* page size 1 on 4 MiB: keep the model small */
			if (pages[i] == 1 && lens[j] > 100000)
				continue;
			run_model(pages[i], lens[j], &seed);
		}
}

/*
 * Concurrency: setters mark each page of theirs exactly once, spread over
 * time, while a clearer keeps harvesting with test-and-clear and
 * snapshots.  A set lost to a racing clear would leave its page unseen
 * forever, so every expected page must be seen, and nothing else.
 */
#define C_PAGES		1024
#ifndef C_ROUNDS
#define C_ROUNDS	40
#endif
#define C_SETTERS	3

struct conc {
	struct memdisp_dirty_log log;
	bool expect[C_PAGES];	/* written before the threads start */
	bool seen[C_PAGES];	/* clearer only */
	int running;
	int go;
};

struct setter_arg {
	struct conc *c;
	unsigned id;
};

static void *setter(void *p)
{
	struct setter_arg *a = p;
	uint64_t seed = 1000 + a->id;
	unsigned order[C_PAGES / C_SETTERS + 1], n = 0, i, j, pg;

	for (pg = a->id; pg < C_PAGES; pg += C_SETTERS)
		if (a->c->expect[pg])
			order[n++] = pg;
	for (i = n; i > 1; i--) {	/* shuffle */
		unsigned t;

		j = acc_rand(&seed) % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	while (!__atomic_load_n(&a->c->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < n; i++) {
		memdisp_dirty_set(&a->c->log, order[i] * 4096ULL + (i & 4095),
				  1, 1U << MEMDISP_DIRTY_MIGRATION);
		for (j = 0; j < 300; j++)	/* spread the sets out */
			__asm__ volatile("" ::: "memory");
	}
	__atomic_fetch_sub(&a->c->running, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void harvest(struct conc *c, bool snapshot)
{
	unsigned long snap[C_PAGES / 64];
	unsigned p;

	if (snapshot) {
		memdisp_dirty_snapshot_and_clear(&c->log, 0, C_PAGES * 4096ULL,
						 MEMDISP_DIRTY_MIGRATION, snap);
		for (p = 0; p < C_PAGES; p++)
			if (snap[p / 64] >> (p % 64) & 1)
				c->seen[p] = true;
		return;
	}
	for (p = 0; p < C_PAGES; p++)
		if (memdisp_dirty_test_and_clear(&c->log, p * 4096ULL, 4096,
						 MEMDISP_DIRTY_MIGRATION))
			c->seen[p] = true;
}

static void concurrent_round(struct conc *c, uint64_t *seed, unsigned *harvests)
{
	struct setter_arg args[C_SETTERS];
	pthread_t th[C_SETTERS];
	unsigned i, p, rounds = 0;
	unsigned long expected = 0;

	memset(c->seen, 0, sizeof(c->seen));
	c->go = 0;
	for (p = 0; p < C_PAGES; p++) {
		c->expect[p] = acc_rand(seed) % 4 != 0;
		expected += c->expect[p];
	}
	c->running = C_SETTERS;
	for (i = 0; i < C_SETTERS; i++) {
		args[i].c = c;
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, setter,
						&args[i]), 0);
	}
	__atomic_store_n(&c->go, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&c->running, __ATOMIC_ACQUIRE))
		harvest(c, rounds++ & 1);
	for (i = 0; i < C_SETTERS; i++)
		pthread_join(th[i], NULL);
	harvest(c, false);
	*harvests += rounds;

	for (p = 0; p < C_PAGES; p++) {
		assert_int_equal(c->seen[p], c->expect[p]);
		assert_false(memdisp_dirty_get(&c->log, p * 4096ULL, 4096,
					       MEMDISP_DIRTY_MIGRATION));
	}
	assert_true(expected > C_PAGES / 2);
}

static void test_concurrent(void **state)
{
	struct conc *c = calloc(1, sizeof(*c));
	uint64_t seed = 7;
	unsigned r, harvests = 0;

	(void)state;
	assert_non_null(c);
	assert_int_equal(memdisp_dirty_init(&c->log, C_PAGES * 4096ULL, 0), 0);
	for (r = 0; r < C_ROUNDS; r++)
		concurrent_round(c, &seed, &harvests);
	print_message("# %u harvests during the sets\n", harvests);
	assert_true(harvests > C_ROUNDS);
	memdisp_dirty_destroy(&c->log);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_concurrent),
	};

	return ACC_RUN(tests);
}
