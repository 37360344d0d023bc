/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/access.h - accesses through regions and address spaces
 *
 * QEMU 7.2's memory_region_dispatch_*, address_space_rw/read/write,
 * ld/st helpers, address_space_translate (IOMMU walk) and the IOMMU
 * notifier API.  Included by memdisp/memory.h.
 *
 * Every address_space_* call takes the library's RCU read lock itself
 * (urcu memb flavour); a calling thread is registered with liburcu on
 * its first access and unregistered when it exits.  Each accessing thread
 * also gets a translation cache of resolved ranges, 64 KiB at first,
 * grown when the thread's working set does not fit (to twice the ranges
 * of the map in use, at most 8 MiB; freed at thread exit); an entry
 * never outlives the map it was filled from.
 */
#ifndef MEMDISP_ACCESS_H
#define MEMDISP_ACCESS_H

#include <memdisp/memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * memdisp_set_target_big_endian() - byte order of DEVICE_NATIVE_ENDIAN and
 * of the native-endian ld/st helpers (default: little endian)
 * @big: true for a big-endian target
 */
void memdisp_set_target_big_endian(bool big);
/** memdisp_target_big_endian() - the current target byte order */
bool memdisp_target_big_endian(void);

/**
 * memory_region_access_valid() - would @mr's ops accept this access?
 * @mr: the region
 * @addr: offset in @mr
 * @size: bytes (1, 2, 4 or 8)
 * @is_write: direction
 * @attrs: transaction attributes
 */
bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr, unsigned size,
				bool is_write, MemTxAttrs attrs);
/**
 * memory_region_dispatch_read() - read @mr's registers through its ops
 * @mr: the region
 * @addr: offset in @mr
 * @pval: receives the value, in the order given by @op
 * @op: size and MO_BSWAP (relative to the host order)
 * @attrs: transaction attributes
 *
 * Return: MEMTX_OK, or MEMTX_DECODE_ERROR / MEMTX_ERROR /
 * MEMTX_ACCESS_ERROR (re-entrancy refused).
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
					uint64_t *pval, MemOp op,
					MemTxAttrs attrs);
/** memory_region_dispatch_write() - the write side (ioeventfds matched) */
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
					 uint64_t data, MemOp op,
					 MemTxAttrs attrs);
/** memdisp_devend_memop() - MO_BSWAP when @end differs from the host */
MemOp memdisp_devend_memop(enum device_endian end);

/**
 * memdisp_iommu_set_tlb() - let the library cache @iommu's translations
 * @iommu: an IOMMU region
 * @on: true to cache, false to stop (and drop what is cached)
 *
 * QEMU calls the translate callback on every access.  With the cache on,
 * each thread keeps a small IOTLB and reuses a translate() result for the
 * same page (iova & ~addr_mask), IOMMU index and direction until the
 * region's model calls memory_region_notify_iommu() for it (any event
 * drops every cached translation of the region, as an invalidation must
 * be notified for vhost/VFIO anyway), memdisp_iommu_set_tlb() is called
 * again, or the region is finalized.  Turn it on only for a model that
 * notifies every change of its translations.  Off by default.
 */
void memdisp_iommu_set_tlb(IOMMUMemoryRegion *iommu, bool on);

/**
 * address_space_translate() - the terminal region at @addr of @as
 * @as: address space
 * @addr: address in @as
 * @xlat: receives the offset in the returned region
 * @plen: in: wanted length; out: clipped to the section (and IOMMU page)
 * @is_write: direction (IOMMU permission check)
 * @attrs: transaction attributes (IOMMU index)
 *
 * IOMMU regions are walked like QEMU: translate callback, addr_mask,
 * permission, target address space, at most 16 levels deep.
 *
 * Return: the region, or NULL when nothing is there, the IOMMU denied
 * the access or the walk was too deep (then *@plen is the length of the
 * unassigned stretch).  Valid only inside an RCU read-side critical
 * section or while the caller holds a reference to the region.
 */
MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
				      hwaddr *xlat, hwaddr *plen,
				      bool is_write, MemTxAttrs attrs);

/**
 * address_space_rw() - copy @len bytes between @buf and @as at @addr
 * @as: address space
 * @addr: start
 * @attrs: transaction attributes
 * @buf: buffer
 * @len: bytes
 * @is_write: direction
 *
 * Split at section boundaries.  RAM is copied directly; writes to ROM
 * and readonly RAM are ignored; ROM devices are read directly in romd
 * mode; everything else goes through memory_region_dispatch_*.
 *
 * Return: OR of the results of every piece (MEMTX_DECODE_ERROR where
 * nothing is mapped: reads give 0 there).
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
			     void *buf, hwaddr len, bool is_write);
/** address_space_read() - address_space_rw() reading */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
			       MemTxAttrs attrs, void *buf, hwaddr len);
/** address_space_write() - address_space_rw() writing */
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
				MemTxAttrs attrs, const void *buf, hwaddr len);
/**
 * address_space_access_valid() - would every piece of the access succeed?
 * @as: address space
 * @addr: start
 * @len: bytes
 * @is_write: direction
 * @attrs: transaction attributes
 */
bool address_space_access_valid(AddressSpace *as, hwaddr addr, hwaddr len,
				 bool is_write, MemTxAttrs attrs);

#define MD_AS_LD(name, type) \
	type address_space_##name(AddressSpace *as, hwaddr addr, \
				  MemTxAttrs attrs, MemTxResult *result);
#define MD_AS_ST(name, type) \
	void address_space_##name(AddressSpace *as, hwaddr addr, type val, \
				  MemTxAttrs attrs, MemTxResult *result);
/* Loads/stores of 1..8 bytes; @result may be NULL. */
MD_AS_LD(ldub, uint32_t)
MD_AS_LD(lduw_le, uint32_t)
MD_AS_LD(lduw_be, uint32_t)
MD_AS_LD(lduw, uint32_t)
MD_AS_LD(ldl_le, uint32_t)
MD_AS_LD(ldl_be, uint32_t)
MD_AS_LD(ldl, uint32_t)
MD_AS_LD(ldq_le, uint64_t)
MD_AS_LD(ldq_be, uint64_t)
MD_AS_LD(ldq, uint64_t)
MD_AS_ST(stb, uint32_t)
MD_AS_ST(stw_le, uint32_t)
MD_AS_ST(stw_be, uint32_t)
MD_AS_ST(stw, uint32_t)
MD_AS_ST(stl_le, uint32_t)
MD_AS_ST(stl_be, uint32_t)
MD_AS_ST(stl, uint32_t)
MD_AS_ST(stq_le, uint64_t)
MD_AS_ST(stq_be, uint64_t)
MD_AS_ST(stq, uint64_t)
#undef MD_AS_LD
#undef MD_AS_ST

/**
 * address_space_map() - a host pointer to [@addr, @addr + *@plen)
 * @as: address space
 * @addr: start
 * @plen: in: wanted; out: granted (clipped to one section; 0 on failure)
 * @is_write: direction
 * @attrs: transaction attributes
 *
 * RAM gives a direct pointer.  Anything else gives a bounce buffer from
 * one library-wide pool of MEMDISP_BOUNCE_DEFAULT_LIMIT (4096) bytes,
 * filled by a read for a read map; NULL with *@plen 0 when the pool is
 * exhausted (register a map client) or nothing is mapped there.
 */
void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
			bool is_write, MemTxAttrs attrs);
/**
 * address_space_unmap() - release a mapping; a written bounce buffer is
 * written back (@access_len bytes) through address_space_write()
 */
void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len,
			 bool is_write, hwaddr access_len);
/**
 * memdisp_register_map_client() - cpu_register_map_client(): call
 * @retry(@opaque) once bounce space frees up (at once if some is free).
 * *@handle must be released with memdisp_unregister_map_client().
 */
void memdisp_register_map_client(void (*retry)(void *opaque), void *opaque,
				 void **handle);
/** memdisp_unregister_map_client() - cancel (if pending) and free */
void memdisp_unregister_map_client(void *handle);

/*
 * Dirty log of RAM regions: writes through address_space_* (and unmap of
 * a write map) to a section with a non-zero dirty_log_mask mark pages
 * (4 KiB) for the clients in that mask.  @client is DIRTY_MEMORY_*.
 */
/** memory_region_get_dirty() - any page of the range dirty for @client? */
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
			     unsigned client);
/** memory_region_set_dirty() - mark for the region's logging clients */
void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size);
/** memory_region_test_and_clear_dirty() - get, then clear the range */
bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
					hwaddr size, unsigned client);
/** memory_region_reset_dirty() - clear the range for @client */
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
			       unsigned client);

/**
 * memory_region_register_iommu_notifier() - watch @mr's IOMMU mappings
 * @mr: an IOMMU region (or alias to one)
 * @n: notifier set up with iommu_notifier_init()
 * @errp: error (not an IOMMU region, empty flags, refused by the class)
 *
 * Return: 0 or -errno.
 */
int memory_region_register_iommu_notifier(MemoryRegion *mr, IOMMUNotifier *n,
					  Error **errp);
/** memory_region_unregister_iommu_notifier() - undo the registration */
void memory_region_unregister_iommu_notifier(MemoryRegion *mr,
					     IOMMUNotifier *n);
/**
 * memory_region_notify_iommu() - tell @iommu_mr's notifiers of @event
 * @iommu_mr: the IOMMU region
 * @iommu_idx: only notifiers of this index are called
 * @event: MAP or UNMAP (or DEVIOTLB_UNMAP) of event.entry
 */
void memory_region_notify_iommu(IOMMUMemoryRegion *iommu_mr, int iommu_idx,
				IOMMUTLBEvent event);
/**
 * memory_region_notify_iommu_one() - tell one notifier of @event, clipped to
 * its range and filtered by its flags, as memory_region_notify_iommu() does
 */
void memory_region_notify_iommu_one(IOMMUNotifier *n, IOMMUTLBEvent *event);

/** iommu_notifier_init() - QEMU's helper */
static inline void iommu_notifier_init(IOMMUNotifier *n, IOMMUNotify fn,
				       IOMMUNotifierFlag flags, hwaddr start,
				       hwaddr end, int iommu_idx)
{
	n->notify = fn;
	n->notifier_flags = flags;
	n->start = start;
	n->end = end;
	n->iommu_idx = iommu_idx;
	n->next = NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_ACCESS_H */
