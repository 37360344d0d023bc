/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/memory.h - QEMU 7.2's memory API (include/exec/memory.h)
 *
 * Device code written against QEMU's "exec/memory.h" includes this file
 * instead.  Names, signatures and meanings are QEMU 7.2's; extensions carry
 * a memdisp_ prefix.
 *
 * Threading: every function that edits a region, an address space or a
 * listener, and every commit, must be called with the caller's "big lock"
 * held (QEMU's iothread lock): the library does not lock them.  Readers of
 * the published FlatViews (issue 3's dispatch) are lock-free under liburcu
 * (memb flavour).
 *
 * Misuse that QEMU turns into an assert() (adding a region that already has
 * a container, deleting a region that is not a subregion, alias cycles,
 * zero sizes where they are invalid, a mapping that overflows 2^64, ...)
 * prints one line "memdisp: <region>: <rule>" on stderr and calls abort().
 * Calls marked "Aborts on:" below list those rules.  Calls that take
 * "Error **errp" report operating-system failures (mmap, open, ...)
 * through it instead.
 */
#ifndef MEMDISP_MEMORY_H
#define MEMDISP_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memdisp/types.h>
#include <memdisp/ops.h>
#include <memdisp/int128.h>
#include <memdisp/error.h>
#include <memdisp/object.h>
#include <memdisp/notify.h>
#include <memdisp/eventfd.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * MEMDISP_RENDER_MAX_DEPTH - deepest nesting a FlatView render follows.
 *
 * Rendering walks containers and aliases recursively.  An alias may point
 * into a region that contains it (QEMU 7.2 allows it: each pass through
 * the alias moves and clips its window, so the walk ends); the walk then
 * nests once per pass.  A commit that would nest deeper than this aborts
 * with "memdisp: <region>: rendering nests deeper than N regions (alias
 * loop?)", and one in which an alias maps its window onto itself (the
 * walk would come back to the same region at the same address) aborts
 * with "memdisp: <alias>: alias of <target> maps its window onto itself
 * (endless cycle)".
 */
#define MEMDISP_RENDER_MAX_DEPTH 1024U

typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionSection MemoryRegionSection;
typedef struct MemoryListener MemoryListener;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;	/* opaque; see userlib/memdisp-internal.h */
typedef struct RAMBlock RAMBlock;	/* opaque */
typedef struct IOMMUMemoryRegion IOMMUMemoryRegion;
typedef struct IOMMUMemoryRegionClass IOMMUMemoryRegionClass;
typedef struct IOMMUNotifier IOMMUNotifier;
typedef struct CoalescedMemoryRange CoalescedMemoryRange;
typedef struct MemoryRegionIoeventfd MemoryRegionIoeventfd;

#define DIRTY_MEMORY_VGA	0
#define DIRTY_MEMORY_CODE	1
#define DIRTY_MEMORY_MIGRATION	2
#define DIRTY_MEMORY_NUM	3

/* Flags for memory_region_init_ram_from_file() / resizeable RAM. */
#define RAM_PREALLOC	(1 << 0)
#define RAM_SHARED	(1 << 1)
#define RAM_RESIZEABLE	(1 << 2)
#define RAM_UF_ZEROPAGE	(1 << 3)
#define RAM_MIGRATABLE	(1 << 4)
#define RAM_PMEM	(1 << 5)
#define RAM_UF_WRITEPROTECT (1 << 6)
#define RAM_NORESERVE	(1 << 7)
#define RAM_PROTECTED	(1 << 8)

/*
 * MemOp: only the size part is used by memdisp (issue 3 uses the rest).
 */
typedef enum MemOp {
	MO_8 = 0,
	MO_16 = 1,
	MO_32 = 2,
	MO_64 = 3,
	MO_SIZE = 3,
	MO_BSWAP = 8,
} MemOp;

/* IOMMU types (QEMU 7.2); translation itself is issue 3. */
typedef enum {
	IOMMU_NONE = 0,
	IOMMU_RO = 1,
	IOMMU_WO = 2,
	IOMMU_RW = 3,
} IOMMUAccessFlags;

#define IOMMU_ACCESS_FLAG(r, w) (((r) ? IOMMU_RO : 0) | ((w) ? IOMMU_WO : 0))

typedef struct IOMMUTLBEntry {
	AddressSpace *target_as;
	hwaddr iova;
	hwaddr translated_addr;
	hwaddr addr_mask;	/* 0xfff = 4k translation */
	IOMMUAccessFlags perm;
} IOMMUTLBEntry;

typedef enum {
	IOMMU_NOTIFIER_NONE = 0,
	IOMMU_NOTIFIER_UNMAP = 0x1,
	IOMMU_NOTIFIER_MAP = 0x2,
	IOMMU_NOTIFIER_DEVIOTLB_UNMAP = 0x4,
} IOMMUNotifierFlag;

#define IOMMU_NOTIFIER_IOTLB_EVENTS (IOMMU_NOTIFIER_MAP | IOMMU_NOTIFIER_UNMAP)
#define IOMMU_NOTIFIER_DEVIOTLB_EVENTS IOMMU_NOTIFIER_DEVIOTLB_UNMAP
#define IOMMU_NOTIFIER_ALL (IOMMU_NOTIFIER_IOTLB_EVENTS | \
			    IOMMU_NOTIFIER_DEVIOTLB_EVENTS)

typedef struct IOMMUTLBEvent {
	IOMMUNotifierFlag type;
	IOMMUTLBEntry entry;
} IOMMUTLBEvent;

typedef void (*IOMMUNotify)(IOMMUNotifier *notifier, IOMMUTLBEntry *data);

struct IOMMUNotifier {
	IOMMUNotify notify;
	IOMMUNotifierFlag notifier_flags;
	hwaddr start;
	hwaddr end;		/* inclusive */
	int iommu_idx;
	IOMMUNotifier *next;	/* list of the region's notifiers */
};

typedef enum IOMMUMemoryRegionAttr {
	IOMMU_ATTR_SPAPR_TCE_FD,
} IOMMUMemoryRegionAttr;

/**
 * struct IOMMUMemoryRegionClass - the "class" of an IOMMU region
 *
 * QEMU finds it through QOM from the type name given to
 * memory_region_init_iommu(); memdisp has no QOM, so register it first with
 * memdisp_iommu_class_register().  Unused callbacks may be NULL, translate
 * is required.
 */
struct IOMMUMemoryRegionClass {
	IOMMUTLBEntry (*translate)(IOMMUMemoryRegion *iommu, hwaddr addr,
				   IOMMUAccessFlags flag, int iommu_idx);
	uint64_t (*get_min_page_size)(IOMMUMemoryRegion *iommu);
	int (*notify_flag_changed)(IOMMUMemoryRegion *iommu,
				   IOMMUNotifierFlag old_flags,
				   IOMMUNotifierFlag new_flags, Error **errp);
	void (*replay)(IOMMUMemoryRegion *iommu, IOMMUNotifier *notifier);
	int (*get_attr)(IOMMUMemoryRegion *iommu, IOMMUMemoryRegionAttr attr,
			void *data);
	int (*attrs_to_index)(IOMMUMemoryRegion *iommu, MemTxAttrs attrs);
	int (*num_indexes)(IOMMUMemoryRegion *iommu);
	int (*iommu_set_page_size_mask)(IOMMUMemoryRegion *iommu,
					uint64_t page_size_mask, Error **errp);
};

/**
 * struct MemoryRegion - a node of a region tree
 *
 * Allocate it yourself (usually embedded in a device state) and set it up
 * with one of the memory_region_init*() calls.  The fields are public only
 * so it can be embedded; use the accessor functions.
 */
struct MemoryRegion {
	Object parent_obj;	/* must stay first */

	/* QEMU 7.2 fields (same meanings). */
	bool romd_mode;
	bool ram;
	bool subpage;
	bool readonly;
	bool nonvolatile;
	bool rom_device;
	bool flush_coalesced_mmio;
	bool unmergeable;
	uint8_t dirty_log_mask;
	bool is_iommu;
	/*
	 * What a render reads of every region sits together, from romd_mode
	 * on: two cache lines rather than four (the order is free in C).
	 */
	bool terminates;
	bool enabled;
	Int128 size;
	hwaddr addr;
	MemoryRegion *alias;
	RAMBlock *ram_block;
	Object *owner;
	hwaddr alias_offset;
	const MemoryRegionOps *ops;
	void *opaque;
	MemoryRegion *container;
	int mapped_via_alias;
	void (*destructor)(MemoryRegion *mr);
	uint64_t align;
	bool ram_device;
	bool warning_printed;
	uint8_t vga_logging_count;
	int32_t priority;
	const char *name;
	unsigned ioeventfd_nb;
	MemoryRegionIoeventfd *ioeventfds;
	CoalescedMemoryRange *coalesced;	/* singly linked list */

	/* memdisp internals: do not touch. */
	MemoryRegion *sub_first, *sub_last;	/* subregions, render order */
	MemoryRegion *sub_next, *sub_prev;	/* links in container's list */
	unsigned long nr_subregions;
	MemoryRegion **md_order;	/* subregions in render order, cached */
	unsigned long md_norder;	/* its length; 0: not built */
	struct md_trace *md_trace;	/* its subtree in render order */
	MemoryRegion *md_alias_first;	/* aliases whose target is this */
	MemoryRegion *md_alias_next;	/* next alias of the same target */
	unsigned long md_seq;		/* when it was last added */
	unsigned long md_dirty_gen;	/* commit generation it was edited */
	FlatView *md_fv;		/* view rendered from it (as a root) */
	unsigned long md_fv_gen;
	unsigned long md_walk;		/* visit stamp of graph walks */
	bool md_skip_dump;
	bool md_initialized;
	bool md_finalizing;
	unsigned int md_trace_idx;	/* its entry in the last trace built */
	struct memdisp_ioeventfd_table md_ioeventfds;	/* write matching */
};

/* Alias for code that names the IOMMU subclass. */
struct IOMMUMemoryRegion {
	MemoryRegion parent_obj;
	const IOMMUMemoryRegionClass *md_class;
	IOMMUNotifier *iommu_notify;	/* singly linked */
	IOMMUNotifierFlag iommu_notify_flags;
	/* translation cache (memdisp_iommu_set_tlb); 0: off */
	unsigned long md_tlb_gen;
};

#define MEMORY_REGION(obj) ((MemoryRegion *)(obj))
#define IOMMU_MEMORY_REGION(obj) ((IOMMUMemoryRegion *)(obj))
#define IOMMU_MEMORY_REGION_GET_CLASS(obj) \
	((const IOMMUMemoryRegionClass *)((IOMMUMemoryRegion *)(obj))->md_class)

/**
 * struct MemoryRegionSection - one range of a FlatView, as seen by listeners
 */
struct MemoryRegionSection {
	Int128 size;
	MemoryRegion *mr;
	FlatView *fv;
	hwaddr offset_within_region;
	hwaddr offset_within_address_space;
	bool readonly;
	bool nonvolatile;
};

/**
 * struct MemoryListener - callbacks for changes of an AddressSpace's map
 *
 * Every callback of QEMU 7.2's header.  On a commit that changed something
 * the order is: begin (all listeners, ascending priority), then per
 * address space region_del / log_stop (descending priority), then
 * region_add / region_nop / log_start (ascending), eventfd_del/add, then
 * commit (all listeners, ascending).  coalesced_io_add/del follow the
 * ranges of regions with coalescing.
 *
 * memdisp difference: a commit re-renders only the address spaces whose
 * root subtree (following aliases) holds an edited region; the others keep
 * their view and get no region_add/del/nop (QEMU re-renders every address
 * space on every commit and calls region_nop for all of their ranges).
 * begin/commit still go to every listener, as in QEMU.
 */
struct MemoryListener {
	void (*begin)(MemoryListener *listener);
	void (*commit)(MemoryListener *listener);
	void (*region_add)(MemoryListener *listener,
			   MemoryRegionSection *section);
	void (*region_del)(MemoryListener *listener,
			   MemoryRegionSection *section);
	void (*region_nop)(MemoryListener *listener,
			   MemoryRegionSection *section);
	void (*log_start)(MemoryListener *listener,
			  MemoryRegionSection *section, int old, int new_);
	void (*log_stop)(MemoryListener *listener,
			 MemoryRegionSection *section, int old, int new_);
	void (*log_sync)(MemoryListener *listener,
			 MemoryRegionSection *section);
	void (*log_sync_global)(MemoryListener *listener);
	void (*log_clear)(MemoryListener *listener,
			  MemoryRegionSection *section);
	void (*log_global_start)(MemoryListener *listener);
	void (*log_global_stop)(MemoryListener *listener);
	void (*log_global_after_sync)(MemoryListener *listener);
	void (*eventfd_add)(MemoryListener *listener,
			    MemoryRegionSection *section, bool match_data,
			    uint64_t data, EventNotifier *e);
	void (*eventfd_del)(MemoryListener *listener,
			    MemoryRegionSection *section, bool match_data,
			    uint64_t data, EventNotifier *e);
	void (*coalesced_io_add)(MemoryListener *listener,
				 MemoryRegionSection *section,
				 hwaddr addr, hwaddr len);
	void (*coalesced_io_del)(MemoryListener *listener,
				 MemoryRegionSection *section,
				 hwaddr addr, hwaddr len);
	unsigned priority;
	const char *name;

	/* private */
	AddressSpace *address_space;
	MemoryListener *md_next, *md_prev;	/* global list */
	MemoryListener *md_as_next, *md_as_prev; /* per-AS list */
};

/**
 * struct AddressSpace - a view of a region tree from one bus master
 */
struct AddressSpace {
	char *name;
	MemoryRegion *root;
	FlatView *current_map;	/* RCU-published; read with rcu_dereference */

	int ioeventfd_nb;
	int ioeventfd_notifiers;
	MemoryRegionIoeventfd *ioeventfds;

	/* private */
	MemoryListener *md_listeners_first, *md_listeners_last;
	AddressSpace *md_next, *md_prev;
	unsigned long md_seq;	/* creation order */
};

/* ---------------------------------------------------------------------- */
/* Initialisation.  Every init call aborts on a NULL region pointer; the
 * RAM-backed kinds that take Error **errp report a size of 0, a size of
 * 2^64 and mmap/open failures through it; memory_region_init_ram_ptr()
 * and _ram_device_ptr() abort on size 0 or a NULL pointer. */

/**
 * memory_region_init() - a pure container
 * @mr: the region
 * @owner: object that owns it (its references go to @owner), or NULL
 * @name: name for mtree_info (copied; NULL prints as "(null)")
 * @size: size in bytes; UINT64_MAX means 2^64
 */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
			uint64_t size);

/* memory_region_init_io() - an I/O region; @ops NULL means "unassigned". */
void memory_region_init_io(MemoryRegion *mr, Object *owner,
			   const MemoryRegionOps *ops, void *opaque,
			   const char *name, uint64_t size);

/**
 * memory_region_init_ram() - anonymous RAM (mmap MAP_NORESERVE: untouched
 * pages cost nothing).  Reports mmap failures through @errp.
 */
void memory_region_init_ram(MemoryRegion *mr, Object *owner,
			    const char *name, uint64_t size, Error **errp);
void memory_region_init_ram_nomigrate(MemoryRegion *mr, Object *owner,
				      const char *name, uint64_t size,
				      Error **errp);
void memory_region_init_ram_flags_nomigrate(MemoryRegion *mr, Object *owner,
					    const char *name, uint64_t size,
					    uint32_t ram_flags, Error **errp);

/**
 * memory_region_init_resizeable_ram() - RAM of @size usable bytes that
 * memory_region_ram_resize() can grow up to @max_size (reserved up front).
 * @resized is called after a resize (may be NULL).
 */
void memory_region_init_resizeable_ram(MemoryRegion *mr, Object *owner,
				       const char *name, uint64_t size,
				       uint64_t max_size,
				       void (*resized)(const char *,
						       uint64_t length,
						       void *host),
				       Error **errp);

/**
 * memory_region_init_ram_from_file() - RAM mapped from @path
 * @ram_flags: RAM_SHARED (MAP_SHARED, else private), RAM_PMEM, RAM_NORESERVE
 * @offset: offset in the file
 * @readonly: map read-only (the region then renders as rom)
 *
 * The file is created if missing and extended to @offset + @size when
 * shorter.  Errors (open, ftruncate, mmap) are reported through @errp.
 */
void memory_region_init_ram_from_file(MemoryRegion *mr, Object *owner,
				      const char *name, uint64_t size,
				      uint64_t align, uint32_t ram_flags,
				      const char *path, ram_addr_t offset,
				      bool readonly, Error **errp);

/* memory_region_init_ram_from_fd() - like from_file, on an open fd. */
void memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
				    const char *name, uint64_t size,
				    uint32_t ram_flags, int fd,
				    ram_addr_t offset, Error **errp);

/* memory_region_init_ram_ptr() - RAM at caller memory @ptr (not freed). */
void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
				const char *name, uint64_t size, void *ptr);

/* memory_region_init_ram_device_ptr() - like ram_ptr, type word "ramd". */
void memory_region_init_ram_device_ptr(MemoryRegion *mr, Object *owner,
				       const char *name, uint64_t size,
				       void *ptr);

/**
 * memory_region_init_alias() - a window of @size bytes into @orig at
 * @offset.  Aborts on: @orig NULL, @orig an alias of @mr (directly or
 * through other aliases).
 */
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
			      const char *name, MemoryRegion *orig,
			      hwaddr offset, uint64_t size);

/* memory_region_init_rom() / _nomigrate() - read-only RAM. */
void memory_region_init_rom(MemoryRegion *mr, Object *owner,
			    const char *name, uint64_t size, Error **errp);
void memory_region_init_rom_nomigrate(MemoryRegion *mr, Object *owner,
				      const char *name, uint64_t size,
				      Error **errp);

/**
 * memory_region_init_rom_device() - RAM read directly in romd mode (the
 * default), writes (and reads outside romd mode) go to @ops.
 */
void memory_region_init_rom_device(MemoryRegion *mr, Object *owner,
				   const MemoryRegionOps *ops, void *opaque,
				   const char *name, uint64_t size,
				   Error **errp);
void memory_region_init_rom_device_nomigrate(MemoryRegion *mr, Object *owner,
					     const MemoryRegionOps *ops,
					     void *opaque, const char *name,
					     uint64_t size, Error **errp);

/**
 * memory_region_init_reservation() - an I/O region with no callbacks that
 * claims a range (accesses there fail) and fills its gaps.
 */
void memory_region_init_reservation(MemoryRegion *mr, Object *owner,
				    const char *name, uint64_t size);

/**
 * memdisp_iommu_class_register() - make @typename usable by
 * memory_region_init_iommu() (memdisp's replacement for QOM type lookup)
 * @typename: the type name (copied)
 * @klass: the class (must stay valid; its translate must be non-NULL)
 *
 * Registering the same name again replaces the class.
 * Return: 0, or -EINVAL for a NULL name, class or translate.
 */
int memdisp_iommu_class_register(const char *typename,
				 const IOMMUMemoryRegionClass *klass);

/**
 * memory_region_init_iommu() - an IOMMU region
 * @_iommu_mr: an IOMMUMemoryRegion (or a structure starting with one)
 * @instance_size: sizeof(*_iommu_mr) as the caller sees it (>= the base)
 * @mrtypename: a name given to memdisp_iommu_class_register()
 *
 * Aborts on: an unregistered type name, @instance_size too small.
 */
void memory_region_init_iommu(void *_iommu_mr, size_t instance_size,
			      const char *mrtypename, Object *owner,
			      const char *name, uint64_t size);

/* ---------------------------------------------------------------------- */
/* Queries. */

/* memory_region_ref()/unref(): reference the owner (nothing if ownerless,
 * as in QEMU: ownerless regions must outlive their users). */
void memory_region_ref(MemoryRegion *mr);
void memory_region_unref(MemoryRegion *mr);
/* memory_region_owner() - the owner passed to init, or NULL. */
Object *memory_region_owner(MemoryRegion *mr);
/* memory_region_size() - size, UINT64_MAX for 2^64. */
uint64_t memory_region_size(MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
bool memory_region_is_ram(MemoryRegion *mr);
bool memory_region_is_ram_device(MemoryRegion *mr);
bool memory_region_is_romd(MemoryRegion *mr);
bool memory_region_is_rom(MemoryRegion *mr);
bool memory_region_is_nonvolatile(MemoryRegion *mr);
/* memory_region_is_iommu() - true for an IOMMU region or an alias to one. */
bool memory_region_is_iommu(MemoryRegion *mr);
IOMMUMemoryRegion *memory_region_get_iommu(MemoryRegion *mr);
bool memory_region_is_logging(MemoryRegion *mr, uint8_t client);
uint8_t memory_region_get_dirty_log_mask(MemoryRegion *mr);
bool memory_region_is_skip_dump(MemoryRegion *mr);
void memory_region_set_skip_dump(MemoryRegion *mr);
uint64_t memory_region_get_alignment(const MemoryRegion *mr);
/* memory_region_get_ram_addr() - offset in the RAM block space, or
 * RAM_ADDR_INVALID for a region without RAM. */
ram_addr_t memory_region_get_ram_addr(MemoryRegion *mr);
/* memory_region_get_ram_ptr() - host pointer of RAM (NULL if none). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/* memory_region_get_fd() - backing fd of file RAM, or -1. */
int memory_region_get_fd(MemoryRegion *mr);
/* memory_region_is_mapped() - has a container, or is the target of a
 * mapped alias chain (QEMU 7.2 mapped_via_alias). */
bool memory_region_is_mapped(MemoryRegion *mr);
/* memory_region_present() - something other than @container itself is
 * rendered at @addr (relative to @container) in its address space. */
bool memory_region_present(MemoryRegion *container, hwaddr addr);
/**
 * memory_region_find() - what is rendered at [@addr, @addr + @size) of
 * @mr's address space, @addr relative to @mr.  The result's mr is NULL if
 * nothing is; otherwise it holds a reference (memory_region_unref it).
 */
MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
				       uint64_t size);
/* memory_region_section_new_copy() / _free_copy() as in QEMU. */
MemoryRegionSection *memory_region_section_new_copy(MemoryRegionSection *s);
void memory_region_section_free_copy(MemoryRegionSection *s);

/* ---------------------------------------------------------------------- */
/* Tree edits.  Each is its own transaction unless inside begin/commit. */

/**
 * memory_region_add_subregion() - map @subregion at @offset in @mr,
 * priority 0.
 *
 * Aborts on: @subregion already has a container; @subregion is @mr or one
 * of @mr's containers (the containers would form a loop).  An alias that
 * points into @mr or one of its containers may be added: see
 * MEMDISP_RENDER_MAX_DEPTH for the rules its rendering follows.
 */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
				 MemoryRegion *subregion);
/* memory_region_add_subregion_overlap() - same, with @priority (higher
 * wins; at equal priority the most recently added wins). */
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
					 MemoryRegion *subregion,
					 int priority);
/* memory_region_del_subregion() - unmap.  Aborts on: not a subregion
 * of @mr. */
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/* memory_region_set_address() - move within the container (re-added:
 * becomes the most recent among equal priorities, as in QEMU). */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
/* memory_region_set_size() - UINT64_MAX means 2^64.  Aborts on: size 0
 * of a RAM-backed region, size above a RAM block. */
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
/* memory_region_set_alias_offset() - aborts on: @mr not an alias. */
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile);
/* memory_region_rom_device_set_romd() - aborts on: not a ROM device. */
void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd_mode);
/* memory_region_set_log() - start/stop dirty logging for @client (only
 * DIRTY_MEMORY_VGA, as QEMU). */
void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client);
/* memory_region_ram_resize() - resize resizeable RAM; -> errp on misuse. */
void memory_region_ram_resize(MemoryRegion *mr, ram_addr_t newsize,
			      Error **errp);

/* Coalesced MMIO (listeners see coalesced_io_add/del). */
void memory_region_set_coalescing(MemoryRegion *mr);
void memory_region_add_coalescing(MemoryRegion *mr, hwaddr offset,
				  uint64_t size);
void memory_region_clear_coalescing(MemoryRegion *mr);
void memory_region_set_flush_coalesced(MemoryRegion *mr);
void memory_region_clear_flush_coalesced(MemoryRegion *mr);

/**
 * memory_region_add_eventfd() - register an ioeventfd (listeners see
 * eventfd_add when it is mapped).  @data is used as given (no endian
 * swap).  memory_region_del_eventfd() aborts on: no such eventfd.
 */
void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
			       bool match_data, uint64_t data,
			       EventNotifier *e);
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
			       bool match_data, uint64_t data,
			       EventNotifier *e);

/* Transactions: nest freely; the outermost commit renders, once, only if
 * something changed.  Aborts on: commit without begin. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* ---------------------------------------------------------------------- */
/* Address spaces and listeners. */

/**
 * address_space_init() - create @as (caller's memory) with root @root
 * @name: copied; NULL means "anonymous"
 */
void address_space_init(AddressSpace *as, MemoryRegion *root,
			const char *name);
/* address_space_destroy() - aborts on: listeners still registered. */
void address_space_destroy(AddressSpace *as);
void address_space_remove_listeners(AddressSpace *as);

/**
 * address_space_to_flatview() - current view (inside an RCU read-side
 * critical section, or with the big lock held).
 */
FlatView *address_space_to_flatview(AddressSpace *as);
/* address_space_get_flatview() - a referenced view; flatview_unref it. */
FlatView *address_space_get_flatview(AddressSpace *as);
void flatview_unref(FlatView *view);

/**
 * memory_listener_register() - attach @listener to @as and replay the
 * current map to it (begin, log_global_start if logging, region_add and
 * log_start per range, commit).
 */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
/* memory_listener_unregister() - region_del every range, then detach. */
void memory_listener_unregister(MemoryListener *listener);

/**
 * address_space_sync_dirty_bitmap() - call log_sync for each range of
 * @as with a non-zero dirty log mask, and log_sync_global once, for
 * every listener of @as.
 */
void address_space_sync_dirty_bitmap(AddressSpace *as);
/* memory_region_sync_dirty_bitmap(): same for every range of @mr
 * (NULL: every range) in every address space. */
void memory_region_sync_dirty_bitmap(MemoryRegion *mr);
void memory_global_dirty_log_sync(void);
void memory_global_after_dirty_log_sync(void);
/* Reasons for global dirty tracking (QEMU 7.2). */
#define GLOBAL_DIRTY_MIGRATION	(1U << 0)
#define GLOBAL_DIRTY_DIRTY_RATE	(1U << 1)
#define GLOBAL_DIRTY_LIMIT	(1U << 2)
#define GLOBAL_DIRTY_MASK	(0x7)

/* Current GLOBAL_DIRTY_* reasons (read-only for callers). */
extern unsigned int global_dirty_tracking;

/**
 * memory_global_dirty_log_start() - add @flags to the global dirty
 * tracking reasons.  When tracking goes from off to on: log_global_start
 * to every listener (ascending priority), and RAM / IOMMU ranges gain the
 * DIRTY_MEMORY_MIGRATION bit (listeners see log_start).
 * Aborts on: @flags 0 or outside GLOBAL_DIRTY_MASK.
 */
void memory_global_dirty_log_start(unsigned int flags);
/**
 * memory_global_dirty_log_stop() - remove @flags; when none is left the
 * bit goes (log_stop), then log_global_stop (descending priority).  Unlike
 * QEMU there is no run state: the stop is never deferred.
 * Aborts on: @flags 0, outside the mask, or not currently set.
 */
void memory_global_dirty_log_stop(unsigned int flags);

/* ---------------------------------------------------------------------- */
/* FlatView access. */

/**
 * struct memdisp_flat_range - one range of a rendered FlatView
 */
struct memdisp_flat_range {
	uint64_t start;            /* first address */
	uint64_t last;             /* last address, inclusive */
	MemoryRegion *mr;          /* terminal region */
	uint64_t offset_in_region; /* offset of start inside mr */
	bool readonly;             /* OR over the path, as the 'rom' type word */
	bool nonvolatile;
	bool romd_mode;
};

/**
 * memdisp_flatview_walk() - visit the current flat view of @as
 * @as: the address space
 * @cb: called for each range in ascending order; return true to stop
 * @opaque: passed to @cb
 *
 * Must be called with the big lock held (it reads the current view) or
 * from a registered RCU reader thread.
 */
void memdisp_flatview_walk(AddressSpace *as,
			   bool (*cb)(const struct memdisp_flat_range *r,
				      void *opaque),
			   void *opaque);

typedef bool (*flatview_cb)(Int128 start, Int128 len, const MemoryRegion *mr,
			    hwaddr offset_in_region, void *opaque);
/* flatview_for_each_range() - QEMU's walk; stops when @cb returns true. */
void flatview_for_each_range(FlatView *fv, flatview_cb cb, void *opaque);

/* ---------------------------------------------------------------------- */
/* mtree_info. */

/**
 * mtree_info() - print QEMU 7.2's "info mtree" text on stdout
 * @flatview: print flat views ("info mtree -f")
 * @dispatch_tree: with @flatview, also print each view's lookup index
 * @owner: print region owners
 * @disabled: print disabled regions too ("-D", tree only)
 *
 * Address-space groups and FlatView blocks come in creation order.
 */
void mtree_info(bool flatview, bool dispatch_tree, bool owner, bool disabled);

/**
 * memdisp_flatview_reclaim() - free retired FlatViews now (waits for an RCU
 * grace period).  The library does this by itself from time to time; call
 * it to make owner finalizers run at a known point.  Must not be called
 * inside an RCU read-side critical section.
 */
void memdisp_flatview_reclaim(void);

/* memdisp_mtree_info_fp() - same, without dispatch tree, to @f. */
void memdisp_mtree_info_fp(FILE *f, bool flatview, bool owner, bool disabled);

#ifdef __cplusplus
}
#endif

#include <memdisp/access.h>

#endif /* MEMDISP_MEMORY_H */
