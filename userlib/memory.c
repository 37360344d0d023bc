// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * memory.c - region trees, edits, transactions, address spaces, listeners
 *
 * Semantics follow QEMU 7.2's softmmu/memory.c.  What differs is how a
 * commit finds its work: every edit marks the edited region and everything
 * above it (containers and the aliases that point at it) with the current
 * generation, and a commit re-renders only the address spaces whose root
 * was marked.  Views are cached on their simplified root so that address
 * spaces with the same root share one FlatView, as in QEMU.  Edits also
 * note the address windows they change (md_note()): a commit whose
 * windows are known re-renders only those and splices them into the
 * cached view (md_view_incremental()), else it renders the root whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "memdisp-internal.h"
#include "access-internal.h"

struct RAMBlock {
	void *host;
	uint64_t used_length;
	uint64_t max_length;
	ram_addr_t offset;
	int fd;
	uint32_t flags;
	bool owns_mapping;
	bool owns_fd;
	void (*resized)(const char *name, uint64_t length, void *host);
	/* dirty bits of [offset, offset + max_length) of the ram_addr space */
	struct memdisp_dirty_log *dlog;
};

struct CoalescedMemoryRange {
	AddrRange addr;
	CoalescedMemoryRange *next;
};

struct MemoryRegionIoeventfd {
	AddrRange addr;
	bool match_data;
	uint64_t data;
	EventNotifier *e;
};

static unsigned int md_txn_depth;
static bool md_update_pending;
static bool md_ioeventfd_pending;
static bool md_force_all;
unsigned int global_dirty_tracking;
static unsigned long md_gen = 1;	/* generation of the open transaction */
static unsigned long md_seq;		/* order of subregion additions */
static unsigned long md_walk_stamp;
static ram_addr_t md_next_ram_addr;

static MemoryListener *md_listeners_first, *md_listeners_last;
static AddressSpace *md_as_first, *md_as_last;
static unsigned long md_as_seq;
static FlatView *md_empty_view;

struct iommu_class_entry {
	char *name;
	const IOMMUMemoryRegionClass *klass;
	struct iommu_class_entry *next;
};
static struct iommu_class_entry *md_iommu_classes;

/* ---------------------------------------------------------------------- */
/* Helpers. */

void md_die(const MemoryRegion *mr, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memdisp: %s: ", mr ? memory_region_name(mr) : "(api)");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

void md_oom(void)
{
	fputs("memdisp: out of memory\n", stderr);
	abort();
}

void *md_zalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		md_oom();
	return p;
}

void *md_realloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		md_oom();
	return p;
}

AddressSpace *md_first_as(void)
{
	return md_as_first;
}

static Int128 md_size128(uint64_t size)
{
	return size == UINT64_MAX ? int128_2_64() : int128_make64(size);
}

static void md_check_init(const MemoryRegion *mr, const char *what)
{
	if (!mr)
		md_die(NULL, "%s: NULL region", what);
	if (!mr->md_initialized)
		md_die(NULL, "%s: region was never initialized", what);
}

/*
 * Mark @mr and every region from which it can be reached (containers and
 * aliases, transitively) as edited in this transaction.
 */
static void md_mark(MemoryRegion *mr)
{
	MemoryRegion *a;

	while (mr && mr->md_dirty_gen != md_gen) {
		mr->md_dirty_gen = md_gen;
		for (a = mr->md_alias_first; a; a = a->md_alias_next)
			md_mark(a);
		mr = mr->container;
	}
}

/*
 * Changed windows of the open transaction.  Each edit notes the span of
 * the edited region, before and after the edit, in the coordinates of the
 * top of its container tree (where a render from that top at base 0 puts
 * it).  A commit re-renders only these windows of a cached view, and
 * splices them into it, when that is known to be exact:
 *  - a change under an alias target also shows through the alias: the
 *    window is carried through every alias on the way up (md_note_up());
 *  - the container path of the view's root was not relinked in this
 *    transaction (its coordinates did not move), see md_relinked;
 *  - not too many windows or relinks (then a full render is cheaper).
 * Otherwise the transaction falls back to a full render.
 */
#define MD_MAX_WINDOWS 8
#define MD_MAX_RELINKS 16

struct md_window {
	MemoryRegion *top;
	Int128 lo, hi;
};

static struct md_window md_win[MD_MAX_WINDOWS];
static unsigned int md_nwin;
static bool md_win_full;
static MemoryRegion *md_relinked[MD_MAX_RELINKS];
static unsigned int md_nrelinked;

/* Record the window [@lo, @hi) of the tree topped by @top. */
static void md_note_window(MemoryRegion *top, Int128 lo, Int128 hi)
{
	struct md_window *w;
	unsigned int i;

	/* not clipped at 2^64: a view rendered lower in the tree sees more */
	if (lo >= hi)
		return;
	for (i = 0; i < md_nwin; i++) {
		w = &md_win[i];
		if (w->top == top && lo <= w->hi && w->lo <= hi) {
			w->lo = int128_min(w->lo, lo);
			w->hi = int128_max(w->hi, hi);
			return;
		}
	}
	if (md_nwin == MD_MAX_WINDOWS) {
		md_win_full = true;
		return;
	}
	md_win[md_nwin].top = top;
	md_win[md_nwin].lo = lo;
	md_win[md_nwin].hi = hi;
	md_nwin++;
}

/* Aliases followed by one note at most; deeper chains render whole. */
#define MD_MAX_ALIAS_HOPS 8

/*
 * Note that [@lo, @hi) changed, in the coordinates of @x's container
 * (where a render of @x at base 0 puts @x's content: shifted by x->addr),
 * and follow it up to the top of the tree and through every alias of @x
 * and of its containers.  An alias A of region T shows T's content from
 * A->alias_offset on at A->addr, clipped to A's size, so the window moves
 * by A->addr - A->alias_offset - T->addr and is cut to A's span there.
 */
static void md_note_up(MemoryRegion *x, Int128 lo, Int128 hi,
		       unsigned int hops)
{
	MemoryRegion *a;

	for (;;) {
		if (md_win_full || lo >= hi)
			return;
		for (a = x->md_alias_first; a; a = a->md_alias_next) {
			Int128 shift = (Int128)a->addr - a->alias_offset -
				       x->addr;

			if (hops == MD_MAX_ALIAS_HOPS) {
				md_win_full = true;
				return;
			}
			md_note_up(a, int128_max(lo + shift, a->addr),
				   int128_min(hi + shift, a->addr + a->size),
				   hops + 1);
		}
		if (!x->container)
			break;
		lo += x->container->addr;
		hi += x->container->addr;
		x = x->container;
	}
	md_note_window(x, lo, hi);
}

/* @mr's span, as it is now, changed (see md_note_up()). */
static void md_note(MemoryRegion *mr)
{
	if (md_win_full)
		return;
	md_note_up(mr, mr->addr, mr->addr + mr->size, 0);
}

/* @mr's container or address changed in this transaction. */
static void md_note_relink(MemoryRegion *mr)
{
	unsigned int i;

	if (md_win_full)
		return;
	for (i = 0; i < md_nrelinked; i++)
		if (md_relinked[i] == mr)
			return;
	if (md_nrelinked == MD_MAX_RELINKS) {
		md_win_full = true;
		return;
	}
	md_relinked[md_nrelinked++] = mr;
}

static void md_windows_reset(void)
{
	md_nwin = 0;
	md_nrelinked = 0;
	md_win_full = false;
}

static void md_changed(MemoryRegion *mr)
{
	md_note(mr);
	md_mark(mr);
	md_update_pending = true;
}

/* Is @target @mr or one of its containers, transitively? */
static bool md_contained_in(MemoryRegion *mr, MemoryRegion *target)
{
	for (; mr; mr = mr->container)
		if (mr == target)
			return true;
	return false;
}


unsigned long md_new_stamp(void)
{
	return ++md_walk_stamp;
}

uint8_t md_dirty_log_mask(MemoryRegion *mr)
{
	uint8_t mask = mr->dirty_log_mask;

	if (global_dirty_tracking && (mr->ram_block || mr->is_iommu))
		mask |= 1 << DIRTY_MEMORY_MIGRATION;
	return mask;
}

/* ---------------------------------------------------------------------- */
/* Object life cycle. */

static void md_cache_forget(MemoryRegion *mr);

static void memory_region_finalize(Object *obj)
{
	MemoryRegion *mr = (MemoryRegion *)obj;
	MemoryRegion **pp;

	if (mr->container)
		md_die(mr, "finalized while still mapped in %s",
		       memory_region_name(mr->container));
	mr->md_finalizing = true;
	mr->enabled = false;
	memory_region_transaction_begin();
	while (mr->sub_first)
		memory_region_del_subregion(mr, mr->sub_first);
	memory_region_transaction_commit();
	if (mr->alias) {
		for (pp = &mr->alias->md_alias_first; *pp;
		     pp = &(*pp)->md_alias_next) {
			if (*pp == mr) {
				*pp = mr->md_alias_next;
				break;
			}
		}
		mr->alias = NULL;
	}
	if (mr->destructor)
		mr->destructor(mr);
	while (mr->coalesced) {
		CoalescedMemoryRange *c = mr->coalesced;

		mr->coalesced = c->next;
		free(c);
	}
	md_cache_forget(mr);
	md_child_index_forget(mr);
	md_render_order_drop(mr);
	free((char *)mr->name);
	mr->name = NULL;
	free(mr->ioeventfds);
	mr->ioeventfds = NULL;
	md_access_region_fini(mr);
	mr->md_initialized = false;
}

static void memory_region_do_init(MemoryRegion *mr, Object *owner,
				  const char *name, uint64_t size)
{
	if (!mr)
		md_die(NULL, "memory_region_init: NULL region");
	memset(mr, 0, sizeof(*mr));
	object_initialize_simple(&mr->parent_obj, "memory-region",
				 memory_region_finalize);
	mr->size = md_size128(size);
	mr->enabled = true;
	mr->romd_mode = true;
	mr->name = name ? strdup(name) : NULL;
	if (name && !mr->name)
		md_oom();
	mr->owner = owner;
	if (owner)
		object_add_child(owner, OBJECT(mr));
	mr->md_initialized = true;
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
			uint64_t size)
{
	memory_region_do_init(mr, owner, name, size);
}

static const MemoryRegionOps md_unassigned_ops = {
	.endianness = DEVICE_NATIVE_ENDIAN,
};

void memory_region_init_io(MemoryRegion *mr, Object *owner,
			   const MemoryRegionOps *ops, void *opaque,
			   const char *name, uint64_t size)
{
	memory_region_do_init(mr, owner, name, size);
	mr->ops = ops ? ops : &md_unassigned_ops;
	mr->opaque = opaque;
	mr->terminates = true;
}

void memory_region_init_reservation(MemoryRegion *mr, Object *owner,
				    const char *name, uint64_t size)
{
	memory_region_init_io(mr, owner, NULL, mr, name, size);
}

/* ---------------------------------------------------------------------- */
/* RAM. */

static uint64_t md_page_align(uint64_t v)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return (v + page - 1) & ~(page - 1);
}

static void md_ram_destructor(MemoryRegion *mr)
{
	RAMBlock *rb = mr->ram_block;

	if (!rb)
		return;
	if (rb->owns_mapping && rb->host)
		munmap(rb->host, md_page_align(rb->max_length));
	if (rb->owns_fd && rb->fd >= 0)
		close(rb->fd);
	md_ram_dlog_free(rb->dlog);
	free(rb);
	mr->ram_block = NULL;
}

struct memdisp_dirty_log *md_ram_dlog(MemoryRegion *mr, bool create,
				      uint64_t *used)
{
	RAMBlock *rb = mr ? mr->ram_block : NULL;
	struct memdisp_dirty_log *log, *fresh;

	if (!rb)
		return NULL;
	*used = __atomic_load_n(&rb->used_length, __ATOMIC_RELAXED);
	log = __atomic_load_n(&rb->dlog, __ATOMIC_ACQUIRE);
	if (log || !create)
		return log;
	/* First use: sized for max_length, so ram_resize keeps it. */
	fresh = md_ram_dlog_new(rb->max_length);
	if (!fresh)
		return NULL;
	if (!__atomic_compare_exchange_n(&rb->dlog, &log, fresh, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		md_ram_dlog_free(fresh);
		return log;
	}
	return fresh;
}

static RAMBlock *md_ram_block_new(MemoryRegion *mr, uint64_t size,
				  uint64_t max_size, Error **errp)
{
	RAMBlock *rb;

	if (size == 0 || max_size == 0) {
		error_setg(errp, "%s: RAM size must not be 0",
			   memory_region_name(mr));
		return NULL;
	}
	if (size == UINT64_MAX || max_size == UINT64_MAX ||
	    md_page_align(max_size) < max_size) {
		error_setg(errp, "%s: RAM size 0x%" PRIx64 " is too large",
			   memory_region_name(mr), max_size);
		return NULL;
	}
	rb = md_zalloc(sizeof(*rb));
	rb->used_length = size;
	rb->max_length = max_size;
	rb->fd = -1;
	rb->offset = md_next_ram_addr;
	md_next_ram_addr += md_page_align(max_size);
	return rb;
}

static bool md_ram_anon(MemoryRegion *mr, uint64_t size, uint64_t max_size,
			uint32_t flags, Error **errp)
{
	RAMBlock *rb = md_ram_block_new(mr, size, max_size, errp);
	void *p;

	if (!rb)
		return false;
	p = mmap(NULL, md_page_align(max_size), PROT_READ | PROT_WRITE,
		 ((flags & RAM_SHARED) ? MAP_SHARED : MAP_PRIVATE) |
		 MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		error_setg_errno(errp, errno,
				 "%s: cannot map 0x%" PRIx64 " bytes of RAM",
				 memory_region_name(mr), max_size);
		free(rb);
		return false;
	}
	/* As QEMU's ram_block_add(): transparent huge pages where allowed
	 * (fewer TLB misses on guest RAM); advice only, failure is fine.
	 * A block smaller than a huge page never gets one: skip the call. */
	if (md_page_align(max_size) >= 2 * 1024 * 1024)
		(void)madvise(p, md_page_align(max_size), MADV_HUGEPAGE);
	rb->host = p;
	rb->owns_mapping = true;
	rb->flags = flags;
	mr->ram_block = rb;
	mr->destructor = md_ram_destructor;
	return true;
}

void memory_region_init_ram_flags_nomigrate(MemoryRegion *mr, Object *owner,
					    const char *name, uint64_t size,
					    uint32_t ram_flags, Error **errp)
{
	memory_region_do_init(mr, owner, name, size);
	mr->ram = true;
	mr->terminates = true;
	md_ram_anon(mr, size, size, ram_flags, errp);
}

void memory_region_init_ram_nomigrate(MemoryRegion *mr, Object *owner,
				      const char *name, uint64_t size,
				      Error **errp)
{
	memory_region_init_ram_flags_nomigrate(mr, owner, name, size, 0, errp);
}

void memory_region_init_ram(MemoryRegion *mr, Object *owner,
			    const char *name, uint64_t size, Error **errp)
{
	memory_region_init_ram_nomigrate(mr, owner, name, size, errp);
}

void memory_region_init_resizeable_ram(MemoryRegion *mr, Object *owner,
				       const char *name, uint64_t size,
				       uint64_t max_size,
				       void (*resized)(const char *,
						       uint64_t length,
						       void *host),
				       Error **errp)
{
	memory_region_do_init(mr, owner, name, size);
	mr->ram = true;
	mr->terminates = true;
	if (size > max_size) {
		error_setg(errp, "%s: size 0x%" PRIx64
			   " is above max_size 0x%" PRIx64,
			   memory_region_name(mr), size, max_size);
		return;
	}
	if (md_ram_anon(mr, size, max_size, RAM_RESIZEABLE, errp))
		mr->ram_block->resized = resized;
}

static void md_init_from_fd(MemoryRegion *mr, Object *owner,
			    const char *name, uint64_t size,
			    uint32_t ram_flags, int fd, ram_addr_t offset,
			    bool readonly, bool owns_fd, Error **errp)
{
	RAMBlock *rb;
	void *p;

	memory_region_do_init(mr, owner, name, size);
	mr->ram = true;
	mr->terminates = true;
	mr->readonly = readonly;
	rb = md_ram_block_new(mr, size, size, errp);
	if (!rb)
		goto fail;
	p = mmap(NULL, md_page_align(size),
		 PROT_READ | (readonly ? 0 : PROT_WRITE),
		 ((ram_flags & RAM_SHARED) ? MAP_SHARED : MAP_PRIVATE) |
		 ((ram_flags & RAM_NORESERVE) ? MAP_NORESERVE : 0),
		 fd, (off_t)offset);
	if (p == MAP_FAILED) {
		error_setg_errno(errp, errno, "%s: cannot map fd %d",
				 memory_region_name(mr), fd);
		free(rb);
		goto fail;
	}
	rb->host = p;
	rb->owns_mapping = true;
	rb->fd = fd;
	rb->owns_fd = owns_fd;
	rb->flags = ram_flags;
	mr->ram_block = rb;
	mr->destructor = md_ram_destructor;
	return;
fail:
	if (owns_fd)
		close(fd);
}

void memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
				    const char *name, uint64_t size,
				    uint32_t ram_flags, int fd,
				    ram_addr_t offset, Error **errp)
{
	md_init_from_fd(mr, owner, name, size, ram_flags, fd, offset, false,
			false, errp);
}

void memory_region_init_ram_from_file(MemoryRegion *mr, Object *owner,
				      const char *name, uint64_t size,
				      uint64_t align, uint32_t ram_flags,
				      const char *path, ram_addr_t offset,
				      bool readonly, Error **errp)
{
	const char *n = name ? name : "(null)";
	struct stat st;
	int fd;

	if (!path) {
		memory_region_do_init(mr, owner, name, size);
		error_setg(errp, "%s: no file name", n);
		return;
	}
	fd = open(path, (readonly ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		memory_region_do_init(mr, owner, name, size);
		error_setg_errno(errp, errno, "%s: cannot open %s", n, path);
		return;
	}
	if (fstat(fd, &st) == 0 && !readonly && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < offset + size &&
	    ftruncate(fd, (off_t)(offset + size)) < 0) {
		memory_region_do_init(mr, owner, name, size);
		error_setg_errno(errp, errno, "%s: cannot extend %s", n, path);
		close(fd);
		return;
	}
	md_init_from_fd(mr, owner, name, size, ram_flags, fd, offset, readonly,
			true, errp);
	mr->align = align;
}

static void md_init_ptr(MemoryRegion *mr, Object *owner, const char *name,
			uint64_t size, void *ptr, const char *what)
{
	RAMBlock *rb;

	memory_region_do_init(mr, owner, name, size);
	mr->ram = true;
	mr->terminates = true;
	if (!ptr)
		md_die(mr, "%s: NULL host pointer", what);
	rb = md_ram_block_new(mr, size, size, NULL);
	if (!rb)
		md_die(mr, "%s: invalid size 0x%" PRIx64, what, size);
	rb->host = ptr;
	rb->flags = RAM_PREALLOC;
	mr->ram_block = rb;
	mr->destructor = md_ram_destructor;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
				const char *name, uint64_t size, void *ptr)
{
	md_init_ptr(mr, owner, name, size, ptr, "memory_region_init_ram_ptr");
}

void memory_region_init_ram_device_ptr(MemoryRegion *mr, Object *owner,
				       const char *name, uint64_t size,
				       void *ptr)
{
	md_init_ptr(mr, owner, name, size, ptr,
		    "memory_region_init_ram_device_ptr");
	mr->ram_device = true;
}

void memory_region_init_rom_nomigrate(MemoryRegion *mr, Object *owner,
				      const char *name, uint64_t size,
				      Error **errp)
{
	memory_region_init_ram_flags_nomigrate(mr, owner, name, size, 0, errp);
	mr->readonly = true;
}

void memory_region_init_rom(MemoryRegion *mr, Object *owner,
			    const char *name, uint64_t size, Error **errp)
{
	memory_region_init_rom_nomigrate(mr, owner, name, size, errp);
}

void memory_region_init_rom_device_nomigrate(MemoryRegion *mr, Object *owner,
					     const MemoryRegionOps *ops,
					     void *opaque, const char *name,
					     uint64_t size, Error **errp)
{
	memory_region_do_init(mr, owner, name, size);
	mr->ops = ops ? ops : &md_unassigned_ops;
	mr->opaque = opaque;
	mr->terminates = true;
	mr->rom_device = true;
	md_ram_anon(mr, size, size, 0, errp);
}

void memory_region_init_rom_device(MemoryRegion *mr, Object *owner,
				   const MemoryRegionOps *ops, void *opaque,
				   const char *name, uint64_t size,
				   Error **errp)
{
	memory_region_init_rom_device_nomigrate(mr, owner, ops, opaque, name,
						size, errp);
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner,
			      const char *name, MemoryRegion *orig,
			      hwaddr offset, uint64_t size)
{
	MemoryRegion *p;

	if (!orig)
		md_die(mr, "memory_region_init_alias: NULL target");
	md_check_init(orig, "memory_region_init_alias");
	for (p = orig; p; p = p->alias)
		if (p == mr)
			md_die(mr, "alias of %s would make an alias cycle",
			       memory_region_name(orig));
	if (mr && mr->md_initialized && mr->md_alias_first)
		md_die(mr, "re-initialized while aliases point at it");
	memory_region_do_init(mr, owner, name, size);
	mr->alias = orig;
	mr->alias_offset = offset;
	mr->md_alias_next = orig->md_alias_first;
	orig->md_alias_first = mr;
}

int memdisp_iommu_class_register(const char *typename,
				 const IOMMUMemoryRegionClass *klass)
{
	struct iommu_class_entry *e;

	if (!typename || !klass || !klass->translate)
		return -EINVAL;
	for (e = md_iommu_classes; e; e = e->next) {
		if (!strcmp(e->name, typename)) {
			e->klass = klass;
			return 0;
		}
	}
	e = md_zalloc(sizeof(*e));
	e->name = strdup(typename);
	if (!e->name)
		md_oom();
	e->klass = klass;
	e->next = md_iommu_classes;
	md_iommu_classes = e;
	return 0;
}

void memory_region_init_iommu(void *_iommu_mr, size_t instance_size,
			      const char *mrtypename, Object *owner,
			      const char *name, uint64_t size)
{
	IOMMUMemoryRegion *iommu = _iommu_mr;
	struct iommu_class_entry *e;
	MemoryRegion *mr;

	if (!iommu)
		md_die(NULL, "memory_region_init_iommu: NULL region");
	if (instance_size < sizeof(IOMMUMemoryRegion))
		md_die(NULL, "%s: instance_size %zu below sizeof(IOMMUMemoryRegion)",
		       name ? name : "(null)", instance_size);
	for (e = md_iommu_classes; e; e = e->next)
		if (mrtypename && !strcmp(e->name, mrtypename))
			break;
	if (!e)
		md_die(NULL, "%s: IOMMU type \"%s\" is not registered (call memdisp_iommu_class_register)",
		       name ? name : "(null)",
		       mrtypename ? mrtypename : "(null)");
	memset((char *)iommu + sizeof(MemoryRegion), 0,
	       instance_size - sizeof(MemoryRegion));
	mr = MEMORY_REGION(iommu);
	memory_region_do_init(mr, owner, name, size);
	mr->terminates = true;
	mr->is_iommu = true;
	iommu->md_class = e->klass;
}

/* ---------------------------------------------------------------------- */
/* Queries. */

void memory_region_ref(MemoryRegion *mr)
{
	if (mr && mr->owner)
		object_ref(mr->owner);
}

void memory_region_unref(MemoryRegion *mr)
{
	if (mr && mr->owner)
		object_unref(mr->owner);
}

Object *memory_region_owner(MemoryRegion *mr)
{
	return mr->owner;
}

uint64_t memory_region_size(MemoryRegion *mr)
{
	if (int128_eq(mr->size, int128_2_64()))
		return UINT64_MAX;
	return int128_get64(mr->size);
}

const char *memory_region_name(const MemoryRegion *mr)
{
	return mr->name ? mr->name : "(null)";
}

bool memory_region_is_ram(MemoryRegion *mr)
{
	return mr->ram;
}

bool memory_region_is_ram_device(MemoryRegion *mr)
{
	return mr->ram_device;
}

bool memory_region_is_romd(MemoryRegion *mr)
{
	return mr->rom_device && mr->romd_mode;
}

bool memory_region_is_rom(MemoryRegion *mr)
{
	return mr->ram && mr->readonly;
}

bool memory_region_is_nonvolatile(MemoryRegion *mr)
{
	return mr->nonvolatile;
}

IOMMUMemoryRegion *memory_region_get_iommu(MemoryRegion *mr)
{
	while (mr->alias)
		mr = mr->alias;
	return mr->is_iommu ? IOMMU_MEMORY_REGION(mr) : NULL;
}

bool memory_region_is_iommu(MemoryRegion *mr)
{
	return memory_region_get_iommu(mr) != NULL;
}

bool memory_region_is_logging(MemoryRegion *mr, uint8_t client)
{
	return md_dirty_log_mask(mr) & (1 << client);
}

uint8_t memory_region_get_dirty_log_mask(MemoryRegion *mr)
{
	return md_dirty_log_mask(mr);
}

bool memory_region_is_skip_dump(MemoryRegion *mr)
{
	return mr->md_skip_dump;
}

void memory_region_set_skip_dump(MemoryRegion *mr)
{
	mr->md_skip_dump = true;
}

uint64_t memory_region_get_alignment(const MemoryRegion *mr)
{
	return mr->align;
}

ram_addr_t memory_region_get_ram_addr(MemoryRegion *mr)
{
	return mr->ram_block ? mr->ram_block->offset : RAM_ADDR_INVALID;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
	uint64_t off = 0;

	while (mr->alias) {
		off += mr->alias_offset;
		mr = mr->alias;
	}
	if (!mr->ram_block)
		return NULL;
	return (char *)mr->ram_block->host + off;
}

int memory_region_get_fd(MemoryRegion *mr)
{
	while (mr->alias)
		mr = mr->alias;
	return mr->ram_block ? mr->ram_block->fd : -1;
}

bool memory_region_is_mapped(MemoryRegion *mr)
{
	return mr->container || mr->mapped_via_alias;
}

/* ---------------------------------------------------------------------- */
/* Tree edits. */

static void md_link_subregion(MemoryRegion *mr, MemoryRegion *sub)
{
	MemoryRegion *other;

	/* Higher priority first; the newest first among equal priorities. */
	for (other = mr->sub_first; other; other = other->sub_next)
		if (sub->priority >= other->priority)
			break;
	sub->sub_next = other;
	if (other) {
		sub->sub_prev = other->sub_prev;
		other->sub_prev = sub;
	} else {
		sub->sub_prev = mr->sub_last;
		mr->sub_last = sub;
	}
	if (sub->sub_prev)
		sub->sub_prev->sub_next = sub;
	else
		mr->sub_first = sub;
	mr->nr_subregions++;
	sub->md_seq = ++md_seq;
	md_child_index_link(mr, sub);
	md_render_order_drop(mr);
}

static void md_unlink_subregion(MemoryRegion *mr, MemoryRegion *sub)
{
	md_child_index_unlink(mr, sub);
	md_render_order_drop(mr);
	if (sub->sub_prev)
		sub->sub_prev->sub_next = sub->sub_next;
	else
		mr->sub_first = sub->sub_next;
	if (sub->sub_next)
		sub->sub_next->sub_prev = sub->sub_prev;
	else
		mr->sub_last = sub->sub_prev;
	sub->sub_next = sub->sub_prev = NULL;
	mr->nr_subregions--;
}

static void md_add_subregion_common(MemoryRegion *mr, hwaddr offset,
				    MemoryRegion *sub)
{
	MemoryRegion *a;

	md_check_init(mr, "memory_region_add_subregion");
	md_check_init(sub, "memory_region_add_subregion");
	if (sub->container)
		md_die(sub, "already a subregion of %s (add_subregion twice?)",
		       memory_region_name(sub->container));
	/*
	 * Only a loop of containers is refused here.  A loop through an
	 * alias (an alias mapped inside the region it points into, as
	 * QEMU's armsse does) is legal: rendering checks that it moves
	 * the address at each pass, see MEMDISP_RENDER_MAX_DEPTH.
	 */
	if (md_contained_in(mr, sub))
		md_die(sub, "adding it to %s would make a cycle",
		       memory_region_name(mr));
	memory_region_transaction_begin();
	md_note_relink(sub);
	sub->container = mr;
	for (a = sub->alias; a; a = a->alias)
		a->mapped_via_alias++;
	sub->addr = offset;
	memory_region_ref(sub);
	md_link_subregion(mr, sub);
	md_trace_sync(sub);	/* its own trace, if it is a root */
	/*
	 * Mark @sub itself, not just @mr: its address changed, and it may be
	 * the (simplified) root of an address space, whose view then moves
	 * (even when @mr is disabled).
	 */
	if (sub->enabled)
		md_changed(sub);
	if ((mr->enabled && sub->enabled) || sub->md_dirty_gen == md_gen) {
		/*
		 * @sub may have been marked earlier in this transaction while
		 * it had no container; marking stops at marked regions, so
		 * mark the new path upwards explicitly.  Do it even when
		 * @sub is disabled now: enabling it later in this transaction
		 * would stop at @sub and leave its new containers unmarked.
		 */
		md_mark(mr);
	}
	memory_region_transaction_commit();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
				 MemoryRegion *subregion)
{
	if (subregion)
		subregion->priority = 0;
	md_add_subregion_common(mr, offset, subregion);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
					 MemoryRegion *subregion,
					 int priority)
{
	if (subregion)
		subregion->priority = priority;
	md_add_subregion_common(mr, offset, subregion);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
	MemoryRegion *a;

	md_check_init(mr, "memory_region_del_subregion");
	md_check_init(subregion, "memory_region_del_subregion");
	if (subregion->container != mr)
		md_die(subregion, "not a subregion of %s (del_subregion)",
		       memory_region_name(mr));
	memory_region_transaction_begin();
	md_note_relink(subregion);
	/* what changes is where @subregion was */
	if (mr->enabled && subregion->enabled)
		md_note(subregion);
	subregion->container = NULL;
	for (a = subregion->alias; a; a = a->alias)
		a->mapped_via_alias--;
	md_unlink_subregion(mr, subregion);
	if (mr->enabled && subregion->enabled) {
		md_mark(mr);
		md_update_pending = true;
	}
	memory_region_transaction_commit();
	memory_region_unref(subregion);
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
	md_check_init(mr, "memory_region_set_enabled");
	if (enabled == mr->enabled)
		return;
	memory_region_transaction_begin();
	mr->enabled = enabled;
	md_trace_sync(mr);
	md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
	Int128 s = md_size128(size);

	md_check_init(mr, "memory_region_set_size");
	if (int128_eq(s, mr->size))
		return;
	if (mr->ram_block && (size == 0 || s > mr->ram_block->max_length))
		md_die(mr, "set_size 0x%" PRIx64 " outside its RAM block (1..0x%"
		       PRIx64 ")", size, mr->ram_block->max_length);
	memory_region_transaction_begin();
	md_note(mr);
	mr->size = s;
	md_trace_sync(mr);
	md_child_index_resize(mr);
	md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
	MemoryRegion *container;

	md_check_init(mr, "memory_region_set_address");
	if (addr == mr->addr)
		return;
	container = mr->container;
	if (!container) {
		/* an unmapped root still renders at its own address */
		memory_region_transaction_begin();
		md_note_relink(mr);
		if (mr->enabled)
			md_note(mr);
		mr->addr = addr;
		md_trace_sync(mr);
		if (mr->enabled)
			md_changed(mr);
		memory_region_transaction_commit();
		return;
	}
	memory_region_transaction_begin();
	memory_region_ref(mr);
	memory_region_del_subregion(container, mr);
	md_add_subregion_common(container, addr, mr);
	memory_region_unref(mr);
	memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
	md_check_init(mr, "memory_region_set_alias_offset");
	if (!mr->alias)
		md_die(mr, "set_alias_offset on a region that is not an alias");
	if (offset == mr->alias_offset)
		return;
	memory_region_transaction_begin();
	mr->alias_offset = offset;
	md_trace_sync(mr);
	if (mr->enabled)
		md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
	md_check_init(mr, "memory_region_set_readonly");
	if (mr->readonly == readonly)
		return;
	memory_region_transaction_begin();
	mr->readonly = readonly;
	md_trace_sync(mr);
	if (mr->enabled)
		md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile)
{
	md_check_init(mr, "memory_region_set_nonvolatile");
	if (mr->nonvolatile == nonvolatile)
		return;
	memory_region_transaction_begin();
	mr->nonvolatile = nonvolatile;
	md_trace_sync(mr);
	if (mr->enabled)
		md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd_mode)
{
	md_check_init(mr, "memory_region_rom_device_set_romd");
	if (!mr->rom_device)
		md_die(mr, "rom_device_set_romd on a region that is not a ROM device");
	if (mr->romd_mode == romd_mode)
		return;
	memory_region_transaction_begin();
	mr->romd_mode = romd_mode;
	md_trace_sync(mr);
	if (mr->enabled)
		md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client)
{
	uint8_t mask;

	md_check_init(mr, "memory_region_set_log");
	if (client != DIRTY_MEMORY_VGA)
		md_die(mr, "set_log: only DIRTY_MEMORY_VGA may be set per region");
	if (log)
		mr->vga_logging_count++;
	else if (mr->vga_logging_count)
		mr->vga_logging_count--;
	mask = mr->vga_logging_count ? (1 << client) : 0;
	if ((mr->dirty_log_mask & (1 << client)) == mask)
		return;
	memory_region_transaction_begin();
	mr->dirty_log_mask = (mr->dirty_log_mask & ~(1 << client)) | mask;
	md_trace_sync(mr);
	if (mr->enabled)
		md_changed(mr);
	memory_region_transaction_commit();
}

void memory_region_ram_resize(MemoryRegion *mr, ram_addr_t newsize,
			      Error **errp)
{
	RAMBlock *rb = mr->ram_block;

	if (!rb || !(rb->flags & RAM_RESIZEABLE)) {
		error_setg(errp, "%s: not a resizeable RAM region",
			   memory_region_name(mr));
		return;
	}
	if (newsize == 0 || newsize > rb->max_length) {
		error_setg(errp, "%s: size 0x%" PRIx64
			   " outside 1..max_size 0x%" PRIx64,
			   memory_region_name(mr), newsize, rb->max_length);
		return;
	}
	if (newsize == rb->used_length)
		return;
	md_ram_dlog_resized(rb->dlog, rb->used_length, newsize);
	__atomic_store_n(&rb->used_length, newsize, __ATOMIC_RELAXED);
	memory_region_set_size(mr, newsize);
	if (rb->resized)
		rb->resized(memory_region_name(mr), newsize, rb->host);
}

/* ---------------------------------------------------------------------- */
/* Coalescing and ioeventfds. */

static void md_coalesced_del_range(AddressSpace *as, FlatRange *fr);
static void md_coalesced_add_range(AddressSpace *as, FlatRange *fr);

static void md_update_coalesced(MemoryRegion *mr, bool before)
{
	AddressSpace *as;
	FlatRange *fr;

	MD_FOR_EACH_AS(as) {
		FlatView *v = as->current_map;

		if (!v || !as->md_listeners_first)
			continue;
		MD_FLATVIEW_FOR_EACH(v, fr) {
			if (fr->mr != mr)
				continue;
			if (before)
				md_coalesced_del_range(as, fr);
			else
				md_coalesced_add_range(as, fr);
		}
	}
}

void memory_region_set_coalescing(MemoryRegion *mr)
{
	memory_region_clear_coalescing(mr);
	memory_region_add_coalescing(mr, 0, memory_region_size(mr));
}

void memory_region_add_coalescing(MemoryRegion *mr, hwaddr offset,
				  uint64_t size)
{
	CoalescedMemoryRange *c = md_zalloc(sizeof(*c)), **pp;

	md_check_init(mr, "memory_region_add_coalescing");
	c->addr.start = int128_make64(offset);
	c->addr.size = md_size128(size);
	md_update_coalesced(mr, true);
	for (pp = &mr->coalesced; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	md_update_coalesced(mr, false);
}

void memory_region_clear_coalescing(MemoryRegion *mr)
{
	md_check_init(mr, "memory_region_clear_coalescing");
	mr->flush_coalesced_mmio = false;
	if (!mr->coalesced)
		return;
	md_update_coalesced(mr, true);
	while (mr->coalesced) {
		CoalescedMemoryRange *c = mr->coalesced;

		mr->coalesced = c->next;
		free(c);
	}
}

void memory_region_set_flush_coalesced(MemoryRegion *mr)
{
	mr->flush_coalesced_mmio = true;
}

void memory_region_clear_flush_coalesced(MemoryRegion *mr)
{
	mr->flush_coalesced_mmio = false;
}

static int md_ioeventfd_cmp(const MemoryRegionIoeventfd *a,
			    const MemoryRegionIoeventfd *b)
{
	if (a->addr.start != b->addr.start)
		return a->addr.start < b->addr.start ? -1 : 1;
	if (a->addr.size != b->addr.size)
		return a->addr.size < b->addr.size ? -1 : 1;
	if (a->match_data != b->match_data)
		return a->match_data < b->match_data ? -1 : 1;
	if (a->match_data && a->data != b->data)
		return a->data < b->data ? -1 : 1;
	if (a->e != b->e)
		return (uintptr_t)a->e < (uintptr_t)b->e ? -1 : 1;
	return 0;
}

void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
			       bool match_data, uint64_t data,
			       EventNotifier *e)
{
	MemoryRegionIoeventfd fd = {
		.addr = { int128_make64(addr), int128_make64(size) },
		.match_data = match_data,
		.data = data,
		.e = e,
	};
	unsigned int i;

	md_check_init(mr, "memory_region_add_eventfd");
	memory_region_transaction_begin();
	for (i = 0; i < mr->ioeventfd_nb; i++)
		if (md_ioeventfd_cmp(&fd, &mr->ioeventfds[i]) < 0)
			break;
	mr->ioeventfds = md_realloc(mr->ioeventfds,
				    (mr->ioeventfd_nb + 1) * sizeof(fd));
	memmove(&mr->ioeventfds[i + 1], &mr->ioeventfds[i],
		(mr->ioeventfd_nb - i) * sizeof(fd));
	mr->ioeventfds[i] = fd;
	mr->ioeventfd_nb++;
	md_ioeventfd_engine(mr, addr, size, match_data, data, e, true);
	md_ioeventfd_pending |= mr->enabled;
	memory_region_transaction_commit();
}

void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
			       bool match_data, uint64_t data,
			       EventNotifier *e)
{
	MemoryRegionIoeventfd fd = {
		.addr = { int128_make64(addr), int128_make64(size) },
		.match_data = match_data,
		.data = data,
		.e = e,
	};
	unsigned int i;

	md_check_init(mr, "memory_region_del_eventfd");
	for (i = 0; i < mr->ioeventfd_nb; i++)
		if (!md_ioeventfd_cmp(&fd, &mr->ioeventfds[i]))
			break;
	if (i == mr->ioeventfd_nb)
		md_die(mr, "del_eventfd: no such eventfd at 0x%" PRIx64, addr);
	memory_region_transaction_begin();
	memmove(&mr->ioeventfds[i], &mr->ioeventfds[i + 1],
		(mr->ioeventfd_nb - i - 1) * sizeof(fd));
	mr->ioeventfd_nb--;
	md_ioeventfd_engine(mr, addr, size, match_data, data, e, false);
	md_ioeventfd_pending |= mr->enabled;
	memory_region_transaction_commit();
}

/* ---------------------------------------------------------------------- */
/* Listener calls. */

#define MD_FOR_LISTENERS_FWD(l, as) \
	for ((l) = (as)->md_listeners_first; (l); (l) = (l)->md_as_next)
#define MD_FOR_LISTENERS_REV(l, as) \
	for ((l) = (as)->md_listeners_last; (l); (l) = (l)->md_as_prev)

static void md_coalesced_del_range(AddressSpace *as, FlatRange *fr)
{
	MemoryRegionSection s;
	MemoryListener *l;

	if (!fr->mr->coalesced)
		return;
	s = md_section_from_range(fr, as->current_map);
	MD_FOR_LISTENERS_REV(l, as)
		if (l->coalesced_io_del)
			l->coalesced_io_del(l, &s, int128_get64(fr->addr.start),
					    int128_get64(fr->addr.size));
}

static void md_coalesced_add_range(AddressSpace *as, FlatRange *fr)
{
	CoalescedMemoryRange *c;
	MemoryRegionSection s;
	MemoryListener *l;

	s = md_section_from_range(fr, as->current_map);
	for (c = fr->mr->coalesced; c; c = c->next) {
		Int128 st = c->addr.start + fr->addr.start -
			    (Int128)fr->offset_in_region;
		Int128 en = st + c->addr.size;
		Int128 fs = fr->addr.start, fe = fs + fr->addr.size;

		st = int128_max(st, fs);
		en = int128_min(en, fe);
		if (st >= en)
			continue;
		MD_FOR_LISTENERS_FWD(l, as)
			if (l->coalesced_io_add)
				l->coalesced_io_add(l, &s, int128_get64(st),
						    int128_get64(en - st));
	}
}

/* QEMU's region_nop for every range of @v from chunk @c0 to @c1. */
static void md_nop_chunks(AddressSpace *as, FlatView *v, unsigned int c0,
			  unsigned int c1)
{
	MemoryListener *l;
	struct md_fv_iter it;
	const FlatRange *fr;

	md_fv_iter_seek(&it, v, c0);
	for (; (fr = md_fv_iter_cur(&it)) != NULL && it.k < c1; it.i++) {
		MemoryRegionSection s = md_section_from_range(fr, v);

		MD_FOR_LISTENERS_FWD(l, as)
			if (l->region_nop)
				l->region_nop(l, &s);
	}
}

/*
 * Number of chunks @a and @b share at their start (*@pre) and, after
 * that, at their end (*@suf): whole groups first, then chunk by chunk.
 */
static void md_shared_chunks(const FlatView *a, const FlatView *b,
			     unsigned int *pre, unsigned int *suf)
{
	unsigned int g = 0, p = 0, s = 0, ga, gb;

	while (g < a->nr_groups && g < b->nr_groups &&
	       a->groups[g] == b->groups[g])
		p += a->groups[g++]->nr_chunks;
	while (p < a->nr_chunks && p < b->nr_chunks &&
	       md_fv_chunk(a, p) == md_fv_chunk(b, p))
		p++;
	ga = a->nr_groups;
	gb = b->nr_groups;
	while (ga && gb && a->groups[ga - 1] == b->groups[gb - 1] &&
	       s + a->groups[ga - 1]->nr_chunks <= a->nr_chunks - p &&
	       s + a->groups[ga - 1]->nr_chunks <= b->nr_chunks - p) {
		s += a->groups[--ga]->nr_chunks;
		gb--;
	}
	while (s < a->nr_chunks - p && s < b->nr_chunks - p &&
	       md_fv_chunk(a, a->nr_chunks - 1 - s) ==
	       md_fv_chunk(b, b->nr_chunks - 1 - s))
		s++;
	*pre = p;
	*suf = s;
}

/*
 * One of QEMU's two address_space_update_topology_pass() passes.  Chunks
 * shared by both views at their start and end hold the same ranges: they
 * are not compared, only reported with region_nop when a listener wants
 * it, so a commit that rebuilt a few chunks costs O(window).
 */
static void md_update_pass(AddressSpace *as, FlatView *old, FlatView *new,
			   bool adding)
{
	struct md_fv_iter io = { .fv = old }, in = { .fv = new };
	unsigned int pre = 0, suf = 0, oend, nend;
	bool want_nop = false;
	MemoryListener *l;

	MD_FOR_LISTENERS_FWD(l, as)
		if (l->region_nop)
			want_nop = true;
	md_shared_chunks(old, new, &pre, &suf);
	oend = old->nr_chunks - suf;
	nend = new->nr_chunks - suf;
	if (adding && want_nop)
		md_nop_chunks(as, new, 0, pre);
	md_fv_iter_seek(&io, old, pre);
	md_fv_iter_seek(&in, new, pre);
	for (;;) {
		const FlatRange *fo = io.k < oend ? md_fv_iter_cur(&io) : NULL;
		const FlatRange *fn = in.k < nend ? md_fv_iter_cur(&in) : NULL;
		MemoryRegionSection s;

		if (fo && io.k >= oend)
			fo = NULL;
		if (fn && in.k >= nend)
			fn = NULL;
		if (!fo && !fn)
			break;
		if (fo && (!fn || fo->addr.start < fn->addr.start ||
			   (fo->addr.start == fn->addr.start &&
			    !md_flatrange_equal(fo, fn)))) {
			if (!adding) {
				md_coalesced_del_range(as, (FlatRange *)fo);
				s = md_section_from_range(fo, old);
				MD_FOR_LISTENERS_REV(l, as)
					if (l->region_del)
						l->region_del(l, &s);
			}
			io.i++;
		} else if (fo && fn && md_flatrange_equal(fo, fn)) {
			if (adding) {
				s = md_section_from_range(fn, new);
				MD_FOR_LISTENERS_FWD(l, as)
					if (l->region_nop)
						l->region_nop(l, &s);
				if (fn->dirty_log_mask & ~fo->dirty_log_mask)
					MD_FOR_LISTENERS_FWD(l, as)
						if (l->log_start)
							l->log_start(l, &s,
								fo->dirty_log_mask,
								fn->dirty_log_mask);
				if (fo->dirty_log_mask & ~fn->dirty_log_mask)
					MD_FOR_LISTENERS_REV(l, as)
						if (l->log_stop)
							l->log_stop(l, &s,
								fo->dirty_log_mask,
								fn->dirty_log_mask);
			}
			io.i++;
			in.i++;
		} else {
			if (adding) {
				s = md_section_from_range(fn, new);
				MD_FOR_LISTENERS_FWD(l, as)
					if (l->region_add)
						l->region_add(l, &s);
				md_coalesced_add_range(as, (FlatRange *)fn);
			}
			in.i++;
		}
	}
	if (adding && want_nop)
		md_nop_chunks(as, new, nend, new->nr_chunks);
}

/* ---------------------------------------------------------------------- */
/* Commit. */

/*
 * Regions holding a cached view (as the simplified root of some address
 * space).  A cache entry no address space uses any more is dropped after
 * each commit, so views (and the references they hold) do not linger.
 */
static MemoryRegion **md_cached;
static size_t md_nr_cached, md_cap_cached;

static void md_cache_forget(MemoryRegion *mr)
{
	size_t i;

	for (i = 0; i < md_nr_cached; i++) {
		if (md_cached[i] == mr) {
			md_cached[i] = md_cached[--md_nr_cached];
			break;
		}
	}
	if (mr->md_fv) {
		md_flatview_put(mr->md_fv);
		mr->md_fv = NULL;
	}
}

static void md_cache_prune(void)
{
	size_t i = 0;

	while (i < md_nr_cached) {
		MemoryRegion *mr = md_cached[i];

		if (mr->md_fv && mr->md_fv->ref > 1) {
			i++;
			continue;
		}
		md_cached[i] = md_cached[--md_nr_cached];
		if (mr->md_fv) {
			md_flatview_put(mr->md_fv);
			mr->md_fv = NULL;
		}
	}
}

static bool md_verify_incremental(void)
{
	static int on = -1;

	if (on < 0) {
		const char *e = getenv("MEMDISP_VERIFY_INCREMENTAL");

		on = e && *e && strcmp(e, "0");
	}
	return on;
}

static unsigned long md_stat_full, md_stat_incremental;

/**
 * memdisp_render_stats() - renders done so far (test and benchmark aid)
 * @full: where to store the number of full renders, or NULL
 * @incremental: where to store the number of window renders, or NULL
 */
void memdisp_render_stats(unsigned long *full, unsigned long *incremental)
{
	if (full)
		*full = md_stat_full;
	if (incremental)
		*incremental = md_stat_incremental;
}

static void md_dump_view(const char *what, FlatView *v)
{
	const FlatRange *fr;

	fprintf(stderr, "memdisp: %s view:\n", what);
	MD_FLATVIEW_FOR_EACH(v, fr)
		fprintf(stderr, "  %016" PRIx64 "-%016" PRIx64 " %s @%" PRIx64
			"%s%s%s log %x\n", int128_get64(fr->addr.start),
			int128_get64(fr->addr.start + fr->addr.size - 1),
			memory_region_name(fr->mr), fr->offset_in_region,
			fr->readonly ? " ro" : "", fr->romd_mode ? "" : " !romd",
			fr->nonvolatile ? " nv" : "", fr->dirty_log_mask);
}

/* What a failed MEMDISP_VERIFY_INCREMENTAL check prints. */
static void md_dump_views(MemoryRegion *physmr, FlatView *inc, FlatView *full,
			  Int128 off)
{
	unsigned int i;

	fprintf(stderr, "memdisp: windows of %s (offset 0x%" PRIx64 "):\n",
		memory_region_name(physmr), int128_get64(off));
	for (i = 0; i < md_nwin; i++)
		fprintf(stderr, "  top %s [0x%" PRIx64 ", 0x%" PRIx64 ")%s\n",
			memory_region_name(md_win[i].top),
			(uint64_t)md_win[i].lo, (uint64_t)md_win[i].hi,
			md_win[i].hi >= int128_2_64() ? " (2^64)" : "");
	md_dump_view("previous", physmr->md_fv);
	md_dump_view("incremental", inc);
	md_dump_view("full", full);
}

/*
 * The cached view of @physmr with this transaction's windows rendered
 * again, or NULL when that is not known to be exact (see md_note()).
 */
static FlatView *md_view_incremental(MemoryRegion *physmr)
{
	FlatView *v = physmr->md_fv, *nv;
	MemoryRegion *x, *top = physmr;
	Int128 off = 0;
	unsigned int i, used = 0;

	if (md_win_full || md_force_all)
		return NULL;
	for (x = physmr; x; x = x->container) {
		for (i = 0; i < md_nrelinked; i++)
			if (md_relinked[i] == x)
				return NULL;
		if (x != physmr)
			off += x->addr;
		top = x;
	}
	for (i = 0; i < md_nwin; i++)
		if (md_win[i].top == top)
			used++;
	if (!used)
		return NULL;	/* marked by a path we did not note */
	md_flatview_ref(v);
	for (i = 0; i < md_nwin; i++) {
		Int128 lo = md_win[i].lo - off, hi = md_win[i].hi - off;

		if (md_win[i].top != top)
			continue;
		lo = int128_max(lo, 0);
		hi = int128_min(hi, int128_2_64());
		if (lo >= hi)
			continue;
		nv = md_render_window(v, physmr, lo, hi);
		md_flatview_put(v);
		v = nv;
	}
	md_stat_incremental++;
	if (md_verify_incremental()) {
		FlatView *full = md_render(physmr);

		if (!md_flatview_same(v, full)) {
			md_dump_views(physmr, v, full, off);
			md_die(physmr, "internal error: incremental render differs from a full render");
		}
		md_flatview_put(full);
	}
	return v;
}

static FlatView *md_view_for(MemoryRegion *physmr, unsigned long gen)
{
	FlatView *v;

	if (!physmr) {
		if (!md_empty_view)
			md_empty_view = md_flatview_new(NULL);
		return md_empty_view;
	}
	if (physmr->md_fv && !md_force_all &&
	    physmr->md_dirty_gen <= physmr->md_fv_gen)
		return physmr->md_fv;
	if (physmr->md_fv && physmr->md_fv_gen == gen)
		return physmr->md_fv;
	v = physmr->md_fv ? md_view_incremental(physmr) : NULL;
	if (!v) {
		v = md_render(physmr);
		md_stat_full++;
	}
	if (physmr->md_fv) {
		md_flatview_put(physmr->md_fv);
	} else {
		if (md_nr_cached == md_cap_cached) {
			md_cap_cached = md_cap_cached ? md_cap_cached * 2 : 16;
			md_cached = md_realloc(md_cached, md_cap_cached *
					       sizeof(*md_cached));
		}
		md_cached[md_nr_cached++] = physmr;
	}
	physmr->md_fv = v;
	physmr->md_fv_gen = gen;
	return v;
}

static void md_as_update_ioeventfds(AddressSpace *as, bool replay_only,
				    MemoryListener *only);

static void md_as_set_view(AddressSpace *as, unsigned long gen, bool force)
{
	FlatView *old = as->current_map, *new;
	MemoryRegion *physmr;

	if (!force && !md_force_all && old && as->root &&
	    as->root->md_dirty_gen != gen)
		return;
	physmr = as->root ? md_flatview_root(as->root) : NULL;
	new = md_view_for(physmr, gen);
	if (new == old)
		return;
	md_flatview_ref(new);
	if (as->md_listeners_first) {
		FlatView empty = { .nr = 0 };
		FlatView *o = old ? old : &empty;

		md_update_pass(as, o, new, false);
		rcu_assign_pointer(as->current_map, new);
		md_update_pass(as, o, new, true);
	} else {
		rcu_assign_pointer(as->current_map, new);
	}
	if (old)
		md_flatview_put(old);
}

static void md_update_topology(void)
{
	unsigned long gen = md_gen;
	MemoryListener *l;
	AddressSpace *as;

	md_gen++;
	for (l = md_listeners_first; l; l = l->md_next)
		if (l->begin)
			l->begin(l);
	MD_FOR_EACH_AS(as) {
		md_as_set_view(as, gen, false);
		md_as_update_ioeventfds(as, false, NULL);
	}
	md_force_all = false;
	md_windows_reset();
	md_cache_prune();
	for (l = md_listeners_first; l; l = l->md_next)
		if (l->commit)
			l->commit(l);
	md_flatview_gc(false);
}

void memory_region_transaction_begin(void)
{
	md_txn_depth++;
}

void memory_region_transaction_commit(void)
{
	AddressSpace *as;

	if (!md_txn_depth)
		md_die(NULL, "memory_region_transaction_commit without begin");
	if (--md_txn_depth)
		return;
	if (!md_update_pending)
		md_windows_reset();
	if (md_update_pending) {
		md_update_pending = false;
		md_ioeventfd_pending = false;
		md_update_topology();
	} else if (md_ioeventfd_pending) {
		md_ioeventfd_pending = false;
		MD_FOR_EACH_AS(as)
			md_as_update_ioeventfds(as, false, NULL);
	}
}

/* ---------------------------------------------------------------------- */
/* ioeventfds of an address space. */

static void md_eventfd_call(AddressSpace *as, MemoryRegionIoeventfd *fd,
			    bool add, MemoryListener *only)
{
	MemoryRegionSection s = {
		.fv = as->current_map,
		.offset_within_address_space = int128_get64(fd->addr.start),
		.size = fd->addr.size,
	};
	MemoryListener *l;

	if (only) {
		if (only->eventfd_add)
			only->eventfd_add(only, &s, fd->match_data, fd->data,
					  fd->e);
		return;
	}
	if (add) {
		MD_FOR_LISTENERS_FWD(l, as)
			if (l->eventfd_add)
				l->eventfd_add(l, &s, fd->match_data, fd->data,
					       fd->e);
	} else {
		MD_FOR_LISTENERS_REV(l, as)
			if (l->eventfd_del)
				l->eventfd_del(l, &s, fd->match_data, fd->data,
					       fd->e);
	}
}

static int md_ioeventfd_qsort(const void *a, const void *b)
{
	return md_ioeventfd_cmp(a, b);
}

static void md_as_update_ioeventfds(AddressSpace *as, bool replay_only,
				    MemoryListener *only)
{
	MemoryRegionIoeventfd *new = NULL;
	unsigned int nnew = 0, cap = 0, i, j, io, in;
	FlatView *v = as->current_map;
	FlatRange *fr;

	if (replay_only) {
		for (i = 0; i < (unsigned int)as->ioeventfd_nb; i++)
			md_eventfd_call(as, &as->ioeventfds[i], true, only);
		return;
	}
	if (!as->ioeventfd_notifiers || !v)
		return;
	MD_FLATVIEW_FOR_EACH(v, fr) {
		for (j = 0; j < fr->mr->ioeventfd_nb; j++) {
			MemoryRegionIoeventfd fd = fr->mr->ioeventfds[j];
			Int128 st = fd.addr.start + fr->addr.start -
				    (Int128)fr->offset_in_region;
			Int128 fs = fr->addr.start, fe = fs + fr->addr.size;

			fd.addr.start = st;
			/* QEMU's addrrange_intersects */
			if (!((fs >= st && fs < st + fd.addr.size) ||
			      (st >= fs && st < fe)))
				continue;
			if (nnew == cap) {
				cap = cap ? cap * 2 : 8;
				new = md_realloc(new, cap * sizeof(*new));
			}
			new[nnew++] = fd;
		}
	}
	if (nnew)
		qsort(new, nnew, sizeof(*new), md_ioeventfd_qsort);
	io = in = 0;
	while (io < (unsigned int)as->ioeventfd_nb || in < nnew) {
		MemoryRegionIoeventfd *fo = io < (unsigned int)as->ioeventfd_nb ?
			&as->ioeventfds[io] : NULL;
		MemoryRegionIoeventfd *fn = in < nnew ? &new[in] : NULL;
		int c = !fo ? 1 : !fn ? -1 : md_ioeventfd_cmp(fo, fn);

		if (c < 0) {
			md_eventfd_call(as, fo, false, NULL);
			io++;
		} else if (c > 0) {
			md_eventfd_call(as, fn, true, NULL);
			in++;
		} else {
			io++;
			in++;
		}
	}
	free(as->ioeventfds);
	as->ioeventfds = new;
	as->ioeventfd_nb = (int)nnew;
}

/* ---------------------------------------------------------------------- */
/* Address spaces. */

void address_space_init(AddressSpace *as, MemoryRegion *root,
			const char *name)
{
	if (!as)
		md_die(NULL, "address_space_init: NULL address space");
	md_check_init(root, "address_space_init");
	memset(as, 0, sizeof(*as));
	memory_region_ref(root);
	as->root = root;
	as->name = strdup(name ? name : "anonymous");
	if (!as->name)
		md_oom();
	as->md_seq = ++md_as_seq;
	as->md_prev = md_as_last;
	if (md_as_last)
		md_as_last->md_next = as;
	else
		md_as_first = as;
	md_as_last = as;
	/* rendered before this transaction's edits: stale if any follow */
	md_as_set_view(as, md_gen - 1, true);
}

void address_space_destroy(AddressSpace *as)
{
	FlatView *v;

	if (as->md_listeners_first)
		md_die(as->root, "address_space_destroy(%s) with listeners still registered",
		       as->name);
	if (as->md_prev)
		as->md_prev->md_next = as->md_next;
	else
		md_as_first = as->md_next;
	if (as->md_next)
		as->md_next->md_prev = as->md_prev;
	else
		md_as_last = as->md_prev;
	v = as->current_map;
	rcu_assign_pointer(as->current_map, NULL);
	if (v)
		md_flatview_put(v);
	free(as->ioeventfds);
	as->ioeventfds = NULL;
	free(as->name);
	as->name = NULL;
	memory_region_unref(as->root);
	md_cache_prune();
	md_flatview_gc(false);
}

void address_space_remove_listeners(AddressSpace *as)
{
	while (as->md_listeners_first)
		memory_listener_unregister(as->md_listeners_first);
}

FlatView *address_space_to_flatview(AddressSpace *as)
{
	return rcu_dereference(as->current_map);
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
	FlatView *v = as->current_map;

	md_flatview_ref(v);
	return v;
}

void flatview_unref(FlatView *view)
{
	md_flatview_put(view);
}

/* ---------------------------------------------------------------------- */
/* Listeners. */

static void md_listener_replay(MemoryListener *l, AddressSpace *as)
{
	FlatView *v = as->current_map;
	const FlatRange *fr;

	if (l->begin)
		l->begin(l);
	if (global_dirty_tracking && l->log_global_start)
		l->log_global_start(l);
	MD_FLATVIEW_FOR_EACH(v, fr) {
		MemoryRegionSection s = md_section_from_range(fr, v);

		if (l->region_add)
			l->region_add(l, &s);
		if (fr->dirty_log_mask && l->log_start)
			l->log_start(l, &s, 0, fr->dirty_log_mask);
	}
	if (l->commit)
		l->commit(l);
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
	MemoryListener *o;

	if (!listener || !as)
		md_die(NULL, "memory_listener_register: NULL argument");
	if (listener->address_space)
		md_die(as->root, "listener %s registered twice",
		       listener->name ? listener->name : "(unnamed)");
	if (listener->log_sync && listener->log_sync_global)
		md_die(as->root, "listener %s has both log_sync and log_sync_global",
		       listener->name ? listener->name : "(unnamed)");
	listener->address_space = as;

	/* global list: after every listener of lower or equal priority */
	for (o = md_listeners_last; o && o->priority > listener->priority;
	     o = o->md_prev)
		;
	listener->md_prev = o;
	listener->md_next = o ? o->md_next : md_listeners_first;
	if (listener->md_next)
		listener->md_next->md_prev = listener;
	else
		md_listeners_last = listener;
	if (o)
		o->md_next = listener;
	else
		md_listeners_first = listener;

	for (o = as->md_listeners_last; o && o->priority > listener->priority;
	     o = o->md_as_prev)
		;
	listener->md_as_prev = o;
	listener->md_as_next = o ? o->md_as_next : as->md_listeners_first;
	if (listener->md_as_next)
		listener->md_as_next->md_as_prev = listener;
	else
		as->md_listeners_last = listener;
	if (o)
		o->md_as_next = listener;
	else
		as->md_listeners_first = listener;

	md_listener_replay(listener, as);

	if (listener->eventfd_add || listener->eventfd_del) {
		as->ioeventfd_notifiers++;
		if (as->ioeventfd_notifiers == 1) {
			/* the set was not tracked: build it quietly */
			MemoryListener *saved_first = as->md_listeners_first;
			MemoryListener *saved_last = as->md_listeners_last;

			as->md_listeners_first = as->md_listeners_last = NULL;
			md_as_update_ioeventfds(as, false, NULL);
			as->md_listeners_first = saved_first;
			as->md_listeners_last = saved_last;
		}
		md_as_update_ioeventfds(as, true, listener);
	}
}

void memory_listener_unregister(MemoryListener *listener)
{
	AddressSpace *as = listener->address_space;
	const FlatRange *fr;
	FlatView *v;

	if (!as)
		return;
	v = as->current_map;
	if (listener->begin)
		listener->begin(listener);
	MD_FLATVIEW_FOR_EACH(v, fr) {
		MemoryRegionSection s = md_section_from_range(fr, v);

		if (fr->dirty_log_mask && listener->log_stop)
			listener->log_stop(listener, &s,
					   fr->dirty_log_mask, 0);
		if (listener->region_del)
			listener->region_del(listener, &s);
	}
	if (listener->commit)
		listener->commit(listener);

	if (listener->eventfd_add || listener->eventfd_del)
		as->ioeventfd_notifiers--;

	if (listener->md_prev)
		listener->md_prev->md_next = listener->md_next;
	else
		md_listeners_first = listener->md_next;
	if (listener->md_next)
		listener->md_next->md_prev = listener->md_prev;
	else
		md_listeners_last = listener->md_prev;
	if (listener->md_as_prev)
		listener->md_as_prev->md_as_next = listener->md_as_next;
	else
		as->md_listeners_first = listener->md_as_next;
	if (listener->md_as_next)
		listener->md_as_next->md_as_prev = listener->md_as_prev;
	else
		as->md_listeners_last = listener->md_as_prev;
	listener->md_next = listener->md_prev = NULL;
	listener->md_as_next = listener->md_as_prev = NULL;
	listener->address_space = NULL;
}

static void md_sync_as(AddressSpace *as, MemoryRegion *mr)
{
	FlatView *v = as->current_map;
	const FlatRange *fr;
	MemoryListener *l;

	MD_FOR_LISTENERS_FWD(l, as) {
		if (l->log_sync) {
			MD_FLATVIEW_FOR_EACH(v, fr) {
				MemoryRegionSection s;

				if (!fr->dirty_log_mask)
					continue;
				if (mr && fr->mr != mr)
					continue;
				s = md_section_from_range(fr, v);
				l->log_sync(l, &s);
			}
		} else if (l->log_sync_global) {
			l->log_sync_global(l);
		}
	}
}

void address_space_sync_dirty_bitmap(AddressSpace *as)
{
	md_sync_as(as, NULL);
}

void memory_region_sync_dirty_bitmap(MemoryRegion *mr)
{
	AddressSpace *as;

	MD_FOR_EACH_AS(as)
		md_sync_as(as, mr);
}

void memory_global_dirty_log_sync(void)
{
	memory_region_sync_dirty_bitmap(NULL);
}

void memory_global_after_dirty_log_sync(void)
{
	MemoryListener *l;

	for (l = md_listeners_first; l; l = l->md_next)
		if (l->log_global_after_sync)
			l->log_global_after_sync(l);
}

void memory_global_dirty_log_start(unsigned int flags)
{
	unsigned int old = global_dirty_tracking;
	MemoryListener *l;

	if (!flags || (flags & ~GLOBAL_DIRTY_MASK))
		md_die(NULL, "memory_global_dirty_log_start: invalid flags 0x%x",
		       flags);
	global_dirty_tracking |= flags;
	if (old)
		return;
	for (l = md_listeners_first; l; l = l->md_next)
		if (l->log_global_start)
			l->log_global_start(l);
	memory_region_transaction_begin();
	md_force_all = true;
	md_update_pending = true;
	memory_region_transaction_commit();
}

void memory_global_dirty_log_stop(unsigned int flags)
{
	MemoryListener *l;

	if (!flags || (flags & ~GLOBAL_DIRTY_MASK) ||
	    (global_dirty_tracking & flags) != flags)
		md_die(NULL, "memory_global_dirty_log_stop: flags 0x%x not set (tracking 0x%x)",
		       flags, global_dirty_tracking);
	global_dirty_tracking &= ~flags;
	if (global_dirty_tracking)
		return;
	memory_region_transaction_begin();
	md_force_all = true;
	md_update_pending = true;
	memory_region_transaction_commit();
	for (l = md_listeners_last; l; l = l->md_prev)
		if (l->log_global_stop)
			l->log_global_stop(l);
}

/* ---------------------------------------------------------------------- */
/* Lookups. */

static MemoryRegionSection md_find(MemoryRegion *mr, hwaddr addr,
				   uint64_t size)
{
	MemoryRegionSection ret = { .mr = NULL };
	MemoryRegion *root;
	AddressSpace *as;
	FlatView *v;
	const FlatRange *fr;
	Int128 s, e;

	addr += mr->addr;
	for (root = mr; root->container;) {
		root = root->container;
		addr += root->addr;
	}
	MD_FOR_EACH_AS(as)
		if (as->root == root)
			break;
	if (!as || !as->current_map || !as->current_map->nr)
		return ret;
	v = as->current_map;
	fr = memdisp_flatview_lookup_ge(v, addr);
	if (!fr)
		return ret;
	s = int128_make64(addr);
	e = s + int128_make64(size);
	if (size == 0)
		e = s + 1;	/* QEMU's bsearch treats it as a point */
	if (fr->addr.start >= e)
		return ret;
	ret.mr = fr->mr;
	ret.fv = v;
	s = int128_max(s, fr->addr.start);
	e = int128_min(e, fr->addr.start + fr->addr.size);
	ret.offset_within_region = fr->offset_in_region +
				   int128_get64(s - fr->addr.start);
	ret.size = size ? e - s : 0;
	ret.offset_within_address_space = int128_get64(s);
	ret.readonly = fr->readonly;
	ret.nonvolatile = fr->nonvolatile;
	return ret;
}

MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
				       uint64_t size)
{
	MemoryRegionSection ret = md_find(mr, addr, size);

	if (ret.mr)
		memory_region_ref(ret.mr);
	return ret;
}

bool memory_region_present(MemoryRegion *container, hwaddr addr)
{
	MemoryRegion *mr = md_find(container, addr, 1).mr;

	return mr && mr != container;
}

MemoryRegionSection *memory_region_section_new_copy(MemoryRegionSection *s)
{
	MemoryRegionSection *t = md_zalloc(sizeof(*t));

	*t = *s;
	if (t->mr)
		memory_region_ref(t->mr);
	if (t->fv)
		md_flatview_ref(t->fv);
	return t;
}

void memory_region_section_free_copy(MemoryRegionSection *s)
{
	if (s->fv)
		md_flatview_put(s->fv);
	if (s->mr)
		memory_region_unref(s->mr);
	free(s);
}
