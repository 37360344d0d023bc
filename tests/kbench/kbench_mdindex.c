// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shared range-lookup index, compiled unchanged into the benchmark
 * module exactly as memdisp.ko compiles it.
 */
#include "../../lib/mdindex.c"
