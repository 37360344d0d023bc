// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - memdisp.ko: module parameters, global state, owner-release
 * notifier, init and exit.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/idr.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/netlink.h>

#include "md.h"

unsigned int md_max_as_per_owner = MEMDISP_DEF_MAX_AS_PER_OWNER;
module_param_named(max_as_per_owner, md_max_as_per_owner, uint, 0644);
MODULE_PARM_DESC(max_as_per_owner, "address spaces one socket may own");

unsigned int md_max_iommus_per_owner = MEMDISP_DEF_MAX_IOMMUS_PER_OWNER;
module_param_named(max_iommus_per_owner, md_max_iommus_per_owner, uint, 0644);
MODULE_PARM_DESC(max_iommus_per_owner, "IOMMUs one socket may own");

unsigned int md_max_sections = MEMDISP_DEF_MAX_SECTIONS;
module_param_named(max_sections, md_max_sections, uint, 0444);
MODULE_PARM_DESC(max_sections, "sections per map (at most 2^26)");

unsigned int md_max_iotlb_entries = MEMDISP_DEF_MAX_IOTLB_ENTRIES;
module_param_named(max_iotlb_entries, md_max_iotlb_entries, uint, 0644);
MODULE_PARM_DESC(max_iotlb_entries, "IOTLB entries per IOMMU");

static bool md_selftest_param;
module_param_named(selftest, md_selftest_param, bool, 0444);
MODULE_PARM_DESC(selftest, "run the randomized selftest at load; fail the load on a failure");

DEFINE_MUTEX(md_lock);
DEFINE_IDR(md_as_idr);
DEFINE_IDR(md_iommu_idr);
LIST_HEAD(md_as_list);
LIST_HEAD(md_iommu_list);
struct workqueue_struct *md_wq;
struct md_stats md_stats;
DECLARE_WORK(md_miss_work, md_miss_work_fn);

static int md_netlink_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid)
		md_owner_release(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block md_netlink_nb = {
	.notifier_call = md_netlink_event,
};

static int __init md_init(void)
{
	int ret;

	if (md_max_sections > (1U << 26) || md_max_sections > MDX_MAX_RANGES)
		md_max_sections = 1U << 26;
	md_wq = alloc_workqueue("memdisp", WQ_UNBOUND, 0);
	if (!md_wq)
		return -ENOMEM;
	if (md_selftest_param) {
		ret = md_selftest();
		if (ret)
			goto err_wq;
	}
	ret = netlink_register_notifier(&md_netlink_nb);
	if (ret)
		goto err_wq;
	ret = md_genl_init();
	if (ret)
		goto err_nb;
	return 0;
err_nb:
	netlink_unregister_notifier(&md_netlink_nb);
err_wq:
	rcu_barrier();
	destroy_workqueue(md_wq);
	return ret;
}

static void __exit md_exit(void)
{
	md_genl_exit();
	netlink_unregister_notifier(&md_netlink_nb);
	md_destroy_all();
	cancel_work_sync(&md_miss_work);
	/* wait for queued RCU callbacks and rcu_work, then their work */
	rcu_barrier();
	flush_workqueue(md_wq);
	rcu_barrier();
	destroy_workqueue(md_wq);
	idr_destroy(&md_as_idr);
	idr_destroy(&md_iommu_idr);
	pr_info("memdisp: unloaded, live objects: as %lld maps %lld iommus %lld iotlb %lld txns %lld\n",
		atomic64_read(&md_stats.live_as), atomic64_read(&md_stats.live_maps),
		atomic64_read(&md_stats.live_iommus),
		atomic64_read(&md_stats.live_iotlb),
		atomic64_read(&md_stats.live_txns));
}

module_init(md_init);
module_exit(md_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memdisp: QEMU-style address-space dispatch and IOMMU translation");
MODULE_ALIAS_GENL_FAMILY(MEMDISP_GENL_NAME);
