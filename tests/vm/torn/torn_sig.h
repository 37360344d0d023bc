/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * torn_sig.h - the signed maps of the torn-map test, shared by md-vmtest
 * (userspace writer and netlink readers) and md_torn.ko (in-kernel readers).
 *
 * Map with signature g has TORN_NSEC RAM sections whose boundaries,
 * offsets and host addresses all depend on g; a section's region id is
 * (g << 16 | i).  A reader decodes g from a result and checks every other
 * field against map g alone, so a result mixing two maps is caught.
 */
#ifndef TORN_SIG_H
#define TORN_SIG_H

#define TORN_NSEC	64
#define TORN_STRIDE	0x2000ULL
#define TORN_SPAN	(TORN_NSEC * TORN_STRIDE + 0x1000)
#define TORN_LEN	0x4000ULL

struct torn_geom {
	unsigned long long start, last, offset, hva;
};

static inline void torn_geom(unsigned long long g, unsigned int i,
			     struct torn_geom *s)
{
	unsigned long long shift = (g * 37 % 512) * 8;
	unsigned long long size = 0x800 + ((g * 13 + i * 7) % 256) * 16;

	s->start = i * TORN_STRIDE + shift;
	s->last = s->start + size - 1;
	s->offset = g * 0x100000 + i * 0x1000;
	s->hva = 0x7e0000000000ULL + (g << 24) + i * 0x10000ULL;
}

/*
 * torn_check_mapped() - is a mapped result consistent with one map?
 * Returns 0 if so (and sets *g), or a short reason code.
 */
static inline int torn_check_mapped(unsigned long long addr,
				    unsigned long long region_id,
				    unsigned long long offset,
				    unsigned long long len,
				    unsigned long long hva,
				    unsigned long long *g)
{
	unsigned int i = region_id & 0xffff;
	unsigned long long want_len;
	struct torn_geom s;

	*g = region_id >> 16;
	if (i >= TORN_NSEC)
		return 1;
	torn_geom(*g, i, &s);
	if (addr < s.start || addr > s.last)
		return 2;
	if (offset != s.offset + (addr - s.start))
		return 3;
	want_len = s.last - addr + 1;
	if (want_len > TORN_LEN)
		want_len = TORN_LEN;
	if (len != want_len)
		return 4;
	if (hva != s.hva + (addr - s.start))
		return 5;
	return 0;
}

#endif
