// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * md_torn.ko - in-kernel readers for the torn-map test.
 *
 * Loaded with as_id=N (an address space of the initial network namespace),
 * it pins that address space through memdisp's exported API and runs one
 * kthread per online CPU (at most two) calling memdisp_translate() in a
 * loop on random addresses, checking each result against the signed maps
 * of torn_sig.h.  Userspace (md-vmtest torn-kernel) commits maps meanwhile
 * and reads the counters from debugfs:
 *
 *   /sys/kernel/debug/md_torn/result  one line per reader:
 *	"cpu C lookups L mapped M unassigned U bad B backwards K errors E"
 *	then, if any, "first-bad ..." lines
 *   /sys/kernel/debug/md_torn/reset   any write zeroes the counters
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include "memdisp_api.h"
#include "torn_sig.h"

static unsigned int as_id;
module_param(as_id, uint, 0444);
MODULE_PARM_DESC(as_id, "address space to read (initial netns)");

#define NREADERS 2

struct torn_reader {
	struct task_struct *task;
	int cpu;
	atomic_t reset_seen;
	u64 lookups, mapped, unassigned, bad, backwards, errors, last_g;
	char first_bad[160];
};

static struct memdisp_as *torn_as;
static struct torn_reader readers[NREADERS];
static int nreaders;
static atomic_t reset_seq = ATOMIC_INIT(0);
static struct dentry *dir;

static u64 xorshift(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int torn_thread(void *arg)
{
	struct torn_reader *r = arg;
	u64 seed = 0x2545f4914f6cdd1dULL + r->cpu;
	struct memdisp_xlat x;

	while (!kthread_should_stop()) {
		int seq = atomic_read(&reset_seq);
		u64 addr = xorshift(&seed) % TORN_SPAN, g;
		int why;

		if (atomic_read(&r->reset_seen) != seq) {
			WRITE_ONCE(r->lookups, 0);
			WRITE_ONCE(r->mapped, 0);
			WRITE_ONCE(r->unassigned, 0);
			WRITE_ONCE(r->bad, 0);
			WRITE_ONCE(r->backwards, 0);
			WRITE_ONCE(r->errors, 0);
			r->last_g = 0;
			r->first_bad[0] = 0;
			atomic_set(&r->reset_seen, seq);
		}
		if (memdisp_translate(torn_as, addr, TORN_LEN, false, &x)) {
			WRITE_ONCE(r->errors, r->errors + 1);
		} else if (x.status == MEMDISP_XLAT_OK) {
			why = torn_check_mapped(addr, x.region_id, x.offset,
						x.len, x.hva, &g);
			WRITE_ONCE(r->mapped, r->mapped + 1);
			if (why || x.type != MEMDISP_SEC_RAM) {
				if (!r->bad)
					snprintf(r->first_bad,
						 sizeof(r->first_bad),
						 "addr %#llx g %llu rid %#llx off %#llx len %#llx hva %#llx why %d",
						 addr, g, x.region_id, x.offset,
						 x.len, x.hva, why);
				WRITE_ONCE(r->bad, r->bad + 1);
			}
			if (g < r->last_g)
				WRITE_ONCE(r->backwards, r->backwards + 1);
			else
				r->last_g = g;
		} else if (x.status == MEMDISP_XLAT_UNASSIGNED) {
			WRITE_ONCE(r->unassigned, r->unassigned + 1);
		} else {
			if (!r->bad)
				snprintf(r->first_bad, sizeof(r->first_bad),
					 "addr %#llx status %u", addr, x.status);
			WRITE_ONCE(r->bad, r->bad + 1);
		}
		WRITE_ONCE(r->lookups, r->lookups + 1);
		if (!(r->lookups & 63))
			cond_resched();
	}
	return 0;
}

static int result_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < nreaders; i++) {
		struct torn_reader *r = &readers[i];

		seq_printf(m, "cpu %d lookups %llu mapped %llu unassigned %llu bad %llu backwards %llu errors %llu\n",
			   r->cpu, READ_ONCE(r->lookups), READ_ONCE(r->mapped),
			   READ_ONCE(r->unassigned), READ_ONCE(r->bad),
			   READ_ONCE(r->backwards), READ_ONCE(r->errors));
	}
	for (i = 0; i < nreaders; i++)
		if (READ_ONCE(readers[i].bad))
			seq_printf(m, "first-bad cpu %d: %s\n", readers[i].cpu,
				   readers[i].first_bad);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(result);

static ssize_t reset_write(struct file *f, const char __user *buf,
			   size_t len, loff_t *pos)
{
	int i, seq = atomic_inc_return(&reset_seq);

	/* wait (bounded) until every reader has zeroed its counters */
	for (i = 0; i < nreaders; i++) {
		int tries = 1000;

		while (atomic_read(&readers[i].reset_seen) != seq && tries--)
			schedule_timeout_uninterruptible(1);
	}
	return len;
}

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.write = reset_write,
};

static int __init torn_init(void)
{
	int cpu, i;

	torn_as = memdisp_as_get(&init_net, as_id);
	if (!torn_as) {
		pr_err("no address space %u\n", as_id);
		return -ENOENT;
	}
	dir = debugfs_create_dir("md_torn", NULL);
	debugfs_create_file("result", 0444, dir, NULL, &result_fops);
	debugfs_create_file("reset", 0200, dir, NULL, &reset_fops);
	for_each_online_cpu(cpu) {
		struct torn_reader *r;

		if (nreaders == NREADERS)
			break;
		r = &readers[nreaders];
		r->cpu = cpu;
		r->task = kthread_create(torn_thread, r, "md_torn/%d", cpu);
		if (IS_ERR(r->task))
			goto fail;
		kthread_bind(r->task, cpu);
		/* leave the CPU to the writer when it wants it */
		set_user_nice(r->task, MAX_NICE);
		nreaders++;
	}
	for (i = 0; i < nreaders; i++)
		wake_up_process(readers[i].task);
	return 0;
fail:
	for (i = 0; i < nreaders; i++)
		kthread_stop(readers[i].task);
	debugfs_remove_recursive(dir);
	memdisp_as_put(torn_as);
	return -ENOMEM;
}

static void __exit torn_exit(void)
{
	int i;

	for (i = 0; i < nreaders; i++)
		kthread_stop(readers[i].task);
	debugfs_remove_recursive(dir);
	memdisp_as_put(torn_as);
}

module_init(torn_init);
module_exit(torn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memdisp torn-map test: in-kernel readers");
