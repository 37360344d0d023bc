/* SPDX-License-Identifier: GPL-2.0 */
/*
 * md.h - memdisp.ko internals shared between its files.
 */
#ifndef _MEMDISP_MD_H
#define _MEMDISP_MD_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/maple_tree.h>
#include <linux/workqueue.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <net/genetlink.h>
#include <linux/memdisp.h>

#include "memdisp_api.h"
#include "../lib/mdindex.h"

#if BITS_PER_LONG != 64
#error "memdisp needs 64-bit unsigned long (IOTLB keys are u64)"
#endif

/* Module parameters (main.c). */
extern unsigned int md_max_as_per_owner;
extern unsigned int md_max_iommus_per_owner;
extern unsigned int md_max_sections;
extern unsigned int md_max_iotlb_entries;

struct md_txn {
	u32 id;
	u32 total;
	u64 base_gen;
	struct md_map *map;
};


/*
 * Miss-event slots per IOMMU: the miss_slots module parameter rounded up to
 * a power of two in [8, 65536] (read-only, so every IOMMU has the same).
 */
u32 md_miss_slots(void);
#define MD_MISS_SLOTS	md_miss_slots()
#define MD_MISS_QUEUED	1ULL
#define MD_MISS_SENT	2ULL

struct md_iotlb_entry {
	struct rcu_head rcu;
	u64 first;
	u64 last;
	u64 xlat;
	u64 mask;
	u32 perm;
};

/*
 * IOTLB front cache: a direct-mapped array of entries indexed by the low
 * bits of the IOVA's page number (like a hardware IOTLB), checked before
 * the maple tree.  Only writers (under md_iommu.lock) store into it, and
 * an entry leaves every slot before it leaves the tree and is freed after
 * a grace period, so a slot never points to an entry a reader could not
 * also have found in the tree.
 */
#define MD_TLBC_SHIFT	12
#define MD_TLBC_SLOTS	4096

struct md_iommu {
	struct rcu_work rwork;
	struct md_iotlb_entry __rcu **tlbc;	/* MD_TLBC_SLOTS slots */
	refcount_t ref;		/* the idr's plus lookups' */
	u32 id;
	u32 portid;
	struct net *net;		/* counted reference */
	struct memdisp_as *target;	/* counted reference */
	struct mutex lock;		/* IOTLB writers */
	struct maple_tree tlb;
	u32 nr_entries;
	bool in_idr;
	struct list_head node;		/* md_iommu_list, under md_lock */
	/*
	 * Miss-event slots, miss_mask + 1 of them: (page << 4) | (perm << 2) |
	 * state, 0 = free.  A page holds its slot from its first miss until
	 * an IOTLB update, invalidation or flush covers it.
	 */
	u32 miss_mask;
	atomic64_t *miss;
};

static inline u32 md_tlbc_slot(u64 iova)
{
	return (iova >> MD_TLBC_SHIFT) & (MD_TLBC_SLOTS - 1);
}

/**
 * md_tlbc_lookup() - the IOTLB entry covering @iova if the front cache has it
 * @iommu: the IOMMU
 * @iova: address
 *
 * Caller is an RCU reader (rcu_read_lock() or preemption disabled).  NULL
 * does not mean a miss: look in the
 * tree (md_iotlb_lookup() does both).
 *
 * Return: the entry or NULL.
 */
static inline const struct md_iotlb_entry *
md_tlbc_lookup(struct md_iommu *iommu, u64 iova)
{
	const struct md_iotlb_entry *e;

	e = rcu_dereference_check(iommu->tlbc[md_tlbc_slot(iova)],
				  rcu_read_lock_any_held());
	if (e && iova >= e->first && iova <= e->last)
		return e;
	return NULL;
}

/* Global state (main.c). */
extern struct mutex md_lock;
extern struct idr md_as_idr;
extern struct idr md_iommu_idr;
extern struct list_head md_as_list;
extern struct list_head md_iommu_list;
extern struct workqueue_struct *md_wq;
extern struct genl_family md_family;
/*
 * Bumped (under md_lock, store-release) each time an IOMMU leaves the idr,
 * after it left it; see struct md_kiommu.
 */
extern u64 md_iommu_epoch;


struct md_stats {
	atomic64_t miss_events;
	atomic64_t miss_dropped;
	atomic64_t live_as;
	atomic64_t live_maps;
	atomic64_t live_iommus;
	atomic64_t live_iotlb;
	atomic64_t live_txns;
	atomic64_t publishes;
};
extern struct md_stats md_stats;

/* map.c */
struct md_map *md_map_alloc(u32 cap);
void md_map_free(struct md_map *map);
int md_map_finish(struct md_map *map);
void md_map_free_rcu(struct md_map *map);
void md_map_bounds(const struct md_map *map, u32 i, u64 *start, u64 *last);

/* as.c */
struct memdisp_as *md_as_create(struct net *net, u32 portid, const char *name,
				u32 flags, struct netlink_ext_ack *extack);
struct memdisp_as *md_as_find(struct net *net, u32 id);
void md_as_destroy_locked(struct memdisp_as *as);
void md_as_publish(struct memdisp_as *as, struct md_map *map);
void md_txn_free(struct memdisp_as *as);
void md_owner_release(struct net *net, u32 portid);
void md_destroy_all(void);

/* iommu.c */
struct md_iommu *md_iommu_alloc(struct memdisp_as *target, struct net *net,
				u32 portid);
void md_iommu_release(struct md_iommu *iommu);
struct md_iommu *md_iommu_find(struct net *net, u32 id);
void md_iommu_put(struct md_iommu *iommu);
void md_iommu_free_now(struct md_iommu *iommu);
int md_iotlb_update(struct md_iommu *iommu, u64 iova, u64 xlat, u64 mask,
		    u32 perm);
void md_iotlb_inval(struct md_iommu *iommu, u64 first, u64 last);
void md_iotlb_flush(struct md_iommu *iommu);
const struct md_iotlb_entry *md_iotlb_lookup(struct md_iommu *iommu, u64 iova);
void md_miss_note(struct md_iommu *iommu, u64 iova, u32 perm);
void md_miss_work_fn(struct work_struct *work);
extern struct work_struct md_miss_work;

/* xlat.c */
void md_translate_map(struct memdisp_as *as, u64 addr, u64 len, bool is_write,
		      struct memdisp_xlat *res, struct memdisp_as **final_as);

/* netlink.c */
int md_genl_init(void);
void md_genl_exit(void);
void md_event_map_changed(struct memdisp_as *as, u64 gen, bool dead);
void md_event_miss(struct md_iommu *iommu, u64 iova, u32 perm);

/* selftest.c */
int md_selftest(void);

#endif /* _MEMDISP_MD_H */
