// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.c - the "memdisp" generic netlink family: policies, permission
 * checks, command handlers and events.
 */
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/capability.h>
#include <linux/minmax.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "md.h"

/* ---- policies ---------------------------------------------------------- */

static const struct nla_policy md_sec_policy[MEMDISP_SEC_A_MAX + 1] = {
	[MEMDISP_SEC_A_START] = { .type = NLA_U64 },
	[MEMDISP_SEC_A_LAST] = { .type = NLA_U64 },
	[MEMDISP_SEC_A_TYPE] = NLA_POLICY_MAX(NLA_U32, __MEMDISP_SEC_TYPE_MAX - 1),
	[MEMDISP_SEC_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, MEMDISP_SEC_F_ALL),
	[MEMDISP_SEC_A_REGION_ID] = { .type = NLA_U64 },
	[MEMDISP_SEC_A_OFFSET] = { .type = NLA_U64 },
	[MEMDISP_SEC_A_HVA] = { .type = NLA_U64 },
	[MEMDISP_SEC_A_IOMMU_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy md_range_policy[MEMDISP_A_LAST + 1] = {
	[MEMDISP_A_START] = { .type = NLA_U64 },
	[MEMDISP_A_LAST] = { .type = NLA_U64 },
};

static const struct nla_policy md_iotlb_policy[MEMDISP_IOTLB_A_MAX + 1] = {
	[MEMDISP_IOTLB_A_IOVA] = { .type = NLA_U64 },
	[MEMDISP_IOTLB_A_XLAT] = { .type = NLA_U64 },
	[MEMDISP_IOTLB_A_MASK] = { .type = NLA_U64 },
	[MEMDISP_IOTLB_A_PERM] = NLA_POLICY_MAX(NLA_U32, MEMDISP_PERM_RW),
};

/* Reply-only attributes are left NLA_UNSPEC: strict validation refuses them. */
static const struct nla_policy md_policy[MEMDISP_A_MAX + 1] = {
	[MEMDISP_A_AS_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MEMDISP_A_AS_NAME] = { .type = NLA_NUL_STRING,
				.len = MEMDISP_NAME_MAX - 1 },
	[MEMDISP_A_AS_FLAGS] = NLA_POLICY_MASK(NLA_U32, MEMDISP_AS_F_ALL),
	[MEMDISP_A_GENERATION] = { .type = NLA_U64 },
	[MEMDISP_A_SECTION] = NLA_POLICY_NESTED(md_sec_policy),
	[MEMDISP_A_REMOVE] = NLA_POLICY_NESTED(md_range_policy),
	[MEMDISP_A_TXN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MEMDISP_A_TXN_COUNT] = { .type = NLA_U32 },
	[MEMDISP_A_IOMMU_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MEMDISP_A_IOTLB] = NLA_POLICY_NESTED(md_iotlb_policy),
	[MEMDISP_A_START] = { .type = NLA_U64 },
	[MEMDISP_A_LAST] = { .type = NLA_U64 },
	[MEMDISP_A_ADDR] = { .type = NLA_U64 },
	[MEMDISP_A_LEN] = NLA_POLICY_MIN(NLA_U64, 1),
	[MEMDISP_A_WRITE] = { .type = NLA_FLAG },
};

#define BIT_A(a)	(1ULL << (a))
/* Attributes that may appear more than once. */
#define MD_REPEATABLE	(BIT_A(MEMDISP_A_SECTION) | BIT_A(MEMDISP_A_REMOVE) | \
			 BIT_A(MEMDISP_A_IOTLB))

/* Attributes each command accepts. */
static const u64 md_cmd_attrs[__MEMDISP_CMD_MAX] = {
	[MEMDISP_CMD_AS_NEW] = BIT_A(MEMDISP_A_AS_NAME) | BIT_A(MEMDISP_A_AS_FLAGS),
	[MEMDISP_CMD_AS_DEL] = BIT_A(MEMDISP_A_AS_ID),
	[MEMDISP_CMD_AS_GET] = BIT_A(MEMDISP_A_AS_ID),
	[MEMDISP_CMD_MAP_SET] = BIT_A(MEMDISP_A_AS_ID) |
		BIT_A(MEMDISP_A_GENERATION) | BIT_A(MEMDISP_A_SECTION),
	[MEMDISP_CMD_MAP_BEGIN] = BIT_A(MEMDISP_A_AS_ID) |
		BIT_A(MEMDISP_A_GENERATION) | BIT_A(MEMDISP_A_TXN_COUNT),
	[MEMDISP_CMD_MAP_CHUNK] = BIT_A(MEMDISP_A_AS_ID) |
		BIT_A(MEMDISP_A_TXN_ID) | BIT_A(MEMDISP_A_SECTION),
	[MEMDISP_CMD_MAP_COMMIT] = BIT_A(MEMDISP_A_AS_ID) | BIT_A(MEMDISP_A_TXN_ID),
	[MEMDISP_CMD_MAP_ABORT] = BIT_A(MEMDISP_A_AS_ID) | BIT_A(MEMDISP_A_TXN_ID),
	[MEMDISP_CMD_MAP_DELTA] = BIT_A(MEMDISP_A_AS_ID) |
		BIT_A(MEMDISP_A_GENERATION) | BIT_A(MEMDISP_A_REMOVE) |
		BIT_A(MEMDISP_A_SECTION),
	[MEMDISP_CMD_MAP_GET] = BIT_A(MEMDISP_A_AS_ID),
	[MEMDISP_CMD_IOMMU_NEW] = BIT_A(MEMDISP_A_AS_ID),
	[MEMDISP_CMD_IOMMU_DEL] = BIT_A(MEMDISP_A_IOMMU_ID),
	[MEMDISP_CMD_IOTLB_UPDATE] = BIT_A(MEMDISP_A_IOMMU_ID) | BIT_A(MEMDISP_A_IOTLB),
	[MEMDISP_CMD_IOTLB_INVAL] = BIT_A(MEMDISP_A_IOMMU_ID) |
		BIT_A(MEMDISP_A_START) | BIT_A(MEMDISP_A_LAST),
	[MEMDISP_CMD_IOTLB_FLUSH] = BIT_A(MEMDISP_A_IOMMU_ID),
	[MEMDISP_CMD_TRANSLATE] = BIT_A(MEMDISP_A_AS_ID) | BIT_A(MEMDISP_A_ADDR) |
		BIT_A(MEMDISP_A_LEN) | BIT_A(MEMDISP_A_WRITE),
	[MEMDISP_CMD_STATS_GET] = 0,
	[MEMDISP_CMD_NOOP] = BIT_A(MEMDISP_A_AS_ID) | BIT_A(MEMDISP_A_GENERATION) |
		BIT_A(MEMDISP_A_TXN_ID) | BIT_A(MEMDISP_A_TXN_COUNT) |
		BIT_A(MEMDISP_A_SECTION),
};

/*
 * Refuse duplicates of non-repeatable attributes and attributes the
 * command does not use (the core already refused unknown ones).
 */
static int md_check_attrs(const struct nlmsghdr *nlh, u8 cmd,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	u64 seen = 0;
	int rem;

	nlmsg_for_each_attr(nla, nlh, GENL_HDRLEN, rem) {
		int type = nla_type(nla);

		if (type <= 0 || type > MEMDISP_A_MAX ||
		    !(md_cmd_attrs[cmd] & BIT_A(type))) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "attribute not valid for this command");
			return -EINVAL;
		}
		if ((MD_REPEATABLE & BIT_A(type)) && !(nla->nla_type & NLA_F_NESTED)) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "NLA_F_NESTED is missing");
			return -EINVAL;
		}
		if ((seen & BIT_A(type)) && !(MD_REPEATABLE & BIT_A(type))) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "duplicate attribute");
			return -EINVAL;
		}
		seen |= BIT_A(type);
	}
	return 0;
}

static int md_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	return md_check_attrs(info->nlhdr, ops->cmd, info->extack);
}

/* ---- required attributes ---------------------------------------------- */

static const char *const md_missing_msg[MEMDISP_A_MAX + 1] = {
	[MEMDISP_A_AS_ID] = "missing address-space id (MEMDISP_A_AS_ID)",
	[MEMDISP_A_AS_NAME] = "missing name (MEMDISP_A_AS_NAME)",
	[MEMDISP_A_GENERATION] = "missing base generation (MEMDISP_A_GENERATION)",
	[MEMDISP_A_TXN_ID] = "missing transaction id (MEMDISP_A_TXN_ID)",
	[MEMDISP_A_TXN_COUNT] = "missing section count (MEMDISP_A_TXN_COUNT)",
	[MEMDISP_A_IOMMU_ID] = "missing IOMMU id (MEMDISP_A_IOMMU_ID)",
	[MEMDISP_A_START] = "missing range start (MEMDISP_A_START)",
	[MEMDISP_A_LAST] = "missing range last (MEMDISP_A_LAST)",
	[MEMDISP_A_ADDR] = "missing address (MEMDISP_A_ADDR)",
	[MEMDISP_A_LEN] = "missing length (MEMDISP_A_LEN)",
};

/*
 * A required attribute is absent: report it as GENL_REQ_ATTR_CHECK() does
 * (NLMSGERR_ATTR_MISS_TYPE), and with a message naming it, which that
 * macro does not set.  Return: true if it is missing.
 */
static bool md_req_missing(struct genl_info *info, int type)
{
	if (info->attrs[type])
		return false;
	if (info->extack) {
		info->extack->_msg = md_missing_msg[type] ?:
				     "missing required attribute";
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	}
	return true;
}

/* ---- permissions and lookups ------------------------------------------- */

static bool md_may_admin(const struct sk_buff *skb, u32 portid,
			 struct net *net, u32 owner)
{
	return portid == owner ||
	       netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN);
}

/* Find the address space named by MEMDISP_A_AS_ID; @write: may change it. */
static struct memdisp_as *md_as_from_info(struct sk_buff *skb,
					  struct genl_info *info, bool write)
{
	struct nlattr *attr = info->attrs[MEMDISP_A_AS_ID];
	struct net *net = genl_info_net(info);
	struct memdisp_as *as;

	if (md_req_missing(info, MEMDISP_A_AS_ID))
		return ERR_PTR(-EINVAL);
	as = md_as_find(net, nla_get_u32(attr));
	if (as && !md_may_admin(skb, info->snd_portid, net, as->portid)) {
		if (write && (as->flags & MEMDISP_AS_F_PUBLIC)) {
			memdisp_as_put(as);
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "only the owner or CAP_NET_ADMIN may change this address space");
			return ERR_PTR(-EPERM);
		}
		if (write || !(as->flags & MEMDISP_AS_F_PUBLIC)) {
			memdisp_as_put(as);
			as = NULL;
		}
	}
	if (!as) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such address space");
		return ERR_PTR(-ENOENT);
	}
	return as;
}

static struct md_iommu *md_iommu_from_info(struct sk_buff *skb,
					   struct genl_info *info)
{
	struct nlattr *attr = info->attrs[MEMDISP_A_IOMMU_ID];
	struct net *net = genl_info_net(info);
	struct md_iommu *iommu;

	if (md_req_missing(info, MEMDISP_A_IOMMU_ID))
		return ERR_PTR(-EINVAL);
	iommu = md_iommu_find(net, nla_get_u32(attr));
	if (iommu && !md_may_admin(skb, info->snd_portid, net, iommu->portid)) {
		md_iommu_put(iommu);
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "only the owner or CAP_NET_ADMIN may change this IOMMU");
		return ERR_PTR(-EPERM);
	}
	if (!iommu) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such IOMMU");
		return ERR_PTR(-ENOENT);
	}
	return iommu;
}

/* ---- replies ----------------------------------------------------------- */

static struct sk_buff *md_reply_new(struct genl_info *info, size_t size,
				    void **hdr)
{
	struct sk_buff *skb = genlmsg_new(size, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &md_family, 0, info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int md_put_as(struct sk_buff *skb, struct memdisp_as *as)
{
	struct md_map *map;
	u32 nr = 0;
	u64 bytes = sizeof(*as);
	u64 gen;

	mutex_lock(&as->lock);
	map = rcu_dereference_protected(as->map, lockdep_is_held(&as->lock));
	if (map) {
		nr = map->nr;
		bytes += map->bytes;
	}
	gen = as->gen;
	mutex_unlock(&as->lock);

	if (nla_put_u32(skb, MEMDISP_A_AS_ID, as->id) ||
	    nla_put_string(skb, MEMDISP_A_AS_NAME, as->name) ||
	    nla_put_u32(skb, MEMDISP_A_AS_FLAGS, as->flags) ||
	    nla_put_u64_64bit(skb, MEMDISP_A_GENERATION, gen, MEMDISP_A_UNSPEC) ||
	    nla_put_u32(skb, MEMDISP_A_AS_NR_SECTIONS, nr) ||
	    nla_put_u64_64bit(skb, MEMDISP_A_AS_MEM_BYTES, bytes, MEMDISP_A_UNSPEC) ||
	    nla_put_u32(skb, MEMDISP_A_AS_OWNER_PORTID, as->portid))
		return -EMSGSIZE;
	return 0;
}

static int md_reply_as(struct genl_info *info, struct memdisp_as *as)
{
	struct sk_buff *skb;
	void *hdr;

	skb = md_reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!skb)
		return -ENOMEM;
	if (md_put_as(skb, as)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int md_reply_gen(struct genl_info *info, u32 as_id, u64 gen)
{
	struct sk_buff *skb;
	void *hdr;

	skb = md_reply_new(info, 64, &hdr);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, MEMDISP_A_AS_ID, as_id) ||
	    nla_put_u64_64bit(skb, MEMDISP_A_GENERATION, gen, MEMDISP_A_UNSPEC)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* ---- events ------------------------------------------------------------ */

/* Events go out only while the family is registered. */
static bool md_events_on;

/**
 * md_event_map_changed() - multicast a map-changed event
 * @as: the address space
 * @gen: its new generation
 * @dead: it was destroyed
 */
void md_event_map_changed(struct memdisp_as *as, u64 gen, bool dead)
{
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(md_events_on) || !genl_has_listeners(&md_family, as->net, 0))
		return;
	skb = genlmsg_new(64, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &md_family, 0, MEMDISP_CMD_EVT_MAP_CHANGED);
	if (!hdr ||
	    nla_put_u32(skb, MEMDISP_A_AS_ID, as->id) ||
	    nla_put_u64_64bit(skb, MEMDISP_A_GENERATION, gen, MEMDISP_A_UNSPEC) ||
	    (dead && nla_put_flag(skb, MEMDISP_A_AS_DEAD))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&md_family, as->net, skb, 0, 0, GFP_KERNEL);
}

/**
 * md_event_miss() - multicast an IOTLB-miss event
 * @iommu: the IOMMU
 * @iova: first address of the missing page
 * @perm: permission needed
 */
void md_event_miss(struct md_iommu *iommu, u64 iova, u32 perm)
{
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(md_events_on) ||
	    !genl_has_listeners(&md_family, iommu->net, 0))
		return;
	skb = genlmsg_new(64, GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&md_stats.miss_dropped);
		return;
	}
	hdr = genlmsg_put(skb, 0, 0, &md_family, 0, MEMDISP_CMD_EVT_IOTLB_MISS);
	if (!hdr ||
	    nla_put_u32(skb, MEMDISP_A_IOMMU_ID, iommu->id) ||
	    nla_put_u64_64bit(skb, MEMDISP_A_IOVA, iova, MEMDISP_A_UNSPEC) ||
	    nla_put_u32(skb, MEMDISP_A_PERM, perm)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&md_family, iommu->net, skb, 0, 0, GFP_KERNEL);
	atomic64_inc(&md_stats.miss_events);
}

/* ---- address spaces ---------------------------------------------------- */

static int md_cmd_as_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[MEMDISP_A_AS_NAME];
	struct memdisp_as *as;
	u32 flags = 0;
	int ret;

	if (md_req_missing(info, MEMDISP_A_AS_NAME))
		return -EINVAL;
	if (!nla_len(name) || !*(const char *)nla_data(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, name, "empty name");
		return -EINVAL;
	}
	if (info->attrs[MEMDISP_A_AS_FLAGS])
		flags = nla_get_u32(info->attrs[MEMDISP_A_AS_FLAGS]);
	as = md_as_create(genl_info_net(info), info->snd_portid,
			  nla_data(name), flags, info->extack);
	if (IS_ERR(as))
		return PTR_ERR(as);
	ret = md_reply_as(info, as);
	memdisp_as_put(as);
	return ret;
}

static int md_cmd_as_del(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as = md_as_from_info(skb, info, true);

	if (IS_ERR(as))
		return PTR_ERR(as);
	mutex_lock(&md_lock);
	if (!as->dead)
		md_as_destroy_locked(as);
	mutex_unlock(&md_lock);
	memdisp_as_put(as);
	return 0;
}

static int md_cmd_as_get(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as = md_as_from_info(skb, info, false);
	int ret;

	if (IS_ERR(as))
		return PTR_ERR(as);
	ret = md_reply_as(info, as);
	memdisp_as_put(as);
	return ret;
}

/*
 * Run a dump's start check so that its error message reaches the caller.
 *
 * Linux 6.1's __netlink_dump_start() has no extended ACK to give start():
 * struct netlink_dump_control carries none and cb->extack is NULL there
 * (genetlink keeps the request's extack in its private start context and
 * uses it only for its own policy checks).  A message set through
 * cb->extack is dropped and netlink_rcv_skb() acks with the bare errno.
 * So when cb->extack is NULL, collect the message in a local extack, send
 * the error ACK ourselves (netlink_ack(), the message netlink_rcv_skb()
 * would have sent, now with the text and the offending attribute) and
 * return -EINTR, the code by which netlink_rcv_skb() knows a dump request
 * was handled and must not be acked again.  genl_start() and
 * __netlink_dump_start() treat it as any start error and free everything.
 * Kernels that do pass an extack to start() take the plain path.
 */
static int md_dump_start_ack(struct netlink_callback *cb,
			     int (*check)(struct netlink_callback *cb))
{
	struct netlink_ext_ack extack = {};
	int ret;

	if (cb->extack)
		return check(cb);
	cb->extack = &extack;
	ret = check(cb);
	cb->extack = NULL;
	if (!ret)
		return 0;
	netlink_ack(cb->skb, (struct nlmsghdr *)cb->nlh, ret, &extack);
	return -EINTR;
}

static int md_dump_as_check(struct netlink_callback *cb)
{
	return md_check_attrs(cb->nlh, MEMDISP_CMD_AS_GET, cb->extack);
}

static int md_dump_as_start(struct netlink_callback *cb)
{
	return md_dump_start_ack(cb, md_dump_as_check);
}

static int md_dump_as(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct memdisp_as *as;
	int id = cb->args[0];
	int ret = 0;
	void *hdr;

	mutex_lock(&md_lock);
	for (;; id++) {
		as = idr_get_next(&md_as_idr, &id);
		if (!as)
			break;
		if (!net_eq(as->net, net))
			continue;
		if (!(as->flags & MEMDISP_AS_F_PUBLIC) &&
		    !md_may_admin(cb->skb, portid, net, as->portid))
			continue;
		hdr = genlmsg_put(skb, portid, cb->nlh->nlmsg_seq, &md_family,
				  NLM_F_MULTI, MEMDISP_CMD_AS_GET);
		if (!hdr || md_put_as(skb, as)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			ret = skb->len ? skb->len : -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&md_lock);
	cb->args[0] = id;
	return ret ? ret : skb->len;
}

/* ---- sections ---------------------------------------------------------- */

/*
 * Collect the attributes of a nest whose types and lengths the policy has
 * already checked.  Return: NULL, or the second copy of a repeated type
 * (the caller refuses the nest, naming it).
 */
static const struct nlattr *md_nest_collect(const struct nlattr *nest,
					    const struct nlattr **tb, int max)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		if (type <= 0 || type > max)
			continue;
		if (tb[type])
			return a;
		tb[type] = a;
	}
	return NULL;
}


static int md_parse_section(const struct nlattr *nest, u64 *startp,
			    u64 *lastp, struct md_section *sec,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *dup, *tb[MEMDISP_SEC_A_MAX + 1] = { NULL };

	dup = md_nest_collect(nest, tb, MEMDISP_SEC_A_MAX);
	if (dup) {
		NL_SET_ERR_MSG_ATTR(extack, dup, "duplicate section attribute");
		return -EINVAL;
	}
	if (!tb[MEMDISP_SEC_A_START] || !tb[MEMDISP_SEC_A_LAST] ||
	    !tb[MEMDISP_SEC_A_TYPE]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "section needs start, last and type");
		return -EINVAL;
	}
	*startp = nla_get_u64(tb[MEMDISP_SEC_A_START]);
	*lastp = nla_get_u64(tb[MEMDISP_SEC_A_LAST]);
	if (*lastp < *startp) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MEMDISP_SEC_A_LAST],
				    "section last below start");
		return -EINVAL;
	}
	memset(sec, 0, sizeof(*sec));
	sec->type = nla_get_u32(tb[MEMDISP_SEC_A_TYPE]);
	if (tb[MEMDISP_SEC_A_FLAGS])
		sec->flags = nla_get_u32(tb[MEMDISP_SEC_A_FLAGS]);
	if (tb[MEMDISP_SEC_A_REGION_ID])
		sec->region_id = nla_get_u64(tb[MEMDISP_SEC_A_REGION_ID]);
	if (tb[MEMDISP_SEC_A_OFFSET])
		sec->offset = nla_get_u64(tb[MEMDISP_SEC_A_OFFSET]);
	if (tb[MEMDISP_SEC_A_HVA]) {
		if (sec->type == MEMDISP_SEC_MMIO ||
		    sec->type == MEMDISP_SEC_IOMMU) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MEMDISP_SEC_A_HVA],
					    "host address only for RAM, ROM and ROMD");
			return -EINVAL;
		}
		sec->hva = nla_get_u64(tb[MEMDISP_SEC_A_HVA]);
	}
	if (sec->type == MEMDISP_SEC_IOMMU) {
		if (!tb[MEMDISP_SEC_A_IOMMU_ID]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "IOMMU section needs an IOMMU id");
			return -EINVAL;
		}
		sec->iommu_id = nla_get_u32(tb[MEMDISP_SEC_A_IOMMU_ID]);
	} else if (tb[MEMDISP_SEC_A_IOMMU_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MEMDISP_SEC_A_IOMMU_ID],
				    "IOMMU id only for IOMMU sections");
		return -EINVAL;
	}
	return 0;
}

static u32 md_count_attrs(const struct genl_info *info, int type)
{
	const struct nlattr *nla;
	u32 n = 0;
	int rem;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(nla) == type)
			n++;
	return n;
}

static const struct nlattr *md_nth_attr(const struct genl_info *info,
					int type, u32 nth)
{
	const struct nlattr *nla;
	int rem;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(nla) == type && !nth--)
			return nla;
	return NULL;
}

/* Append the message's sections to @map, continuing its order. */
static int md_add_sections(const struct genl_info *info, struct md_map *map)
{
	const struct nlattr *nla;
	int rem, ret;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		u64 start, last;

		if (nla_type(nla) != MEMDISP_A_SECTION)
			continue;
		if (map->nr >= map->cap) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "more sections than announced");
			return -E2BIG;
		}
		ret = md_parse_section(nla, &start, &last, &map->secs[map->nr],
				       info->extack);
		if (ret)
			return ret;
		if (map->nr && start <= map->last[map->nr - 1]) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "sections unsorted or overlapping");
			return -EINVAL;
		}
		map->start[map->nr] = start;
		map->last[map->nr] = last;
		map->nr++;
	}
	return 0;
}

static int md_check_gen(struct genl_info *info, struct memdisp_as *as, u64 base)
{
	lockdep_assert_held(&as->lock);
	if (as->dead) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_AS_ID],
				    "address space destroyed");
		return -ENOENT;
	}
	if (base != as->gen) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_GENERATION],
				    "stale generation");
		return -ESTALE;
	}
	return 0;
}

/* Publish @map (finished) in place of generation @base; consumes @map. */
static int md_publish_checked(struct genl_info *info, struct memdisp_as *as,
			      struct md_map *map, u64 base, u64 *newgen)
{
	int ret;

	lockdep_assert_held(&as->lock);
	ret = md_check_gen(info, as, base);
	if (ret) {
		md_map_free(map);
		return ret;
	}
	map->gen = base + 1;
	md_as_publish(as, map);
	*newgen = map->gen;
	return 0;
}

static int md_cmd_map_set(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as;
	struct md_map *map;
	u64 base, gen;
	u32 n;
	int ret;

	if (md_req_missing(info, MEMDISP_A_GENERATION))
		return -EINVAL;
	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	base = nla_get_u64(info->attrs[MEMDISP_A_GENERATION]);
	n = md_count_attrs(info, MEMDISP_A_SECTION);
	if (n > md_max_sections) {
		NL_SET_ERR_MSG(info->extack, "more sections than max_sections");
		ret = -E2BIG;
		goto out;
	}
	map = md_map_alloc(n);
	if (!map) {
		ret = -ENOMEM;
		goto out;
	}
	ret = md_add_sections(info, map);
	if (!ret)
		ret = md_map_finish(map);
	if (ret) {
		md_map_free(map);
		goto out;
	}
	mutex_lock(&as->lock);
	ret = md_publish_checked(info, as, map, base, &gen);
	mutex_unlock(&as->lock);
	if (!ret) {
		md_event_map_changed(as, gen, false);
		ret = md_reply_gen(info, as->id, gen);
	}
out:
	memdisp_as_put(as);
	return ret;
}

static int md_cmd_map_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as;
	struct md_txn *txn;
	struct sk_buff *rep;
	void *hdr;
	u32 count;
	int ret;

	if (md_req_missing(info, MEMDISP_A_GENERATION) ||
	    md_req_missing(info, MEMDISP_A_TXN_COUNT))
		return -EINVAL;
	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	count = nla_get_u32(info->attrs[MEMDISP_A_TXN_COUNT]);
	if (count > md_max_sections) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_TXN_COUNT],
				    "more sections than max_sections");
		ret = -E2BIG;
		goto out;
	}
	rep = md_reply_new(info, 64, &hdr);
	if (!rep) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&as->lock);
	ret = md_check_gen(info, as, nla_get_u64(info->attrs[MEMDISP_A_GENERATION]));
	if (ret)
		goto unlock;
	if (as->txn) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_AS_ID],
				    "a transaction is already open");
		ret = -EBUSY;
		goto unlock;
	}
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (txn)
		txn->map = md_map_alloc(count);
	if (!txn || !txn->map) {
		kfree(txn);
		ret = -ENOMEM;
		goto unlock;
	}
	txn->total = count;
	txn->base_gen = as->gen;
	if (!++as->next_txn)
		as->next_txn = 1;
	txn->id = as->next_txn;
	as->txn = txn;
	atomic64_inc(&md_stats.live_txns);
	ret = 0;
	if (nla_put_u32(rep, MEMDISP_A_AS_ID, as->id) ||
	    nla_put_u32(rep, MEMDISP_A_TXN_ID, txn->id)) {
		md_txn_free(as);
		ret = -EMSGSIZE;
	}
unlock:
	mutex_unlock(&as->lock);
	if (!ret) {
		genlmsg_end(rep, hdr);
		ret = genlmsg_reply(rep, info);
	} else {
		nlmsg_free(rep);
	}
out:
	memdisp_as_put(as);
	return ret;
}

/* The open transaction named by MEMDISP_A_TXN_ID; as->lock held. */
static struct md_txn *md_txn_from_info(struct genl_info *info,
				       struct memdisp_as *as)
{
	struct nlattr *attr = info->attrs[MEMDISP_A_TXN_ID];

	lockdep_assert_held(&as->lock);
	if (as->dead || !as->txn || as->txn->id != nla_get_u32(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such transaction");
		return NULL;
	}
	return as->txn;
}

static int md_cmd_map_chunk(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as;
	struct md_txn *txn;
	int ret;

	if (md_req_missing(info, MEMDISP_A_TXN_ID))
		return -EINVAL;
	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	mutex_lock(&as->lock);
	txn = md_txn_from_info(info, as);
	if (!txn) {
		ret = -ENOENT;
		goto unlock;
	}
	if (!md_count_attrs(info, MEMDISP_A_SECTION)) {
		NL_SET_ERR_MSG(info->extack, "chunk without sections");
		ret = -EINVAL;
	} else {
		ret = md_add_sections(info, txn->map);
	}
	if (ret)
		md_txn_free(as);	/* a bad chunk spoils the transaction */
unlock:
	mutex_unlock(&as->lock);
	memdisp_as_put(as);
	return ret;
}

static int md_cmd_map_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as;
	struct md_map *map;
	struct md_txn *txn;
	u64 gen = 0;
	int ret;

	if (md_req_missing(info, MEMDISP_A_TXN_ID))
		return -EINVAL;
	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	mutex_lock(&as->lock);
	txn = md_txn_from_info(info, as);
	if (!txn) {
		ret = -ENOENT;
		goto unlock;
	}
	map = txn->map;
	if (map->nr != txn->total) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_TXN_ID],
				    "transaction truncated: fewer sections than announced");
		ret = -EINVAL;
		md_txn_free(as);
		goto unlock;
	}
	if (txn->base_gen != as->gen) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_TXN_ID],
				    "stale generation");
		ret = -ESTALE;
		md_txn_free(as);
		goto unlock;
	}
	ret = md_map_finish(map);
	if (ret) {
		NL_SET_ERR_MSG(info->extack, "cannot build the index");
		md_txn_free(as);
		goto unlock;
	}
	txn->map = NULL;
	md_txn_free(as);
	map->gen = as->gen + 1;
	md_as_publish(as, map);
	gen = map->gen;
unlock:
	mutex_unlock(&as->lock);
	if (!ret) {
		md_event_map_changed(as, gen, false);
		ret = md_reply_gen(info, as->id, gen);
	}
	memdisp_as_put(as);
	return ret;
}

static int md_cmd_map_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as;
	int ret = 0;

	if (md_req_missing(info, MEMDISP_A_TXN_ID))
		return -EINVAL;
	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	mutex_lock(&as->lock);
	if (md_txn_from_info(info, as))
		md_txn_free(as);
	else
		ret = -ENOENT;
	mutex_unlock(&as->lock);
	memdisp_as_put(as);
	return ret;
}

/* ---- delta ------------------------------------------------------------- */

struct md_delta {
	u32 nrm;
	u64 *rs, *rl;		/* removed ranges */
	struct md_map *add;	/* added sections (bounds kept) */
};

static int md_parse_removes(struct genl_info *info, struct md_delta *d)
{
	const struct nlattr *nla;
	int rem;
	u32 n = 0;

	d->nrm = md_count_attrs(info, MEMDISP_A_REMOVE);
	if (d->nrm > md_max_sections) {
		NL_SET_ERR_MSG(info->extack, "too many ranges removed");
		return -E2BIG;
	}
	d->rs = kvmalloc_array(d->nrm ? d->nrm : 1, sizeof(u64), GFP_KERNEL_ACCOUNT);
	d->rl = kvmalloc_array(d->nrm ? d->nrm : 1, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!d->rs || !d->rl)
		return -ENOMEM;
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		const struct nlattr *a, *s = NULL, *l = NULL;
		int r2;

		if (nla_type(nla) != MEMDISP_A_REMOVE)
			continue;
		nla_for_each_nested(a, nla, r2) {
			const struct nlattr **slot;

			if (nla_type(a) == MEMDISP_A_START)
				slot = &s;
			else if (nla_type(a) == MEMDISP_A_LAST)
				slot = &l;
			else
				continue;
			if (*slot) {
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "duplicate range attribute");
				return -EINVAL;
			}
			*slot = a;
		}
		if (!s || !l) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "removed range needs start and last");
			return -EINVAL;
		}
		d->rs[n] = nla_get_u64(s);
		d->rl[n] = nla_get_u64(l);
		if (d->rl[n] < d->rs[n]) {
			NL_SET_ERR_MSG_ATTR(info->extack, l,
					    "removed range last below start");
			return -EINVAL;
		}
		if (n && d->rs[n] <= d->rl[n - 1]) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "removed ranges unsorted or overlapping");
			return -EINVAL;
		}
		n++;
	}
	return 0;
}

/* Append a piece [s, l] of section @sec (whose start is @sstart). */
static void md_emit_piece(struct md_map *out, const struct md_section *sec,
			  u64 sstart, u64 s, u64 l)
{
	struct md_section *o = &out->secs[out->nr];

	*o = *sec;
	o->offset += s - sstart;
	if (o->hva)
		o->hva += s - sstart;
	out->start[out->nr] = s;
	out->last[out->nr] = l;
	out->nr++;
}

/* Build old - removed + added into @out; as->lock held. */
static int md_delta_apply(struct genl_info *info, const struct md_map *old,
			  const struct md_delta *d, struct md_map *out)
{
	const struct md_map *add = d->add;
	u32 onr = old ? old->nr : 0;
	u32 i, r = 0, a = 0;

	for (i = 0; i < onr; i++) {
		const struct md_section *sec = &old->secs[i];
		u64 s, l, cur;
		bool done = false;
		u32 k;

		md_map_bounds(old, i, &s, &l);
		while (r < d->nrm && d->rl[r] < s)
			r++;
		cur = s;
		for (k = r; k < d->nrm && d->rs[k] <= l; k++) {
			if (d->rs[k] > cur)
				md_emit_piece(out, sec, s, cur, d->rs[k] - 1);
			if (d->rl[k] >= l) {
				done = true;
				break;
			}
			cur = d->rl[k] + 1;
		}
		if (!done)
			md_emit_piece(out, sec, s, cur, l);
	}
	/* Merge the added sections into the remaining ones (in place, from the end). */
	if (add->nr) {
		u32 n = out->nr, total = out->nr + add->nr;
		int x = (int)n - 1, y = (int)add->nr - 1, w = (int)total - 1;

		while (y >= 0) {
			if (x >= 0 && out->start[x] > add->start[y]) {
				out->secs[w] = out->secs[x];
				out->start[w] = out->start[x];
				out->last[w] = out->last[x];
				x--;
			} else {
				out->secs[w] = add->secs[y];
				out->start[w] = add->start[y];
				out->last[w] = add->last[y];
				y--;
			}
			w--;
		}
		out->nr = total;
		/* Overlaps can only be between an added and a kept section. */
		for (i = 1; i < total; i++) {
			if (out->start[i] > out->last[i - 1])
				continue;
			/* find which added section it is, for the extack */
			for (a = 0; a < add->nr; a++)
				if (add->start[a] == out->start[i] ||
				    add->start[a] == out->start[i - 1])
					break;
			NL_SET_ERR_MSG_ATTR(info->extack,
					    md_nth_attr(info, MEMDISP_A_SECTION,
							a < add->nr ? a : 0),
					    "added section overlaps the map");
			return -EEXIST;
		}
	}
	if (out->nr > md_max_sections) {
		NL_SET_ERR_MSG(info->extack, "resulting map above max_sections");
		return -E2BIG;
	}
	return 0;
}

static int md_cmd_map_delta(struct sk_buff *skb, struct genl_info *info)
{
	struct md_delta d = { 0 };
	struct md_map *old, *out = NULL;
	struct memdisp_as *as;
	u64 base, gen = 0, cap;
	u32 nadd;
	int ret;

	if (md_req_missing(info, MEMDISP_A_GENERATION))
		return -EINVAL;
	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	base = nla_get_u64(info->attrs[MEMDISP_A_GENERATION]);
	ret = md_parse_removes(info, &d);
	if (ret)
		goto out;
	nadd = md_count_attrs(info, MEMDISP_A_SECTION);
	if (nadd > md_max_sections) {
		NL_SET_ERR_MSG(info->extack, "more sections than max_sections");
		ret = -E2BIG;
		goto out;
	}
	d.add = md_map_alloc(nadd);
	if (!d.add) {
		ret = -ENOMEM;
		goto out;
	}
	ret = md_add_sections(info, d.add);
	if (ret)
		goto out;

	mutex_lock(&as->lock);
	ret = md_check_gen(info, as, base);
	if (ret)
		goto unlock;
	old = rcu_dereference_protected(as->map, lockdep_is_held(&as->lock));
	cap = (u64)(old ? old->nr : 0) + d.nrm + nadd;
	if (cap > (u64)md_max_sections + d.nrm + nadd || cap > U32_MAX) {
		ret = -E2BIG;
		NL_SET_ERR_MSG(info->extack, "resulting map too large");
		goto unlock;
	}
	out = md_map_alloc(cap);
	if (!out) {
		ret = -ENOMEM;
		goto unlock;
	}
	ret = md_delta_apply(info, old, &d, out);
	if (!ret)
		ret = md_map_finish(out);
	if (ret) {
		md_map_free(out);
		goto unlock;
	}
	out->gen = base + 1;
	md_as_publish(as, out);
	gen = out->gen;
unlock:
	mutex_unlock(&as->lock);
	if (!ret) {
		md_event_map_changed(as, gen, false);
		ret = md_reply_gen(info, as->id, gen);
	}
out:
	md_map_free(d.add);
	kvfree(d.rs);
	kvfree(d.rl);
	memdisp_as_put(as);
	return ret;
}

/* ---- map dump ---------------------------------------------------------- */

static int md_map_dump_check(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct nlattr *attr = di->attrs[MEMDISP_A_AS_ID];
	struct net *net = sock_net(cb->skb->sk);
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct memdisp_as *as;
	int ret;

	ret = md_check_attrs(cb->nlh, MEMDISP_CMD_MAP_GET, cb->extack);
	if (ret)
		return ret;
	if (!attr) {
		NL_SET_ERR_MSG(cb->extack, "missing address-space id");
		return -EINVAL;
	}
	as = md_as_find(net, nla_get_u32(attr));
	if (as && !(as->flags & MEMDISP_AS_F_PUBLIC) &&
	    !md_may_admin(cb->skb, portid, net, as->portid)) {
		memdisp_as_put(as);
		as = NULL;
	}
	if (!as) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attr, "no such address space");
		return -ENOENT;
	}
	cb->args[0] = (long)as;
	cb->args[1] = 0;
	cb->args[2] = md_may_admin(cb->skb, portid, net, as->portid);
	return 0;
}

static int md_map_dump_start(struct netlink_callback *cb)
{
	return md_dump_start_ack(cb, md_map_dump_check);
}

static int md_map_dump_done(struct netlink_callback *cb)
{
	memdisp_as_put((struct memdisp_as *)cb->args[0]);
	return 0;
}

static int md_put_section(struct sk_buff *skb, const struct md_map *map,
			  u32 i, bool hva)
{
	const struct md_section *sec = &map->secs[i];
	struct nlattr *nest;
	u64 s, l;

	md_map_bounds(map, i, &s, &l);
	nest = nla_nest_start(skb, MEMDISP_A_SECTION);
	if (!nest ||
	    nla_put_u64_64bit(skb, MEMDISP_SEC_A_START, s, MEMDISP_SEC_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, MEMDISP_SEC_A_LAST, l, MEMDISP_SEC_A_UNSPEC) ||
	    nla_put_u32(skb, MEMDISP_SEC_A_TYPE, sec->type) ||
	    nla_put_u32(skb, MEMDISP_SEC_A_FLAGS, sec->flags) ||
	    nla_put_u64_64bit(skb, MEMDISP_SEC_A_REGION_ID, sec->region_id,
			      MEMDISP_SEC_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, MEMDISP_SEC_A_OFFSET, sec->offset,
			      MEMDISP_SEC_A_UNSPEC) ||
	    (hva && sec->hva &&
	     nla_put_u64_64bit(skb, MEMDISP_SEC_A_HVA, sec->hva,
			       MEMDISP_SEC_A_UNSPEC)) ||
	    (sec->type == MEMDISP_SEC_IOMMU &&
	     nla_put_u32(skb, MEMDISP_SEC_A_IOMMU_ID, sec->iommu_id)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int md_map_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct memdisp_as *as = (struct memdisp_as *)cb->args[0];
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct md_map *map;
	u32 i = cb->args[1];
	void *hdr;

	rcu_read_lock();
	map = rcu_dereference(as->map);
	for (; map && i < map->nr; i++) {
		hdr = genlmsg_put(skb, portid, cb->nlh->nlmsg_seq, &md_family,
				  NLM_F_MULTI, MEMDISP_CMD_MAP_GET);
		if (!hdr)
			break;
		if (nla_put_u32(skb, MEMDISP_A_AS_ID, as->id) ||
		    nla_put_u64_64bit(skb, MEMDISP_A_GENERATION, map->gen,
				      MEMDISP_A_UNSPEC) ||
		    md_put_section(skb, map, i, cb->args[2])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[1] = i;
	return skb->len;
}

/* ---- IOMMUs ------------------------------------------------------------ */

static int md_cmd_iommu_new(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct md_iommu *iommu, *it;
	struct memdisp_as *as;
	struct sk_buff *rep;
	unsigned int count = 0;
	u32 target_id;
	void *hdr;
	int id, ret;

	as = md_as_from_info(skb, info, true);
	if (IS_ERR(as))
		return PTR_ERR(as);
	target_id = as->id;
	rep = md_reply_new(info, 64, &hdr);
	iommu = md_iommu_alloc(as, net, info->snd_portid);
	memdisp_as_put(as);
	if (!rep || !iommu) {
		ret = -ENOMEM;
		goto err;
	}
	mutex_lock(&md_lock);
	list_for_each_entry(it, &md_iommu_list, node)
		if (it->portid == info->snd_portid && net_eq(it->net, net))
			count++;
	if (count >= md_max_iommus_per_owner) {
		mutex_unlock(&md_lock);
		NL_SET_ERR_MSG(info->extack,
			       "too many IOMMUs for this socket (max_iommus_per_owner)");
		ret = -ENOSPC;
		goto err;
	}
	id = idr_alloc_cyclic(&md_iommu_idr, NULL, 1, INT_MAX, GFP_KERNEL_ACCOUNT);
	if (id < 0) {
		mutex_unlock(&md_lock);
		ret = id;
		goto err;
	}
	iommu->id = id;
	iommu->in_idr = true;
	list_add_tail(&iommu->node, &md_iommu_list);
	idr_replace(&md_iommu_idr, iommu, id);
	mutex_unlock(&md_lock);

	/*
	 * From here another socket (CAP_NET_ADMIN) may destroy the IOMMU:
	 * touch it no more.
	 */
	if (nla_put_u32(rep, MEMDISP_A_IOMMU_ID, id) ||
	    nla_put_u32(rep, MEMDISP_A_AS_ID, target_id)) {
		nlmsg_free(rep);
		return -EMSGSIZE;
	}
	genlmsg_end(rep, hdr);
	return genlmsg_reply(rep, info);
err:
	if (iommu)
		md_iommu_free_now(iommu);
	if (rep)
		nlmsg_free(rep);
	return ret;
}

static int md_cmd_iommu_del(struct sk_buff *skb, struct genl_info *info)
{
	struct md_iommu *iommu = md_iommu_from_info(skb, info);

	if (IS_ERR(iommu))
		return PTR_ERR(iommu);
	mutex_lock(&md_lock);
	if (iommu->in_idr)
		md_iommu_release(iommu);
	mutex_unlock(&md_lock);
	md_iommu_put(iommu);
	return 0;
}

struct md_tlb_in {
	u64 iova, xlat, mask;
	u32 perm;
};

static int md_parse_iotlb(const struct nlattr *nest, struct md_tlb_in *t,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *dup, *tb[MEMDISP_IOTLB_A_MAX + 1] = { NULL };

	dup = md_nest_collect(nest, tb, MEMDISP_IOTLB_A_MAX);
	if (dup) {
		NL_SET_ERR_MSG_ATTR(extack, dup, "duplicate IOTLB attribute");
		return -EINVAL;
	}
	if (!tb[MEMDISP_IOTLB_A_IOVA] || !tb[MEMDISP_IOTLB_A_XLAT] ||
	    !tb[MEMDISP_IOTLB_A_MASK] || !tb[MEMDISP_IOTLB_A_PERM]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IOTLB entry needs iova, translated address, mask and permission");
		return -EINVAL;
	}
	t->iova = nla_get_u64(tb[MEMDISP_IOTLB_A_IOVA]);
	t->xlat = nla_get_u64(tb[MEMDISP_IOTLB_A_XLAT]);
	t->mask = nla_get_u64(tb[MEMDISP_IOTLB_A_MASK]);
	t->perm = nla_get_u32(tb[MEMDISP_IOTLB_A_PERM]);
	if (t->mask & (t->mask + 1)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MEMDISP_IOTLB_A_MASK],
				    "mask + 1 must be a power of two");
		return -EINVAL;
	}
	if (t->iova & t->mask) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MEMDISP_IOTLB_A_IOVA],
				    "iova not aligned to the mask");
		return -EINVAL;
	}
	if (t->xlat & t->mask) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MEMDISP_IOTLB_A_XLAT],
				    "translated address not aligned to the mask");
		return -EINVAL;
	}
	return 0;
}

static int md_cmd_iotlb_update(struct sk_buff *skb, struct genl_info *info)
{
	struct md_tlb_in *v = NULL;
	struct md_iommu *iommu;
	const struct nlattr *nla;
	u32 n, i = 0;
	int rem, ret = 0;

	iommu = md_iommu_from_info(skb, info);
	if (IS_ERR(iommu))
		return PTR_ERR(iommu);
	n = md_count_attrs(info, MEMDISP_A_IOTLB);
	if (!n) {
		NL_SET_ERR_MSG(info->extack, "no IOTLB entry");
		ret = -EINVAL;
		goto out;
	}
	if (n > md_max_iotlb_entries) {
		NL_SET_ERR_MSG(info->extack, "more entries than max_iotlb_entries");
		ret = -ENOSPC;
		goto out;
	}
	v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(nla) != MEMDISP_A_IOTLB)
			continue;
		ret = md_parse_iotlb(nla, &v[i++], info->extack);
		if (ret)
			goto out;
	}
	for (i = 0; i < n; i++) {
		ret = md_iotlb_update(iommu, v[i].iova, v[i].xlat, v[i].mask,
				      v[i].perm);
		if (ret == -ENOSPC) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    md_nth_attr(info, MEMDISP_A_IOTLB, i),
					    "IOTLB full (max_iotlb_entries)");
			goto out;
		} else if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    md_nth_attr(info, MEMDISP_A_IOTLB, i),
					    "cannot store IOTLB entry");
			goto out;
		}
	}
out:
	kvfree(v);
	md_iommu_put(iommu);
	return ret;
}

static int md_cmd_iotlb_inval(struct sk_buff *skb, struct genl_info *info)
{
	struct md_iommu *iommu;
	u64 first, last;

	if (md_req_missing(info, MEMDISP_A_START) ||
	    md_req_missing(info, MEMDISP_A_LAST))
		return -EINVAL;
	first = nla_get_u64(info->attrs[MEMDISP_A_START]);
	last = nla_get_u64(info->attrs[MEMDISP_A_LAST]);
	if (last < first) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMDISP_A_LAST],
				    "last below start");
		return -EINVAL;
	}
	iommu = md_iommu_from_info(skb, info);
	if (IS_ERR(iommu))
		return PTR_ERR(iommu);
	md_iotlb_inval(iommu, first, last);
	md_iommu_put(iommu);
	return 0;
}

static int md_cmd_iotlb_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct md_iommu *iommu = md_iommu_from_info(skb, info);

	if (IS_ERR(iommu))
		return PTR_ERR(iommu);
	md_iotlb_flush(iommu);
	md_iommu_put(iommu);
	return 0;
}

/* ---- translate and stats ----------------------------------------------- */

static int md_cmd_translate(struct sk_buff *skb, struct genl_info *info)
{
	struct memdisp_as *as, *final;
	struct memdisp_xlat r;
	struct sk_buff *rep;
	struct nlattr *nest;
	bool show_hva = false;
	void *hdr;
	int ret;

	if (md_req_missing(info, MEMDISP_A_ADDR) ||
	    md_req_missing(info, MEMDISP_A_LEN))
		return -EINVAL;
	as = md_as_from_info(skb, info, false);
	if (IS_ERR(as))
		return PTR_ERR(as);
	rcu_read_lock();
	md_translate_map(as, nla_get_u64(info->attrs[MEMDISP_A_ADDR]),
			 nla_get_u64(info->attrs[MEMDISP_A_LEN]),
			 nla_get_flag(info->attrs[MEMDISP_A_WRITE]), &r, &final);
	if (!refcount_inc_not_zero(&final->ref))
		final = NULL;
	rcu_read_unlock();
	if (final) {
		show_hva = net_eq(final->net, genl_info_net(info)) &&
			   md_may_admin(skb, info->snd_portid, final->net,
					final->portid);
		memdisp_as_put(final);
	}
	memdisp_as_put(as);

	rep = md_reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!rep)
		return -ENOMEM;
	ret = -EMSGSIZE;
	nest = nla_nest_start(rep, MEMDISP_A_XLAT);
	if (!nest ||
	    nla_put_u32(rep, MEMDISP_XLAT_A_STATUS, r.status) ||
	    nla_put_u64_64bit(rep, MEMDISP_XLAT_A_LEN, r.len, MEMDISP_XLAT_A_UNSPEC) ||
	    nla_put_u32(rep, MEMDISP_XLAT_A_PERM, r.perm) ||
	    nla_put_u32(rep, MEMDISP_XLAT_A_AS_ID, r.as_id) ||
	    nla_put_u64_64bit(rep, MEMDISP_XLAT_A_ADDR, r.addr, MEMDISP_XLAT_A_UNSPEC) ||
	    nla_put_u32(rep, MEMDISP_XLAT_A_DEPTH, r.depth))
		goto err;
	if (r.status == MEMDISP_XLAT_OK &&
	    (nla_put_u32(rep, MEMDISP_XLAT_A_TYPE, r.type) ||
	     nla_put_u32(rep, MEMDISP_XLAT_A_SEC_FLAGS, r.sec_flags) ||
	     nla_put_u64_64bit(rep, MEMDISP_XLAT_A_REGION_ID, r.region_id,
			       MEMDISP_XLAT_A_UNSPEC) ||
	     nla_put_u64_64bit(rep, MEMDISP_XLAT_A_OFFSET, r.offset,
			       MEMDISP_XLAT_A_UNSPEC) ||
	     (show_hva && r.hva &&
	      nla_put_u64_64bit(rep, MEMDISP_XLAT_A_HVA, r.hva,
				MEMDISP_XLAT_A_UNSPEC))))
		goto err;
	if ((r.status == MEMDISP_XLAT_IOTLB_MISS ||
	     r.status == MEMDISP_XLAT_DENIED) &&
	    (nla_put_u32(rep, MEMDISP_XLAT_A_IOMMU_ID, r.iommu_id) ||
	     nla_put_u64_64bit(rep, MEMDISP_XLAT_A_IOVA, r.iova,
			       MEMDISP_XLAT_A_UNSPEC)))
		goto err;
	nla_nest_end(rep, nest);
	genlmsg_end(rep, hdr);
	return genlmsg_reply(rep, info);
err:
	nlmsg_free(rep);
	return ret;
}

static int md_cmd_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	u64 lookups = 0, hits = 0, misses = 0;
	struct sk_buff *rep;
	struct nlattr *nest;
	void *hdr;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct md_pcpu_stats *s = per_cpu_ptr(&md_pcpu_stats, cpu);

		lookups += READ_ONCE(s->lookups);
		hits += READ_ONCE(s->iotlb_hits);
		misses += READ_ONCE(s->iotlb_misses);
	}
	rep = md_reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!rep)
		return -ENOMEM;
#define PUT(a, v) nla_put_u64_64bit(rep, a, v, MEMDISP_STATS_A_UNSPEC)
	nest = nla_nest_start(rep, MEMDISP_A_STATS);
	if (!nest ||
	    PUT(MEMDISP_STATS_A_LOOKUPS, lookups) ||
	    PUT(MEMDISP_STATS_A_IOTLB_HITS, hits) ||
	    PUT(MEMDISP_STATS_A_IOTLB_MISSES, misses) ||
	    PUT(MEMDISP_STATS_A_MISS_EVENTS, atomic64_read(&md_stats.miss_events)) ||
	    PUT(MEMDISP_STATS_A_MISS_DROPPED, atomic64_read(&md_stats.miss_dropped)) ||
	    PUT(MEMDISP_STATS_A_LIVE_AS, atomic64_read(&md_stats.live_as)) ||
	    PUT(MEMDISP_STATS_A_LIVE_MAPS, atomic64_read(&md_stats.live_maps)) ||
	    PUT(MEMDISP_STATS_A_LIVE_IOMMUS, atomic64_read(&md_stats.live_iommus)) ||
	    PUT(MEMDISP_STATS_A_LIVE_IOTLB, atomic64_read(&md_stats.live_iotlb)) ||
	    PUT(MEMDISP_STATS_A_LIVE_TXNS, atomic64_read(&md_stats.live_txns)) ||
	    PUT(MEMDISP_STATS_A_PUBLISHES, atomic64_read(&md_stats.publishes))) {
		nlmsg_free(rep);
		return -EMSGSIZE;
	}
#undef PUT
	nla_nest_end(rep, nest);
	genlmsg_end(rep, hdr);
	return genlmsg_reply(rep, info);
}

static int md_cmd_noop(struct sk_buff *skb, struct genl_info *info)
{
	return 0;
}

/* ---- family ------------------------------------------------------------ */

static const struct genl_ops md_ops[] = {
	{ .cmd = MEMDISP_CMD_AS_NEW, .doit = md_cmd_as_new },
	{ .cmd = MEMDISP_CMD_AS_DEL, .doit = md_cmd_as_del },
	{ .cmd = MEMDISP_CMD_AS_GET, .doit = md_cmd_as_get,
	  .start = md_dump_as_start, .dumpit = md_dump_as },
	{ .cmd = MEMDISP_CMD_MAP_SET, .doit = md_cmd_map_set },
	{ .cmd = MEMDISP_CMD_MAP_BEGIN, .doit = md_cmd_map_begin },
	{ .cmd = MEMDISP_CMD_MAP_CHUNK, .doit = md_cmd_map_chunk },
	{ .cmd = MEMDISP_CMD_MAP_COMMIT, .doit = md_cmd_map_commit },
	{ .cmd = MEMDISP_CMD_MAP_ABORT, .doit = md_cmd_map_abort },
	{ .cmd = MEMDISP_CMD_MAP_DELTA, .doit = md_cmd_map_delta },
	{ .cmd = MEMDISP_CMD_MAP_GET, .start = md_map_dump_start,
	  .dumpit = md_map_dump, .done = md_map_dump_done },
	{ .cmd = MEMDISP_CMD_IOMMU_NEW, .doit = md_cmd_iommu_new },
	{ .cmd = MEMDISP_CMD_IOMMU_DEL, .doit = md_cmd_iommu_del },
	{ .cmd = MEMDISP_CMD_IOTLB_UPDATE, .doit = md_cmd_iotlb_update },
	{ .cmd = MEMDISP_CMD_IOTLB_INVAL, .doit = md_cmd_iotlb_inval },
	{ .cmd = MEMDISP_CMD_IOTLB_FLUSH, .doit = md_cmd_iotlb_flush },
	{ .cmd = MEMDISP_CMD_TRANSLATE, .doit = md_cmd_translate },
	{ .cmd = MEMDISP_CMD_STATS_GET, .doit = md_cmd_stats_get },
	{ .cmd = MEMDISP_CMD_NOOP, .doit = md_cmd_noop },
};

static const struct genl_multicast_group md_mcgrps[] = {
	{ .name = MEMDISP_MCGRP_EVENTS },
};

struct genl_family md_family = {
	.name = MEMDISP_GENL_NAME,
	.version = MEMDISP_GENL_VERSION,
	.maxattr = MEMDISP_A_MAX,
	.policy = md_policy,
	.netnsok = true,
	.parallel_ops = true,
	.pre_doit = md_pre_doit,
	.module = THIS_MODULE,
	.ops = md_ops,
	.n_ops = ARRAY_SIZE(md_ops),
	.mcgrps = md_mcgrps,
	.n_mcgrps = ARRAY_SIZE(md_mcgrps),
	/* every command is new: strict validation and header checks for all */
	.resv_start_op = MEMDISP_CMD_AS_NEW,
};

/**
 * md_genl_init() - register the family
 *
 * Return: 0 or a negative errno.
 */
int md_genl_init(void)
{
	int ret = genl_register_family(&md_family);

	if (!ret)
		WRITE_ONCE(md_events_on, true);
	return ret;
}

/**
 * md_genl_exit() - unregister the family
 */
void md_genl_exit(void)
{
	/*
	 * Stop events first; in-flight commands that passed the check finish
	 * before genl_unregister_family() returns (it waits for them).
	 */
	WRITE_ONCE(md_events_on, false);
	cancel_work_sync(&md_miss_work);
	genl_unregister_family(&md_family);
}
