// SPDX-License-Identifier: GPL-2.0
/*
 * iommu.c - IOMMUs: an IOTLB per IOMMU in an RCU-mode maple tree, and
 * deduplicated IOTLB-miss events.
 *
 * IOTLB entries are whole: an update first removes every entry it overlaps,
 * so each range stored in the tree is exactly one entry and an entry can be
 * freed (after a grace period) as soon as it is erased.
 */
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>

#include "md.h"

static void md_iommu_free_work(struct work_struct *work);

u64 md_iommu_epoch;

static unsigned int md_miss_slots_param = 64;
module_param_named(miss_slots, md_miss_slots_param, uint, 0444);
MODULE_PARM_DESC(miss_slots,
		 "IOTLB-miss pages each IOMMU tracks (pending or reported, until filled or invalidated); a miss on a further page raises no event and counts in miss_dropped (rounded up to a power of two, 8..65536; default 64)");

/**
 * md_miss_slots() - miss-event slots per IOMMU
 *
 * Return: the miss_slots parameter clamped to [8, 65536] and rounded up to
 * a power of two.
 */
u32 md_miss_slots(void)
{
	return roundup_pow_of_two(clamp_t(u32, md_miss_slots_param, 8, 65536));
}

/**
 * md_iommu_alloc() - allocate an IOMMU (not yet visible to anyone)
 * @target: address space translated addresses are looked up in; the IOMMU
 *	takes its own reference
 * @net: owner's namespace
 * @portid: owner's socket
 *
 * Return: the IOMMU or NULL.
 */
struct md_iommu *md_iommu_alloc(struct memdisp_as *target, struct net *net,
				u32 portid)
{
	struct md_iommu *iommu;
	u32 i;

	iommu = kzalloc(sizeof(*iommu), GFP_KERNEL_ACCOUNT);
	if (!iommu)
		return NULL;
	iommu->tlbc = kvcalloc(MD_TLBC_SLOTS, sizeof(*iommu->tlbc),
			       GFP_KERNEL_ACCOUNT);
	iommu->miss_mask = MD_MISS_SLOTS - 1;
	iommu->miss = kvcalloc(iommu->miss_mask + 1, sizeof(*iommu->miss),
			       GFP_KERNEL_ACCOUNT);
	if (!iommu->tlbc || !iommu->miss) {
		kvfree(iommu->tlbc);
		kvfree(iommu->miss);
		kfree(iommu);
		return NULL;
	}
	INIT_RCU_WORK(&iommu->rwork, md_iommu_free_work);
	refcount_set(&iommu->ref, 1);
	mutex_init(&iommu->lock);
	mt_init_flags(&iommu->tlb, MT_FLAGS_USE_RCU);
	for (i = 0; i <= iommu->miss_mask; i++)
		atomic64_set(&iommu->miss[i], 0);
	refcount_inc(&target->ref);
	iommu->target = target;
	iommu->net = get_net(net);
	iommu->portid = portid;
	INIT_LIST_HEAD(&iommu->node);
	atomic64_inc(&md_stats.live_iommus);
	return iommu;
}

/**
 * md_iommu_free_now() - free an IOMMU no reader can reach any more
 * @iommu: the IOMMU
 */
void md_iommu_free_now(struct md_iommu *iommu)
{
	struct md_iotlb_entry *e;
	unsigned long index = 0;

	/*
	 * Debian 6.1's maple tree oopses in its RCU free callback when a big
	 * tree in RCU mode is destroyed: leave RCU mode first (no reader is
	 * left anyway).
	 */
	mt_clear_in_rcu(&iommu->tlb);
	mt_for_each(&iommu->tlb, e, index, ULONG_MAX) {
		kfree(e);
		atomic64_dec(&md_stats.live_iotlb);
	}
	mtree_destroy(&iommu->tlb);
	memdisp_as_put(iommu->target);
	put_net(iommu->net);
	mutex_destroy(&iommu->lock);
	kvfree(iommu->tlbc);
	kvfree(iommu->miss);
	kfree(iommu);
	atomic64_dec(&md_stats.live_iommus);
}

static void md_iommu_free_work(struct work_struct *work)
{
	struct md_iommu *iommu = container_of(to_rcu_work(work),
					      struct md_iommu, rwork);

	md_iommu_free_now(iommu);
}

/**
 * md_iommu_put() - drop a reference; the last one frees the IOMMU after a
 * grace period
 * @iommu: the IOMMU, or NULL
 */
void md_iommu_put(struct md_iommu *iommu)
{
	if (iommu && refcount_dec_and_test(&iommu->ref))
		queue_rcu_work(md_wq, &iommu->rwork);
}

/**
 * md_iommu_find() - look up an IOMMU of @net by id and take a reference
 * @net: caller's namespace
 * @id: IOMMU id
 *
 * Return: the IOMMU or NULL.
 */
struct md_iommu *md_iommu_find(struct net *net, u32 id)
{
	struct md_iommu *iommu;

	rcu_read_lock();
	iommu = idr_find(&md_iommu_idr, id);
	if (iommu && (!net_eq(iommu->net, net) ||
		      !refcount_inc_not_zero(&iommu->ref)))
		iommu = NULL;
	rcu_read_unlock();
	return iommu;
}

/**
 * md_iommu_release() - unpublish an IOMMU and drop the idr's reference
 * @iommu: an IOMMU in the idr; md_lock held
 */
void md_iommu_release(struct md_iommu *iommu)
{
	lockdep_assert_held(&md_lock);
	if (iommu->in_idr) {
		idr_remove(&md_iommu_idr, iommu->id);
		/* after the removal: see md_map_fill_blocks() */
		smp_store_release(&md_iommu_epoch, md_iommu_epoch + 1);
	}
	iommu->in_idr = false;
	list_del_init(&iommu->node);
	md_iommu_put(iommu);
}

/* Re-arm miss events for pages in [first, last]. */
static void md_miss_rearm(struct md_iommu *iommu, u64 first, u64 last)
{
	u64 pf = first >> MEMDISP_MISS_PAGE_SHIFT;
	u64 pl = last >> MEMDISP_MISS_PAGE_SHIFT;
	u32 i;

	for (i = 0; i <= iommu->miss_mask; i++) {
		s64 v = atomic64_read(&iommu->miss[i]);
		u64 page = (u64)v >> 4;

		if (v && page >= pf && page <= pl)
			atomic64_cmpxchg(&iommu->miss[i], v, 0);
	}
}

/* Number of cache slots an entry occupies: one per page, at most all. */
static u64 md_tlbc_span(const struct md_iotlb_entry *e)
{
	u64 pages = (e->last >> MD_TLBC_SHIFT) - (e->first >> MD_TLBC_SHIFT);

	return min_t(u64, pages, MD_TLBC_SLOTS - 1) + 1;
}

/* Point the slots of @e's first pages at @e; lock held. */
static void md_tlbc_fill(struct md_iommu *iommu, struct md_iotlb_entry *e)
{
	u32 s = md_tlbc_slot(e->first);
	u64 n;

	lockdep_assert_held(&iommu->lock);
	for (n = md_tlbc_span(e); n; n--) {
		rcu_assign_pointer(iommu->tlbc[s], e);
		s = (s + 1) & (MD_TLBC_SLOTS - 1);
	}
}

/* Clear the slots still pointing at @e; lock held, before @e is freed. */
static void md_tlbc_drop(struct md_iommu *iommu, struct md_iotlb_entry *e)
{
	u32 s = md_tlbc_slot(e->first);
	u64 n;

	lockdep_assert_held(&iommu->lock);
	for (n = md_tlbc_span(e); n; n--) {
		if (rcu_access_pointer(iommu->tlbc[s]) == e)
			RCU_INIT_POINTER(iommu->tlbc[s], NULL);
		s = (s + 1) & (MD_TLBC_SLOTS - 1);
	}
}

/* Remove every entry overlapping [first, last]; lock held. */
static void md_iotlb_remove(struct md_iommu *iommu, u64 first, u64 last)
{
	struct md_iotlb_entry *e;
	unsigned long index = first;

	lockdep_assert_held(&iommu->lock);
	for (;;) {
		e = mt_find(&iommu->tlb, &index, last);
		if (!e)
			break;
		md_tlbc_drop(iommu, e);
		mtree_erase(&iommu->tlb, e->first);
		iommu->nr_entries--;
		atomic64_dec(&md_stats.live_iotlb);
		index = e->last;
		kfree_rcu(e, rcu);
		if (index >= last)
			break;
		index++;
	}
}

/**
 * md_iotlb_update() - install an IOTLB entry
 * @iommu: the IOMMU
 * @iova: I/O virtual address, aligned to @mask + 1
 * @xlat: translated address, aligned to @mask + 1
 * @mask: mask + 1 is a power of two (or mask is ~0)
 * @perm: &enum memdisp_perm; NONE only removes
 *
 * Return: 0, -EINVAL for bad alignment, -ENOSPC above max_iotlb_entries,
 * -ENOMEM.
 */
int md_iotlb_update(struct md_iommu *iommu, u64 iova, u64 xlat, u64 mask,
		    u32 perm)
{
	struct md_iotlb_entry *e = NULL;
	int ret = 0;

	if ((mask & (mask + 1)) || (iova & mask) || (xlat & mask) ||
	    perm > MEMDISP_PERM_RW)
		return -EINVAL;
	if (perm != MEMDISP_PERM_NONE) {
		e = kmalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
		e->first = iova;
		e->last = iova | mask;
		e->xlat = xlat;
		e->mask = mask;
		e->perm = perm;
	}
	mutex_lock(&iommu->lock);
	md_iotlb_remove(iommu, iova, iova | mask);
	if (e) {
		if (iommu->nr_entries >= md_max_iotlb_entries) {
			ret = -ENOSPC;
		} else {
			ret = mtree_store_range(&iommu->tlb, e->first, e->last,
						e, GFP_KERNEL_ACCOUNT);
			if (!ret) {
				md_tlbc_fill(iommu, e);
				iommu->nr_entries++;
				atomic64_inc(&md_stats.live_iotlb);
				e = NULL;
			}
		}
	}
	mutex_unlock(&iommu->lock);
	kfree(e);
	md_miss_rearm(iommu, iova, iova | mask);
	return ret;
}

/**
 * md_iotlb_inval() - drop entries overlapping [@first, @last]
 * @iommu: the IOMMU
 * @first: first address
 * @last: last address, >= @first
 */
void md_iotlb_inval(struct md_iommu *iommu, u64 first, u64 last)
{
	mutex_lock(&iommu->lock);
	md_iotlb_remove(iommu, first, last);
	mutex_unlock(&iommu->lock);
	md_miss_rearm(iommu, first, last);
}

/**
 * md_iotlb_flush() - drop every entry
 * @iommu: the IOMMU
 */
void md_iotlb_flush(struct md_iommu *iommu)
{
	md_iotlb_inval(iommu, 0, U64_MAX);
}

/**
 * md_iotlb_lookup() - the entry covering @iova
 * @iommu: the IOMMU
 * @iova: address
 *
 * Caller holds rcu_read_lock(); the entry stays valid until it drops it.
 *
 * Return: the entry or NULL.
 */
const struct md_iotlb_entry *md_iotlb_lookup(struct md_iommu *iommu, u64 iova)
{
	const struct md_iotlb_entry *e = md_tlbc_lookup(iommu, iova);

	return e ? e : mtree_load(&iommu->tlb, iova);
}

DEFINE_PER_CPU(struct md_pcpu_stats, md_pcpu_stats);
/* memdisp_translate() is inline in other modules (memdisp_fast.h). */
EXPORT_PER_CPU_SYMBOL_GPL(md_pcpu_stats);

/**
 * md_miss_note() - record an IOTLB miss; raise its event once per page
 * @iommu: the IOMMU (RCU-protected)
 * @iova: the missing address
 * @perm: permission needed
 *
 * Never sleeps or allocates: the event is sent by a work item.  The page
 * takes a free slot unless one already holds it; every slot is looked at
 * (a page's slot is not always the first free one after its hash, since
 * slots are freed in any order), so no event is lost until all
 * miss_slots slots hold pages.  Past that the miss is counted in
 * miss_dropped and raises no event: the emulator sees it in the
 * translation's status, and the next fill, invalidation or flush of any
 * tracked page makes room.
 */
void md_miss_note(struct md_iommu *iommu, u64 iova, u32 perm)
{
	u64 page = iova >> MEMDISP_MISS_PAGE_SHIFT;
	s64 key = (s64)((page << 4) | ((u64)perm << 2) | MD_MISS_QUEUED);
	u32 mask = iommu->miss_mask;
	u32 h = hash_64(page, ilog2(mask + 1));
	int tries;

	for (tries = 0; tries < 4; tries++) {
		atomic64_t *free = NULL;
		u32 i;

		for (i = 0; i <= mask; i++) {
			atomic64_t *slot = &iommu->miss[(h + i) & mask];
			s64 v = atomic64_read(slot);

			if (!v) {
				if (!free)
					free = slot;
			} else if (((u64)v >> 4) == page) {
				return;		/* already reported */
			}
		}
		if (!free)
			break;
		if (!atomic64_cmpxchg(free, 0, key)) {
			queue_work(md_wq, &md_miss_work);
			return;
		}
		/* another CPU took that slot: look again */
	}
	atomic64_inc(&md_stats.miss_dropped);
}

/**
 * md_miss_work_fn() - send queued IOTLB-miss events
 * @work: md_miss_work
 */
void md_miss_work_fn(struct work_struct *work)
{
	struct md_iommu *iommu;
	u32 i;

	mutex_lock(&md_lock);
	list_for_each_entry(iommu, &md_iommu_list, node) {
		for (i = 0; i <= iommu->miss_mask; i++) {
			s64 v = atomic64_read(&iommu->miss[i]);
			s64 sent;

			if (!v || ((u64)v & 3) != MD_MISS_QUEUED)
				continue;
			sent = (s64)(((u64)v & ~3ULL) | MD_MISS_SENT);
			if (atomic64_cmpxchg(&iommu->miss[i], v, sent) != v)
				continue;
			md_event_miss(iommu, ((u64)v >> 4) << MEMDISP_MISS_PAGE_SHIFT,
				      ((u64)v >> 2) & 3);
		}
	}
	mutex_unlock(&md_lock);
}
