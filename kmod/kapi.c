// SPDX-License-Identifier: GPL-2.0
/*
 * kapi.c - the exported API for kernel users that build their own address
 * spaces and IOMMUs (benchmarks, in-kernel emulators).  Objects made here
 * belong to the kernel (owner portid 0): no socket release destroys them,
 * netlink users change them only with CAP_NET_ADMIN, and module exit frees
 * whatever is left.
 */
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/export.h>

#include "md.h"

/**
 * memdisp_as_create() - create an address space owned by the kernel
 * @net: its network namespace
 * @name: its name (truncated to %MEMDISP_NAME_MAX - 1 bytes)
 *
 * Return: the address space with a reference for the caller (drop it with
 * memdisp_as_put() after memdisp_as_destroy()), or an ERR_PTR.
 */
struct memdisp_as *memdisp_as_create(struct net *net, const char *name)
{
	return md_as_create(net, 0, name, 0, NULL);
}
EXPORT_SYMBOL_GPL(memdisp_as_create);

/**
 * memdisp_as_destroy() - destroy an address space made by memdisp_as_create()
 * @as: the address space; the caller's reference stays valid
 */
void memdisp_as_destroy(struct memdisp_as *as)
{
	mutex_lock(&md_lock);
	if (!as->dead)
		md_as_destroy_locked(as);
	mutex_unlock(&md_lock);
}
EXPORT_SYMBOL_GPL(memdisp_as_destroy);

/**
 * memdisp_map_publish() - publish a whole map atomically
 * @as: a referenced address space
 * @base_gen: the generation the map was computed against
 * @secs: @nr sections, sorted by start, not overlapping
 * @nr: number of sections, at most max_sections
 *
 * Return: the new generation (> 0), -ESTALE if @base_gen is not current,
 * -EINVAL for a malformed map, -E2BIG, -ENOENT if @as was destroyed, or
 * -ENOMEM.
 */
s64 memdisp_map_publish(struct memdisp_as *as, u64 base_gen,
			const struct memdisp_section_desc *secs, u32 nr)
{
	struct md_map *map;
	s64 ret;
	u32 i;

	if (nr > md_max_sections)
		return -E2BIG;
	map = md_map_alloc(nr);
	if (!map)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		const struct memdisp_section_desc *d = &secs[i];
		struct md_section *s = &map->secs[i];

		if (d->last < d->start || (i && d->start <= secs[i - 1].last) ||
		    d->type >= __MEMDISP_SEC_TYPE_MAX ||
		    (d->flags & ~MEMDISP_SEC_F_ALL) ||
		    ((d->type == MEMDISP_SEC_IOMMU) != (d->iommu_id != 0))) {
			md_map_free(map);
			return -EINVAL;
		}
		map->start[i] = d->start;
		map->last[i] = d->last;
		memset(s, 0, sizeof(*s));
		s->type = d->type;
		s->flags = d->flags;
		s->region_id = d->region_id;
		s->offset = d->offset;
		s->hva = d->type == MEMDISP_SEC_MMIO ? 0 : d->hva;
		s->iommu_id = d->iommu_id;
	}
	map->nr = nr;
	ret = md_map_finish(map);
	if (ret) {
		md_map_free(map);
		return ret;
	}
	mutex_lock(&as->lock);
	if (as->dead) {
		ret = -ENOENT;
	} else if (as->gen != base_gen) {
		ret = -ESTALE;
	} else {
		map->gen = base_gen + 1;
		md_as_publish(as, map);
		ret = map->gen;
		map = NULL;
	}
	mutex_unlock(&as->lock);
	md_map_free(map);
	if (ret > 0)
		md_event_map_changed(as, ret, false);
	return ret;
}
EXPORT_SYMBOL_GPL(memdisp_map_publish);

/**
 * memdisp_iommu_create() - create a kernel-owned IOMMU
 * @target: address space translated addresses are looked up in
 * @id: its id, for %MEMDISP_SEC_IOMMU sections
 *
 * Return: 0 or a negative errno.
 */
int memdisp_iommu_create(struct memdisp_as *target, u32 *id)
{
	struct md_iommu *iommu = md_iommu_alloc(target, target->net, 0);
	int ret;

	if (!iommu)
		return -ENOMEM;
	mutex_lock(&md_lock);
	ret = idr_alloc_cyclic(&md_iommu_idr, NULL, 1, INT_MAX, GFP_KERNEL_ACCOUNT);
	if (ret >= 0) {
		iommu->id = ret;
		iommu->in_idr = true;
		list_add_tail(&iommu->node, &md_iommu_list);
		idr_replace(&md_iommu_idr, iommu, ret);
		*id = ret;
		ret = 0;
	}
	mutex_unlock(&md_lock);
	if (ret)
		md_iommu_free_now(iommu);
	return ret;
}
EXPORT_SYMBOL_GPL(memdisp_iommu_create);

/**
 * memdisp_iommu_destroy() - destroy an IOMMU
 * @net: its namespace
 * @id: its id
 *
 * Return: 0 or -ENOENT.
 */
int memdisp_iommu_destroy(struct net *net, u32 id)
{
	struct md_iommu *iommu = md_iommu_find(net, id);

	if (!iommu)
		return -ENOENT;
	mutex_lock(&md_lock);
	if (iommu->in_idr)
		md_iommu_release(iommu);
	mutex_unlock(&md_lock);
	md_iommu_put(iommu);
	return 0;
}
EXPORT_SYMBOL_GPL(memdisp_iommu_destroy);

/**
 * memdisp_iotlb_update() - install an IOTLB entry (see %MEMDISP_CMD_IOTLB_UPDATE)
 * @net: the IOMMU's namespace
 * @id: the IOMMU
 * @iova: I/O virtual address, aligned to @mask + 1
 * @xlat: translated address, aligned to @mask + 1
 * @mask: address mask
 * @perm: &enum memdisp_perm
 *
 * Return: 0 or a negative errno.
 */
int memdisp_iotlb_update(struct net *net, u32 id, u64 iova, u64 xlat,
			 u64 mask, u32 perm)
{
	struct md_iommu *iommu = md_iommu_find(net, id);
	int ret;

	if (!iommu)
		return -ENOENT;
	ret = md_iotlb_update(iommu, iova, xlat, mask, perm);
	md_iommu_put(iommu);
	return ret;
}
EXPORT_SYMBOL_GPL(memdisp_iotlb_update);

/*
 * struct memdisp_iommu is the exported name of struct md_iommu: other
 * modules only ever hold the pointer.
 */
static inline struct md_iommu *md_iommu_of(struct memdisp_iommu *iommu)
{
	return (struct md_iommu *)iommu;
}

/**
 * memdisp_iommu_get() - find an IOMMU by id and pin it
 * @net: its namespace
 * @id: its id
 *
 * The reference keeps the IOMMU's memory, not its entries: after
 * memdisp_iommu_destroy() its IOTLB may still answer until the last
 * reference goes.
 *
 * Return: the IOMMU, or NULL if @net has none with @id.
 */
struct memdisp_iommu *memdisp_iommu_get(struct net *net, u32 id)
{
	return (struct memdisp_iommu *)md_iommu_find(net, id);
}
EXPORT_SYMBOL_GPL(memdisp_iommu_get);

/**
 * memdisp_iommu_put() - drop a reference from memdisp_iommu_get()
 * @iommu: the IOMMU, or NULL
 *
 * May be called from any context.
 */
void memdisp_iommu_put(struct memdisp_iommu *iommu)
{
	md_iommu_put(md_iommu_of(iommu));
}
EXPORT_SYMBOL_GPL(memdisp_iommu_put);

/**
 * memdisp_iotlb_lookup() - look an IOVA up in an IOMMU's IOTLB alone
 * @iommu: a referenced IOMMU
 * @iova: the I/O virtual address
 * @xlat: set to the address @iova translates to
 * @perm: set to the entry's &enum memdisp_perm
 *
 * Unlike memdisp_translate() through an IOMMU section, a miss here raises
 * no miss event and nothing is looked up in the target address space.
 * Lock-free, any context, no allocation.
 *
 * Return: 0 on a hit, -ENOENT on a miss.
 */
int memdisp_iotlb_lookup(struct memdisp_iommu *iommu, u64 iova, u64 *xlat,
			 u32 *perm)
{
	struct md_iommu *mi = md_iommu_of(iommu);
	const struct md_iotlb_entry *e;
	int ret = -ENOENT;

	rcu_read_lock_sched_notrace();
	e = md_tlbc_lookup(mi, iova);
	if (unlikely(!e))
		e = mtree_load(&mi->tlb, iova);
	if (e) {
		*xlat = e->xlat | (iova & e->mask);
		*perm = e->perm;
		ret = 0;
	}
	rcu_read_unlock_sched_notrace();
	return ret;
}
EXPORT_SYMBOL_GPL(memdisp_iotlb_lookup);
