/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * delta_model.h - what MEMDISP_CMD_MAP_DELTA should make of a map, written
 * independently of the module, for the netlink tests (nltest, nlfuzz).
 * Header-only.
 */
#ifndef MEMDISP_TESTS_DELTA_MODEL_H
#define MEMDISP_TESTS_DELTA_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A section as the tests send it and model it. */
struct sec {
	uint64_t start, last, region, offset, hva;
	uint32_t type, flags, iommu;
};

/*
 * Apply a delta to the map @old of @n sections (sorted, not overlapping):
 * cut the @nrm removed ranges @rm ([first, last] each, sorted) out of it
 * (a cut section keeps its region; its offset and host address move with
 * its start), then merge in the @nadd sections @add (sorted).  The result
 * goes to @out, which must hold @n + @nrm + @nadd sections.
 *
 * Return: the number of sections in @out, or ~0 if an addition overlaps
 * what is left (the module refuses such a delta whole).
 */
static uint32_t model_delta(const struct sec *old, uint32_t n,
			    const uint64_t (*rm)[2], uint32_t nrm,
			    const struct sec *add, uint32_t nadd,
			    struct sec *out)
	__attribute__((unused));
static uint32_t model_delta(const struct sec *old, uint32_t n,
			    const uint64_t (*rm)[2], uint32_t nrm,
			    const struct sec *add, uint32_t nadd,
			    struct sec *out)
{
	/* each removed range splits at most one section in two */
	struct sec *kept = malloc(((size_t)n + nrm + 1) * sizeof(*kept));
	uint32_t i, k, o = 0, x = 0, y = 0, w = 0;

	if (!kept) {
		fprintf(stderr, "model_delta: out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		uint64_t cur = old[i].start;
		bool gone = false;

		for (k = 0; k < nrm && !gone; k++) {
			if (rm[k][1] < cur || rm[k][0] > old[i].last)
				continue;
			if (rm[k][0] > cur) {
				kept[o] = old[i];
				kept[o].start = cur;
				kept[o].last = rm[k][0] - 1;
				kept[o].offset += cur - old[i].start;
				if (kept[o].hva)
					kept[o].hva += cur - old[i].start;
				o++;
			}
			if (rm[k][1] >= old[i].last)
				gone = true;
			else
				cur = rm[k][1] + 1;
		}
		if (!gone) {
			kept[o] = old[i];
			kept[o].start = cur;
			kept[o].offset += cur - old[i].start;
			if (kept[o].hva)
				kept[o].hva += cur - old[i].start;
			o++;
		}
	}
	while (x < o || y < nadd) {
		if (y >= nadd || (x < o && kept[x].start < add[y].start))
			out[w++] = kept[x++];
		else
			out[w++] = add[y++];
	}
	free(kept);
	for (i = 1; i < w; i++)
		if (out[i].start <= out[i - 1].last)
			return ~0U;	/* overlap: refused */
	return w;
}

#endif /* MEMDISP_TESTS_DELTA_MODEL_H */
