// SPDX-License-Identifier: GPL-2.0
/*
 * memdisp_bench.ko - lookup benchmark run at load: on the same random
 * ranges (64, 1k, 64k), ns per lookup of memdisp_translate() (inline, as
 * every module including memdisp_api.h gets it; and the exported
 * out-of-line __memdisp_translate()), each reading six fields of the
 * result; of the maple tree (mtree_load), vhost's IOTLB
 * (vhost_iotlb_itree_first) and a plain sorted array with binary search;
 * the parts of our figure (kmod_part_*, among them the floor: a translation
 * without its lookup, and what is left above it for ours and for one twice
 * as fast as vhost's lookup); and the IOTLB hit cost (a translation
 * through an IOMMU section against vhost_iotlb_itree_first over the same
 * entries, and our IOTLB lookup alone against it).  Prints "bench: NAME
 * VALUE UNIT" lines to the kernel log; the ratios are what matter under TCG.
 *
 * Timing: the probes are cut into batches of BATCH lookups, each timed with
 * preemption off; every structure runs all batches in turn, five times, and
 * its figure is the sum over batches of its best time on that batch.  That
 * filters interrupts and the host stealing the vCPU (TCG on a shared host)
 * without favouring any structure: all run the same probes in the same run.
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

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "seed of the random ranges and probes (0: a random one)");

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

#define BATCH	512U
#define REPS	5

/*
 * BENCH_BATCH(name, type, expr) defines batch_name(ctx, probes, from, to),
 * which sums @expr (with the probe in "a" and @ctx of @type in "ctx") over
 * probes [from, to).  Each such loop sits alone on a page of its own
 * section: under TCG a jump to another guest page is not chained and costs
 * a lookup in QEMU, so where the compiler happened to put a loop (across a
 * page boundary or not) would otherwise change its figure.  Every
 * structure gets the same treatment.  They are marked hot: called only
 * from module init code, GCC would otherwise compile them as cold code,
 * for size, and leave inline helpers out of line.
 */
#define BENCH_BATCH(name, type, expr)					\
	static noinline u64 batch_##name(type ctx, const u64 *probes,	\
					 u32 from, u32 to)		\
		__section(".text.mdbench_" #name) __aligned(PAGE_SIZE)	\
		__attribute__((__hot__));				\
	static noinline u64 batch_##name(type ctx, const u64 *probes,	\
					 u32 from, u32 to)		\
	{								\
		u64 s = 0;						\
		u32 k;							\
									\
		for (k = from; k < to; k++) {				\
			u64 a = probes[k & (NADDR - 1)];		\
									\
			s += (expr);					\
		}							\
		return s;						\
	}

/*
 * One timed pass of batch_@name (see BENCH_BATCH) over iters probes from
 * @probes, keeping in @best[b] the best time of batch b.
 */
#define TIME_PASS(best, probes, name, ctx)				\
	do {								\
		u32 __b, __nb = DIV_ROUND_UP(iters, BATCH);		\
		u64 __s = 0;						\
									\
		for (__b = 0; __b < __nb; __b++) {			\
			u32 __hi = min(iters, (__b + 1) * BATCH);	\
			u64 __t;					\
									\
			preempt_disable();				\
			__t = ktime_get_ns();				\
			__s += batch_##name(ctx, probes, __b * BATCH, __hi); \
			__t = ktime_get_ns() - __t;			\
			preempt_enable();				\
			(best)[__b] = min((best)[__b], __t);		\
			if (!(__b % 64))				\
				cond_resched();				\
		}							\
		sink += __s;						\
	} while (0)

/* A set of per-batch best times, one per structure. */
struct timing {
	u32 nb;
	u64 *best;
};

static int timing_init(struct timing *t)
{
	u32 i;

	t->nb = DIV_ROUND_UP(iters, BATCH);
	t->best = kvmalloc_array(t->nb, sizeof(u64), GFP_KERNEL);
	if (!t->best)
		return -ENOMEM;
	for (i = 0; i < t->nb; i++)
		t->best[i] = U64_MAX;
	return 0;
}

static u64 timing_total(const struct timing *t)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < t->nb; i++)
		sum += t->best[i];
	return sum ? sum : 1;
}

static void timing_free(struct timing *t)
{
	kvfree(t->best);
	t->best = NULL;
}

/*
 * What a caller of the translation reads: the outcome, what the section is
 * (type, region and offset for MMIO), where it is mapped and for how long.
 * memdisp_translate() is inline (memdisp_fast.h), so the fields no caller
 * reads cost nothing; these six are what a device model's fast path uses.
 */
static __always_inline u64 xlat_use(const struct memdisp_xlat *x)
{
	return x->status + x->type + x->region_id + x->offset + x->hva +
	       x->len;
}

static __always_inline u64 xlat_memdisp(struct memdisp_as *as, u64 a, bool w)
{
	struct memdisp_xlat x MEMDISP_XLAT_UNINIT;

	memdisp_translate(as, a, 1, w, &x);
	return xlat_use(&x);
}

/* The same through the exported out-of-line function. */
static __always_inline u64 xlat_memdisp_call(struct memdisp_as *as, u64 a, bool w)
{
	struct memdisp_xlat x MEMDISP_XLAT_UNINIT;

	__memdisp_translate(as, a, 1, w, &x);
	return xlat_use(&x);
}

/* The final address of a translation (the IOTLB hit figures). */
static __always_inline u64 xlat_addr(struct memdisp_as *as, u64 a)
{
	struct memdisp_xlat x MEMDISP_XLAT_UNINIT;

	memdisp_translate(as, a, 1, true, &x);
	return x.status == MEMDISP_XLAT_OK ? x.addr : 0;
}

static __always_inline u64 look_maple(struct maple_tree *mt, u64 a)
{
	return (unsigned long)mtree_load(mt, a);
}

static __always_inline u64 look_vhost(struct vhost_iotlb *tlb, u64 a)
{
	struct vhost_iotlb_map *m = vhost_iotlb_itree_first(tlb, a, a);

	return m ? m->addr + (a - m->start) : 0;
}

static __always_inline u64 look_bsearch(const struct ranges *r, u64 a)
{
	u32 lo = 0, hi = r->n;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;

		if (r->last[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->start[lo] <= a ? lo : 0;
}

static __always_inline u64 look_iotlb(struct memdisp_iommu *iommu, u64 a)
{
	u64 xl = 0;
	u32 perm;

	return memdisp_iotlb_lookup(iommu, a, &xl, &perm) ? 0 : xl;
}

BENCH_BATCH(memdisp, struct memdisp_as *, xlat_memdisp(ctx, a, false))
BENCH_BATCH(memdisp_call, struct memdisp_as *,
	    xlat_memdisp_call(ctx, a, false))
BENCH_BATCH(maple, struct maple_tree *, look_maple(ctx, a))
BENCH_BATCH(vhost, struct vhost_iotlb *, look_vhost(ctx, a))
BENCH_BATCH(bsearch, const struct ranges *, look_bsearch(ctx, a))
BENCH_BATCH(xlat_addr, struct memdisp_as *, xlat_addr(ctx, a))
BENCH_BATCH(iotlb, struct memdisp_iommu *, look_iotlb(ctx, a))

/*
 * Where the time of memdisp_translate() goes, cumulatively: the timing
 * loop alone; plus the preemption toggle and the lookup counter; the
 * index descent alone; the whole map lookup (descent, hit check,
 * section); the whole translation reading only the status.
 */
static __always_inline u64 part_preempt(struct memdisp_as *as, u64 a)
{
	preempt_disable_notrace();
	this_cpu_inc(md_pcpu_stats.lookups);
	preempt_enable_notrace();
	return a;
}

static __always_inline u64 part_descent(struct memdisp_as *as, u64 a)
{
	const struct md_map *map = rcu_dereference_raw(as->map);
	const mdx_u64 *k;
	u32 pos;

	k = mdx_descend(&map->x, a, &pos);
	return pos + k[0];
}

static __always_inline u64 part_lookup(struct memdisp_as *as, u64 a)
{
	const struct md_map *map = rcu_dereference_raw(as->map);
	const struct md_section *sec;
	u64 delta, rest;

	sec = md_map_lookup_below_max(map, a, &delta, &rest);
	return sec ? sec->hva + delta : rest;
}

static __always_inline u64 part_status(struct memdisp_as *as, u64 a)
{
	struct memdisp_xlat x MEMDISP_XLAT_UNINIT;

	memdisp_translate(as, a, 1, false, &x);
	return x.status;
}

/*
 * The floor of a translation: what memdisp_translate() does besides the
 * lookup (the preemption toggle, the lookup counter, the map pointer, the
 * fields the caller reads), with section 0 standing for the lookup's
 * answer.  Whatever a lookup costs comes on top of it.
 */
static __always_inline u64 part_floor(struct memdisp_as *as, u64 a)
{
	struct memdisp_xlat x MEMDISP_XLAT_UNINIT;
	const struct md_map *map;

	preempt_disable_notrace();
	this_cpu_inc(md_pcpu_stats.lookups);
	map = rcu_dereference_raw(as->map);
	md_xlat_hit(&x, as, &map->secs[0], a, a & 0xfff, 0, MEMDISP_PERM_RW,
		    0);
	preempt_enable_notrace();
	return xlat_use(&x);
}

BENCH_BATCH(part_loop, struct memdisp_as *, a)
BENCH_BATCH(part_floor, struct memdisp_as *, part_floor(ctx, a))
BENCH_BATCH(part_preempt, struct memdisp_as *, part_preempt(ctx, a))
BENCH_BATCH(part_descent, struct memdisp_as *, part_descent(ctx, a))
BENCH_BATCH(part_lookup, struct memdisp_as *, part_lookup(ctx, a))
BENCH_BATCH(part_status, struct memdisp_as *, part_status(ctx, a))

static void print_ratio(const char *name, u32 n, u64 num, u64 den)
{
	pr_info("bench: %s_%u %llu.%02llu x\n", name, n, num / den,
		num * 100 / den % 100);
}

#define NS(t) ((t) / iters), ((t) * 10 / iters % 10)

static const char *const part_names[] = {
	"loop", "preempt_stat", "index_descent", "map_lookup",
	"translate_status", "floor",
};

static int bench_size(u32 n)
{
	struct memdisp_section_desc *d = NULL;
	struct vhost_iotlb *tlb = NULL;
	struct memdisp_as *as = NULL;
	struct maple_tree mt;
	struct ranges r = { 0 };
	/* memdisp, maple, vhost, bsearch, memdisp_call, then the parts */
	struct timing tim[5 + ARRAY_SIZE(part_names)] = { 0 };
	u64 tm, tt, tv, tb, tc;
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
	for (i = 0; i < ARRAY_SIZE(tim); i++) {
		ret = timing_init(&tim[i]);
		if (ret)
			goto out;
	}
	for (rep = 0; rep < REPS; rep++) {
		TIME_PASS(tim[5].best, r.addr, part_loop, as);
		TIME_PASS(tim[6].best, r.addr, part_preempt, as);
		TIME_PASS(tim[7].best, r.addr, part_descent, as);
		TIME_PASS(tim[8].best, r.addr, part_lookup, as);
		TIME_PASS(tim[9].best, r.addr, part_status, as);
		TIME_PASS(tim[10].best, r.addr, part_floor, as);
		TIME_PASS(tim[0].best, r.addr, memdisp, as);
		TIME_PASS(tim[1].best, r.addr, maple, &mt);
		TIME_PASS(tim[2].best, r.addr, vhost, tlb);
		TIME_PASS(tim[3].best, r.addr, bsearch, &r);
		TIME_PASS(tim[4].best, r.addr, memdisp_call, as);
	}
	tm = timing_total(&tim[0]);
	tt = timing_total(&tim[1]);
	tv = timing_total(&tim[2]);
	tb = timing_total(&tim[3]);
	tc = timing_total(&tim[4]);
	for (i = 0; i < ARRAY_SIZE(part_names); i++) {
		u64 t = timing_total(&tim[5 + i]);

		pr_info("bench: kmod_part_%s_%u %llu.%llu ns\n", part_names[i],
			n, NS(t));
	}
	pr_info("bench: kmod_lookup_memdisp_%u %llu.%llu ns\n", n, NS(tm));
	pr_info("bench: kmod_lookup_memdisp_call_%u %llu.%llu ns\n", n, NS(tc));
	pr_info("bench: kmod_lookup_maple_%u %llu.%llu ns\n", n, NS(tt));
	pr_info("bench: kmod_lookup_vhost_iotlb_%u %llu.%llu ns\n", n, NS(tv));
	pr_info("bench: kmod_lookup_sorted_array_%u %llu.%llu ns\n", n, NS(tb));
	print_ratio("kmod_lookup_ratio_maple_over_memdisp", n, tt, tm);
	print_ratio("kmod_lookup_ratio_vhost_over_memdisp", n, tv, tm);
	print_ratio("kmod_lookup_ratio_bsearch_over_memdisp", n, tb, tm);
	print_ratio("kmod_lookup_ratio_maple_over_memdisp_call", n, tt, tc);
	print_ratio("kmod_lookup_ratio_vhost_over_memdisp_call", n, tv, tc);
	{
		u64 tf = timing_total(&tim[10]);

		/*
		 * What is left for the lookup itself: in our translation, and
		 * for a translation twice as fast as vhost's lookup.
		 */
		pr_info("bench: kmod_lookup_memdisp_above_floor_%u %lld.%lld ns\n",
			n, (s64)(tm - tf) / iters,
			abs((s64)(tm - tf) * 10 / iters % 10));
		pr_info("bench: kmod_lookup_budget_2x_vhost_above_floor_%u %lld.%lld ns\n",
			n, (s64)(tv / 2 - tf) / iters,
			abs((s64)(tv / 2 - tf) * 10 / iters % 10));
	}
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
	for (i = 0; i < ARRAY_SIZE(tim); i++)
		timing_free(&tim[i]);
	return ret;
}

/* The cost of an RCU read section around a load, for reference. */
static __always_inline u64 bench_rcu(u64 a)
{
	rcu_read_lock();
	a += READ_ONCE(sink);
	rcu_read_unlock();
	return a;
}

BENCH_BATCH(rcu, void *, bench_rcu(a))

/*
 * IOTLB hit: 1024 4 KiB entries.  Two figures for us: a whole translation
 * through an IOMMU section (map lookup, IOTLB lookup, lookup in the target
 * space), and memdisp_iotlb_lookup() alone, which is what
 * vhost_iotlb_itree_first() does: the like-for-like row.
 */
static int bench_iotlb(void)
{
	struct memdisp_section_desc d = { 0 };
	struct memdisp_as *src = NULL, *dst = NULL;
	struct vhost_iotlb *tlb = NULL;
	struct memdisp_iommu *iommu = NULL;
	struct timing tim[5] = { 0 };
	u64 *addr = NULL, t, tm, ti, tv;
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
	iommu = memdisp_iommu_get(&init_net, id);
	if (!iommu) {
		ret = -ENOENT;
		goto out;
	}
	/* all three must agree on every probe before any is timed */
	for (i = 0; i < NADDR; i++) {
		u64 a = addr[i], v = look_vhost(tlb, a);

		if (xlat_addr(src, a) != v || look_iotlb(iommu, a) != v) {
			pr_err("memdisp_bench: IOTLB answers differ at %llx: vhost %llx memdisp %llx iotlb %llx\n",
			       a, v, xlat_addr(src, a),
			       look_iotlb(iommu, a));
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < 5; i++) {
		ret = timing_init(&tim[i]);
		if (ret)
			goto out;
	}
	for (rep = 0; rep < REPS; rep++) {
		TIME_PASS(tim[0].best, addr, xlat_addr, src);
		TIME_PASS(tim[1].best, addr, iotlb, iommu);
		TIME_PASS(tim[2].best, addr, vhost, tlb);
		TIME_PASS(tim[3].best, addr, xlat_addr, dst);
		TIME_PASS(tim[4].best, addr, rcu, NULL);
	}
	tm = timing_total(&tim[0]);
	ti = timing_total(&tim[1]);
	tv = timing_total(&tim[2]);
	t = timing_total(&tim[3]);
	pr_info("bench: kmod_xlat_one_section %llu.%llu ns\n", NS(t));
	t = timing_total(&tim[4]);
	pr_info("bench: kmod_rcu_read_lock_unlock %llu.%llu ns\n", NS(t));
	pr_info("bench: kmod_iotlb_hit_memdisp_xlat_1024 %llu.%llu ns\n", NS(tm));
	pr_info("bench: kmod_iotlb_hit_memdisp_iotlb_lookup_1024 %llu.%llu ns\n",
		NS(ti));
	pr_info("bench: kmod_iotlb_hit_vhost_1024 %llu.%llu ns\n", NS(tv));
	/* like for like: IOTLB lookup alone against vhost's IOTLB lookup */
	print_ratio("kmod_iotlb_hit_ratio_vhost_over_memdisp_iotlb_lookup", nent,
		    tv, ti);
	/* ours does more: map + IOMMU + IOTLB + target map */
	print_ratio("kmod_iotlb_hit_ratio_vhost_over_memdisp_xlat", nent, tv, tm);
	ret = 0;
out:
	memdisp_iommu_put(iommu);
	for (i = 0; i < 5; i++)
		timing_free(&tim[i]);
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

	rs = (seed ? seed : get_random_u64()) | 1;
	pr_info("memdisp_bench: seed %llu\n", rs);
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
