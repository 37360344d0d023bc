// SPDX-License-Identifier: GPL-2.0
/*
 * xlat.c - the translation fast path: map lookup through the shared index,
 * then through IOMMU sections and their IOTLBs.  Lock-free (RCU), never
 * sleeps, never allocates.
 */
#include <linux/idr.h>
#include <linux/minmax.h>
#include <linux/export.h>
#include <net/net_namespace.h>

#include "md.h"

/*
 * The shared index (lib/mdindex.c) is compiled here, in the fast path's own
 * translation unit, so that its lookups inline into the translation: with
 * return thunks on, every call costs.
 */
#include "../lib/mdindex.c"

static u32 md_section_perm(const struct md_section *sec)
{
	if (sec->type == MEMDISP_SEC_ROM || (sec->flags & MEMDISP_SEC_F_READONLY))
		return MEMDISP_PERM_READ;
	return MEMDISP_PERM_RW;
}

static __always_inline void
md_bounds_idx(const struct mdx *x, u32 i, u64 *start, u64 *last)
{
	*start = mdx_start_of(x, i);
	*last = mdx_last_of(x, i);
}

/*
 * memset() of the 80-byte result compiles to "rep stosq", which is slow to
 * start on real CPUs and very slow under TCG; ten plain stores are not.
 * The whole struct, padding included, is cleared as before.
 */
static __always_inline void md_xlat_clear(struct memdisp_xlat *res)
{
	u64 *w = (u64 *)res;

	BUILD_BUG_ON(sizeof(*res) != 10 * sizeof(u64));
	w[0] = 0;
	w[1] = 0;
	w[2] = 0;
	w[3] = 0;
	w[4] = 0;
	w[5] = 0;
	w[6] = 0;
	w[7] = 0;
	w[8] = 0;
	w[9] = 0;
}

/*
 * One descent of the index: the position of the section holding @addr,
 * with its bounds in @start and @last; or MDX_NONE with @start set to the
 * first address of the next section above @addr, or to 0 if there is none
 * (a section above @addr cannot start at 0).  mdx_lookup() followed by
 * mdx_lookup_ge() on a miss would descend twice.
 */
static __always_inline u32
md_find(const struct mdx *x, u64 addr, u64 *start, u64 *last)
{
	const mdx_u64 *k;
	u32 pos, next;

	if (unlikely(addr == MDX_PAD)) {
		/* only the last section can hold ~0, and none is above it */
		pos = mdx_lookup(x, addr);
		if (pos != MDX_NONE)
			md_bounds_idx(x, pos, start, last);
		else
			*start = 0;
		return pos;
	}
	k = mdx_descend(x, addr, &pos);
	/* k[0] is the candidate's start, k[MDX_B] its last address */
	if (k[0] <= addr && addr <= k[MDX_B]) {
		*start = k[0];
		*last = k[MDX_B];
		return pos;
	}
	next = k[0] > addr ? pos : pos + 1;
	*start = next < x->nr ? mdx_start_of(x, next) : 0;
	return MDX_NONE;
}

/**
 * md_translate_inline() - translate one access (caller is in an RCU reader:
 *	rcu_read_lock() or preemption disabled)
 * @as: starting address space
 * @addr: address in @as
 * @len: access length, >= 1
 * @is_write: the access is a write
 * @res: result
 * @final_as: if not NULL, set to the address space the walk ended in (only
 *	valid under the caller's RCU read section)
 */
static __always_inline void
md_translate_inline(struct memdisp_as *as, u64 addr, u64 len, bool is_write,
		    struct memdisp_xlat *res, struct memdisp_as **final_as)
{
	u32 need = is_write ? MEMDISP_PERM_WRITE : MEMDISP_PERM_READ;
	u32 perm = MEMDISP_PERM_RW;
	u64 lm1 = len - 1;	/* length minus one: never overflows */
	u32 depth = 0;

	md_xlat_clear(res);
	this_cpu_inc(md_pcpu_stats.lookups);
	for (;;) {
		const struct md_iotlb_entry *e;
		const struct md_section *sec;
		struct md_iommu *iommu;
		struct md_map *map;
		u64 start, last, iova;
		u32 i;

		res->as_id = as->id;
		res->addr = addr;
		res->depth = depth;
		if (final_as)
			*final_as = as;
		map = rcu_dereference_check(as->map, rcu_read_lock_any_held());
		if (unlikely(!map)) {
			res->status = MEMDISP_XLAT_UNASSIGNED;
			break;
		}
		i = md_find(map->idx, addr, &start, &last);
		if (i == MDX_NONE) {
			res->status = MEMDISP_XLAT_UNASSIGNED;
			if (start)	/* the gap ends where the next one starts */
				lm1 = min(lm1, start - addr - 1);
			break;
		}
		sec = &map->secs[i];
		lm1 = min(lm1, last - addr);
		if (sec->type != MEMDISP_SEC_IOMMU) {
			res->status = MEMDISP_XLAT_OK;
			res->type = sec->type;
			res->sec_flags = sec->flags;
			res->region_id = sec->region_id;
			res->offset = sec->offset + (addr - start);
			if (sec->hva)
				res->hva = sec->hva + (addr - start);
			perm &= md_section_perm(sec);
			break;
		}
		/* IOMMU section: translate through its IOTLB. */
		iova = sec->offset + (addr - start);
		iommu = idr_find(&md_iommu_idr, sec->iommu_id);
		if (!iommu || !net_eq(iommu->net, as->net)) {
			res->status = MEMDISP_XLAT_UNASSIGNED;
			break;
		}
		if (depth >= MEMDISP_MAX_DEPTH) {
			res->status = MEMDISP_XLAT_LOOP;
			break;
		}
		e = md_tlbc_lookup(iommu, iova);
		if (unlikely(!e))
			e = md_iotlb_lookup(iommu, iova);
		if (!e) {
			this_cpu_inc(md_pcpu_stats.iotlb_misses);
			res->status = MEMDISP_XLAT_IOTLB_MISS;
			res->iommu_id = iommu->id;
			res->iova = iova;
			perm = need;
			md_miss_note(iommu, iova, need);
			break;
		}
		this_cpu_inc(md_pcpu_stats.iotlb_hits);
		if ((e->perm & need) != need) {
			res->status = MEMDISP_XLAT_DENIED;
			res->iommu_id = iommu->id;
			res->iova = iova;
			perm &= e->perm;
			break;
		}
		perm &= e->perm;
		lm1 = min(lm1, e->mask - (iova & e->mask));
		addr = e->xlat | (iova & e->mask);
		as = iommu->target;
		depth++;
	}
	res->perm = perm;
	res->len = lm1 + 1;
}

/* md_translate_inline() for the other files (netlink, selftest). */
void md_translate_map(struct memdisp_as *as, u64 addr, u64 len, bool is_write,
		      struct memdisp_xlat *res, struct memdisp_as **final_as)
{
	md_translate_inline(as, addr, len, is_write, res, final_as);
}

/**
 * memdisp_translate() - translate an access through an address space
 * @as: a referenced address space (memdisp_as_get())
 * @addr: address
 * @len: access length in bytes, at least 1
 * @is_write: whether the access writes
 * @res: filled with the outcome (see &struct memdisp_xlat)
 *
 * Follows IOMMU sections through their IOTLBs, at most %MEMDISP_MAX_DEPTH
 * hops.  An IOTLB miss returns status %MEMDISP_XLAT_IOTLB_MISS and raises a
 * miss event once per (IOMMU, page) until the page is filled or
 * invalidated.  Lock-free; callable from any context.
 *
 * Return: 0, or -EINVAL if @len is 0.
 */
int memdisp_translate(struct memdisp_as *as, u64 addr, u64 len,
		      bool is_write, struct memdisp_xlat *res)
{
	if (!len)
		return -EINVAL;
	/*
	 * Since v5.0 a preemption-disabled region is an RCU reader for
	 * call_rcu(), kfree_rcu() and synchronize_rcu() (see the kernel-doc of
	 * synchronize_rcu()), and every object reached here is freed through
	 * one of those.  preempt_disable() is inline; on PREEMPT_RCU kernels
	 * rcu_read_lock()/rcu_read_unlock() are two out-of-line calls.
	 */
	rcu_read_lock_sched_notrace();
	md_translate_inline(as, addr, len, is_write, res, NULL);
	rcu_read_unlock_sched_notrace();
	return 0;
}
EXPORT_SYMBOL_GPL(memdisp_translate);
