// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later
/*
 * mdindex-fallback.c - a plain binary-search implementation of the shared
 * index API (lib/mdindex.h), used only until lib/mdindex.c (branch
 * "index") is in the tree; userlib/build.mk then picks the real one.
 */
#include <stdint.h>
#include <string.h>

#include "mdindex.h"

struct mdx {
	mdx_u32 nr;
	mdx_u32 pad;
	struct {
		mdx_u64 start;
		mdx_u64 last;
	} r[];
};

size_t mdx_bytes(mdx_u32 nr)
{
	if (nr > MDX_MAX_RANGES)
		return 0;
	return sizeof(struct mdx) + (size_t)nr * 16 + 16;
}

struct mdx *mdx_build(void *buf, const mdx_u64 *start, const mdx_u64 *last,
		      mdx_u32 nr)
{
	struct mdx *x;
	mdx_u32 i;

	if (nr > MDX_MAX_RANGES)
		return NULL;
	x = (struct mdx *)(((uintptr_t)buf + 15) & ~(uintptr_t)15);
	for (i = 0; i < nr; i++) {
		if (start[i] > last[i])
			return NULL;
		if (i && last[i - 1] >= start[i])
			return NULL;
		x->r[i].start = start[i];
		x->r[i].last = last[i];
	}
	x->nr = nr;
	return x;
}

mdx_u32 mdx_count(const struct mdx *x)
{
	return x->nr;
}

mdx_u32 mdx_lookup_ge(const struct mdx *x, mdx_u64 addr)
{
	mdx_u32 lo = 0, hi = x->nr;

	/* first range with last >= addr */
	while (lo < hi) {
		mdx_u32 mid = lo + (hi - lo) / 2;

		if (x->r[mid].last < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->nr ? lo : MDX_NONE;
}

mdx_u32 mdx_lookup(const struct mdx *x, mdx_u64 addr)
{
	mdx_u32 i = mdx_lookup_ge(x, addr);

	if (i == MDX_NONE || x->r[i].start > addr)
		return MDX_NONE;
	return i;
}

void mdx_range(const struct mdx *x, mdx_u32 i, mdx_u64 *start,
	       mdx_u64 *last)
{
	*start = x->r[i].start;
	*last = x->r[i].last;
}
