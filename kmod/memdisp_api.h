/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memdisp_api.h - in-kernel API of memdisp.ko for other modules.
 *
 * An address space is found by (network namespace, id) and pinned with a
 * reference; translations through it are lock-free (RCU inside), never
 * sleep and never allocate, so they may be called from any context.
 * memdisp_translate() is inline (memdisp_fast.h): a module that includes
 * this header gets the common case compiled in.
 */
#ifndef _MEMDISP_API_H
#define _MEMDISP_API_H

#include <linux/types.h>
#include <linux/memdisp.h>

struct net;
struct memdisp_as;
struct memdisp_iommu;

/**
 * struct memdisp_xlat - result of memdisp_translate()
 * @status: &enum memdisp_xlat_status
 * @type: &enum memdisp_section_type of the final section (status OK)
 * @sec_flags: &enum memdisp_section_flags of the final section
 * @perm: &enum memdisp_perm allowed; for an IOTLB miss, the one needed
 * @depth: IOMMU hops taken
 * @as_id: id of the address space the walk ended in
 * @iommu_id: the IOMMU that missed (status IOTLB_MISS)
 * @region_id: the final section's region id
 * @offset: offset of the address within that region
 * @len: access length clipped to the section (or gap) and IOTLB entries
 * @hva: host address in the owner's process, or 0 if none
 * @addr: the address in the final address space
 * @iova: the IOVA that missed (status IOTLB_MISS)
 */
struct memdisp_xlat {
	u32 status;
	u32 type;
	u32 sec_flags;
	u32 perm;
	u32 depth;
	u32 as_id;
	u32 iommu_id;
	u64 region_id;
	u64 offset;
	u64 len;
	u64 hva;
	u64 addr;
	u64 iova;
};

/**
 * struct memdisp_section_desc - a section for memdisp_map_publish()
 * @start: first address
 * @last: last address (inclusive)
 * @region_id: region id returned by translations
 * @offset: offset of @start in the region (IOVA for IOMMU sections)
 * @hva: host address of @start (RAM, ROM, ROMD), or 0
 * @type: &enum memdisp_section_type
 * @flags: &enum memdisp_section_flags
 * @iommu_id: the IOMMU (IOMMU sections only)
 */
struct memdisp_section_desc {
	u64 start;
	u64 last;
	u64 region_id;
	u64 offset;
	u64 hva;
	u32 type;
	u32 flags;
	u32 iommu_id;
};

struct memdisp_as *memdisp_as_get(struct net *net, u32 id);
void memdisp_as_put(struct memdisp_as *as);
u64 memdisp_as_generation(const struct memdisp_as *as);


/* Kernel-owned objects (see kmod/kapi.c). */
struct memdisp_as *memdisp_as_create(struct net *net, const char *name);
void memdisp_as_destroy(struct memdisp_as *as);
s64 memdisp_map_publish(struct memdisp_as *as, u64 base_gen,
			const struct memdisp_section_desc *secs, u32 nr);
int memdisp_iommu_create(struct memdisp_as *target, u32 *id);
int memdisp_iommu_destroy(struct net *net, u32 id);
int memdisp_iotlb_update(struct net *net, u32 id, u64 iova, u64 xlat,
			 u64 mask, u32 perm);

/* Direct IOTLB access (any IOMMU of the namespace; see kmod/kapi.c). */
struct memdisp_iommu *memdisp_iommu_get(struct net *net, u32 id);
void memdisp_iommu_put(struct memdisp_iommu *iommu);
int memdisp_iotlb_lookup(struct memdisp_iommu *iommu, u64 iova, u64 *xlat,
			 u32 *perm);

/* memdisp_translate(), inline. */
#include "memdisp_fast.h"

#endif /* _MEMDISP_API_H */
