// SPDX-License-Identifier: GPL-2.0
/*
 * as.c - address spaces: creation, lookup, references, publication and
 * destruction (explicit, on owner socket release, at module exit).
 */
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/string.h>
#include <linux/module.h>
#include <net/net_namespace.h>

#include "md.h"

static void md_as_free_rcu(struct rcu_head *head)
{
	struct memdisp_as *as = container_of(head, struct memdisp_as, rcu);

	/* The map was unpublished when the address space died. */
	put_net(as->net);
	kfree(as);
	atomic64_dec(&md_stats.live_as);
}

/**
 * memdisp_as_put() - drop a reference taken by memdisp_as_get()
 * @as: the address space, or NULL
 *
 * May be called from any context.
 */
void memdisp_as_put(struct memdisp_as *as)
{
	if (as && refcount_dec_and_test(&as->ref))
		call_rcu(&as->rcu, md_as_free_rcu);
}
EXPORT_SYMBOL_GPL(memdisp_as_put);

/**
 * md_as_find() - look up a live address space and take a reference
 * @net: the caller's network namespace
 * @id: address-space id
 *
 * Return: the address space or NULL if there is none with @id in @net.
 */
struct memdisp_as *md_as_find(struct net *net, u32 id)
{
	struct memdisp_as *as;

	rcu_read_lock();
	as = idr_find(&md_as_idr, id);
	if (as && (!net_eq(as->net, net) || !refcount_inc_not_zero(&as->ref)))
		as = NULL;
	rcu_read_unlock();
	return as;
}

/**
 * memdisp_as_get() - find an address space by id and pin it
 * @net: network namespace the address space was created in
 * @id: its id
 *
 * The reference keeps the object (not its map: it may be emptied when its
 * owner destroys it) until memdisp_as_put().  May be called from any context.
 *
 * Return: the address space or NULL.
 */
struct memdisp_as *memdisp_as_get(struct net *net, u32 id)
{
	return md_as_find(net, id);
}
EXPORT_SYMBOL_GPL(memdisp_as_get);

/**
 * memdisp_as_generation() - generation of the map currently published
 * @as: a referenced address space
 *
 * Return: the generation (0 before the first publication).
 */
u64 memdisp_as_generation(const struct memdisp_as *as)
{
	return READ_ONCE(as->gen);
}
EXPORT_SYMBOL_GPL(memdisp_as_generation);

/**
 * md_as_create() - create an address space owned by (@net, @portid)
 * @net: owner's namespace
 * @portid: owner's socket
 * @name: its name (already length-checked)
 * @flags: &enum memdisp_as_flags
 * @extack: for error messages
 *
 * Return: the address space with one reference for the caller (the idr's
 * own reference is dropped by md_as_destroy_locked()), or an ERR_PTR.
 */
struct memdisp_as *md_as_create(struct net *net, u32 portid, const char *name,
				u32 flags, struct netlink_ext_ack *extack)
{
	struct memdisp_as *as, *it;
	unsigned int count = 0;
	int id;

	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return ERR_PTR(-ENOMEM);
	refcount_set(&as->ref, 2);
	as->flags = flags;
	as->portid = portid;
	as->net = get_net(net);
	mutex_init(&as->lock);
	strscpy(as->name, name, sizeof(as->name));
	atomic64_inc(&md_stats.live_as);

	mutex_lock(&md_lock);
	list_for_each_entry(it, &md_as_list, node)
		if (it->portid == portid && net_eq(it->net, net))
			count++;
	if (count >= md_max_as_per_owner) {
		mutex_unlock(&md_lock);
		NL_SET_ERR_MSG(extack, "too many address spaces for this socket (max_as_per_owner)");
		id = -ENOSPC;
		goto err;
	}
	id = idr_alloc_cyclic(&md_as_idr, NULL, 1, INT_MAX, GFP_KERNEL_ACCOUNT);
	if (id < 0) {
		mutex_unlock(&md_lock);
		goto err;
	}
	as->id = id;
	list_add_tail(&as->node, &md_as_list);
	idr_replace(&md_as_idr, as, id);
	mutex_unlock(&md_lock);
	return as;
err:
	put_net(as->net);
	kfree(as);
	atomic64_dec(&md_stats.live_as);
	return ERR_PTR(id);
}

/**
 * md_txn_free() - drop the open transaction of @as, if any
 * @as: address space, lock held
 */
void md_txn_free(struct memdisp_as *as)
{
	lockdep_assert_held(&as->lock);
	if (!as->txn)
		return;
	md_map_free(as->txn->map);
	kfree(as->txn);
	as->txn = NULL;
	atomic64_dec(&md_stats.live_txns);
}

/**
 * md_as_publish() - make @map the current map of @as
 * @as: address space, lock held, not dead
 * @map: a finished map whose gen is already set
 *
 * Readers see the old map or the new one, never a mix; the old one is freed
 * after a grace period.
 */
void md_as_publish(struct memdisp_as *as, struct md_map *map)
{
	struct md_map *old;

	lockdep_assert_held(&as->lock);
	old = rcu_dereference_protected(as->map, lockdep_is_held(&as->lock));
	rcu_assign_pointer(as->map, map);
	WRITE_ONCE(as->gen, map->gen);
	md_map_free_rcu(old);
	atomic64_inc(&md_stats.publishes);
}

/**
 * md_as_destroy_locked() - destroy an address space
 * @as: address space still in the idr; md_lock held
 *
 * Unpublishes its map, drops its transaction and the idr's reference.
 * In-kernel users that still hold references see an empty map.
 */
void md_as_destroy_locked(struct memdisp_as *as)
{
	struct md_map *old;
	u64 gen;

	lockdep_assert_held(&md_lock);
	idr_remove(&md_as_idr, as->id);
	list_del(&as->node);

	mutex_lock(&as->lock);
	as->dead = true;
	md_txn_free(as);
	old = rcu_dereference_protected(as->map, lockdep_is_held(&as->lock));
	RCU_INIT_POINTER(as->map, NULL);
	md_map_free_rcu(old);
	gen = as->gen;
	mutex_unlock(&as->lock);

	md_event_map_changed(as, gen, true);
	memdisp_as_put(as);
}

/**
 * md_owner_release() - destroy everything a closed socket owned
 * @net: its namespace
 * @portid: its port id
 */
void md_owner_release(struct net *net, u32 portid)
{
	struct memdisp_as *as, *tmp;
	struct md_iommu *iommu, *itmp;

	mutex_lock(&md_lock);
	list_for_each_entry_safe(iommu, itmp, &md_iommu_list, node)
		if (iommu->portid == portid && net_eq(iommu->net, net))
			md_iommu_release(iommu);
	list_for_each_entry_safe(as, tmp, &md_as_list, node)
		if (as->portid == portid && net_eq(as->net, net))
			md_as_destroy_locked(as);
	mutex_unlock(&md_lock);
}

/**
 * md_destroy_all() - destroy every IOMMU and address space (module exit)
 */
void md_destroy_all(void)
{
	struct memdisp_as *as, *tmp;
	struct md_iommu *iommu, *itmp;

	mutex_lock(&md_lock);
	list_for_each_entry_safe(iommu, itmp, &md_iommu_list, node)
		md_iommu_release(iommu);
	list_for_each_entry_safe(as, tmp, &md_as_list, node)
		md_as_destroy_locked(as);
	mutex_unlock(&md_lock);
}
