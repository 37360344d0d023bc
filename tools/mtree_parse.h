/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mtree_parse.h - parser for QEMU 7.2 "info mtree" / "info mtree -D" text
 * and for the mtree-replay hints file.
 *
 * The parser knows nothing about libmemdisp: it turns the text into a
 * forest of nodes (one per printed region line), then resolves what the
 * text leaves implicit:
 *   - which "memory-region:" section each alias line points at (QEMU prints
 *     one section per distinct alias target, in first-seen order);
 *   - which printed lines are the same MemoryRegion (a section root that is
 *     also printed inside an address space, e.g. "system" or "pc.bios").
 * Lines printed more than once for the same region end up in one class;
 * mt_class() gives the representative node of a class.
 */
#ifndef MTREE_PARSE_H
#define MTREE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_MAX_LEVEL	256	/* deepest nesting accepted */
#define MT_ERR_LEN	256

enum mt_type {
	MT_RAMD,
	MT_ROMD,
	MT_ROM,
	MT_RAM,
	MT_IO,
};

struct mt_section;

struct mt_node {
	struct mt_node *parent;
	struct mt_node **children;	/* in print order */
	size_t nchildren, cap;
	struct mt_section *sec;
	int line;			/* 1-based line in the dump, 0 if synthetic */
	int level;			/* 1 = section root */
	uint64_t start, end;		/* as printed: absolute, inclusive */
	int32_t prio;
	enum mt_type type;
	bool nv;
	bool alias;
	bool disabled;
	bool hidden;			/* synthetic: a disabled parent not printed */
	bool overflow;			/* "[DETECTED OVERFLOW!]" prefix */
	bool size0;			/* set from a size0 hint */
	bool io_hint;			/* set from an io hint */
	bool readonly_hint;		/* set from a readonly hint */
	bool container_hint;		/* set from a container hint */
	char *name;
	char *target;			/* alias target name */
	uint64_t ts, te;		/* alias target range as printed */
	struct mt_section *target_sec;	/* resolved alias target */
	struct mt_node *uf;		/* union-find parent (same MemoryRegion) */
	size_t index;			/* position in mt_dump.nodes */
	void *user;			/* for the consumer (replay) */
};

struct mt_section {
	bool is_as;
	char **as_names;		/* address-space names (is_as) */
	size_t n_as, as_cap;
	char *header;			/* memory-region: NAME (!is_as) */
	int line;
	struct mt_node *root;		/* NULL for an empty section */
	bool assigned;			/* some alias resolved to it */
};

struct mt_dump {
	struct mt_section **secs;
	size_t nsecs, sec_cap;
	struct mt_node **nodes;		/* every node in print order */
	size_t nnodes, node_cap;
	bool has_disabled;		/* some line had " [disabled]" (-D dump) */
};

/**
 * mt_parse() - parse an "info mtree" or "info mtree -D" dump
 * @buf: the text (need not be NUL terminated); CR before LF is ignored
 * @len: its length
 * @fname: file name used in error messages
 * @out: on success, the parsed and resolved dump (free with mt_free())
 * @err: on failure, "FNAME:LINE: reason"
 *
 * Return: 0 on success, -1 on a parse or resolution error.
 */
int mt_parse(const char *buf, size_t len, const char *fname,
	     struct mt_dump **out, char err[MT_ERR_LEN]);

/**
 * mt_free() - free a dump returned by mt_parse()
 * @d: the dump, may be NULL
 */
void mt_free(struct mt_dump *d);

/**
 * mt_class() - representative node of the region a node stands for
 * @n: any node
 *
 * Return: the node every line printed for the same MemoryRegion maps to.
 */
struct mt_node *mt_class(struct mt_node *n);

/**
 * mt_size() - region size from the printed range
 * @n: node
 *
 * Return: the size, with UINT64_MAX meaning 2^64 (QEMU's convention) and 0
 * only when a size0 hint applies.
 */
uint64_t mt_size(const struct mt_node *n);

/**
 * mt_rel_addr() - the region's address inside its container
 * @n: node
 *
 * Return: printed start minus the parent's printed start (mod 2^64), or the
 * printed start for a section root.
 */
uint64_t mt_rel_addr(const struct mt_node *n);

/* warning callback for hints: (ctx, "FILE:LINE: message") */
typedef void (*mt_warn_fn)(void *ctx, const char *msg);

/**
 * mt_apply_hints() - parse a hints file and mark the nodes it names
 * @d: parsed dump
 * @buf: hints text
 * @len: its length
 * @fname: file name for messages
 * @warn: called for every skipped line (unknown kind, no such region)
 * @ctx: passed to @warn
 * @err: on failure, "FNAME:LINE: reason"
 *
 * Lines: "io NAME", "readonly NAME", "size0 ADDR NAME" ("#" starts a
 * comment, blank lines ignored), and the memdisp extension
 * "container NAME" (an "i/o" region printed without children is a pure
 * container, not an I/O region: plain "info mtree" hides disabled
 * children).  A hint applies to every line printed with that name (and,
 * for size0, printed as ADDR-ADDR; for container, non-alias "i/o" lines).
 *
 * Return: 0, or -1 on a malformed line of a known kind.
 */
int mt_apply_hints(struct mt_dump *d, const char *buf, size_t len,
		   const char *fname, mt_warn_fn warn, void *ctx,
		   char err[MT_ERR_LEN]);

const char *mt_type_name(enum mt_type t);

#endif /* MTREE_PARSE_H */
