// SPDX-License-Identifier: GPL-2.0
/*
 * map.c - immutable flattened maps: sections plus the shared index.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/idr.h>

#include "md.h"

/**
 * md_map_alloc() - allocate a map under construction for @cap sections
 * @cap: capacity, at most md_max_sections
 *
 * Return: the map with nr = 0, or NULL when out of memory.
 */
struct md_map *md_map_alloc(u32 cap)
{
	struct md_map *map;
	u32 n = cap ? cap : 1;

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return NULL;
	map->cap = cap;
	map->secs = kvmalloc_array(n, sizeof(*map->secs), GFP_KERNEL_ACCOUNT);
	map->start = kvmalloc_array(n, sizeof(u64), GFP_KERNEL_ACCOUNT);
	map->last = kvmalloc_array(n, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!map->secs || !map->start || !map->last) {
		md_map_free(map);
		return NULL;
	}
	map->counted = true;
	atomic64_inc(&md_stats.live_maps);
	return map;
}

/**
 * md_map_free() - free a map nobody can be reading
 * @map: the map, or NULL
 */
void md_map_free(struct md_map *map)
{
	if (!map)
		return;
	if (map->counted)
		atomic64_dec(&md_stats.live_maps);
	kvfree(map->secs);
	kvfree(map->start);
	kvfree(map->last);
	kvfree(map->idxbuf);
	kvfree(map->kiommu);
	kfree(map);
}

static void md_map_rcu_cb(struct rcu_head *head)
{
	md_map_free(container_of(head, struct md_map, rcu));
}

/**
 * md_map_free_rcu() - free a map after an RCU grace period
 * @map: a map that was published, or NULL
 */
void md_map_free_rcu(struct md_map *map)
{
	if (map)
		call_rcu(&map->rcu, md_map_rcu_cb);
}

/*
 * Resolve the IOMMU sections' ids to pointers valid while md_iommu_epoch
 * stays at the value read first (an IOMMU leaves the idr before the epoch
 * moves, so one found after reading the epoch was still in the idr at that
 * epoch).
 */
static int md_map_resolve_iommus(struct md_map *map)
{
	u32 i, n = 0, k = 0;

	for (i = 0; i < map->nr; i++) {
		map->secs[i].kio = MD_KIO_NONE;
		n += map->secs[i].type == MEMDISP_SEC_IOMMU;
	}
	if (!n)
		return 0;
	n = min_t(u32, n, MD_KIO_NONE);
	map->kiommu = kvmalloc_array(n, sizeof(*map->kiommu),
				     GFP_KERNEL_ACCOUNT);
	if (!map->kiommu)
		return -ENOMEM;
	map->iommu_epoch = smp_load_acquire(&md_iommu_epoch);
	rcu_read_lock();
	for (i = 0; i < map->nr && k < n; i++) {
		struct md_section *s = &map->secs[i];

		if (s->type != MEMDISP_SEC_IOMMU)
			continue;
		map->kiommu[k].id = s->iommu_id;
		map->kiommu[k].ptr = idr_find(&md_iommu_idr, s->iommu_id);
		s->kio = k++;
	}
	rcu_read_unlock();
	return 0;
}

/**
 * md_map_finish() - build the index of a filled map, resolve its IOMMUs
 * @map: sections 0..nr-1 filled, sorted and non-overlapping
 *
 * Frees the bounds arrays (the index keeps its own copy).
 *
 * Return: 0, -ENOMEM, or -EINVAL if the index refuses the bounds.
 */
int md_map_finish(struct md_map *map)
{
	size_t bytes = mdx_bytes(map->nr);
	const struct mdx *x;
	int ret;

	BUILD_BUG_ON(sizeof(struct md_section) != 32);
	if (!bytes)
		return -EINVAL;
	map->idxbuf = kvmalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!map->idxbuf)
		return -ENOMEM;
	x = mdx_build(map->idxbuf, map->start, map->last, map->nr);
	if (!x)
		return -EINVAL;
	/* every lookup reads the header's copy (see struct md_map) */
	map->x = *x;
	ret = md_map_resolve_iommus(map);
	if (ret)
		return ret;
	kvfree(map->start);
	kvfree(map->last);
	map->start = NULL;
	map->last = NULL;
	map->bytes = sizeof(*map) + bytes +
		     (size_t)(map->cap ? map->cap : 1) * sizeof(*map->secs);
	return 0;
}

/**
 * md_map_bounds() - bounds of section @i of a finished map
 * @map: a finished map
 * @i: below map->nr
 * @start: first address
 * @last: last address
 */
void md_map_bounds(const struct md_map *map, u32 i, u64 *start, u64 *last)
{
	mdx_u64 s, l;

	mdx_range(&map->x, i, &s, &l);
	*start = s;
	*last = l;
}
