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

/* The permission a section allows. */
static __always_inline u32 md_section_perm(const struct md_section *sec)
{
	if (sec->type == MEMDISP_SEC_ROM || (sec->flags & MEMDISP_SEC_F_READONLY))
		return MEMDISP_PERM_READ;
	return MEMDISP_PERM_RW;
}

/*
 * The map lookup of a translation: the section holding @addr, with @addr's
 * distance from its start in *@delta and the number of bytes after @addr
 * left in it minus one in *@rest; or NULL for a gap, with *@rest the bytes
 * left in the gap minus one (~0 if no range lies above).  One descent of
 * the shared index: mdx_lookup() then mdx_lookup_ge() on a miss would
 * descend twice.
 */
static __always_inline const struct md_section *
md_map_lookup(const struct md_map *map, u64 addr, u64 *delta, u64 *rest)
{
	const struct mdx *x = map->idx;
	const mdx_u64 *k;
	u32 pos;
	u64 next;

	if (unlikely(addr == MDX_PAD)) {
		/* only the last range can hold ~0; nothing lies above it */
		*rest = U64_MAX;
		pos = mdx_lookup(x, addr);
		if (pos == MDX_NONE)
			return NULL;
		*delta = addr - mdx_start_of(x, pos);
		*rest = 0;
		return &map->secs[pos];
	}
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

/* The IOMMU of an IOMMU section (RCU reader), or NULL if it is gone. */
static __always_inline struct md_iommu *
md_sec_iommu(const struct md_map *map, const struct md_section *sec)
{
	if (likely(sec->kio != MD_KIO_NONE)) {
		const struct md_kiommu *ki = &map->kiommu[sec->kio];

		if (likely(ki->ptr &&
			   READ_ONCE(md_iommu_epoch) == map->iommu_epoch))
			return ki->ptr;
	}
	return idr_find(&md_iommu_idr, sec->iommu_id);
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

static __always_inline void
md_walk(struct memdisp_as *as, u64 addr, u64 lm1, bool is_write,
	struct memdisp_xlat *res, struct memdisp_as **final_as,
	const struct md_map *map, const struct md_section *ks, u64 delta,
	u64 rest);

/* The translation for the other files (netlink, selftest); RCU reader. */
void md_translate_map(struct memdisp_as *as, u64 addr, u64 len, bool is_write,
		      struct memdisp_xlat *res, struct memdisp_as **final_as)
{
	const struct md_section *ks = NULL;
	const struct md_map *map;
	u64 delta = 0, rest = 0;

	this_cpu_inc(md_pcpu_stats.lookups);
	map = rcu_dereference_check(as->map, rcu_read_lock_any_held());
	if (map)
		ks = md_map_lookup(map, addr, &delta, &rest);
	md_walk(as, addr, len - 1, is_write, res, final_as, map, ks, delta,
		rest);
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
 * Return: 0, or -EINVAL if @len is 0.
 */
/*
 * In a section of its own, page-aligned, with the whole walk inlined (about
 * 2 KiB): under TCG (QEMU's system emulation) a direct jump to another
 * guest page is not chained and costs a lookup in QEMU, so the fast path
 * is kept on one 4 KiB page.  (Aligning it inside .text would make the
 * assembler jump over the padding, which objtool rejects.)
 */
int memdisp_translate(struct memdisp_as *as, u64 addr, u64 len,
		      bool is_write, struct memdisp_xlat *res)
	__section(".text.memdisp_fast") __aligned(PAGE_SIZE);

int memdisp_translate(struct memdisp_as *as, u64 addr, u64 len,
		      bool is_write, struct memdisp_xlat *res)
{
	const struct md_section *ks = NULL;
	const struct md_map *map;
	u64 delta = 0, rest = 0;

	if (unlikely(!len))
		return -EINVAL;
	/*
	 * Since v5.0 a preemption-disabled region is an RCU reader for
	 * call_rcu(), kfree_rcu() and synchronize_rcu() (see the kernel-doc of
	 * synchronize_rcu()), and every object reached here is freed through
	 * one of those.  preempt_disable() is inline; on PREEMPT_RCU kernels
	 * rcu_read_lock()/rcu_read_unlock() are two out-of-line calls.
	 */
	rcu_read_lock_sched_notrace();
	this_cpu_inc(md_pcpu_stats.lookups);
	map = rcu_dereference_check(as->map, rcu_read_lock_any_held());
	if (likely(map)) {
		ks = md_map_lookup(map, addr, &delta, &rest);
		/* the common case inline: a direct hit */
		if (likely(ks && ks->type != MEMDISP_SEC_IOMMU)) {
			md_xlat_hit(res, as, ks, addr, delta,
				    min(len - 1, rest), MEMDISP_PERM_RW, 0);
			rcu_read_unlock_sched_notrace();
			return 0;
		}
	}
	md_walk(as, addr, len - 1, is_write, res, NULL, map, ks, delta, rest);
	rcu_read_unlock_sched_notrace();
	return 0;
}
EXPORT_SYMBOL_GPL(memdisp_translate);

/**
 * md_walk() - the translation from a first map lookup on (caller is an RCU
 *	reader: rcu_read_lock() or preemption disabled)
 * @as: address space of @addr
 * @addr: address in @as
 * @lm1: access length minus one
 * @is_write: the access is a write
 * @res: result, every field written once at the end (padding untouched)
 * @final_as: if not NULL, set to the address space the walk ended in (only
 *	valid under the caller's RCU read section)
 * @map: @as's map as the caller read it, or NULL
 * @ks: md_map_lookup() of @addr in @map (if @map is not NULL)
 * @delta: from the same lookup
 * @rest: from the same lookup
 *
 * Follows IOMMU sections through their IOTLBs up to %MEMDISP_MAX_DEPTH
 * hops; the common case (a direct hit) is handled by the callers inline.
 */
static __always_inline void
md_walk(struct memdisp_as *as, u64 addr, u64 lm1, bool is_write,
	struct memdisp_xlat *res, struct memdisp_as **final_as,
	const struct md_map *map, const struct md_section *ks, u64 delta,
	u64 rest)
{
	u32 need = is_write ? MEMDISP_PERM_WRITE : MEMDISP_PERM_READ;
	u32 perm = MEMDISP_PERM_RW;
	u32 depth = 0, status, iommu_id = 0;
	u64 iova = 0;

	for (;;) {
		const struct md_iotlb_entry *e;
		struct md_iommu *iommu;

		if (unlikely(!map)) {
			status = MEMDISP_XLAT_UNASSIGNED;
			break;
		}
		lm1 = min(lm1, rest);
		if (!ks) {
			status = MEMDISP_XLAT_UNASSIGNED;
			break;
		}
		if (ks->type != MEMDISP_SEC_IOMMU) {
			md_xlat_hit(res, as, ks, addr, delta, lm1, perm, depth);
			if (final_as)
				*final_as = as;
			return;
		}
		/* IOMMU section: translate through its IOTLB. */
		iova = ks->offset + delta;
		iommu = md_sec_iommu(map, ks);
		if (!iommu || !net_eq(iommu->net, as->net)) {
			status = MEMDISP_XLAT_UNASSIGNED;
			iova = 0;
			break;
		}
		if (depth >= MEMDISP_MAX_DEPTH) {
			status = MEMDISP_XLAT_LOOP;
			iova = 0;
			break;
		}
		e = md_tlbc_lookup(iommu, iova);
		if (unlikely(!e))
			e = mtree_load(&iommu->tlb, iova);
		if (!e) {
			this_cpu_inc(md_pcpu_stats.iotlb_misses);
			status = MEMDISP_XLAT_IOTLB_MISS;
			iommu_id = iommu->id;
			perm = need;
			md_miss_note(iommu, iova, need);
			break;
		}
		this_cpu_inc(md_pcpu_stats.iotlb_hits);
		perm &= e->perm;
		if ((e->perm & need) != need) {
			status = MEMDISP_XLAT_DENIED;
			iommu_id = iommu->id;
			break;
		}
		lm1 = min(lm1, e->mask - (iova & e->mask));
		addr = e->xlat | (iova & e->mask);
		iova = 0;
		as = iommu->target;
		depth++;
		map = rcu_dereference_check(as->map, rcu_read_lock_any_held());
		if (map)
			ks = md_map_lookup(map, addr, &delta, &rest);
	}
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
	if (final_as)
		*final_as = as;
}
