/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memdisp_fast.h - the translation fast path, inline in the caller.
 *
 * Included by memdisp_api.h; not to be included on its own.  As KVM keeps
 * its memslot search inline in kvm_host.h, the common case of
 * memdisp_translate() (a direct hit or a gap in the first address space)
 * is compiled into the calling module: no call, no return, no saved
 * registers, and only the result fields the caller reads are written.
 * Everything else (IOMMU sections, the address ~0, an empty map) goes to
 * the exported __memdisp_translate(), which gives the same result for
 * every input.
 *
 * The structures below are memdisp.ko's own; other modules must not touch
 * them except through the functions of memdisp_api.h.
 */
#ifndef _MEMDISP_FAST_H
#define _MEMDISP_FAST_H

#include <linux/types.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/memdisp.h>

#include "../lib/mdindex.h"

struct md_iommu;
struct md_txn;

/*
 * One section of a published map, in an array in index order (position i
 * is the shared index's range i); bounds live in the index.  32 bytes.
 * @kio is set by md_map_finish(): for an IOMMU section its slot in the
 * map's @kiommu array, or MD_KIO_NONE (look @iommu_id up).
 */
struct md_section {
	u64 region_id;
	u64 offset;
	u64 hva;
	u32 iommu_id;
	u8 type;
	u8 flags;
	u16 kio;
};

#define MD_KIO_NONE	0xffff

/*
 * An IOMMU section's IOMMU: @ptr is the IOMMU that had @id when the map was
 * finished, or NULL; it may be used only while md_iommu_epoch still equals
 * the map's @iommu_epoch (no IOMMU has left the idr since), else @id is
 * looked up.  Resolved once per publish instead of an idr_find() per
 * translation.
 */
struct md_kiommu {
	struct md_iommu *ptr;
	u32 id;
};

/*
 * An immutable map once published.  While being built, @start and @last
 * hold the bounds (freed by md_map_finish()).  The fast path reads @secs,
 * @kiommu and @iommu_epoch (the first cache line) and @x, the shared
 * index's header.
 *
 * Why the sections are not interleaved with the index's leaves: under TCG
 * (where the benchmarks run) a lookup costs mostly instructions plus a
 * page walk per softmmu TLB miss, and the TLB holds a bounded number of
 * 4 KiB pages.  Leaf blocks holding their sections (64 bytes a range)
 * touch one page per lookup but spread 64k ranges over 1024 pages; the
 * index's 16-byte leaves plus the 32-byte section array spread them over
 * 768, and measured faster at 64k ranges (tests/kmod/bench.sh: 1.02-1.04x
 * the maple tree against 1.11-1.22x in the same session).
 */
struct md_map {
	struct md_section *secs;
	struct md_kiommu *kiommu;
	u64 iommu_epoch;
	u32 nr;
	u32 cap;
	u64 gen;
	bool counted;
	size_t bytes;
	void *idxbuf;
	/*
	 * The index: a copy of its header, whose pointers lead into
	 * @idxbuf; at a fixed offset from the map, a lookup reaches it
	 * without loading a pointer first.
	 */
	struct mdx x;
	u64 *start;
	u64 *last;
	struct rcu_head rcu;
};

struct memdisp_as {
	struct rcu_head rcu;
	refcount_t ref;
	u32 id;
	u32 flags;
	u32 portid;
	bool dead;		/* under lock */
	struct net *net;	/* counted reference */
	struct mutex lock;	/* map writers and @txn */
	struct md_map __rcu *map;	/* NULL: empty */
	u64 gen;		/* written under lock, read with READ_ONCE */
	struct md_txn *txn;
	u32 next_txn;
	struct list_head node;	/* md_as_list, under md_lock */
	char name[MEMDISP_NAME_MAX];
};

struct md_pcpu_stats {
	u64 lookups;
	u64 iotlb_hits;
	u64 iotlb_misses;
};
DECLARE_PER_CPU(struct md_pcpu_stats, md_pcpu_stats);

/* The permission a section allows. */
static __always_inline u32 md_section_perm(const struct md_section *sec)
{
	if (sec->type == MEMDISP_SEC_ROM || (sec->flags & MEMDISP_SEC_F_READONLY))
		return MEMDISP_PERM_READ;
	return MEMDISP_PERM_RW;
}

/*
 * The map lookup of a translation for @addr below ~0: the section holding
 * @addr, with @addr's distance from its start in *@delta and the number of
 * bytes after @addr left in it minus one in *@rest; or NULL for a gap, with
 * *@rest the bytes left in the gap minus one (~0 if no range lies above).
 * One descent of the shared index: mdx_lookup() then mdx_lookup_ge() on a
 * miss would descend twice.
 */
static __always_inline const struct md_section *
md_map_lookup_below_max(const struct md_map *map, u64 addr, u64 *delta,
			u64 *rest)
{
	const struct mdx *x = &map->x;
	const mdx_u64 *k;
	u32 pos;
	u64 next;

	k = mdx_descend(x, addr, &pos);
	/* k[0] is the candidate's start, k[MDX_B] its last address */
	if (likely(k[0] <= addr && addr <= k[MDX_B])) {
		*delta = addr - k[0];
		*rest = k[MDX_B] - addr;
		return &map->secs[pos];
	}
	/* a gap: it ends where the next range starts */
	if (k[0] > addr)		/* below every range: range 0, if any */
		next = x->nr ? k[0] : 0;
	else
		next = pos + 1 < x->nr ? mdx_start_of(x, pos + 1) : 0;
	*rest = next ? next - addr - 1 : U64_MAX;
	return NULL;
}

/*
 * Fill @res for a direct hit in @as: the section @sec holds @addr, @delta
 * bytes from its start; @lm1 is the clipped length minus one; @perm the
 * permission left by the IOMMU hops; every field written once.
 */
static __always_inline void
md_xlat_hit(struct memdisp_xlat *res, const struct memdisp_as *as,
	    const struct md_section *sec, u64 addr, u64 delta, u64 lm1,
	    u32 perm, u32 depth)
{
	u64 hva = sec->hva;

	res->status = MEMDISP_XLAT_OK;
	res->type = sec->type;
	res->sec_flags = sec->flags;
	res->perm = md_section_perm(sec) & perm;
	res->depth = depth;
	res->as_id = as->id;
	res->iommu_id = 0;
	res->region_id = sec->region_id;
	res->offset = sec->offset + delta;
	res->len = lm1 + 1;
	res->hva = hva ? hva + delta : 0;
	res->addr = addr;
	res->iova = 0;
}

/*
 * Fill @res for an access that found no section: a gap of @as (status
 * UNASSIGNED), or an IOMMU that missed, denied or looped, with @perm,
 * @depth, @iommu_id and @iova as the walk left them; @lm1 is the clipped
 * length minus one.
 */
static __always_inline void
md_xlat_nohit(struct memdisp_xlat *res, const struct memdisp_as *as,
	      u32 status, u64 addr, u64 lm1, u32 perm, u32 depth,
	      u32 iommu_id, u64 iova)
{
	res->status = status;
	res->type = 0;
	res->sec_flags = 0;
	res->perm = perm;
	res->depth = depth;
	res->as_id = as->id;
	res->iommu_id = iommu_id;
	res->region_id = 0;
	res->offset = 0;
	res->len = lm1 + 1;
	res->hva = 0;
	res->addr = addr;
	res->iova = iova;
}

int __memdisp_translate(struct memdisp_as *as, u64 addr, u64 len,
			bool is_write, struct memdisp_xlat *res);
void __memdisp_translate_walk(struct memdisp_as *as, u64 addr, u64 len,
			      bool is_write, struct memdisp_xlat *res,
			      const struct md_map *map,
			      const struct md_section *sec, u64 delta, u64 rest);

/*
 * memdisp_translate() writes every field of its result on every path, so
 * the zeroing that CONFIG_INIT_STACK_ALL_ZERO gives automatic variables
 * (two 80-byte "rep stos" per call, for the caller's result and for the
 * temporary below) is wasted on a fast path.  Declare a result
 * "struct memdisp_xlat x MEMDISP_XLAT_UNINIT;" to skip it (GCC 12 and
 * later, clang 16 and later; elsewhere the attribute is left out).
 */
#if __has_attribute(__uninitialized__)
#define MEMDISP_XLAT_UNINIT	__attribute__((__uninitialized__))
#else
#define MEMDISP_XLAT_UNINIT
#endif

/* Copy a result field by field (padding untouched, as promised). */
static __always_inline void md_xlat_copy(struct memdisp_xlat *to,
					 const struct memdisp_xlat *from)
{
	to->status = from->status;
	to->type = from->type;
	to->sec_flags = from->sec_flags;
	to->perm = from->perm;
	to->depth = from->depth;
	to->as_id = from->as_id;
	to->iommu_id = from->iommu_id;
	to->region_id = from->region_id;
	to->offset = from->offset;
	to->len = from->len;
	to->hva = from->hva;
	to->addr = from->addr;
	to->iova = from->iova;
}

/**
 * memdisp_translate() - translate an access through an address space
 * @as: a referenced address space (memdisp_as_get())
 * @addr: address
 * @len: access length in bytes, at least 1
 * @is_write: whether the access writes
 * @res: filled with the outcome (see &struct memdisp_xlat; its padding is
 *	not written)
 *
 * Follows IOMMU sections through their IOTLBs, at most %MEMDISP_MAX_DEPTH
 * hops.  An IOTLB miss returns status %MEMDISP_XLAT_IOTLB_MISS and raises a
 * miss event once per (IOMMU, page) until the page is filled or
 * invalidated.  Lock-free; callable from any context.
 *
 * Inline: a hit on a RAM, ROM, ROMD or MMIO section or a gap of @as is
 * answered here; an IOMMU section continues in __memdisp_translate_walk()
 * and the address ~0 or a zero length go to __memdisp_translate(), with
 * the same result either way.  @res is written here only, never passed
 * out of line, so that where the caller's result is a local variable the
 * compiler computes only the fields the caller reads.
 *
 * Return: 0, or -EINVAL if @len is 0.
 */
static __always_inline int memdisp_translate(struct memdisp_as *as, u64 addr,
					     u64 len, bool is_write,
					     struct memdisp_xlat *res)
{
	const struct md_section *sec = NULL;
	const struct md_map *map;
	struct memdisp_xlat walked MEMDISP_XLAT_UNINIT;
	u64 delta = 0, rest = 0;

	if (unlikely(!len || addr == U64_MAX)) {
		int ret = __memdisp_translate(as, addr, len, is_write, &walked);

		if (!ret)
			md_xlat_copy(res, &walked);
		return ret;
	}
	/*
	 * A preemption-disabled region is an RCU reader for call_rcu() and
	 * synchronize_rcu() since v5.0, and maps are freed through those;
	 * preempt_disable() is inline where rcu_read_lock() on PREEMPT_RCU
	 * kernels is two calls.  The macros rather than
	 * rcu_read_lock_sched_notrace(), an inline function that a caller
	 * compiled cold (module init code) may get out of line.
	 */
	preempt_disable_notrace();
	this_cpu_inc(md_pcpu_stats.lookups);
	map = rcu_dereference_check(as->map, rcu_read_lock_any_held());
	if (likely(map)) {
		sec = md_map_lookup_below_max(map, addr, &delta, &rest);
		if (likely(!sec || sec->type != MEMDISP_SEC_IOMMU)) {
			if (likely(sec))
				md_xlat_hit(res, as, sec, addr, delta,
					    min(len - 1, rest),
					    MEMDISP_PERM_RW, 0);
			else
				md_xlat_nohit(res, as, MEMDISP_XLAT_UNASSIGNED,
					      addr, min(len - 1, rest),
					      MEMDISP_PERM_RW, 0, 0, 0);
			preempt_enable_notrace();
			return 0;
		}
	}
	__memdisp_translate_walk(as, addr, len, is_write, &walked, map, sec,
				 delta, rest);
	preempt_enable_notrace();
	md_xlat_copy(res, &walked);
	return 0;
}

#endif /* _MEMDISP_FAST_H */
