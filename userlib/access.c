// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * access.c - address_space_* accesses over the current FlatView
 *
 * Lookups go through memdisp_flatview_lookup() under the RCU read lock;
 * MMIO goes through memory_region_dispatch_read/write (dispatch/).
 *
 * Fast path: a per-thread software TLB (1024 one-line entries, 64 KiB per
 * accessing thread, grown up to 131072 entries / 8 MiB when the view's
 * working set does not fit: md_tlb_maybe_grow) keyed by view pointer +
 * creation sequence remembers resolved ranges (RAM host pointer and
 * direction flags, MMIO region, IOMMU region), so an access whose range
 * was seen before under the current view costs no lookup; one IOMMU level
 * in front of RAM is walked through it too, with the opt-in IOTLB
 * (memdisp_iommu_set_tlb).  The common MMIO read (aligned, a size the ops
 * serve with one plain callback, no accepts hook) is one direct call with
 * the re-entrancy guard and byte order handled inline
 * (md_mmio_direct_read).  The general resolver below handles everything
 * else with QEMU's semantics.
 */
#if defined(__SANITIZE_THREAD__)
#define MD_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MD_TSAN 1
#endif
#endif

/*
 * liburcu's inline read-side primitives (the library is LGPL); under TSan
 * the out-of-line ones, whose internal benign races TSan would report.
 */
#ifndef MD_TSAN
#define _LGPL_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "memdisp-internal.h"
#include "dispatch.h"
#include "access-internal.h"

#define MD_IOMMU_MAX_DEPTH	16

/* Register each accessing thread with liburcu once; unregister at exit. */
static pthread_key_t md_rcu_key;
static pthread_once_t md_rcu_once = PTHREAD_ONCE_INIT;
/* initial-exec: no __tls_get_addr call on the access path. */
#define MD_TLS __thread __attribute__((tls_model("initial-exec")))
static MD_TLS bool md_rcu_registered;

static void md_rcu_thread_exit(void *p)
{
	(void)p;
	urcu_memb_unregister_thread();
}

static void md_rcu_key_init(void)
{
	if (pthread_key_create(&md_rcu_key, md_rcu_thread_exit))
		md_oom();
}

static __attribute__((noinline)) void md_rcu_register(void)
{
	if (urcu_memb_read_ongoing())
		return;		/* the caller registered it itself */
	pthread_once(&md_rcu_once, md_rcu_key_init);
	urcu_memb_register_thread();
	pthread_setspecific(md_rcu_key, (void *)1);
	md_rcu_registered = true;
}

static inline void md_read_lock(void)
{
	if (__builtin_expect(!md_rcu_registered, 0))
		md_rcu_register();
	urcu_memb_read_lock();
}

#ifdef MD_TSAN
/*
 * ThreadSanitizer cannot see liburcu's ordering (membarrier(2) and plain
 * fences), so it would report every view access as racing with the
 * writer that built or freed it.  These annotations state the two orders
 * RCU guarantees: a view's construction happens before a reader that
 * loads its pointer (release at publication, acquire at load), and every
 * read-side section that ended happens before a grace period returns
 * (release at unlock, acquire after synchronize).  The writer side is
 * reached by linking the TSan build with -Wl,--wrap=rcu_set_pointer_sym
 * -Wl,--wrap=urcu_memb_synchronize_rcu (tests/xs/build.mk).
 */
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void *__real_rcu_set_pointer_sym(void **p, void *v);
void *__wrap_rcu_set_pointer_sym(void **p, void *v);
void __real_urcu_memb_synchronize_rcu(void);
void __wrap_urcu_memb_synchronize_rcu(void);

static char md_tsan_grace;

void *__wrap_rcu_set_pointer_sym(void **p, void *v)
{
	if (v)
		__tsan_release(v);
	return __real_rcu_set_pointer_sym(p, v);
}

void __wrap_urcu_memb_synchronize_rcu(void)
{
	__real_urcu_memb_synchronize_rcu();
	__tsan_acquire(&md_tsan_grace);
}

static FlatView *md_view(AddressSpace *as)
{
	FlatView *fv = rcu_dereference(as->current_map);

	if (fv)
		__tsan_acquire(fv);
	return fv;
}

static void md_read_unlock(void)
{
	__tsan_release(&md_tsan_grace);
	urcu_memb_read_unlock();
}
#else
static inline FlatView *md_view(AddressSpace *as)
{
	return rcu_dereference(as->current_map);
}

static void md_read_unlock(void)
{
	urcu_memb_read_unlock();
}
#endif

/*
 * The fast path: a software TLB per thread.  Entry
 * ((addr >> 12) ^ (view >> 6)) % MD_TLB_SIZE remembers the last range
 * resolved for a page with that index: the view it came from (pointer and creation sequence,
 * so a freed view whose memory is reused by a newer one never matches),
 * the range's bounds and the host address of its start.  A view is
 * immutable once published, so an entry stays exact for as long as its
 * view is current; a commit publishes a new view and every entry stops
 * matching.
 */
#define MD_TLB_BITS	10	/* initial size: 1024 entries, 64 KiB */
#define MD_TLB_SIZE	(1U << MD_TLB_BITS)
#define MD_TLB_MAX_BITS	17	/* largest: 131072 entries, 8 MiB */
#define MD_TLB_SHIFT	12

struct md_tlb {
	const FlatView *fv;
	unsigned long seq;
	hwaddr start;
	hwaddr last;
	uint8_t *host;		/* host address of @start */
	MemoryRegion *mr;
	hwaddr xlat;		/* offset of @start in @mr */
	bool rd;		/* reads may use @host */
	bool wr;		/* writes may use @host */
	bool io_rd;		/* reads go through the ops */
	bool io_wr;		/* writes go through the ops */
	uint8_t dirty;		/* dirty clients to mark on a write */
	bool iommu;		/* @mr is an IOMMU region */
	uint8_t direct_rd;	/* bit n - 1: n-byte reads are one direct call */
	bool guard;		/* direct reads hold the re-entrancy guard */
} __attribute__((aligned(64)));	/* one cache line per entry */

_Static_assert(sizeof(struct md_tlb) == 64, "a TLB entry is one line");

static MD_TLS struct md_tlb *md_tlbs;
static MD_TLS unsigned int md_tlb_mask;	/* entries - 1 */
/* Entries of the current view evicted since the last resize. */
static MD_TLS unsigned long md_tlb_evictions;
static pthread_key_t md_tlb_key, md_iotlb_key;
static pthread_once_t md_tlb_once = PTHREAD_ONCE_INIT;

struct md_iotlb;
static MD_TLS struct md_iotlb *md_iotlbs;

/* Thread exit: free the tables and forget them (later destructors of the
 * same thread may still access memory and then get fresh ones). */
static void md_tlb_free(void *p)
{
	md_tlbs = NULL;
	md_tlb_mask = 0;
	free(p);
}

static void md_iotlb_free(void *p)
{
	md_iotlbs = NULL;
	free(p);
}

static void md_tlb_key_init(void)
{
	if (pthread_key_create(&md_tlb_key, md_tlb_free) ||
	    pthread_key_create(&md_iotlb_key, md_iotlb_free))
		md_oom();
}

/*
 * This thread's TLB, allocated on first use with 2^@bits entries, or
 * replaced by a larger one (NULL: no memory, the old one is kept).
 */
static __attribute__((noinline)) struct md_tlb *md_tlb_alloc(unsigned int bits)
{
	size_t n = (size_t)1 << bits;
	struct md_tlb *t = aligned_alloc(64, n * sizeof(*t));

	if (!t)
		return NULL;
	memset(t, 0, n * sizeof(*t));
	pthread_once(&md_tlb_once, md_tlb_key_init);
	if (pthread_setspecific(md_tlb_key, t)) {
		free(t);
		return NULL;
	}
	free(md_tlbs);
	md_tlbs = t;
	md_tlb_mask = n - 1;
	md_tlb_evictions = 0;
	return t;
}

/*
 * Dynamic sizing, in the spirit of QEMU's softmmu TLB resizing: when the
 * entries this thread evicts are still valid ones of the view it is
 * using (its working set does not fit: at 100k sections accessed at
 * random almost every access would miss and pay a full lookup), and that
 * view has more ranges than half the table, the table grows to twice the
 * view's ranges, up to 2^MD_TLB_MAX_BITS entries.  Consecutive pages index
 * consecutive entries, so a table of 2N entries holds N contiguous 4 KiB
 * sections without conflicts.  The table never shrinks (freed at thread
 * exit); its memory is at most twice the view's range count times 64
 * bytes, the order of the view's own size.
 */
static __attribute__((noinline)) void md_tlb_maybe_grow(const FlatView *fv)
{
	unsigned int bits = __builtin_ctz(md_tlb_mask + 1);
	unsigned int want = bits;

	md_tlb_evictions = 0;
	while (want < MD_TLB_MAX_BITS && ((size_t)1 << want) < 2UL * fv->nr)
		want++;
	if (want > bits)
		md_tlb_alloc(want);
}

/* Fill entry @t for @addr in @fv; false: unassigned. */
static __attribute__((noinline)) bool md_tlb_fill(struct md_tlb *t,
						  const FlatView *fv,
						  hwaddr addr)
{
	const FlatRange *fr = memdisp_flatview_lookup(fv, addr);
	MemoryRegion *mr;
	uint8_t *host = NULL;

	if (!fr)
		return false;
	mr = fr->mr;
	if (mr->ram || mr->rom_device)
		host = memory_region_get_ram_ptr(mr);
	t->fv = NULL;
	t->seq = fv->seq;
	t->start = (hwaddr)fr->addr.start;
	t->last = (hwaddr)(fr->addr.start + fr->addr.size - 1);
	t->host = host ? host + fr->offset_in_region : NULL;
	t->xlat = fr->offset_in_region;
	t->mr = mr;
	t->rd = host && (mr->ram || fr->romd_mode);
	t->wr = host && mr->ram && !mr->rom_device && !fr->readonly &&
		!mr->readonly;
	/* Through the ops, as md_rw_fv() decides (ROM writes are dropped
	 * there, reservations warned about there). */
	t->io_rd = !t->rd && (mr->rom_device || mr->ops);
	t->io_wr = !t->wr && !(mr->ram && !mr->rom_device) &&
		   (mr->rom_device || mr->ops);
	t->dirty = fr->dirty_log_mask;
	t->iommu = mr->is_iommu;
	if (t->iommu)
		t->rd = t->wr = t->io_rd = t->io_wr = false;
	t->direct_rd = 0;
	t->guard = false;
	if (t->io_rd && mr->ops) {
		/* what address_space_rw would send as one piece, too */
		unsigned int vmax = mr->ops->valid.max_access_size ?
				    mr->ops->valid.max_access_size : 4;
		unsigned int m = memdisp_ops_direct_sizes(mr->ops, false), n;

		for (n = 1; n <= 8; n <<= 1)
			if ((m & n) && n <= vmax)
				t->direct_rd |= 1U << (n - 1);
		/* as mr_target(): RAM-like regions are exempt */
		t->guard = !(mr->ram || mr->ram_device || mr->rom_device ||
			     mr->readonly);
	}
	t->fv = fv;
	return true;
}

/* The miss path of md_tlb_get(). */
static __attribute__((noinline)) struct md_tlb *md_tlb_miss(const FlatView *fv,
							     hwaddr addr)
{
	struct md_tlb *t = md_tlbs;

	if (!t) {
		t = md_tlb_alloc(MD_TLB_BITS);
		if (!t)
			return NULL;
	}
	t += ((addr >> MD_TLB_SHIFT) ^ ((uintptr_t)fv >> 6)) & md_tlb_mask;
	/* a valid entry of the same view evicted: capacity or conflict */
	if (t->fv == fv && t->seq == fv->seq &&
	    ++md_tlb_evictions > 2UL * (md_tlb_mask + 1)) {
		md_tlb_maybe_grow(fv);
		t = md_tlbs + (((addr >> MD_TLB_SHIFT) ^
				((uintptr_t)fv >> 6)) & md_tlb_mask);
	}
	return md_tlb_fill(t, fv, addr) ? t : NULL;
}

/*
 * This thread's entry for @addr in @fv, filled; NULL: unassigned.  The
 * entry is valid until this thread's next access (a miss may replace the
 * table): callers read what they need from it before calling out.
 */
static inline struct md_tlb *md_tlb_get(const FlatView *fv, hwaddr addr)
{
	struct md_tlb *t = md_tlbs;

	if (__builtin_expect(!t, 0))
		return md_tlb_miss(fv, addr);
	t += ((addr >> MD_TLB_SHIFT) ^ ((uintptr_t)fv >> 6)) & md_tlb_mask;
	if (t->fv != fv || t->seq != fv->seq ||
	    addr - t->start > t->last - t->start)
		return md_tlb_miss(fv, addr);
	return t;
}

/* memcpy with the common small sizes inlined as single moves. */
static inline void md_copy(void *d, const void *s, hwaddr len)
{
	switch (len) {
	case 1: memcpy(d, s, 1); break;
	case 2: memcpy(d, s, 2); break;
	case 4: memcpy(d, s, 4); break;
	case 8: memcpy(d, s, 8); break;
	default: memcpy(d, s, len); break;
	}
}

static unsigned int md_mmio_size(MemoryRegion *mr, hwaddr l, hwaddr addr);
static uint64_t md_ld_he(const uint8_t *b, unsigned int n);
static void md_st_he(uint8_t *b, uint64_t v, unsigned int n);

static inline uint64_t md_bswap(uint64_t v, unsigned int n)
{
	switch (n) {
	case 2: return __builtin_bswap16((uint16_t)v);
	case 4: return __builtin_bswap32((uint32_t)v);
	case 8: return __builtin_bswap64(v);
	default: return v & 0xff;
	}
}

/* Is @end big-endian now (DEVICE_NATIVE_ENDIAN: the target's order)? */
static inline bool md_big(enum device_endian end)
{
	if (end == DEVICE_LITTLE_ENDIAN)
		return false;
	if (end == DEVICE_BIG_ENDIAN)
		return true;
	return memdisp_endian_is_big(end);
}

/*
 * The common MMIO read as one direct call: @n bytes (1, 2, 4 or 8) at
 * offset @a of @t's region when @n is one of the entry's direct sizes and
 * @a is aligned to it.  That is exactly what memory_region_dispatch_read
 * does for it (memdisp_ops_direct_sizes()): the re-entrancy guard held
 * around the callback (a thread already inside a callback takes the
 * general path, which searches the guard stack), and the value brought
 * from the device's byte order to the host's.  Its bits above @n bytes
 * are left as the callback returned them: the caller stores @n bytes or
 * masks.  False: not handled, nothing called.
 */
static inline bool md_mmio_direct_read(const struct md_tlb *t, hwaddr a,
				       hwaddr n, uint64_t *pv)
{
	MemoryRegion *mr = t->mr;
	const MemoryRegionOps *ops = mr->ops;
	bool guard = t->guard;
	uint64_t v;

	/* sizes 3, 5, 6 and 7 have no bit set */
	if (n - 1 >= 8 || !((t->direct_rd >> (n - 1)) & 1) || (a & (n - 1)))
		return false;
	if (guard) {
		if (memdisp_guard_depth)
			return false;
		memdisp_guard_stack[0] = mr->owner ? (const void *)mr->owner :
						     (const void *)mr;
		memdisp_guard_depth = 1;
	}
	v = ops->read(mr->opaque, a, (unsigned int)n);
	if (guard)
		memdisp_guard_depth = 0;
	if (md_big(ops->endianness) != (DEVICE_HOST_ENDIAN == DEVICE_BIG_ENDIAN))
		v = md_bswap(v, (unsigned int)n);
	*pv = v;
	return true;
}

static IOMMUTLBEntry md_iommu_translate(IOMMUMemoryRegion *iommu,
					const IOMMUMemoryRegionClass *cls,
					hwaddr xlat, bool is_write, int idx);
static FlatView *md_view(AddressSpace *as);

/*
 * One IOMMU level in front of plain RAM, through @t (an IOMMU range):
 * translate (the IOTLB makes a hit cheap), then the target's entry.  The
 * piece is clipped to the range, the IOMMU page and the target range.
 * Returns its length; 0 leaves it to the general walk (denied, unmapped,
 * a second level, MMIO behind the IOMMU, ...).
 */
static __attribute__((noinline)) hwaddr md_fast_iommu(struct md_tlb *t,
						      hwaddr addr, void *buf,
						      hwaddr len,
						      bool is_write,
						      MemTxAttrs attrs)
{
	IOMMUMemoryRegion *iommu = IOMMU_MEMORY_REGION(t->mr);
	const IOMMUMemoryRegionClass *cls = iommu->md_class;
	hwaddr xlat = addr - t->start + t->xlat, taddr, rest, off;
	const FlatView *tfv;
	IOMMUTLBEntry e;
	int idx = 0;

	if (len - 1 > t->last - addr)
		len = t->last - addr + 1;
	if (cls->attrs_to_index)
		idx = cls->attrs_to_index(iommu, attrs);
	e = md_iommu_translate(iommu, cls, xlat, is_write, idx);
	if (!(e.perm & (is_write ? IOMMU_WO : IOMMU_RO)) || !e.target_as)
		return 0;
	rest = (xlat | e.addr_mask) - xlat + 1;
	if (rest && rest < len)
		len = rest;
	taddr = (e.translated_addr & ~e.addr_mask) | (xlat & e.addr_mask);
	tfv = md_view(e.target_as);
	t = tfv ? md_tlb_get(tfv, taddr) : NULL;
	if (!t || !(is_write ? t->wr : t->rd))
		return 0;
	if (len - 1 > t->last - taddr)
		len = t->last - taddr + 1;
	off = taddr - t->start;
	if (is_write) {
		md_copy(t->host + off, buf, len);
		if (t->dirty)
			md_dirty_mark(t->mr, t->xlat + off, len, t->dirty);
	} else {
		md_copy(buf, t->host + off, len);
	}
	return len;
}

/* One MMIO piece through memory_region_dispatch_*: md_fast_rw's slow side. */
static __attribute__((noinline)) hwaddr md_fast_mmio(const struct md_tlb *t,
						     hwaddr off, void *buf,
						     hwaddr len,
						     bool is_write,
						     MemTxAttrs attrs,
						     MemTxResult *res)
{
	MemoryRegion *mr = t->mr;
	hwaddr a = t->xlat + off;
	unsigned int n = md_mmio_size(mr, len, a);
	uint64_t v = 0;

	if (is_write) {
		*res |= memory_region_dispatch_write(mr, a, md_ld_he(buf, n),
						     (MemOp)__builtin_ctz(n),
						     attrs);
	} else {
		*res |= memory_region_dispatch_read(mr, a, &v,
						    (MemOp)__builtin_ctz(n),
						    attrs);
		md_st_he(buf, v, n);
	}
	return n;
}

/*
 * The first piece of an access of @len (> 0) bytes at @addr when it lies
 * in a range of @fv the TLB knows: RAM copied directly, or, when @res is
 * not NULL, one MMIO access through the region's ops (result OR'ed into
 * *@res).  Returns the piece's length; 0 leaves the piece to the general
 * path (unassigned, IOMMU, ROM write, reservation).
 */
static inline __attribute__((always_inline))
hwaddr md_fast_rw(const FlatView *fv, hwaddr addr, void *buf, hwaddr len,
		  bool is_write, MemTxAttrs attrs, MemTxResult *res)
{
	struct md_tlb *t = md_tlb_get(fv, addr);
	hwaddr off;

	if (!t)
		return 0;
	if (t->iommu)
		return md_fast_iommu(t, addr, buf, len, is_write, attrs);
	off = addr - t->start;
	if (len - 1 > t->last - addr)
		len = t->last - addr + 1;
	if (is_write) {
		if (t->wr) {
			md_copy(t->host + off, buf, len);
			if (t->dirty)
				md_dirty_mark(t->mr, t->xlat + off, len,
					      t->dirty);
			return len;
		}
		if (res && t->io_wr)
			return md_fast_mmio(t, off, buf, len, true, attrs,
					    res);
	} else {
		if (t->rd) {
			md_copy(buf, t->host + off, len);
			return len;
		}
		if (res && t->io_rd) {
			uint64_t v;

			if (md_mmio_direct_read(t, t->xlat + off, len, &v)) {
				md_st_he(buf, v, len);
				return len;
			}
			return md_fast_mmio(t, off, buf, len, false, attrs,
					    res);
		}
	}
	return 0;
}

/* One resolved piece of an access. */
struct md_piece {
	MemoryRegion *mr;	/* NULL: unassigned */
	hwaddr xlat;
	hwaddr len;
	bool readonly;
	bool romd;
	uint8_t dirty;		/* the section's dirty_log_mask */
};

/* Length from @addr to the next range of @fv (or to 2^64 - @addr). */
static hwaddr md_hole_len(const FlatView *fv, hwaddr addr)
{
	const FlatRange *fr = memdisp_flatview_lookup_ge(fv, addr);

	if (fr && fr->addr.start <= (Int128)addr) {
		/* @addr is inside @fr: the next range starts after it */
		Int128 end = fr->addr.start + fr->addr.size;

		fr = end < int128_2_64() ?
		     memdisp_flatview_lookup_ge(fv, (hwaddr)end) : NULL;
	}
	if (fr)
		return (hwaddr)(fr->addr.start - addr);
	return addr ? (hwaddr)(-addr) : HWADDR_MAX;
}

/*
 * IOMMU translation cache (memdisp_iommu_set_tlb): per thread, direct
 * mapped by iova page.  An entry is valid while its region's generation
 * is the one it was filled under; notify, set_tlb and finalize move the
 * region to a new, never reused generation (0 means off).
 */
#define MD_IOTLB_SIZE	64U

struct md_iotlb {
	IOMMUMemoryRegion *iommu;
	unsigned long gen;
	hwaddr iova;		/* iova & ~entry.addr_mask */
	int idx;
	bool is_write;
	IOMMUTLBEntry entry;
};

static unsigned long md_iotlb_gen;	/* last generation handed out */

static void md_iotlb_bump(IOMMUMemoryRegion *iommu, bool on)
{
	unsigned long g = on ? __atomic_add_fetch(&md_iotlb_gen, 1,
						  __ATOMIC_RELAXED) : 0;

	__atomic_store_n(&iommu->md_tlb_gen, g, __ATOMIC_RELEASE);
}

void memdisp_iommu_set_tlb(IOMMUMemoryRegion *iommu, bool on)
{
	if (iommu)
		md_iotlb_bump(iommu, on);
}

static IOMMUTLBEntry md_iommu_translate(IOMMUMemoryRegion *iommu,
					const IOMMUMemoryRegionClass *cls,
					hwaddr xlat, bool is_write, int idx)
{
	unsigned long gen = __atomic_load_n(&iommu->md_tlb_gen,
					    __ATOMIC_ACQUIRE);
	struct md_iotlb *t = md_iotlbs;
	IOMMUTLBEntry e;

	if (gen && !t) {
		t = calloc(MD_IOTLB_SIZE, sizeof(*t));
		if (t) {
			pthread_once(&md_tlb_once, md_tlb_key_init);
			if (pthread_setspecific(md_iotlb_key, t)) {
				free(t);
				t = NULL;
			}
			md_iotlbs = t;
		}
	}
	if (gen && t) {
		t += ((xlat >> 12) * 2 + is_write) % MD_IOTLB_SIZE;
		if (t->iommu == iommu && t->gen == gen && t->idx == idx &&
		    t->is_write == is_write &&
		    (xlat & ~t->entry.addr_mask) == t->iova)
			return t->entry;
	}
	e = cls->translate(iommu, xlat, is_write ? IOMMU_WO : IOMMU_RO, idx);
	if (gen && t) {
		t->iommu = iommu;
		t->gen = gen;
		t->idx = idx;
		t->is_write = is_write;
		t->iova = xlat & ~e.addr_mask;
		t->entry = e;
	}
	return e;
}

/*
 * Resolve @addr in @as through @fv0 (the view the whole access uses, as
 * QEMU pins one FlatView per access; NULL: the current one), following
 * IOMMUs into their target address spaces' current views.
 */
static void md_resolve_fv(AddressSpace *as, FlatView *fv0, hwaddr addr,
			  hwaddr len, bool is_write, MemTxAttrs attrs,
			  struct md_piece *p)
{
	int depth;

	p->mr = NULL;
	p->readonly = false;
	p->romd = false;
	p->dirty = 0;
	p->len = len;
	for (depth = 0; depth < MD_IOMMU_MAX_DEPTH; depth++) {
		FlatView *fv = depth == 0 && fv0 ? fv0 :
			       as ? md_view(as) : NULL;
		const FlatRange *fr = memdisp_flatview_lookup(fv, addr);
		const IOMMUMemoryRegionClass *cls;
		IOMMUMemoryRegion *iommu;
		IOMMUTLBEntry e;
		hwaddr rest;
		int idx = 0;

		if (!fr) {
			rest = md_hole_len(fv, addr);
			if (rest < p->len)
				p->len = rest;
			return;
		}
		rest = (hwaddr)(fr->addr.start + fr->addr.size - addr);
		if (rest && rest < p->len)
			p->len = rest;
		p->xlat = addr - (hwaddr)fr->addr.start + fr->offset_in_region;
		if (!fr->mr->is_iommu) {
			p->mr = fr->mr;
			p->readonly = fr->readonly || fr->mr->readonly;
			p->romd = fr->romd_mode;
			p->dirty = fr->dirty_log_mask;
			return;
		}
		iommu = IOMMU_MEMORY_REGION(fr->mr);
		cls = iommu->md_class;
		if (cls->attrs_to_index)
			idx = cls->attrs_to_index(iommu, attrs);
		e = md_iommu_translate(iommu, cls, p->xlat, is_write, idx);
		if (!(e.perm & (is_write ? IOMMU_WO : IOMMU_RO)) ||
		    !e.target_as) {
			rest = (p->xlat | e.addr_mask) - p->xlat + 1;
			if (rest && rest < p->len)
				p->len = rest;
			return;
		}
		rest = (p->xlat | e.addr_mask) - p->xlat + 1;
		if (rest && rest < p->len)
			p->len = rest;
		addr = (e.translated_addr & ~e.addr_mask) |
		       (p->xlat & e.addr_mask);
		as = e.target_as;
	}
	fprintf(stderr, "memdisp: IOMMU walk deeper than %d levels at 0x%"
		PRIx64 " (cycle?): access is unassigned\n",
		MD_IOMMU_MAX_DEPTH, addr);
}

static void md_resolve(AddressSpace *as, hwaddr addr, hwaddr len,
		       bool is_write, MemTxAttrs attrs, struct md_piece *p)
{
	md_resolve_fv(as, NULL, addr, len, is_write, attrs, p);
}

MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
				      hwaddr *xlat, hwaddr *plen,
				      bool is_write, MemTxAttrs attrs)
{
	struct md_piece p;

	md_read_lock();
	md_resolve(as, addr, *plen, is_write, attrs, &p);
	md_read_unlock();
	*plen = p.len;
	*xlat = p.mr ? p.xlat : 0;
	return p.mr;
}

static bool md_warned_reservation;

/* An MMIO target that has no ops: unassigned (reservations warn once). */
static bool md_no_ops(MemoryRegion *mr)
{
	if (mr->ops)
		return false;
	if (mr->opaque == mr &&
	    !__atomic_exchange_n(&md_warned_reservation, true,
				 __ATOMIC_RELAXED))
		fprintf(stderr, "memdisp: access to reservation region \"%s\": unassigned\n",
			mr->name ? mr->name : "");
	return true;
}

static bool md_direct(const struct md_piece *p, bool is_write)
{
	if (!p->mr)
		return false;
	if (is_write)
		return p->mr->ram && !p->readonly && !p->mr->rom_device;
	return p->mr->ram || (p->mr->rom_device && p->romd);
}

/* MMIO piece size, as QEMU's memory_access_size(). */
static unsigned int md_mmio_size(MemoryRegion *mr, hwaddr l, hwaddr addr)
{
	hwaddr max = mr->ops && mr->ops->valid.max_access_size ?
		     mr->ops->valid.max_access_size : 4;
	unsigned int s;

	if (!(mr->ops && mr->ops->valid.unaligned) && (addr & -addr) &&
	    (addr & -addr) < max)
		max = addr & -addr;
	if (l < max)
		max = l;
	/* the largest power of two <= max, at most 8 */
	s = max >= 8 ? 8 : max >= 4 ? 4 : max >= 2 ? 2 : 1;
	return s;
}

static uint64_t md_ld_he(const uint8_t *b, unsigned int n)
{
	uint8_t v1; uint16_t v2; uint32_t v4; uint64_t v8;

	switch (n) {
	case 1: memcpy(&v1, b, 1); return v1;
	case 2: memcpy(&v2, b, 2); return v2;
	case 4: memcpy(&v4, b, 4); return v4;
	default: memcpy(&v8, b, 8); return v8;
	}
}

static void md_st_he(uint8_t *b, uint64_t v, unsigned int n)
{
	uint8_t v1 = v; uint16_t v2 = v; uint32_t v4 = v;

	switch (n) {
	case 1: memcpy(b, &v1, 1); break;
	case 2: memcpy(b, &v2, 2); break;
	case 4: memcpy(b, &v4, 4); break;
	default: memcpy(b, &v, 8); break;
	}
}

/* An access through @fv (the view of @as pinned for the whole access). */
static MemTxResult md_rw_fv(AddressSpace *as, FlatView *fv, hwaddr addr,
			    MemTxAttrs attrs, uint8_t *buf, hwaddr len,
			    bool is_write)
{
	MemTxResult res = MEMTX_OK;

	while (len) {
		struct md_piece p;
		uint64_t v;
		hwaddr done = fv ? md_fast_rw(fv, addr, buf, len, is_write,
					      attrs, &res) : 0;

		if (done) {
			buf += done;
			addr += done;
			len -= done;
			continue;
		}
		md_resolve_fv(as, fv, addr, len, is_write, attrs, &p);
		if (!p.len)
			p.len = len;
		if (md_direct(&p, is_write)) {
			uint8_t *host = memory_region_get_ram_ptr(p.mr);

			if (is_write) {
				memcpy(host + p.xlat, buf, p.len);
				if (p.dirty)
					md_dirty_mark(p.mr, p.xlat, p.len,
						      p.dirty);
			} else
				memcpy(buf, host + p.xlat, p.len);
		} else if (p.mr && is_write && p.mr->ram &&
			   !p.mr->rom_device) {
			/* ROM or readonly RAM: the write is dropped. */
		} else if (!p.mr || (!p.mr->rom_device && md_no_ops(p.mr))) {
			if (!is_write)
				memset(buf, 0, p.len);
			res |= MEMTX_DECODE_ERROR;
		} else {
			unsigned int n = md_mmio_size(p.mr, p.len, p.xlat);

			p.len = n;
			if (is_write) {
				v = md_ld_he(buf, n);
				res |= memory_region_dispatch_write(p.mr,
					p.xlat, v, (MemOp)__builtin_ctz(n),
					attrs);
			} else {
				v = 0;
				res |= memory_region_dispatch_read(p.mr,
					p.xlat, &v, (MemOp)__builtin_ctz(n),
					attrs);
				md_st_he(buf, v, n);
			}
		}
		buf += p.len;
		addr += p.len;
		len -= p.len;
	}
	return res;
}

/*
 * address_space_rw's body, inlined into address_space_read and _write with
 * a constant direction (the exported functions may be interposed under
 * -fPIC, so the compiler would not inline one into the other).
 */
static inline __attribute__((always_inline))
MemTxResult md_as_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
		     void *buf, hwaddr len, bool is_write)
{
	MemTxResult r = MEMTX_OK;
	FlatView *fv;

	md_read_lock();
	fv = as ? md_view(as) : NULL;
	/* The common case: all of it in one plain RAM range. */
	if (fv && len) {
		hwaddr done = md_fast_rw(fv, addr, buf, len, is_write, attrs,
					 &r);

		buf = (uint8_t *)buf + done;
		addr += done;
		len -= done;
	}
	if (len)
		r = md_rw_fv(as, fv, addr, attrs, buf, len, is_write);
	md_read_unlock();
	return r;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
			     void *buf, hwaddr len, bool is_write)
{
	return is_write ? md_as_rw(as, addr, attrs, buf, len, true) :
			  md_as_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
			       MemTxAttrs attrs, void *buf, hwaddr len)
{
	return md_as_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
				MemTxAttrs attrs, const void *buf, hwaddr len)
{
	return md_as_rw(as, addr, attrs, (void *)buf, len, true);
}

bool address_space_access_valid(AddressSpace *as, hwaddr addr, hwaddr len,
				 bool is_write, MemTxAttrs attrs)
{
	bool ok = true;

	md_read_lock();
	while (len && ok) {
		struct md_piece p;

		md_resolve(as, addr, len, is_write, attrs, &p);
		if (!p.len)
			p.len = len;
		if (!p.mr) {
			ok = false;
		} else if (!md_direct(&p, is_write) &&
			   !(is_write && p.mr->ram && !p.mr->rom_device)) {
			if (!p.mr->rom_device && md_no_ops(p.mr)) {
				ok = false;
			} else {
				unsigned int n = md_mmio_size(p.mr, p.len,
							      p.xlat);

				ok = memory_region_access_valid(p.mr, p.xlat,
								n, is_write,
								attrs);
				p.len = n;
			}
		}
		addr += p.len;
		len -= p.len;
	}
	md_read_unlock();
	return ok;
}

/* The @size bytes at @b as a value in order @end, and back. */
static uint64_t md_bytes_to_val(const uint8_t *b, unsigned int size,
				enum device_endian end)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++) {
		if (memdisp_endian_is_big(end))
			v = (v << 8) | b[i];
		else
			v |= (uint64_t)b[i] << (8 * i);
	}
	return v;
}

static void md_val_to_bytes(uint8_t *b, uint64_t v, unsigned int size,
			    enum device_endian end)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		b[i] = v >> (memdisp_endian_is_big(end) ? 8 * (size - 1 - i) :
			     8 * i);
}

/*
 * One load/store of @size bytes in order @end, through one view of @as
 * and one translation:
 *  - all of it in one RAM range: a direct copy (the TLB, or the resolved
 *    piece after an IOMMU);
 *  - all of it in one MMIO section: one dispatch of the whole value, in
 *    order @end (QEMU's address_space_ld*_internal);
 *  - across a section boundary: split at the boundaries as
 *    address_space_rw does (RAM copied, MMIO in the largest accesses the
 *    region allows), never byte by byte, and the bytes assembled in order
 *    @end.  (QEMU 7.2 instead sends the whole value to the first section's
 *    region, past its end; the issue asks for the split.)
 */
static uint64_t md_ld(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
		      MemTxResult *result, unsigned int size,
		      enum device_endian end)
{
	MemTxResult r = MEMTX_OK;
	FlatView *fv;
	struct md_piece p;
	uint8_t b[8];
	uint64_t v = 0;

	struct md_tlb *t;

	md_read_lock();
	fv = as ? md_view(as) : NULL;
	t = fv ? md_tlb_get(fv, addr) : NULL;
	if (t && size - 1 <= t->last - addr) {
		if (t->rd) {
			md_copy(b, t->host + (addr - t->start), size);
			goto bytes;
		}
		if (t->io_rd && md_mmio_direct_read(t, t->xlat +
						    (addr - t->start), size,
						    &v)) {
			if (size < 8)
				v &= (1ULL << (8 * size)) - 1;
			if (md_big(end) !=
			    (DEVICE_HOST_ENDIAN == DEVICE_BIG_ENDIAN))
				v = md_bswap(v, size);
			md_read_unlock();
			if (result)
				*result = MEMTX_OK;
			return v;
		}
		if (t->io_rd) {
			r = memory_region_dispatch_read(t->mr,
					t->xlat + (addr - t->start), &v,
					(MemOp)(__builtin_ctz(size) |
						memdisp_devend_memop(end)),
					attrs);
			md_read_unlock();
			if (result)
				*result = r;
			return v;
		}
	}
	md_resolve_fv(as, fv, addr, size, false, attrs, &p);
	if (p.mr && p.len >= size && md_direct(&p, false)) {
		memcpy(b, (uint8_t *)memory_region_get_ram_ptr(p.mr) + p.xlat,
		       size);
		goto bytes;
	}
	if (p.mr && p.len >= size && (p.mr->ops || p.mr->rom_device)) {
		r = memory_region_dispatch_read(p.mr, p.xlat, &v,
				(MemOp)(__builtin_ctz(size) |
					memdisp_devend_memop(end)), attrs);
		md_read_unlock();
		if (result)
			*result = r;
		return v;
	}
	r = md_rw_fv(as, fv, addr, attrs, b, size, false);
bytes:
	md_read_unlock();
	if (result)
		*result = r;
	return md_bytes_to_val(b, size, end);
}

static void md_st(AddressSpace *as, hwaddr addr, uint64_t v,
		  MemTxAttrs attrs, MemTxResult *result, unsigned int size,
		  enum device_endian end)
{
	MemTxResult r = MEMTX_OK;
	struct md_piece p;
	FlatView *fv;
	uint8_t b[8];

	struct md_tlb *t;

	md_val_to_bytes(b, v, size, end);
	md_read_lock();
	fv = as ? md_view(as) : NULL;
	t = fv ? md_tlb_get(fv, addr) : NULL;
	if (t && size - 1 <= t->last - addr) {
		if (t->wr) {
			md_copy(t->host + (addr - t->start), b, size);
			if (t->dirty)
				md_dirty_mark(t->mr,
					      t->xlat + (addr - t->start),
					      size, t->dirty);
			goto out;
		}
		if (t->io_wr) {
			r = memory_region_dispatch_write(t->mr,
					t->xlat + (addr - t->start), v,
					(MemOp)(__builtin_ctz(size) |
						memdisp_devend_memop(end)),
					attrs);
			goto out;
		}
	}
	md_resolve_fv(as, fv, addr, size, true, attrs, &p);
	if (p.mr && p.len >= size && !md_direct(&p, true) && !p.mr->ram &&
	    (p.mr->ops || p.mr->rom_device)) {
		r = memory_region_dispatch_write(p.mr, p.xlat, v,
				(MemOp)(__builtin_ctz(size) |
					memdisp_devend_memop(end)), attrs);
		goto out;
	}
	r = md_rw_fv(as, fv, addr, attrs, b, size, true);
out:
	md_read_unlock();
	if (result)
		*result = r;
}

#define MD_LD(name, type, size, end) \
type address_space_##name(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, \
			  MemTxResult *result) \
{ \
	return md_ld(as, addr, attrs, result, size, end); \
}
#define MD_ST(name, type, size, end) \
void address_space_##name(AddressSpace *as, hwaddr addr, type val, \
			  MemTxAttrs attrs, MemTxResult *result) \
{ \
	md_st(as, addr, val, attrs, result, size, end); \
}

MD_LD(ldub, uint32_t, 1, DEVICE_LITTLE_ENDIAN)
MD_LD(lduw_le, uint32_t, 2, DEVICE_LITTLE_ENDIAN)
MD_LD(lduw_be, uint32_t, 2, DEVICE_BIG_ENDIAN)
MD_LD(lduw, uint32_t, 2, DEVICE_NATIVE_ENDIAN)
MD_LD(ldl_le, uint32_t, 4, DEVICE_LITTLE_ENDIAN)
MD_LD(ldl_be, uint32_t, 4, DEVICE_BIG_ENDIAN)
MD_LD(ldl, uint32_t, 4, DEVICE_NATIVE_ENDIAN)
MD_LD(ldq_le, uint64_t, 8, DEVICE_LITTLE_ENDIAN)
MD_LD(ldq_be, uint64_t, 8, DEVICE_BIG_ENDIAN)
MD_LD(ldq, uint64_t, 8, DEVICE_NATIVE_ENDIAN)
MD_ST(stb, uint32_t, 1, DEVICE_LITTLE_ENDIAN)
MD_ST(stw_le, uint32_t, 2, DEVICE_LITTLE_ENDIAN)
MD_ST(stw_be, uint32_t, 2, DEVICE_BIG_ENDIAN)
MD_ST(stw, uint32_t, 2, DEVICE_NATIVE_ENDIAN)
MD_ST(stl_le, uint32_t, 4, DEVICE_LITTLE_ENDIAN)
MD_ST(stl_be, uint32_t, 4, DEVICE_BIG_ENDIAN)
MD_ST(stl, uint32_t, 4, DEVICE_NATIVE_ENDIAN)
MD_ST(stq_le, uint64_t, 8, DEVICE_LITTLE_ENDIAN)
MD_ST(stq_be, uint64_t, 8, DEVICE_BIG_ENDIAN)
MD_ST(stq, uint64_t, 8, DEVICE_NATIVE_ENDIAN)

/* IOMMU notifiers: a singly linked list per region, writer side only. */
static IOMMUNotifierFlag md_iommu_flags(IOMMUMemoryRegion *iommu)
{
	IOMMUNotifierFlag f = IOMMU_NOTIFIER_NONE;
	IOMMUNotifier *n;

	for (n = iommu->iommu_notify; n; n = n->next)
		f |= n->notifier_flags;
	return f;
}

int memory_region_register_iommu_notifier(MemoryRegion *mr, IOMMUNotifier *n,
					  Error **errp)
{
	IOMMUMemoryRegion *iommu = memory_region_get_iommu(mr);
	IOMMUNotifierFlag old;
	int ret;

	if (!iommu) {
		error_setg(errp, "%s: not an IOMMU region",
			   mr && mr->name ? mr->name : "(null)");
		return -EINVAL;
	}
	if (!n || n->notifier_flags == IOMMU_NOTIFIER_NONE ||
	    n->start > n->end) {
		error_setg(errp, "IOMMU notifier: no flags or empty range");
		return -EINVAL;
	}
	old = iommu->iommu_notify_flags;
	if (iommu->md_class->notify_flag_changed &&
	    (old | n->notifier_flags) != old) {
		ret = iommu->md_class->notify_flag_changed(iommu, old,
					old | n->notifier_flags, errp);
		if (ret)
			return ret;
	}
	n->next = iommu->iommu_notify;
	iommu->iommu_notify = n;
	iommu->iommu_notify_flags = old | n->notifier_flags;
	return 0;
}

void memory_region_unregister_iommu_notifier(MemoryRegion *mr,
					     IOMMUNotifier *n)
{
	IOMMUMemoryRegion *iommu = memory_region_get_iommu(mr);
	IOMMUNotifier **pp;
	IOMMUNotifierFlag old, now;

	if (!iommu)
		return;
	for (pp = &iommu->iommu_notify; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			break;
		}
	}
	old = iommu->iommu_notify_flags;
	now = md_iommu_flags(iommu);
	if (now != old && iommu->md_class->notify_flag_changed)
		iommu->md_class->notify_flag_changed(iommu, old, now, NULL);
	iommu->iommu_notify_flags = now;
}

void memory_region_notify_iommu_one(IOMMUNotifier *n, IOMMUTLBEvent *event)
{
	IOMMUTLBEntry e = event->entry;
	hwaddr start = e.iova, end = e.iova + e.addr_mask;

	if (!(n->notifier_flags & event->type))
		return;
	if (end < n->start || start > n->end)
		return;
	/* Clip to the notifier's range, like QEMU. */
	if (start < n->start)
		start = n->start;
	if (end > n->end)
		end = n->end;
	if (event->type == IOMMU_NOTIFIER_MAP &&
	    (start != e.iova || end != e.iova + e.addr_mask))
		return;	/* QEMU: a partial MAP is a bug; skip */
	n->notify(n, &e);
}

void memory_region_notify_iommu(IOMMUMemoryRegion *iommu_mr, int iommu_idx,
				IOMMUTLBEvent event)
{
	IOMMUNotifier *n, *next;

	/* Whatever changed, cached translations of the region are stale. */
	if (__atomic_load_n(&iommu_mr->md_tlb_gen, __ATOMIC_RELAXED))
		md_iotlb_bump(iommu_mr, true);
	for (n = iommu_mr->iommu_notify; n; n = next) {
		next = n->next;
		if (n->iommu_idx == iommu_idx)
			memory_region_notify_iommu_one(n, &event);
	}
}

/*
 * address_space_map/unmap.  RAM is mapped directly; anything else goes
 * through one library-wide bounce pool (QEMU 7.2 also has one bounce
 * buffer for the whole process), bounded by MEMDISP_BOUNCE_DEFAULT_LIMIT.
 */
static struct memdisp_bounce_pool md_bounce_pool;
static pthread_once_t md_bounce_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t md_bounce_lock = PTHREAD_MUTEX_INITIALIZER;

struct md_bounce_ref {
	struct memdisp_bounce *b;	/* NULL: a logged RAM write map */
	void *ptr;
	MemoryRegion *mr;
	hwaddr xlat;
	uint8_t dirty;
	struct md_bounce_ref *next;
};
static struct md_bounce_ref *md_bounces;	/* outstanding, under lock */

static void md_bounce_pool_setup(void)
{
	memdisp_bounce_pool_init(&md_bounce_pool, 0);
}

void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
			bool is_write, MemTxAttrs attrs)
{
	struct md_bounce_ref *ref;
	struct memdisp_bounce *b;
	struct md_piece p;
	void *ret = NULL;
	FlatView *fv;

	if (!*plen)
		return NULL;
	md_read_lock();
	fv = as ? md_view(as) : NULL;
	md_resolve_fv(as, fv, addr, *plen, is_write, attrs, &p);
	if (md_direct(&p, is_write)) {
		hwaddr done = p.len;

		/*
		 * Like QEMU's flatview_extend_translation(): go on through
		 * the following sections while they continue the same
		 * region at the next offset; stop at the first that does
		 * not.
		 */
		while (p.len && done < *plen) {
			struct md_piece q;

			md_resolve_fv(as, fv, addr + done, *plen - done,
				      is_write, attrs, &q);
			if (q.mr != p.mr || q.xlat != p.xlat + done ||
			    !q.len || !md_direct(&q, is_write))
				break;
			p.dirty |= q.dirty;
			done += q.len;
		}
		*plen = done;
		ret = (uint8_t *)memory_region_get_ram_ptr(p.mr) + p.xlat;
		md_read_unlock();
		/* Remember logged RAM write maps: unmap marks them dirty. */
		if (is_write && p.dirty) {
			ref = md_zalloc(sizeof(*ref));
			ref->ptr = ret;
			ref->mr = p.mr;
			ref->xlat = p.xlat;
			ref->dirty = p.dirty;
			memory_region_ref(p.mr);
			pthread_mutex_lock(&md_bounce_lock);
			ref->next = md_bounces;
			md_bounces = ref;
			pthread_mutex_unlock(&md_bounce_lock);
		}
		return ret;
	}
	md_read_unlock();
	if (!p.mr) {
		*plen = 0;
		return NULL;
	}
	pthread_once(&md_bounce_once, md_bounce_pool_setup);
	b = memdisp_bounce_get(&md_bounce_pool, p.len);
	if (!b) {
		*plen = 0;
		return NULL;
	}
	ref = malloc(sizeof(*ref));
	if (!ref) {
		memdisp_bounce_put(b);
		*plen = 0;
		return NULL;
	}
	b->addr = addr;
	b->attrs = attrs;
	b->is_write = is_write;
	b->mr = NULL;
	if (!is_write)
		address_space_read(as, addr, attrs, b->data, b->len);
	ref->b = b;
	ref->ptr = b->data;
	pthread_mutex_lock(&md_bounce_lock);
	ref->next = md_bounces;
	md_bounces = ref;
	pthread_mutex_unlock(&md_bounce_lock);
	*plen = b->len;
	return b->data;
}

void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len,
			 bool is_write, hwaddr access_len)
{
	struct md_bounce_ref **pp, *ref = NULL;

	(void)len;
	pthread_mutex_lock(&md_bounce_lock);
	for (pp = &md_bounces; *pp; pp = &(*pp)->next) {
		if ((*pp)->ptr == buffer) {
			ref = *pp;
			*pp = ref->next;
			break;
		}
	}
	pthread_mutex_unlock(&md_bounce_lock);
	if (!ref)
		return;		/* RAM of an unlogged section: nothing to do */
	if (!ref->b) {
		if (is_write && access_len)
			md_dirty_mark(ref->mr, ref->xlat, access_len,
				      ref->dirty);
		memory_region_unref(ref->mr);
		free(ref);
		return;
	}
	if (is_write && access_len) {
		if (access_len > ref->b->len)
			access_len = ref->b->len;
		address_space_write(as, ref->b->addr, ref->b->attrs,
				    ref->b->data, access_len);
	}
	memdisp_bounce_put(ref->b);
	free(ref);
}

void memdisp_register_map_client(void (*retry)(void *opaque), void *opaque,
				 void **handle)
{
	struct memdisp_map_client *c = calloc(1, sizeof(*c));

	if (!c)
		md_oom();
	c->retry = retry;
	c->opaque = opaque;
	pthread_once(&md_bounce_once, md_bounce_pool_setup);
	memdisp_bounce_register_client(&md_bounce_pool, c);
	*handle = c;
}

void memdisp_unregister_map_client(void *handle)
{
	struct memdisp_map_client *c = handle;

	if (!c)
		return;
	memdisp_bounce_unregister_client(&md_bounce_pool, c);
	free(c);
}

void md_ioeventfd_engine(MemoryRegion *mr, hwaddr addr, unsigned int size,
			 bool match_data, uint64_t data, EventNotifier *e,
			 bool add)
{
	struct memdisp_ioeventfd fd = {
		.addr = addr,
		.size = size,
		.match_data = match_data,
		.data = data,
		.fd = e ? e->wfd : -1,
		.cookie = e,
	};
	int ret;

	/* Like QEMU's add_eventfd: the value in the device's byte order. */
	if (mr->ops && (size == 1 || size == 2 || size == 4 || size == 8))
		fd.data = memdisp_endian_convert(data, size,
						 DEVICE_NATIVE_ENDIAN,
						 mr->ops->endianness);
	ret = add ? memdisp_ioeventfd_add(&mr->md_ioeventfds, &fd) :
		    memdisp_ioeventfd_del(&mr->md_ioeventfds, &fd);
	if (ret && ret != -ENOENT)
		fprintf(stderr, "memdisp: %s: ioeventfd at 0x%" PRIx64
			" size %u not matched by the write path (%d)\n",
			mr->name ? mr->name : "", addr, size, ret);
}

void md_access_region_fini(MemoryRegion *mr)
{
	if (mr->is_iommu)
		md_iotlb_bump(IOMMU_MEMORY_REGION(mr), false);
	memdisp_ioeventfd_table_destroy(&mr->md_ioeventfds);
	md_dirty_region_fini(mr);
}
