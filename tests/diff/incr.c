// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * incr.c - incremental commits against full renders, on trees far larger
 * than the model's 64 regions (so that views span many chunks).
 *
 * Random edit sequences of every kind (enable, move, resize, alias
 * offset, del/add with priorities, readonly, nonvolatile, romd, VGA
 * logging), in transactions of one to four edits, over nested containers,
 * I/O, RAM, ROM-device regions and aliases of aliases.  With
 * MEMDISP_VERIFY_INCREMENTAL=1 (diff-test sets it) the library checks
 * every spliced view against a full render and aborts on a difference.
 * Here we also check what listeners saw: a region_add/region_del listener
 * keeps a shadow map that must equal the view after each commit, and a
 * listener with region_nop must be told about every range of the new view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memdisp/memory.h>

#include "incr.h"

void memdisp_render_stats(unsigned long *full, unsigned long *incremental);

#define NCONT 8
#define NLEAF 4000
#define NALIAS 400

static uint64_t rs;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static uint64_t io_read(void *o, hwaddr a, unsigned s)
{
	(void)o;
	(void)a;
	(void)s;
	return 0;
}

static void io_write(void *o, hwaddr a, uint64_t v, unsigned s)
{
	(void)o;
	(void)a;
	(void)v;
	(void)s;
}

static const MemoryRegionOps io_ops = {
	.read = io_read,
	.write = io_write,
};

static uint8_t fake_ram[64];

enum kind { K_CONT, K_IO, K_RAM, K_ROMD, K_ALIAS };

struct node {
	MemoryRegion mr;
	enum kind kind;
	int parent;		/* index of its container, -1 root, -2 none */
};

static MemoryRegion root;
static struct node nodes[NCONT + NLEAF + NALIAS];
static int nr_nodes;

/* shadow of the region_add/region_del listener */
struct sec {
	uint64_t start, size, off;
	MemoryRegion *mr;
};

static struct sec *shadow;
static int nshadow, capshadow;
static bool shadow_bad;
static long nops_adds, adds_seen, dels_seen;

static int shadow_find(uint64_t start)
{
	int lo = 0, hi = nshadow;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (shadow[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void l1_add(MemoryListener *l, MemoryRegionSection *s)
{
	uint64_t st = s->offset_within_address_space;
	int i = shadow_find(st);

	(void)l;
	adds_seen++;
	if (i < nshadow && shadow[i].start == st) {
		shadow_bad = true;	/* added twice */
		return;
	}
	if (nshadow == capshadow) {
		capshadow = capshadow ? capshadow * 2 : 256;
		shadow = realloc(shadow, capshadow * sizeof(*shadow));
		if (!shadow)
			abort();
	}
	memmove(&shadow[i + 1], &shadow[i], (nshadow - i) * sizeof(*shadow));
	shadow[i].start = st;
	shadow[i].size = int128_get64(s->size - 1) + 1;
	shadow[i].off = s->offset_within_region;
	shadow[i].mr = s->mr;
	nshadow++;
}

static void l1_del(MemoryListener *l, MemoryRegionSection *s)
{
	uint64_t st = s->offset_within_address_space;
	int i = shadow_find(st);

	(void)l;
	dels_seen++;
	if (i >= nshadow || shadow[i].start != st || shadow[i].mr != s->mr) {
		shadow_bad = true;	/* deleted what was never added */
		return;
	}
	memmove(&shadow[i], &shadow[i + 1],
		(nshadow - i - 1) * sizeof(*shadow));
	nshadow--;
}

static void l2_count(MemoryListener *l, MemoryRegionSection *s)
{
	(void)l;
	(void)s;
	nops_adds++;
}

static MemoryListener l1 = {
	.name = "incr-shadow", .region_add = l1_add, .region_del = l1_del,
};
static MemoryListener l2 = {
	.name = "incr-nop", .region_add = l2_count, .region_nop = l2_count,
};

struct cmp {
	int i;
	bool bad;
	long n;
};

static bool cmp_cb(const struct memdisp_flat_range *r, void *opaque)
{
	struct cmp *c = opaque;
	struct sec *s;

	c->n++;
	if (c->i >= nshadow) {
		c->bad = true;
		return true;
	}
	s = &shadow[c->i++];
	if (s->start != r->start || s->start + (s->size - 1) != r->last ||
	    s->mr != r->mr || s->off != r->offset_in_region) {
		c->bad = true;
		return true;
	}
	return false;
}

static bool count_cb(const struct memdisp_flat_range *r, void *opaque)
{
	(void)r;
	(*(long *)opaque)++;
	return false;
}

static MemoryRegion *parent_of(int i)
{
	return nodes[i].parent == -1 ? &root : &nodes[nodes[i].parent].mr;
}

/* a container for a leaf, or for container @i (lower index: no cycle) */
static int pick_parent(int i)
{
	int lim = nodes[i].kind == K_CONT ? i : NCONT;

	return lim ? (int)below(lim + 1) - 1 : -1;
}

static uint64_t pick_addr(int parent)
{
	/* containers are 16 MiB (top level 1 GiB); some overhang */
	uint64_t span = parent < 0 ? (1ULL << 30) : (1ULL << 24);

	return below(span + span / 16) & ~0xfULL;
}

static uint64_t pick_size(enum kind k)
{
	if (k == K_CONT)
		return (1ULL << 24) - below(4) * 0x1000;
	return (below(64) + 1) * (below(16) ? 0x100 : 0x1000);
}

static void map(int i)
{
	int p = pick_parent(i);

	nodes[i].parent = p;
	memory_region_add_subregion_overlap(parent_of(i), pick_addr(p),
					    &nodes[i].mr, (int)below(5) - 2);
}

static void build(void)
{
	int i;

	memory_region_init(&root, NULL, "incr-root", 1ULL << 32);
	for (i = 0; i < NCONT + NLEAF + NALIAS; i++) {
		struct node *n = &nodes[i];
		char name[32];

		if (i < NCONT)
			n->kind = K_CONT;
		else if (i >= NCONT + NLEAF)
			n->kind = K_ALIAS;
		else
			n->kind = below(8) == 0 ? K_ROMD :
				  below(2) ? K_IO : K_RAM;
		snprintf(name, sizeof(name), "n%d", i);
		switch (n->kind) {
		case K_CONT:
			memory_region_init(&n->mr, NULL, name,
					   pick_size(K_CONT));
			break;
		case K_IO:
			memory_region_init_io(&n->mr, NULL, &io_ops, NULL, name,
					      pick_size(K_IO));
			break;
		case K_RAM:
			memory_region_init_ram_ptr(&n->mr, NULL, name,
						   pick_size(K_RAM), fake_ram);
			break;
		case K_ROMD: {
			Error *err = NULL;

			memory_region_init_rom_device(&n->mr, NULL, &io_ops,
						      NULL, name, 0x1000, &err);
			if (err) {
				fprintf(stderr, "incr: %s\n",
					error_get_pretty(err));
				exit(1);
			}
			break;
		}
		case K_ALIAS: {
			/* a leaf, or an earlier alias: aliases of aliases */
			int t = below(3) || i == NCONT + NLEAF ?
				NCONT + (int)below(NLEAF) :
				NCONT + NLEAF + (int)below(i - NCONT - NLEAF);

			memory_region_init_alias(&n->mr, NULL, name,
						 &nodes[t].mr, below(0x800),
						 pick_size(K_IO));
			break;
		}
		}
		n->parent = -2;
		if (below(10))
			map(i);
	}
	nr_nodes = NCONT + NLEAF + NALIAS;
}

static void edit(void)
{
	int i = (int)below(nr_nodes);
	struct node *n = &nodes[i];
	MemoryRegion *mr = &n->mr;

	switch (below(10)) {
	case 0:
		/* mostly enabled, containers more so: views stay large */
		memory_region_set_enabled(mr, below(n->kind == K_CONT ? 16 : 6));
		break;
	case 1:
		if (n->parent != -2)
			memory_region_set_address(mr, pick_addr(n->parent));
		break;
	case 2:
		if (n->kind != K_ROMD && n->kind != K_RAM)
			memory_region_set_size(mr, pick_size(n->kind));
		break;
	case 3:
		if (n->kind == K_ALIAS)
			memory_region_set_alias_offset(mr, below(0x800));
		else
			memory_region_set_readonly(mr, !mr->readonly);
		break;
	case 4:
	case 5:
		if (n->parent == -2) {
			map(i);
		} else if (!below(n->kind == K_CONT ? 8 : 3)) {
			memory_region_del_subregion(parent_of(i), mr);
			n->parent = -2;
		}
		break;
	case 6:
		memory_region_set_nonvolatile(mr, !mr->nonvolatile);
		break;
	case 7:
		if (n->kind == K_ROMD)
			memory_region_rom_device_set_romd(mr, !mr->romd_mode);
		break;
	case 8:
		if (n->kind == K_RAM)
			memory_region_set_log(mr, !(mr->dirty_log_mask & 1),
					      DIRTY_MEMORY_VGA);
		break;
	default:
		/* move a region as one transaction's del + add elsewhere */
		if (n->parent != -2 && n->kind != K_CONT) {
			memory_region_del_subregion(parent_of(i), mr);
			map(i);
		}
		break;
	}
}

int incr_run(uint64_t seed, int steps, long *incremental, char *why,
	     size_t whylen)
{
	AddressSpace as, as2;
	unsigned long inc0, inc1, full0, full1;
	int step, i, bad = 0;

	rs = seed | 1;
	memdisp_render_stats(&full0, &inc0);
	build();
	address_space_init(&as, &root, "incr");
	address_space_init(&as2, &nodes[0].mr, "incr-sub");
	memory_listener_register(&l1, &as);
	memory_listener_register(&l2, &as2);
	for (step = 0; step < steps && !bad; step++) {
		int k = 1 + (int)below(4);
		struct cmp c = { 0 };
		long nr2 = 0;

		memory_region_transaction_begin();
		for (i = 0; i < k; i++)
			edit();
		nops_adds = 0;
		memory_region_transaction_commit();
		memdisp_flatview_walk(&as, cmp_cb, &c);
		if (shadow_bad || c.bad || c.i != nshadow) {
			snprintf(why, whylen, "step %d: listener shadow map "
				 "differs from the view (%ld ranges)", step,
				 c.n);
			bad = 1;
		}
		memdisp_flatview_walk(&as2, count_cb, &nr2);
		if (nops_adds && nops_adds != nr2) {
			snprintf(why, whylen, "step %d: %ld region_nop/add for "
				 "a view of %ld ranges", step, nops_adds, nr2);
			bad = 1;
		}
	}
	memdisp_render_stats(&full1, &inc1);
	*incremental = (long)(inc1 - inc0);
	printf("# incremental: %d steps, %lu window renders, %lu full "
	       "renders, %ld ranges, %ld adds, %ld dels seen\n", step,
	       inc1 - inc0, full1 - full0, (long)nshadow, adds_seen,
	       dels_seen);
	memory_listener_unregister(&l2);
	memory_listener_unregister(&l1);
	address_space_destroy(&as2);
	address_space_destroy(&as);
	memory_region_transaction_begin();
	for (i = nr_nodes - 1; i >= 0; i--)
		if (nodes[i].parent != -2)
			memory_region_del_subregion(parent_of(i),
						    &nodes[i].mr);
	memory_region_transaction_commit();
	memdisp_flatview_reclaim();
	for (i = nr_nodes - 1; i >= 0; i--)
		object_unparent(OBJECT(&nodes[i].mr));
	object_unparent(OBJECT(&root));
	memdisp_flatview_reclaim();
	free(shadow);
	shadow = NULL;
	nshadow = capshadow = 0;
	return bad;
}
