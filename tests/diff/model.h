/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tree descriptions and a brute-force reference model of QEMU 7.2's
 * FlatView rendering, written independently of libmemdisp.
 *
 * A description (struct dt_tree) says what regions exist, how they nest,
 * what aliases point at and which regions are address-space roots.  The
 * model renders one address space by asking, for each elementary interval
 * between all boundary points, "who serves this address?" with a naive
 * top-down walk that follows QEMU's render rules (softmmu/memory.c,
 * render_memory_region, memory_region_get_flatview_root, flatview_simplify).
 */
#ifndef MEMDISP_TESTS_DIFF_MODEL_H
#define MEMDISP_TESTS_DIFF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef unsigned __int128 u128;
typedef __int128 s128;

#define DT_2_64 ((u128)1 << 64)
#define DT_MAX_NODES 64
#define DT_MAX_AS 4

enum dt_kind {
	DT_CONTAINER,	/* memory_region_init: pure container */
	DT_IO,		/* memory_region_init_io: terminates, fills its gaps */
	DT_RAM,		/* memory_region_init_ram / _ram_ptr */
	DT_ROM,		/* memory_region_init_rom: RAM, readonly */
	DT_ROMD,	/* memory_region_init_rom_device */
	DT_ALIAS,	/* memory_region_init_alias */
	DT_IOMMU,	/* memory_region_init_iommu: terminates like io */
	DT_KIND_NR,
};

struct dt_node {
	enum dt_kind kind;
	u128 size;		/* 1 .. 2^64 */
	uint64_t addr;		/* mr->addr */
	int32_t prio;
	int parent;		/* container index, -1 when not a subregion */
	uint64_t seq;		/* insertion stamp: larger = added later */
	int target;		/* alias target, -1 for non-aliases */
	uint64_t alias_offset;
	bool enabled;
	bool readonly;
	bool nonvolatile;
	bool romd_mode;		/* QEMU default true; rom devices toggle it */
	bool alloc;		/* instantiate with an allocating init (small) */
	char name[16];
};

struct dt_tree {
	int nr_nodes;
	struct dt_node n[DT_MAX_NODES];
	int nr_as;
	int as_root[DT_MAX_AS];
	uint64_t seq;
};

/* One flat range, [start, end) with end exclusive (end may be 2^64). */
struct dt_range {
	u128 start;
	u128 end;
	int node;
	uint64_t offset;
	bool readonly;
	bool nonvolatile;
	bool romd_mode;
};

struct dt_view {
	int nr;
	int cap;
	struct dt_range *r;
};

/* Does a region of this kind fill the gaps its children leave? */
static inline bool dt_terminates(enum dt_kind k)
{
	return k == DT_IO || k == DT_RAM || k == DT_ROM || k == DT_ROMD ||
	       k == DT_IOMMU;
}

void dt_init(struct dt_tree *t);
int dt_add_node(struct dt_tree *t, enum dt_kind kind, u128 size);

/* Model edits, mirroring QEMU's bookkeeping (e.g. set_address re-adds). */
void dt_add_subregion(struct dt_tree *t, int parent, int child,
		      uint64_t addr, int32_t prio);
void dt_del_subregion(struct dt_tree *t, int child);
void dt_set_address(struct dt_tree *t, int i, uint64_t addr);
/* Would adding @child under @parent create a cycle (children + aliases)? */
bool dt_would_cycle(const struct dt_tree *t, int parent, int child);

/*
 * dt_render() - the flat view of address space @as by QEMU 7.2's rules.
 * @simplify: start from memory_region_get_flatview_root(as->root), as QEMU
 * does; false renders as->root itself (the two differ only in corner cases,
 * see dt_root_quirk()).
 * Returns 0, or -1 when the model gives up (too many boundaries).
 */
int dt_render(const struct dt_tree *t, int as, bool simplify,
	      struct dt_view *v);
/* Independent gap-filling renderer, only to cross-check dt_render(). */
int dt_render_gapfill(const struct dt_tree *t, int as, bool simplify,
		      struct dt_view *v);
/* QEMU's memory_region_get_flatview_root(); -1 for "no root". */
int dt_flatview_root(const struct dt_tree *t, int root);

void dt_view_init(struct dt_view *v);
void dt_view_free(struct dt_view *v);
void dt_view_push(struct dt_view *v, const struct dt_range *r);
bool dt_range_eq(const struct dt_range *a, const struct dt_range *b,
		 bool cmp_romd);
bool dt_view_eq(const struct dt_view *a, const struct dt_view *b,
		bool cmp_romd);

void dt_dump_tree(FILE *f, const struct dt_tree *t);
void dt_dump_view(FILE *f, const struct dt_tree *t, const struct dt_view *v);
void dt_dump_diff(FILE *f, const struct dt_tree *t, const char *la,
		  const struct dt_view *a, const char *lb,
		  const struct dt_view *b, bool cmp_romd);
const char *dt_kind_name(enum dt_kind k);
/* Print a u128 in hex (at least 16 digits) into buf (>= 40 bytes). */
const char *dt_hex(char *buf, u128 v);

#endif
