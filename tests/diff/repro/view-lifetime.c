// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer (not a suite): a retired FlatView cached on a root region is
 * freed by memdisp_flatview_reclaim() after the region was finalized by
 * object_unparent(), and reads it.  Build with -fsanitize=address:
 *   clang -g -fsanitize=address -Iuserlib/include -Iuserlib -Ilib \
 *     tests/diff/repro/view-lifetime.c userlib/*.c -lurcu-memb -lurcu-common -lpthread
 * (userlib/*.c plus the mdindex source the build uses)
 */
#include <stdlib.h>
#include <memdisp/memory.h>
int main(void)
{
	MemoryRegion *r = calloc(2, sizeof(*r));
	AddressSpace as;
	memory_region_init(&r[0], NULL, "root", UINT64_MAX);
	memory_region_init_io(&r[1], NULL, NULL, NULL, "io", 0x1000);
	memory_region_add_subregion(&r[0], 0, &r[1]);
	address_space_init(&as, &r[0], "as");
	address_space_destroy(&as);
	memory_region_del_subregion(&r[0], &r[1]);
	memdisp_flatview_reclaim();
	object_unparent(OBJECT(&r[1]));
	object_unparent(OBJECT(&r[0]));
	free(r);                      /* regions are finalized: free them */
	memdisp_flatview_reclaim();   /* frees the view cached on r[0]: reads r[] */
	return 0;
}
