// SPDX-License-Identifier: GPL-2.0
/*
 * selftest.c - randomized selftest run at load with selftest=1: the index
 * and map translation against a naive linear model over random maps, the
 * IOTLB against a naive list under random updates and invalidations, IOMMU
 * translation, cycle detection and miss deduplication.  Like WireGuard's
 * allowedips selftest; a failure fails the module load.
 */
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/idr.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <net/net_namespace.h>

#include "md.h"

static int st_num, st_pass, st_fail;

static void st_report(bool ok, const char *name)
{
	st_num++;
	if (ok)
		st_pass++;
	else
		st_fail++;
	pr_info("memdisp selftest: %sok %d - %s\n", ok ? "" : "not ", st_num, name);
}

/* xorshift64*: reproducible from the printed seed */
static u64 st_state;

static u64 st_rand(void)
{
	st_state ^= st_state >> 12;
	st_state ^= st_state << 25;
	st_state ^= st_state >> 27;
	return st_state * 0x2545F4914F6CDD1DULL;
}

static u64 st_below(u64 n)
{
	return n ? st_rand() % n : 0;
}

/* Random sorted, non-overlapping ranges with small or huge gaps. */
static u32 st_random_ranges(u64 *s, u64 *l, u32 max)
{
	u32 n = st_below(max + 1), i = 0;
	u64 cur = st_below(4) ? st_below(64) : 0;
	bool scale = st_below(2);

	while (i < n) {
		u64 len = scale ? st_below(1ULL << 20) : st_below(8);
		u64 gap = st_below(3) ? st_below(scale ? 1ULL << 16 : 4) : 0;

		if (U64_MAX - cur < len)
			break;
		s[i] = cur;
		l[i] = cur + len;
		if (st_below(200) == 0 || l[i] == U64_MAX) {
			l[i] = U64_MAX;	/* reach the top of the space */
			i++;
			break;
		}
		i++;
		if (U64_MAX - l[i - 1] <= gap + 1)
			break;
		cur = l[i - 1] + 1 + gap;
		if (st_below(50) == 0 && cur < (1ULL << 63))
			cur += 1ULL << 62;	/* a huge hole */
	}
	return i;
}

static u64 st_pick_addr(const u64 *s, const u64 *l, u32 n)
{
	u32 i;

	switch (st_below(6)) {
	case 0:
		return st_rand();
	case 1:
		return st_below(3) ? st_below(1ULL << 22) : U64_MAX - st_below(4);
	default:
		if (!n)
			return st_rand();
		i = st_below(n);
		switch (st_below(4)) {
		case 0:
			return s[i];
		case 1:
			return l[i];
		case 2:
			return s[i] - 1;
		default:
			return l[i] + 1;
		}
	}
}

static bool st_index_round(u32 max, u32 lookups)
{
	u64 *s = NULL, *l = NULL;
	struct md_map *map = NULL;
	bool ok = false;
	u32 n, i, k;

	s = kvmalloc_array(max + 1, sizeof(u64), GFP_KERNEL);
	l = kvmalloc_array(max + 1, sizeof(u64), GFP_KERNEL);
	if (!s || !l)
		goto out;
	n = st_random_ranges(s, l, max);
	map = md_map_alloc(n);
	if (!map)
		goto out;
	for (i = 0; i < n; i++) {
		map->start[i] = s[i];
		map->last[i] = l[i];
		memset(&map->secs[i], 0, sizeof(map->secs[i]));
	}
	map->nr = n;
	if (md_map_finish(map))
		goto out;
	for (k = 0; k < lookups; k++) {
		u64 a = st_pick_addr(s, l, n);
		u32 want = MDX_NONE, want_ge = MDX_NONE;

		for (i = 0; i < n; i++) {
			if (l[i] >= a) {
				want_ge = i;
				if (s[i] <= a)
					want = i;
				break;
			}
		}
		if (mdx_lookup(&map->x, a) != want ||
		    mdx_lookup_ge(&map->x, a) != want_ge) {
			pr_err("memdisp selftest: index mismatch n=%u addr=%llx\n",
			       n, a);
			goto out;
		}
	}
	ok = true;
out:
	md_map_free(map);
	kvfree(s);
	kvfree(l);
	return ok;
}

static bool st_index(u32 rounds, u32 max, u32 lookups)
{
	u32 r;

	for (r = 0; r < rounds; r++) {
		if (!st_index_round(max, lookups))
			return false;
		cond_resched();
	}
	return true;
}

/* A detached address space (not in the idr) for translation tests. */
static struct memdisp_as *st_as_new(void)
{
	struct memdisp_as *as = kzalloc(sizeof(*as), GFP_KERNEL);

	if (!as)
		return NULL;
	refcount_set(&as->ref, 1);
	as->net = get_net(&init_net);
	mutex_init(&as->lock);
	atomic64_inc(&md_stats.live_as);
	return as;
}

static void st_as_free(struct memdisp_as *as)
{
	struct md_map *map;

	if (!as)
		return;
	mutex_lock(&as->lock);
	map = rcu_dereference_protected(as->map, lockdep_is_held(&as->lock));
	RCU_INIT_POINTER(as->map, NULL);
	mutex_unlock(&as->lock);
	md_map_free_rcu(map);
	memdisp_as_put(as);
}

/* Publish sections given as (start, last, type, offset, iommu) tuples. */
static int st_publish(struct memdisp_as *as, const u64 (*v)[5], u32 n)
{
	struct md_map *map = md_map_alloc(n);
	u32 i;
	int ret;

	if (!map)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		map->start[i] = v[i][0];
		map->last[i] = v[i][1];
		memset(&map->secs[i], 0, sizeof(map->secs[i]));
		map->secs[i].type = v[i][2];
		map->secs[i].offset = v[i][3];
		map->secs[i].iommu_id = v[i][4];
		map->secs[i].region_id = i + 1;
		if (v[i][2] == MEMDISP_SEC_RAM)
			map->secs[i].hva = 0x10000000ULL * (i + 1);
	}
	map->nr = n;
	ret = md_map_finish(map);
	if (ret) {
		md_map_free(map);
		return ret;
	}
	mutex_lock(&as->lock);
	map->gen = as->gen + 1;
	md_as_publish(as, map);
	mutex_unlock(&as->lock);
	return 0;
}

/*
 * The inline memdisp_translate() (memdisp_fast.h) and the out-of-line
 * __memdisp_translate() must agree on every field.
 */
static bool st_xlat_same(struct memdisp_as *as, u64 addr, u64 len, bool w,
			 const struct memdisp_xlat *x)
{
	struct memdisp_xlat y;

	__memdisp_translate(as, addr, len, w, &y);
	if (x->status == y.status && x->type == y.type &&
	    x->sec_flags == y.sec_flags && x->perm == y.perm &&
	    x->depth == y.depth && x->as_id == y.as_id &&
	    x->iommu_id == y.iommu_id && x->region_id == y.region_id &&
	    x->offset == y.offset && x->len == y.len && x->hva == y.hva &&
	    x->addr == y.addr && x->iova == y.iova)
		return true;
	pr_err("memdisp selftest: inline and out-of-line translations differ at %llx len %llx: status %u/%u len %llx/%llx hva %llx/%llx\n",
	       addr, len, x->status, y.status, x->len, y.len, x->hva, y.hva);
	return false;
}

/* Translation through a random map against a naive model. */
static bool st_xlat_map(u32 rounds)
{
	struct memdisp_as *as = st_as_new();
	u64 (*v)[5] = NULL;
	u64 *s = NULL, *l = NULL;
	bool ok = false;
	u32 r, n, i, k;

	v = kvmalloc_array(513, sizeof(*v), GFP_KERNEL);
	s = kvmalloc_array(513, sizeof(u64), GFP_KERNEL);
	l = kvmalloc_array(513, sizeof(u64), GFP_KERNEL);
	if (!as || !v || !s || !l)
		goto out;
	for (r = 0; r < rounds; r++) {
		n = st_random_ranges(s, l, 512);
		for (i = 0; i < n; i++) {
			v[i][0] = s[i];
			v[i][1] = l[i];
			v[i][2] = st_below(4);	/* RAM, ROM, ROMD, MMIO */
			v[i][3] = st_rand();
			v[i][4] = 0;
		}
		if (st_publish(as, (const u64 (*)[5])v, n))
			goto out;
		for (k = 0; k < 500; k++) {
			u64 a = st_pick_addr(s, l, n);
			u64 len = st_below(3) ? 1 + st_below(16) : st_rand() | 1;
			bool w = st_below(2);
			struct memdisp_xlat x;
			u64 want_lm1 = len - 1;
			u32 want_status = MEMDISP_XLAT_UNASSIGNED;
			u64 want_off = 0;
			u32 hit = 0;

			for (i = 0; i < n; i++) {
				if (l[i] < a)
					continue;
				if (s[i] <= a) {
					want_status = MEMDISP_XLAT_OK;
					want_lm1 = min(want_lm1, l[i] - a);
					want_off = v[i][3] + (a - s[i]);
					hit = i;
				} else {
					want_lm1 = min(want_lm1, s[i] - a - 1);
				}
				break;
			}
			if (!st_below(64))
				a = U64_MAX;	/* the out-of-line case */
			memdisp_translate(as, a, len, w, &x);
			if (!st_xlat_same(as, a, len, w, &x))
				goto out;
			if (a == U64_MAX)
				continue;
			if (x.status != want_status || x.len != want_lm1 + 1 ||
			    (want_status == MEMDISP_XLAT_OK &&
			     (x.offset != want_off || x.type != v[hit][2] ||
			      x.region_id != hit + 1 ||
			      x.perm != (v[hit][2] == MEMDISP_SEC_ROM ?
					 MEMDISP_PERM_READ : MEMDISP_PERM_RW) ||
			      (v[hit][2] == MEMDISP_SEC_RAM &&
			       x.hva != 0x10000000ULL * (hit + 1) + (a - s[hit]))))) {
				pr_err("memdisp selftest: xlat mismatch addr=%llx len=%llx status %u/%u len %llx/%llx\n",
				       a, len, x.status, want_status, x.len,
				       want_lm1 + 1);
				goto out;
			}
		}
		cond_resched();
	}
	ok = true;
out:
	st_as_free(as);
	kvfree(v);
	kvfree(s);
	kvfree(l);
	return ok;
}

struct st_tlb {
	u64 first, last, xlat, mask;
	u32 perm;
};

#define ST_TLB_MAX 256

static u32 st_tlb_remove(struct st_tlb *t, u32 n, u64 first, u64 last)
{
	u32 i, j = 0;

	for (i = 0; i < n; i++)
		if (t[i].last < first || t[i].first > last)
			t[j++] = t[i];
	return j;
}

static const struct st_tlb *st_tlb_find(const struct st_tlb *t, u32 n, u64 a)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (t[i].first <= a && a <= t[i].last)
			return &t[i];
	return NULL;
}

/* Insert the IOMMU into the idr like IOMMU_NEW does. */
static int st_iommu_publish(struct md_iommu *iommu)
{
	int id;

	mutex_lock(&md_lock);
	id = idr_alloc_cyclic(&md_iommu_idr, iommu, 1, INT_MAX, GFP_KERNEL);
	if (id >= 0) {
		iommu->id = id;
		iommu->in_idr = true;
		list_add_tail(&iommu->node, &md_iommu_list);
	}
	mutex_unlock(&md_lock);
	return id < 0 ? id : 0;
}

static void st_iommu_release(struct md_iommu *iommu)
{
	mutex_lock(&md_lock);
	md_iommu_release(iommu);
	mutex_unlock(&md_lock);
}

/*
 * Random IOTLB updates, invalidations and flushes against a naive list,
 * checked by lookups and by translations through an IOMMU section.
 */
static bool st_iotlb(u32 ops)
{
	struct memdisp_as *src = st_as_new(), *dst = st_as_new();
	struct md_iommu *iommu = NULL;
	struct st_tlb *t = NULL;
	bool ok = false;
	u32 n = 0, op, k;
	u64 v[1][5];

	t = kcalloc(ST_TLB_MAX + 1, sizeof(*t), GFP_KERNEL);
	if (!src || !dst || !t)
		goto out;
	iommu = md_iommu_alloc(dst, &init_net, 0);
	if (!iommu || st_iommu_publish(iommu))
		goto out;
	/* src: [0, 2^40) through the IOMMU, iova = addr + 0x1000 */
	v[0][0] = 0;
	v[0][1] = (1ULL << 40) - 1;
	v[0][2] = MEMDISP_SEC_IOMMU;
	v[0][3] = 0x1000;
	v[0][4] = iommu->id;
	if (st_publish(src, (const u64 (*)[5])v, 1))
		goto fail;
	/* dst: RAM over the whole space, offset == address */
	v[0][0] = 0;
	v[0][1] = U64_MAX;
	v[0][2] = MEMDISP_SEC_RAM;
	v[0][3] = 0;
	v[0][4] = 0;
	if (st_publish(dst, (const u64 (*)[5])v, 1))
		goto fail;

	for (op = 0; op < ops; op++) {
		u32 kind = st_below(10);

		if (kind < 6 && n < ST_TLB_MAX) {
			static const u64 masks[] = { 0xfff, 0xffff, 0x1fffff };
			u64 mask = masks[st_below(3)];
			u64 iova = st_below(1ULL << 28) & ~mask;
			u64 xlat = st_below(1ULL << 36) & ~mask;
			u32 perm = st_below(4);

			if (md_iotlb_update(iommu, iova, xlat, mask, perm))
				goto fail;
			n = st_tlb_remove(t, n, iova, iova | mask);
			if (perm) {
				t[n].first = iova;
				t[n].last = iova | mask;
				t[n].xlat = xlat;
				t[n].mask = mask;
				t[n].perm = perm;
				n++;
			}
		} else if (kind < 9) {
			u64 a = st_below(1ULL << 28), b = a + st_below(1ULL << 20);

			md_iotlb_inval(iommu, a, b);
			n = st_tlb_remove(t, n, a, b);
		} else if (st_below(8) == 0) {
			md_iotlb_flush(iommu);
			n = 0;
		}
		if (iommu->nr_entries != n) {
			pr_err("memdisp selftest: iotlb count %u, model %u\n",
			       iommu->nr_entries, n);
			goto fail;
		}
		for (k = 0; k < 64; k++) {
			u64 a = n && st_below(2) ?
				t[st_below(n)].first + st_below(0x3000) - 0x1800 :
				st_below(1ULL << 28);
			const struct st_tlb *want = st_tlb_find(t, n, a);
			const struct md_iotlb_entry *got;
			bool same;

			rcu_read_lock();
			got = md_iotlb_lookup(iommu, a);
			same = (!got && !want) ||
			       (got && want && got->first == want->first &&
				got->last == want->last && got->xlat == want->xlat &&
				got->perm == want->perm);
			rcu_read_unlock();
			if (!same) {
				pr_err("memdisp selftest: iotlb lookup mismatch at %llx\n", a);
				goto fail;
			}
		}
		/* translations through the IOMMU section */
		for (k = 0; k < 16; k++) {
			u64 addr = st_below(1ULL << 28);
			u64 iova = addr + 0x1000;
			const struct st_tlb *want = st_tlb_find(t, n, iova);
			bool w = st_below(2);
			u32 need = w ? MEMDISP_PERM_WRITE : MEMDISP_PERM_READ;
			u64 len = 1 + st_below(0x4000);
			struct memdisp_xlat x;

			memdisp_translate(src, addr, len, w, &x);
			if (!st_xlat_same(src, addr, len, w, &x))
				goto xfail;
			if (!want) {
				if (x.status != MEMDISP_XLAT_IOTLB_MISS ||
				    x.iova != iova || x.iommu_id != iommu->id ||
				    x.perm != need)
					goto xfail;
			} else if ((want->perm & need) != need) {
				if (x.status != MEMDISP_XLAT_DENIED)
					goto xfail;
			} else {
				u64 lm1 = min(len - 1, want->mask - (iova & want->mask));
				u64 out = want->xlat | (iova & want->mask);

				if (x.status != MEMDISP_XLAT_OK || x.depth != 1 ||
				    x.offset != out || x.addr != out ||
				    x.len != lm1 + 1 || x.perm != want->perm ||
				    x.type != MEMDISP_SEC_RAM)
					goto xfail;
			}
			continue;
xfail:
			pr_err("memdisp selftest: iommu xlat mismatch addr=%llx status=%u\n",
			       addr, x.status);
			goto fail;
		}
		if (!(op % 64))
			cond_resched();
	}
	ok = true;
fail:
	st_iommu_release(iommu);
	iommu = NULL;
out:
	if (iommu)
		md_iommu_free_now(iommu);
	st_as_free(src);
	st_as_free(dst);
	kfree(t);
	return ok;
}

/* An IOMMU whose target is its own source loops until the depth bound. */
static bool st_cycle(void)
{
	struct memdisp_as *as = st_as_new();
	struct md_iommu *iommu = NULL;
	struct memdisp_xlat x = { 0 };
	bool ok = false;
	u64 v[1][5];

	if (!as)
		return false;
	iommu = md_iommu_alloc(as, &init_net, 0);
	if (!iommu || st_iommu_publish(iommu)) {
		if (iommu)
			md_iommu_free_now(iommu);
		goto out;
	}
	v[0][0] = 0;
	v[0][1] = U64_MAX;
	v[0][2] = MEMDISP_SEC_IOMMU;
	v[0][3] = 0;
	v[0][4] = iommu->id;
	if (!st_publish(as, (const u64 (*)[5])v, 1) &&
	    !md_iotlb_update(iommu, 0, 0, U64_MAX, MEMDISP_PERM_RW)) {
		memdisp_translate(as, 0x1234, 8, false, &x);
		ok = x.status == MEMDISP_XLAT_LOOP &&
		     x.depth == MEMDISP_MAX_DEPTH;
	}
	/* the IOMMU holds a reference on @as: break the cycle first */
	st_iommu_release(iommu);
out:
	st_as_free(as);
	return ok;
}

static u32 st_miss_slots(struct md_iommu *iommu)
{
	u32 i, n = 0;

	for (i = 0; i < MD_MISS_SLOTS; i++)
		if (atomic64_read(&iommu->miss[i]))
			n++;
	return n;
}

/* Misses are recorded once per page and re-armed by a fill. */
static bool st_miss_dedup(void)
{
	struct memdisp_as *as = st_as_new();
	struct md_iommu *iommu;
	bool ok;

	if (!as)
		return false;
	iommu = md_iommu_alloc(as, &init_net, 0);
	if (!iommu) {
		st_as_free(as);
		return false;
	}
	rcu_read_lock();
	md_miss_note(iommu, 0x5000, MEMDISP_PERM_READ);
	md_miss_note(iommu, 0x5ff8, MEMDISP_PERM_WRITE);
	md_miss_note(iommu, 0x5000, MEMDISP_PERM_READ);
	rcu_read_unlock();
	ok = st_miss_slots(iommu) == 1;
	md_miss_note(iommu, 0x7000, MEMDISP_PERM_READ);
	ok = ok && st_miss_slots(iommu) == 2;
	ok = ok && !md_iotlb_update(iommu, 0x5000, 0, 0xfff, MEMDISP_PERM_RW);
	ok = ok && st_miss_slots(iommu) == 1;
	md_iotlb_flush(iommu);
	ok = ok && st_miss_slots(iommu) == 0;
	md_iommu_free_now(iommu);
	st_as_free(as);
	return ok;
}

/**
 * md_selftest() - run every selftest, print KTAP-like lines
 *
 * Return: 0 if all passed, -EINVAL otherwise.
 */
int md_selftest(void)
{
	u64 seed = get_random_u64();

	st_num = 0;
	st_pass = 0;
	st_fail = 0;
	st_state = seed ? seed : 1;
	pr_info("memdisp selftest: seed %llu\n", seed);
	st_report(st_index(300, 64, 2000), "index vs naive, small maps");
	st_report(st_index(40, 5000, 5000), "index vs naive, 5000-section maps");
	st_report(st_index(2, 200000, 20000), "index vs naive, 200000-section maps");
	st_report(st_xlat_map(100), "map translation vs naive (type, offset, clip, perm, hva)");
	st_report(st_iotlb(3000), "IOTLB update/invalidate/flush and IOMMU translation vs naive");
	st_report(st_cycle(), "IOMMU cycle stops at the depth bound");
	st_report(st_miss_dedup(), "IOTLB misses recorded once per page, re-armed by fill");
	rcu_barrier();
	flush_workqueue(md_wq);
	rcu_barrier();
	flush_workqueue(md_wq);
	st_report(atomic64_read(&md_stats.live_as) == 0 &&
		  atomic64_read(&md_stats.live_maps) == 0 &&
		  atomic64_read(&md_stats.live_iommus) == 0 &&
		  atomic64_read(&md_stats.live_iotlb) == 0,
		  "no live objects left");
	pr_info("memdisp selftest: done, %d passed, %d failed\n", st_pass, st_fail);
	return st_fail ? -EINVAL : 0;
}
