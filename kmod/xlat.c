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
/*
 * Eight hint buckets per range in maps of up to 4096 sections (32 bytes
 * per section, 128 KiB at most): under TCG a bucket where two sections
 * start sends the lookup to a leaf-block search, and at 64 sections that
 * made a translation a third slower (tests/kmod/bench.sh).
 */
#define MDX_HINT_DENSITY 8U
#include "../lib/mdindex.c"

/*
 * md_map_lookup_below_max() (memdisp_fast.h) for any address: only the
 * last range can hold ~0, and nothing lies above it.
 */
static __always_inline const struct md_section *
md_map_lookup(const struct md_map *map, u64 addr, u64 *delta, u64 *rest)
{
	u32 pos;

	if (likely(addr != MDX_PAD))
		return md_map_lookup_below_max(map, addr, delta, rest);
	*rest = U64_MAX;
	pos = mdx_lookup(&map->x, addr);
	if (pos == MDX_NONE)
		return NULL;
	*delta = addr - mdx_start_of(&map->x, pos);
	*rest = 0;
	return &map->secs[pos];
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
 * __memdisp_translate() - memdisp_translate(), out of line, for every input
 * @as: a referenced address space (memdisp_as_get())
 * @addr: address
 * @len: access length in bytes, at least 1
 * @is_write: whether the access writes
 * @res: filled with the outcome (see &struct memdisp_xlat; its padding is
 *	not written)
 *
 * What the inline memdisp_translate() (memdisp_fast.h) hands over: IOMMU
 * sections, the address ~0, an empty map, a zero length.  Gives the same
 * result as memdisp_translate() for every input.
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
int __memdisp_translate(struct memdisp_as *as, u64 addr, u64 len,
			bool is_write, struct memdisp_xlat *res)
	__section(".text.memdisp_fast") __aligned(PAGE_SIZE);

int __memdisp_translate(struct memdisp_as *as, u64 addr, u64 len,
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
EXPORT_SYMBOL_GPL(__memdisp_translate);

/**
 * __memdisp_translate_walk() - the rest of the inline memdisp_translate()
 * @as: address space of @addr
 * @addr: address in @as, below ~0
 * @len: access length, at least 1
 * @is_write: the access writes
 * @res: result, every field written once (padding untouched)
 * @map: @as's map as the caller read it, or NULL
 * @sec: the section md_map_lookup_below_max() found in @map (an IOMMU
 *	section; ignored when @map is NULL)
 * @delta: from the same lookup
 * @rest: from the same lookup
 *
 * Called by memdisp_translate() (memdisp_fast.h) inside its RCU-sched
 * read section, with preemption disabled, so that an IOMMU section's walk
 * continues from the caller's lookup instead of repeating it.
 */
void __memdisp_translate_walk(struct memdisp_as *as, u64 addr, u64 len,
			      bool is_write, struct memdisp_xlat *res,
			      const struct md_map *map,
			      const struct md_section *sec, u64 delta, u64 rest)
	__section(".text.memdisp_walk") __aligned(PAGE_SIZE);

void __memdisp_translate_walk(struct memdisp_as *as, u64 addr, u64 len,
			      bool is_write, struct memdisp_xlat *res,
			      const struct md_map *map,
			      const struct md_section *sec, u64 delta, u64 rest)
{
	md_walk(as, addr, len - 1, is_write, res, NULL, map, map ? sec : NULL,
		delta, rest);
}
EXPORT_SYMBOL_GPL(__memdisp_translate_walk);

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
	md_xlat_nohit(res, as, status, addr, lm1, perm, depth, iommu_id, iova);
	if (final_as)
		*final_as = as;
}
