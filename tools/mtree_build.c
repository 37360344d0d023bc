// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mtree_build.c - rebuild a parsed mtree dump as libmemdisp regions.
 *
 * Shared by tools/mtree-replay and the e2e real-machine-map test: one
 * region per class of printed lines, of the printed kind, size, priority
 * and enabled state; aliases point at their "memory-region:" section;
 * same-address siblings are added in reverse print order.  Errors are
 * returned, not fatal, so that one bad dump does not end a whole test run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mtree_build.h"

static uint64_t mtb_read(void *opaque, hwaddr addr, unsigned int size)
{
	(void)opaque;
	(void)addr;
	(void)size;
	return 0;
}

static void mtb_write(void *opaque, hwaddr addr, uint64_t data,
		      unsigned int size)
{
	(void)opaque;
	(void)addr;
	(void)data;
	(void)size;
}

static const MemoryRegionOps mtb_ops = {
	.read = mtb_read,
	.write = mtb_write,
	.endianness = DEVICE_NATIVE_ENDIAN,
};

struct mtb {
	struct mt_dump *d;
	const char *fname;
	MemoryRegion **mrs;
	unsigned char *state;	/* 0 = not made, 1 = making, 2 = made */
	char *err;
	bool failed;
};

static void mtb_fail(struct mtb *b, const struct mt_node *n, const char *why)
{
	if (!b->failed)
		snprintf(b->err, MT_ERR_LEN, "%s:%d: %s", b->fname,
			 n ? n->line : 0, why);
	b->failed = true;
}

/* RAM backing that is never touched: address space only. */
static void *mtb_reserve(struct mtb *b, const struct mt_node *n,
			 uint64_t size)
{
	void *p;

	if (size == UINT64_MAX || size > (1ULL << 46)) {
		mtb_fail(b, n, "RAM region too large to reserve on this host");
		return NULL;
	}
	p = mmap(NULL, size ? size : 1, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		mtb_fail(b, n, "cannot reserve address space for a RAM region");
		return NULL;
	}
	return p;
}

static MemoryRegion *mtb_make(struct mtb *b, struct mt_node *n)
{
	struct mt_node *c = mt_class(n);
	uint64_t size = mt_size(c);
	MemoryRegion *mr, *target;
	Error *err = NULL;
	void *host;

	if (b->state[c->index] == 2)
		return b->mrs[c->index];
	if (b->state[c->index] == 1)
		return NULL;
	b->state[c->index] = 1;
	mr = calloc(1, sizeof(*mr));
	if (!mr) {
		mtb_fail(b, c, "out of memory");
		return NULL;
	}
	if (size == 0 && !c->alias && c->type != MT_IO) {
		mtb_fail(b, c, "size0 hint on a RAM-backed region");
		return NULL;
	}
	if (c->alias) {
		if (!c->target_sec || !c->target_sec->root) {
			mtb_fail(b, c, "alias target not resolved");
			return NULL;
		}
		target = mtb_make(b, mt_class(c->target_sec->root));
		if (!target) {
			mtb_fail(b, c, "alias chain forms a cycle");
			return NULL;
		}
		memory_region_init_alias(mr, NULL, c->name, target, c->ts,
					 size);
	} else if (c->type == MT_IO) {
		if ((c->nchildren && !c->io_hint) || c->container_hint)
			memory_region_init(mr, NULL, c->name, size);
		else
			memory_region_init_io(mr, NULL, &mtb_ops, NULL,
					      c->name, size);
	} else if (c->type == MT_RAM || c->type == MT_ROM) {
		host = mtb_reserve(b, c, size);
		if (!host)
			return NULL;
		memory_region_init_ram_ptr(mr, NULL, c->name, size, host);
		if (c->type == MT_ROM)
			memory_region_set_readonly(mr, true);
	} else if (c->type == MT_RAMD) {
		host = mtb_reserve(b, c, size);
		if (!host)
			return NULL;
		memory_region_init_ram_device_ptr(mr, NULL, c->name, size,
						  host);
	} else {
		memory_region_init_rom_device(mr, NULL, &mtb_ops, NULL,
					      c->name, size, &err);
		if (err) {
			mtb_fail(b, c, error_get_pretty(err));
			error_free(err);
			return NULL;
		}
		memory_region_rom_device_set_romd(mr, true);
	}
	if (c->nv)
		memory_region_set_nonvolatile(mr, true);
	if (c->readonly_hint)
		memory_region_set_readonly(mr, true);
	if (c->disabled)
		memory_region_set_enabled(mr, false);
	b->mrs[c->index] = mr;
	b->state[c->index] = 2;
	return mr;
}

/* Same-address runs of children are added in reverse print order. */
static void mtb_child_order(const struct mt_node *p, size_t *order)
{
	size_t s = 0, e, k = 0;

	while (s < p->nchildren) {
		e = s + 1;
		while (e < p->nchildren && mt_rel_addr(p->children[e]) ==
		       mt_rel_addr(p->children[s]))
			e++;
		while (e > s)
			order[k++] = --e;
		s = k;
	}
}

MemoryRegion **mtb_build(struct mt_dump *d, const char *fname,
			 void (*warn)(void *ctx, const char *msg), void *ctx,
			 char err[MT_ERR_LEN])
{
	char msg[MT_ERR_LEN + 64];
	struct mtb b = { .d = d, .fname = fname, .err = err };
	unsigned char *added;
	size_t i, k, *order;

	b.mrs = calloc(d->nnodes + 1, sizeof(*b.mrs));
	b.state = calloc(d->nnodes + 1, 1);
	added = calloc(d->nnodes + 1, 1);
	order = calloc(d->nnodes + 1, sizeof(*order));
	if (!b.mrs || !b.state || !added || !order) {
		mtb_fail(&b, NULL, "out of memory");
		goto out;
	}
	memory_region_transaction_begin();
	for (i = 0; i < d->nnodes && !b.failed; i++)
		mtb_make(&b, d->nodes[i]);
	for (i = 0; i < d->nnodes && !b.failed; i++) {
		struct mt_node *p = d->nodes[i];

		if (mt_class(p) != p || p->alias)
			continue;
		mtb_child_order(p, order);
		for (k = 0; k < p->nchildren; k++) {
			struct mt_node *ch = p->children[order[k]];
			struct mt_node *cc = mt_class(ch);

			if (added[cc->index]) {
				if (warn) {
					snprintf(msg, sizeof(msg),
						 "%s:%d: '%s' already has a container, not added again",
						 fname, ch->line, ch->name);
					warn(ctx, msg);
				}
				continue;
			}
			added[cc->index] = 1;
			memory_region_add_subregion_overlap(b.mrs[p->index],
							    mt_rel_addr(ch),
							    b.mrs[cc->index],
							    ch->prio);
		}
	}
	memory_region_transaction_commit();
out:
	free(b.state);
	free(added);
	free(order);
	if (b.failed) {
		free(b.mrs);
		return NULL;
	}
	return b.mrs;
}
