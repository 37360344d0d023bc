// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memdisp_kbench: in-kernel lookup benchmark for the shared mdindex.
 *
 * On load it builds the same random maps (64, 1k and 64k ranges) in four
 * structures: the mdindex, the kernel's maple tree (mtree_store_range() and
 * mtree_load(), not in RCU mode), vhost's IOTLB interval tree
 * (vhost_iotlb_add_range() and vhost_iotlb_itree_first(), from
 * vhost_iotlb.ko) and a sorted array searched by bisection.  It checks that
 * all four give the same answer for every probe, then times the same
 * pre-generated random probes through each with ktime_get_ns(), preemption
 * disabled in short batches, and prints "bench: NAME VALUE UNIT" lines with
 * pr_info(), ratios included, also net of the timing loop's own cost
 * (an empty call, measured the same way).  With selftest=1 it first compares the index
 * with a linear scan on random maps of 0..100 ranges.
 *
 * The work is all done in the init function; the module then holds nothing
 * and is meant to be removed at once with rmmod.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/maple_tree.h>
#include <linux/vhost_iotlb.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "mdindex.h"

static unsigned int nlookups = 200000;
module_param(nlookups, uint, 0444);
MODULE_PARM_DESC(nlookups, "random probes timed per structure and size");

static unsigned int runs = 3;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "timed passes per structure (the best is kept)");

static bool selftest = true;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "compare the index with a linear scan first");

static bool bench = true;
module_param(bench, bool, 0444);
MODULE_PARM_DESC(bench, "run the benchmark (else only the checks)");

/* lookups per preemption-disabled batch */
#define KB_BATCH 256

static u64 kb_seed = 0x6b62656e6368ULL;

static u64 kb_rand(void)
{
	u64 x = kb_seed;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	kb_seed = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static u64 kb_below(u64 n)
{
	return n ? kb_rand() % n : 0;
}

/*
 * Fill @start/@last with @nr sorted, non-overlapping ranges: lengths of 1,
 * up to 16, a page or up to 64k; gaps of 0 (adjacent) or up to 4k.
 */
static void kb_gen_map(u64 *start, u64 *last, u32 nr)
{
	u64 a = kb_below(1 << 20);
	u32 i;

	for (i = 0; i < nr; i++) {
		u64 len;

		switch (kb_below(4)) {
		case 0:
			len = 1;
			break;
		case 1:
			len = 1 + kb_below(16);
			break;
		case 2:
			len = PAGE_SIZE;
			break;
		default:
			len = 1 + kb_below(1 << 16);
			break;
		}
		start[i] = a;
		last[i] = a + len - 1;
		a = last[i] + 1 + (kb_below(3) ? kb_below(1 << 12) : 0);
	}
}

/* The fourth column: the usual bisection for the last start <= a. */
static u32 kb_bsearch(const u64 *start, const u64 *last, u32 nr, u64 a)
{
	u32 lo = 0, hi = nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (start[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || last[lo - 1] < a)
		return MDX_NONE;
	return lo - 1;
}

static u32 kb_linear(const u64 *start, const u64 *last, u32 nr, u64 a)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (start[i] <= a && a <= last[i])
			return i;
	return MDX_NONE;
}

static u32 kb_linear_ge(const u64 *last, u32 nr, u64 a)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (last[i] >= a)
			return i;
	return MDX_NONE;
}

static inline u32 kb_maple(struct maple_tree *mt, u64 a)
{
	void *e = mtree_load(mt, a);

	return e ? (u32)xa_to_value(e) : MDX_NONE;
}

static inline u32 kb_vhost(struct vhost_iotlb *iotlb, u64 a)
{
	struct vhost_iotlb_map *map = vhost_iotlb_itree_first(iotlb, a, a);

	return map ? (u32)map->addr : MDX_NONE;
}

/*
 * The timing loop's own cost: a call that does no lookup.  Subtracted from
 * every figure for the "net" ratios (the raw ones are printed as well).
 */
static noinline u32 kb_empty(const void *p, u64 a)
{
	barrier();
	return (u32)a ^ (u32)(unsigned long)p;
}

/* Randomized comparison of the index with a linear scan, 0..100 ranges. */
static int kb_selftest(void)
{
	u64 start[100], last[100];
	unsigned long checked = 0;
	u32 nr, round, i;
	void *buf;
	int err = 0;

	buf = kmalloc(mdx_bytes(100), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (nr = 0; nr <= 100 && !err; nr++) {
		for (round = 0; round < 8 && !err; round++) {
			struct mdx *x;

			kb_gen_map(start, last, nr);
			if (nr && round & 1)
				last[nr - 1] = U64_MAX;
			if (nr && round & 2)
				start[0] = 0;
			x = mdx_build(buf, start, last, nr);
			if (!x || mdx_count(x) != nr) {
				pr_err("selftest: build of %u ranges failed\n",
				       nr);
				err = -EINVAL;
				break;
			}
			for (i = 0; i < 6 * nr + 200; i++) {
				u64 a;

				if (i < 6 * nr) {
					u64 b = i % 6 < 3 ? start[i / 6] :
						last[i / 6];

					a = b + i % 3 - 1;
				} else {
					a = i & 1 ? kb_rand() :
						kb_below(nr ? last[nr - 1] + 2 :
							 1 << 20);
				}
				if (mdx_lookup(x, a) != kb_linear(start, last, nr, a) ||
				    mdx_lookup_ge(x, a) != kb_linear_ge(last, nr, a)) {
					pr_err("selftest: %u ranges, address %#llx: wrong answer\n",
					       nr, a);
					err = -EINVAL;
					break;
				}
				checked++;
			}
		}
		cond_resched();
	}
	/* bad input must be refused */
	if (!err) {
		start[0] = 10;
		last[0] = 20;
		start[1] = 20;
		last[1] = 30;
		if (mdx_build(buf, start, last, 2)) {
			pr_err("selftest: overlapping ranges accepted\n");
			err = -EINVAL;
		}
	}
	kfree(buf);
	if (!err)
		pr_info("selftest: ok, %lu lookups match the linear scan\n",
			checked);
	return err;
}

struct kb_size {
	u32 nr;
	const char *name;
};

static const struct kb_size kb_sizes[] = {
	{ 64, "64" }, { 1024, "1k" }, { 65536, "64k" },
};

enum { KB_INDEX, KB_MAPLE, KB_VHOST, KB_BSEARCH, KB_EMPTY, KB_NR };

static const char *const kb_names[KB_NR] = {
	"index", "maple", "vhost", "bsearch", "empty",
};

/*
 * Time @expr over probes [@lo, @hi) with preemption off; store the time
 * in @ns and fold the results into @acc.
 */
#define KB_TIME_BATCH(ns, acc, probe, lo, hi, expr)			\
	do {								\
		u64 __t0;						\
		u32 __k;						\
									\
		preempt_disable();					\
		__t0 = ktime_get_ns();					\
		for (__k = (lo); __k < (hi); __k++) {			\
			u64 a = (probe)[__k];				\
									\
			(acc) += (expr);				\
		}							\
		(ns) = ktime_get_ns() - __t0;				\
		preempt_enable();					\
	} while (0)

/* Print @v / 100 with two decimals. */
static void kb_print(const char *what, const char *size, u64 v100,
		     const char *unit)
{
	pr_info("bench: %s_%s %llu.%02llu %s\n", what, size, v100 / 100,
		v100 % 100, unit);
}

static int kb_bench_size(const struct kb_size *sz, u64 *probe)
{
	u32 nr = sz->nr, n = nlookups, i, k, b, nb;
	u64 *batch_best = NULL;
	struct vhost_iotlb *iotlb = NULL;
	u64 *start = NULL, *last = NULL;
	u64 best[KB_NR], ns, acc = 0;
	struct maple_tree mt;
	void *buf = NULL;
	struct mdx *x;
	int err = 0, r;

	mt_init_flags(&mt, 0);	/* not MT_FLAGS_USE_RCU: see the brief */
	start = kvmalloc_array(nr, sizeof(*start), GFP_KERNEL);
	last = kvmalloc_array(nr, sizeof(*last), GFP_KERNEL);
	buf = kvmalloc(mdx_bytes(nr), GFP_KERNEL);
	/* Debian's 6.1 vhost_iotlb refuses every insertion when limit is 0 */
	iotlb = vhost_iotlb_alloc(nr + 1, 0);
	if (!start || !last || !buf || !iotlb) {
		err = -ENOMEM;
		goto out;
	}
	kb_gen_map(start, last, nr);
	x = mdx_build(buf, start, last, nr);
	if (!x) {
		pr_err("%s: mdx_build refused a valid map\n", sz->name);
		err = -EINVAL;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		err = mtree_store_range(&mt, start[i], last[i],
					xa_mk_value(i), GFP_KERNEL);
		if (err) {
			pr_err("%s: maple tree: cannot insert range %u [%#llx, %#llx]: %d\n",
			       sz->name, i, start[i], last[i], err);
			goto out;
		}
		err = vhost_iotlb_add_range(iotlb, start[i], last[i], i,
					    VHOST_MAP_RW);
		if (err) {
			pr_err("%s: vhost IOTLB: cannot insert range %u: %d\n",
			       sz->name, i, err);
			goto out;
		}
		if (!(i % 1024))
			cond_resched();
	}

	/* three probes in four inside a range, the rest anywhere in the span */
	for (k = 0; k < n; k++) {
		if (kb_below(4)) {
			i = kb_below(nr);
			probe[k] = start[i] + kb_below(last[i] - start[i] + 1);
		} else {
			probe[k] = start[0] + kb_below(last[nr - 1] - start[0] + 2);
		}
	}

	/* all four must agree on every probe */
	for (k = 0; k < n; k++) {
		u64 a = probe[k];
		u32 want = kb_bsearch(start, last, nr, a);

		if (mdx_lookup(x, a) != want || kb_maple(&mt, a) != want ||
		    kb_vhost(iotlb, a) != want) {
			pr_err("%s: answers differ at %#llx: index %d maple %d vhost %d bsearch %d\n",
			       sz->name, a, (int)mdx_lookup(x, a),
			       (int)kb_maple(&mt, a), (int)kb_vhost(iotlb, a),
			       (int)want);
			err = -EINVAL;
			goto out;
		}
		if (!(k % 4096))
			cond_resched();
	}
	if (!bench)
		goto out;

	/*
	 * Each run passes all probes through one structure after the other,
	 * so that each works with its own data in the caches, as it would in
	 * use.  A structure's figure is the sum over batches of its best time
	 * on that batch across runs, which filters out interrupts and the
	 * host stealing the vCPU (TCG) without favouring any structure.
	 */
	nb = DIV_ROUND_UP(n, KB_BATCH);
	batch_best = kvmalloc_array((size_t)KB_NR * nb, sizeof(*batch_best),
				    GFP_KERNEL);
	if (!batch_best) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < KB_NR * nb; k++)
		batch_best[k] = U64_MAX;
#define KB_PASS(which, expr)						\
	do {								\
		u64 *bb = batch_best + (which) * nb;			\
									\
		for (b = 0; b < nb; b++) {				\
			u32 lo = b * KB_BATCH, hi = min(n, lo + KB_BATCH); \
									\
			KB_TIME_BATCH(ns, acc, probe, lo, hi, expr);	\
			bb[b] = min(bb[b], ns);				\
			if (!(b % 16))					\
				cond_resched();				\
		}							\
	} while (0)
	for (r = 0; r < runs; r++) {
		KB_PASS(KB_INDEX, mdx_lookup(x, a));
		KB_PASS(KB_MAPLE, kb_maple(&mt, a));
		KB_PASS(KB_VHOST, kb_vhost(iotlb, a));
		KB_PASS(KB_BSEARCH, kb_bsearch(start, last, nr, a));
		KB_PASS(KB_EMPTY, kb_empty(x, a));
	}
#undef KB_PASS
	for (i = 0; i < KB_NR; i++) {
		best[i] = 0;
		for (b = 0; b < nb; b++)
			best[i] += batch_best[i * nb + b];
	}
	for (i = 0; i < KB_NR; i++) {
		char what[32];

		snprintf(what, sizeof(what), "klookup_%s", kb_names[i]);
		kb_print(what, sz->name, div_u64(best[i] * 100, n), "ns");
	}
	for (i = KB_MAPLE; i < KB_EMPTY; i++) {
		char what[48];

		snprintf(what, sizeof(what), "kratio_%s_over_index",
			 kb_names[i]);
		kb_print(what, sz->name,
			 div64_u64(best[i] * 100, max_t(u64, best[KB_INDEX], 1)),
			 "x");
	}
	/* the same without the loop's own cost, when it is below both */
	for (i = KB_MAPLE; i < KB_EMPTY; i++) {
		u64 e = best[KB_EMPTY];
		char what[48];

		if (best[i] <= e || best[KB_INDEX] <= e)
			continue;
		snprintf(what, sizeof(what), "kratio_net_%s_over_index",
			 kb_names[i]);
		kb_print(what, sz->name,
			 div64_u64((best[i] - e) * 100, best[KB_INDEX] - e),
			 "x");
	}
	pr_debug("checksum %llu\n", acc);
out:
	kvfree(batch_best);
	mtree_destroy(&mt);
	if (iotlb)
		vhost_iotlb_free(iotlb);
	kvfree(buf);
	kvfree(last);
	kvfree(start);
	return err;
}

static int __init kb_init(void)
{
	u64 *probe;
	int err = 0;
	size_t i;

	if (!nlookups || nlookups > 10000000 || !runs || runs > 100) {
		pr_err("nlookups must be 1..10000000 and runs 1..100\n");
		return -EINVAL;
	}
	if (selftest) {
		err = kb_selftest();
		if (err)
			return err;
	}
	probe = kvmalloc_array(nlookups, sizeof(*probe), GFP_KERNEL);
	if (!probe)
		return -ENOMEM;
	pr_info("ns per lookup, %u random probes, best of %u runs per batch\n",
		nlookups, runs);
	for (i = 0; i < ARRAY_SIZE(kb_sizes) && !err; i++)
		err = kb_bench_size(&kb_sizes[i], probe);
	kvfree(probe);
	if (err)
		return err;
	pr_info("done\n");
	/*
	 * Stay loaded (with nothing held) rather than fail with -EAGAIN:
	 * busybox insmod retries a failed finit_module() with init_module(),
	 * which would run everything twice.  Unload with rmmod.
	 */
	return 0;
}
module_init(kb_init);

static void __exit kb_exit(void)
{
}
module_exit(kb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memdisp: lookup benchmark of mdindex, maple tree, vhost IOTLB and bisection");
