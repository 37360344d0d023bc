// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dirty.c: dirty-log bitmaps of one RAM block (VGA, CODE, MIGRATION).
 *
 * One bit per page per client.  Setters run on every guest write to logged
 * RAM from any thread, so they are lock-free: a word is read first and
 * only OR'ed atomically when it lacks some of the bits (a page written in a
 * loop costs one plain load).  Clearing uses atomic fetch-and, so a bit set
 * while a range is being cleared is either reported by that clear or
 * remains set for the next one, never lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

#define BPW	(8 * sizeof(unsigned long))

static inline unsigned long word_load(const unsigned long *w)
{
	return __atomic_load_n(w, __ATOMIC_RELAXED);
}

int memdisp_dirty_init(struct memdisp_dirty_log *log, uint64_t max_length,
		       unsigned int page_size)
{
	uint64_t words;
	int c;

	memset(log, 0, sizeof(*log));
	if (!page_size)
		page_size = MEMDISP_DIRTY_DEFAULT_PAGE;
	if (page_size & (page_size - 1) || page_size > (1U << 30))
		return -EINVAL;

	log->page_shift = __builtin_ctz(page_size);
	log->max_length = max_length;
	log->npages = (max_length >> log->page_shift) +
		      !!(max_length & (page_size - 1));
	words = log->npages / BPW + !!(log->npages % BPW);
	/* 64 GiB of bitmap per client (2 PiB of RAM at 4 KiB) is the cap. */
	if (words > (1ULL << 36) / sizeof(unsigned long))
		return -ENOMEM;

	for (c = 0; c < MEMDISP_DIRTY_NUM; c++) {
		log->bitmap[c] = calloc(words ? words : 1,
					sizeof(unsigned long));
		if (!log->bitmap[c]) {
			memdisp_dirty_destroy(log);
			return -ENOMEM;
		}
	}
	return 0;
}

void memdisp_dirty_destroy(struct memdisp_dirty_log *log)
{
	int c;

	for (c = 0; c < MEMDISP_DIRTY_NUM; c++) {
		free(log->bitmap[c]);
		log->bitmap[c] = NULL;
	}
}

/*
 * Page range [*first, *end) of a byte range, clipped to the block.
 * Returns false when it is empty.
 */
static bool page_range(const struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, uint64_t *first, uint64_t *end)
{
	uint64_t last;

	if (!length || start >= log->max_length)
		return false;
	if (length > log->max_length - start)
		length = log->max_length - start;
	last = start + length - 1;
	*first = start >> log->page_shift;
	*end = (last >> log->page_shift) + 1;
	return true;
}

/* Mask of bits [lo, hi) within the word holding page @lo's bit. */
static inline unsigned long span_mask(uint64_t lo, uint64_t hi)
{
	unsigned int b = lo % BPW;
	uint64_t n = hi - lo;

	if (n >= BPW - b)
		return ~0UL << b;
	return ((1UL << n) - 1) << b;
}

static inline uint64_t next_boundary(uint64_t p, uint64_t end)
{
	uint64_t nb = (p / BPW + 1) * BPW;

	return nb < end ? nb : end;
}

void memdisp_dirty_set(struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, unsigned int clients)
{
	uint64_t first, end, p, q;
	int c;

	if (!page_range(log, start, length, &first, &end))
		return;
	for (c = 0; c < MEMDISP_DIRTY_NUM; c++) {
		if (!(clients & (1U << c)))
			continue;
		for (p = first; p < end; p = q) {
			unsigned long *w = &log->bitmap[c][p / BPW];
			unsigned long m;

			q = next_boundary(p, end);
			m = span_mask(p, q);
			if ((word_load(w) & m) != m)
				__atomic_fetch_or(w, m, __ATOMIC_RELAXED);
		}
	}
}

bool memdisp_dirty_get(const struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, enum memdisp_dirty_client client)
{
	uint64_t first, end, p, q;

	if ((unsigned int)client >= MEMDISP_DIRTY_NUM ||
	    !page_range(log, start, length, &first, &end))
		return false;
	for (p = first; p < end; p = q) {
		q = next_boundary(p, end);
		if (word_load(&log->bitmap[client][p / BPW]) & span_mask(p, q))
			return true;
	}
	return false;
}

bool memdisp_dirty_all(const struct memdisp_dirty_log *log, uint64_t start,
		       uint64_t length, enum memdisp_dirty_client client)
{
	uint64_t first, end, p, q;

	if ((unsigned int)client >= MEMDISP_DIRTY_NUM ||
	    !page_range(log, start, length, &first, &end))
		return false;
	for (p = first; p < end; p = q) {
		unsigned long m;

		q = next_boundary(p, end);
		m = span_mask(p, q);
		if ((word_load(&log->bitmap[client][p / BPW]) & m) != m)
			return false;
	}
	return true;
}

bool memdisp_dirty_test_and_clear(struct memdisp_dirty_log *log,
				  uint64_t start, uint64_t length,
				  enum memdisp_dirty_client client)
{
	uint64_t first, end, p, q;
	bool any = false;

	if ((unsigned int)client >= MEMDISP_DIRTY_NUM ||
	    !page_range(log, start, length, &first, &end))
		return false;
	for (p = first; p < end; p = q) {
		unsigned long *w = &log->bitmap[client][p / BPW];
		unsigned long m;

		q = next_boundary(p, end);
		m = span_mask(p, q);
		if (word_load(w) & m)
			any |= !!(__atomic_fetch_and(w, ~m, __ATOMIC_RELAXED) & m);
	}
	return any;
}

void memdisp_dirty_reset(struct memdisp_dirty_log *log, uint64_t start,
			 uint64_t length, enum memdisp_dirty_client client)
{
	memdisp_dirty_test_and_clear(log, start, length, client);
}

uint64_t memdisp_dirty_snapshot_words(const struct memdisp_dirty_log *log,
				      uint64_t start, uint64_t length)
{
	uint64_t first, end;

	if (!page_range(log, start, length, &first, &end))
		return 0;
	return (end - first + BPW - 1) / BPW;
}

uint64_t memdisp_dirty_snapshot_and_clear(struct memdisp_dirty_log *log,
					  uint64_t start, uint64_t length,
					  enum memdisp_dirty_client client,
					  unsigned long *out)
{
	uint64_t first, end, p, q, count = 0;

	if ((unsigned int)client >= MEMDISP_DIRTY_NUM ||
	    !page_range(log, start, length, &first, &end))
		return 0;
	memset(out, 0, ((end - first + BPW - 1) / BPW) * sizeof(*out));
	for (p = first; p < end; p = q) {
		unsigned long *w = &log->bitmap[client][p / BPW];
		unsigned long m, got;
		uint64_t bit;

		q = next_boundary(p, end);
		m = span_mask(p, q);
		if (!(word_load(w) & m))
			continue;
		got = __atomic_fetch_and(w, ~m, __ATOMIC_RELAXED) & m;
		count += __builtin_popcountl(got);
		while (got) {
			bit = (p / BPW) * BPW + __builtin_ctzl(got) - first;
			out[bit / BPW] |= 1UL << (bit % BPW);
			got &= got - 1;
		}
	}
	return count;
}

uint64_t memdisp_dirty_count(const struct memdisp_dirty_log *log,
			     enum memdisp_dirty_client client)
{
	uint64_t i, words, count = 0;

	if ((unsigned int)client >= MEMDISP_DIRTY_NUM)
		return 0;
	words = log->npages / BPW + !!(log->npages % BPW);
	for (i = 0; i < words; i++)
		count += __builtin_popcountl(word_load(&log->bitmap[client][i]));
	return count;
}
