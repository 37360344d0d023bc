// SPDX-License-Identifier: GPL-2.0
/* The shared range-lookup index (lib/mdindex.c), built into memdisp.ko. */
#include "../lib/mdindex.c"
