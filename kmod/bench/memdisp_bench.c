// SPDX-License-Identifier: GPL-2.0
/*
 * memdisp_bench.ko - lookup benchmark run at load: on the same random
 * ranges (64, 1k, 64k), ns per lookup of memdisp_translate(), the maple
 * tree (mtree_load), vhost's IOTLB (vhost_iotlb_itree_first) and a plain
 * sorted array with binary search; and the IOTLB hit cost (a translation
 * through an IOMMU section against vhost_iotlb_itree_first over the same
 * entries).  Prints "bench: NAME VALUE UNIT" lines to the kernel log; the
 * ratios are what matter under TCG.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/maple_tree.h>
#include <linux/vhost_iotlb.h>
#include <uapi/linux/vhost_types.h>
#include <linux/random.h>
#include <net/net_namespace.h>

#include "../memdisp_api.h"

static unsigned int iters = 1 << 20;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "lookups per measurement");

#define NADDR (1U << 16)

static u64 rs;

static u64 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

struct ranges {
	u32 n;
	u64 *start, *last;
	u64 *addr;	/* NADDR lookup addresses, mostly hits */
};

static int make_ranges(struct ranges *r, u32 n)
{
	u64 cur = rnd() % 4096;
	u32 i;

	r->n = n;
	r->start = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	r->last = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	r->addr = kvmalloc_array(NADDR, sizeof(u64), GFP_KERNEL);
	if (!r->start || !r->last || !r->addr)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r->start[i] = cur;
		r->last[i] = cur + (rnd() % 0x10000);
		cur = r->last[i] + 1 + (rnd() % 0x1000);
	}
	for (i = 0; i < NADDR; i++) {
		u32 k = rnd() % n;

		r->addr[i] = r->start[k] + rnd() % (r->last[k] - r->start[k] + 1);
		if (!(rnd() % 8))
			r->addr[i] = r->last[k] + 1;	/* some misses (gaps) */
	}
	return 0;
}

static void free_ranges(struct ranges *r)
{
	kvfree(r->start);
	kvfree(r->last);
	kvfree(r->addr);
}

static u64 sink;

static u64 time_memdisp(struct memdisp_as *as, const struct ranges *r)
{
	struct memdisp_xlat x;
	u64 t, s = 0;
	u32 i;

	t = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		memdisp_translate(as, r->addr[i & (NADDR - 1)], 1, false, &x);
		s += x.offset;
	}
	t = ktime_get_ns() - t;
	sink += s;
	return t;
}

static u64 time_maple(struct maple_tree *mt, const struct ranges *r)
{
	u64 t, s = 0;
	u32 i;

	t = ktime_get_ns();
	for (i = 0; i < iters; i++)
		s += (unsigned long)mtree_load(mt, r->addr[i & (NADDR - 1)]);
	t = ktime_get_ns() - t;
	sink += s;
	return t;
}

static u64 time_vhost(struct vhost_iotlb *tlb, const struct ranges *r)
{
	struct vhost_iotlb_map *m;
	u64 t, s = 0;
	u32 i;

	t = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		u64 a = r->addr[i & (NADDR - 1)];

		m = vhost_iotlb_itree_first(tlb, a, a);
		if (m)
			s += m->addr;
	}
	t = ktime_get_ns() - t;
	sink += s;
	return t;
}

static u64 time_bsearch(const struct ranges *r)
{
	u64 t, s = 0;
	u32 i;

	t = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		u64 a = r->addr[i & (NADDR - 1)];
		u32 lo = 0, hi = r->n;

		while (lo < hi) {
			u32 mid = (lo + hi) / 2;

			if (r->last[mid] < a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->n && r->start[lo] <= a)
			s += lo;
	}
	t = ktime_get_ns() - t;
	sink += s;
	return t;
}

#define NS(t) ((t) / iters), ((t) * 10 / iters % 10)

static int bench_size(u32 n)
{
	struct memdisp_section_desc *d = NULL;
	struct vhost_iotlb *tlb = NULL;
	struct memdisp_as *as = NULL;
	struct maple_tree mt;
	struct ranges r = { 0 };
	u64 tm = ~0ULL, tt = ~0ULL, tv = ~0ULL, tb = ~0ULL;
	int ret, rep;
	s64 gen;
	u32 i;

	mt_init(&mt);
	ret = make_ranges(&r, n);
	if (ret)
		goto out;
	d = kvcalloc(n, sizeof(*d), GFP_KERNEL);
	tlb = vhost_iotlb_alloc(1U << 20, 0);
	as = memdisp_as_create(&init_net, "bench");
	if (!d || !tlb || IS_ERR(as)) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		d[i].start = r.start[i];
		d[i].last = r.last[i];
		d[i].type = MEMDISP_SEC_RAM;
		d[i].region_id = i;
		d[i].hva = 0x100000 + r.start[i];
		ret = mtree_store_range(&mt, r.start[i], r.last[i], &d[i],
					GFP_KERNEL);
		if (ret) {
			pr_err("memdisp_bench: maple range %u [%llx, %llx]: %d\n",
			       i, r.start[i], r.last[i], ret);
			goto out;
		}
		ret = vhost_iotlb_add_range(tlb, r.start[i], r.last[i],
					    r.start[i], VHOST_ACCESS_RW);
		if (ret) {
			pr_err("memdisp_bench: vhost range %u [%llx, %llx]: %d\n",
			       i, r.start[i], r.last[i], ret);
			goto out;
		}
	}
	gen = memdisp_map_publish(as, 0, d, n);
	if (gen < 0) {
		pr_err("memdisp_bench: publishing %u sections: %lld\n", n, gen);
		ret = gen;
		goto out;
	}
	for (rep = 0; rep < 5; rep++) {
		tm = min(tm, time_memdisp(as, &r));
		tt = min(tt, time_maple(&mt, &r));
		tv = min(tv, time_vhost(tlb, &r));
		tb = min(tb, time_bsearch(&r));
		cond_resched();
	}
	pr_info("bench: kmod_lookup_memdisp_%u %llu.%llu ns\n", n, NS(tm));
	pr_info("bench: kmod_lookup_maple_%u %llu.%llu ns\n", n, NS(tt));
	pr_info("bench: kmod_lookup_vhost_iotlb_%u %llu.%llu ns\n", n, NS(tv));
	pr_info("bench: kmod_lookup_sorted_array_%u %llu.%llu ns\n", n, NS(tb));
	pr_info("bench: kmod_lookup_ratio_maple_over_memdisp_%u %llu.%02llu x\n", n,
		tt / tm, tt * 100 / tm % 100);
	pr_info("bench: kmod_lookup_ratio_vhost_over_memdisp_%u %llu.%02llu x\n", n,
		tv / tm, tv * 100 / tm % 100);
	pr_info("bench: kmod_lookup_ratio_bsearch_over_memdisp_%u %llu.%02llu x\n", n,
		tb / tm, tb * 100 / tm % 100);
	ret = 0;
out:
	if (!IS_ERR_OR_NULL(as)) {
		memdisp_as_destroy(as);
		memdisp_as_put(as);
	}
	if (tlb)
		vhost_iotlb_free(tlb);
	mtree_destroy(&mt);
	kvfree(d);
	free_ranges(&r);
	return ret;
}

/*
 * IOTLB hit: 1024 4 KiB entries.  Ours is a whole translation through an
 * IOMMU section (map lookup, IOTLB lookup, lookup in the target space);
 * vhost's is the IOTLB lookup alone.
 */
static int bench_iotlb(void)
{
	struct memdisp_section_desc d = { 0 };
	struct memdisp_as *src = NULL, *dst = NULL;
	struct vhost_iotlb *tlb = NULL;
	struct memdisp_xlat x;
	u64 *addr = NULL, t, tm = ~0ULL, tv = ~0ULL, s = 0;
	u32 id = 0, i, nent = 1024;
	int ret, rep;

	addr = kvmalloc_array(NADDR, sizeof(u64), GFP_KERNEL);
	tlb = vhost_iotlb_alloc(1U << 20, 0);
	src = memdisp_as_create(&init_net, "bench-src");
	dst = memdisp_as_create(&init_net, "bench-dst");
	if (!addr || !tlb || IS_ERR(src) || IS_ERR(dst)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = memdisp_iommu_create(dst, &id);
	if (ret)
		goto out;
	d.start = 0;
	d.last = U64_MAX;
	d.type = MEMDISP_SEC_RAM;
	d.hva = 0x100000;
	ret = memdisp_map_publish(dst, 0, &d, 1);
	if (ret < 0)
		goto out;
	d.type = MEMDISP_SEC_IOMMU;
	d.iommu_id = id;
	d.hva = 0;
	ret = memdisp_map_publish(src, 0, &d, 1);
	if (ret < 0)
		goto out;
	for (i = 0; i < nent; i++) {
		u64 iova = (u64)i * 0x2000, xl = 0x40000000ULL + (u64)i * 0x1000;

		ret = memdisp_iotlb_update(&init_net, id, iova, xl, 0xfff,
					   MEMDISP_PERM_RW);
		if (!ret)
			ret = vhost_iotlb_add_range(tlb, iova, iova + 0xfff, xl,
						    VHOST_ACCESS_RW);
		if (ret)
			goto out;
	}
	for (i = 0; i < NADDR; i++)
		addr[i] = (rnd() % nent) * 0x2000 + rnd() % 0x1000;
	for (rep = 0; rep < 5; rep++) {
		t = ktime_get_ns();
		for (i = 0; i < iters; i++) {
			memdisp_translate(src, addr[i & (NADDR - 1)], 1, true, &x);
			s += x.addr;
		}
		tm = min(tm, ktime_get_ns() - t);
		t = ktime_get_ns();
		for (i = 0; i < iters; i++) {
			struct vhost_iotlb_map *m;
			u64 a = addr[i & (NADDR - 1)];

			m = vhost_iotlb_itree_first(tlb, a, a);
			if (m)
				s += m->addr + (a - m->start);
		}
		tv = min(tv, ktime_get_ns() - t);
	}
	t = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		memdisp_translate(dst, addr[i & (NADDR - 1)], 1, true, &x);
		s += x.addr;
	}
	t = ktime_get_ns() - t;
	pr_info("bench: kmod_xlat_one_section %llu.%llu ns\n", NS(t));
	t = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		rcu_read_lock();
		s += addr[i & (NADDR - 1)];
		rcu_read_unlock();
	}
	t = ktime_get_ns() - t;
	pr_info("bench: kmod_rcu_read_lock_unlock %llu.%llu ns\n", NS(t));
	sink += s;
	memdisp_translate(src, addr[0], 1, true, &x);
	if (x.status != MEMDISP_XLAT_OK) {
		pr_err("memdisp_bench: IOTLB translation did not hit (status %u)\n",
		       x.status);
		ret = -EINVAL;
		goto out;
	}
	pr_info("bench: kmod_iotlb_hit_memdisp_xlat_1024 %llu.%llu ns\n", NS(tm));
	pr_info("bench: kmod_iotlb_hit_vhost_1024 %llu.%llu ns\n", NS(tv));
	pr_info("bench: kmod_iotlb_hit_ratio_vhost_over_memdisp %llu.%02llu x\n",
		tv / tm, tv * 100 / tm % 100);
	ret = 0;
out:
	if (id)
		memdisp_iommu_destroy(&init_net, id);
	if (!IS_ERR_OR_NULL(src)) {
		memdisp_as_destroy(src);
		memdisp_as_put(src);
	}
	if (!IS_ERR_OR_NULL(dst)) {
		memdisp_as_destroy(dst);
		memdisp_as_put(dst);
	}
	if (tlb)
		vhost_iotlb_free(tlb);
	kvfree(addr);
	return ret;
}

static int __init bench_init(void)
{
	static const u32 sizes[] = { 64, 1024, 65536 };
	int i, ret;

	rs = get_random_u64() | 1;
	if (!iters)
		iters = 1;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ret = bench_size(sizes[i]);
		if (ret) {
			pr_err("memdisp_bench: size %u failed: %d\n", sizes[i], ret);
			return ret;
		}
	}
	ret = bench_iotlb();
	if (ret)
		return ret;
	pr_info("memdisp_bench: done (%llu)\n", sink & 1);
	return 0;
}

static void __exit bench_exit(void)
{
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memdisp lookup benchmark against the maple tree, vhost IOTLB and binary search");
