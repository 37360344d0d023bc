// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shared range-lookup index, compiled unchanged into the benchmark
 * module exactly as memdisp.ko compiles it (kmod/xlat.c): with eight hint
 * buckets per range in maps of up to 4096 ranges.
 */
#define MDX_HINT_DENSITY 8U
#include "../../lib/mdindex.c"
