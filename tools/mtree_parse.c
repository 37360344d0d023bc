// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mtree_parse.c - parser for QEMU 7.2 "info mtree [-D]" text (see
 * mtree_parse.h and /work/shared/qemu-mtree-format.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtree_parse.h"

struct pstate {
	const char *fname;
	char *err;
	struct mt_dump *d;
	struct mt_section *cur;		/* section being filled, NULL between */
	struct mt_node *stack[MT_MAX_LEVEL + 2];	/* stack[l] = last node at level l */
	int depth;			/* deepest valid stack level */
	bool as_open;			/* address-space headers, no lines yet */
};

static void seterr(char *err, const char *fname, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void seterr(char *err, const char *fname, int line, const char *fmt, ...)
{
	char msg[MT_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* truncation of an over-long message is fine */
	if (line > 0) {
		if (snprintf(err, MT_ERR_LEN, "%s:%d: %s", fname, line, msg) < 0)
			err[0] = 0;
	} else {
		if (snprintf(err, MT_ERR_LEN, "%s: %s", fname, msg) < 0)
			err[0] = 0;
	}
}

static void *xgrow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	p = realloc(arr, ncap * elem);
	if (!p) {
		perror("mtree-replay: realloc");
		exit(2);
	}
	*cap = ncap;
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p) {
		perror("mtree-replay: strndup");
		exit(2);
	}
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p) {
		perror("mtree-replay: calloc");
		exit(2);
	}
	return p;
}

const char *mt_type_name(enum mt_type t)
{
	switch (t) {
	case MT_RAMD:
		return "ramd";
	case MT_ROMD:
		return "romd";
	case MT_ROM:
		return "rom";
	case MT_RAM:
		return "ram";
	case MT_IO:
		return "i/o";
	}
	return "?";
}

struct mt_node *mt_class(struct mt_node *n)
{
	struct mt_node *r = n;

	while (r->uf != r)
		r = r->uf;
	while (n->uf != r) {		/* path compression */
		struct mt_node *next = n->uf;

		n->uf = r;
		n = next;
	}
	return r;
}

uint64_t mt_size(const struct mt_node *n)
{
	uint64_t s;

	if (n->size0)
		return 0;
	s = n->end - n->start + 1;
	return s ? s : UINT64_MAX;	/* 2^64 */
}

uint64_t mt_rel_addr(const struct mt_node *n)
{
	if (!n->parent)
		return n->start;
	return n->start - n->parent->start;
}

static void add_child(struct mt_node *p, struct mt_node *c)
{
	p->children = xgrow(p->children, &p->cap, p->nchildren + 1,
			    sizeof(*p->children));
	p->children[p->nchildren++] = c;
	c->parent = p;
}

static struct mt_node *new_node(struct mt_dump *d, struct mt_section *s)
{
	struct mt_node *n = xcalloc(1, sizeof(*n));

	n->sec = s;
	n->uf = n;
	d->nodes = xgrow(d->nodes, &d->node_cap, d->nnodes + 1,
			 sizeof(*d->nodes));
	n->index = d->nnodes;
	d->nodes[d->nnodes++] = n;
	return n;
}

static struct mt_section *new_section(struct mt_dump *d, int line)
{
	struct mt_section *s = xcalloc(1, sizeof(*s));

	s->line = line;
	d->secs = xgrow(d->secs, &d->sec_cap, d->nsecs + 1, sizeof(*d->secs));
	d->secs[d->nsecs++] = s;
	return s;
}

static int parse_hex16(const char *p, uint64_t *v)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			x = (x << 4) | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = (x << 4) | (uint64_t)(c - 'a' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

static bool starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/*
 * Parse "S-E (prio P, [nv-]TYPE): REST" after the indentation.  Fills the
 * node; returns NULL on success or a static reason.
 */
static const char *parse_region(const char *p, const char *end,
				struct mt_node *n, bool *has_disabled)
{
	const char *rest, *q;
	long long prio;
	bool neg = false;
	int digits = 0;

	if (end - p < 33 || parse_hex16(p, &n->start) || p[16] != '-' ||
	    parse_hex16(p + 17, &n->end))
		return "expected 'START-END' as two 16-digit hex numbers";
	p += 33;
	if (!starts(p, end, " (prio "))
		return "expected ' (prio ' after the range";
	p += 7;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	prio = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		prio = prio * 10 + (*p - '0');
		if (prio > 2147483648LL)
			return "priority out of range";
		digits++;
		p++;
	}
	if (!digits)
		return "expected a priority number";
	if (neg)
		prio = -prio;
	if (prio > 2147483647LL)
		return "priority out of range";
	n->prio = (int32_t)prio;
	if (!starts(p, end, ", "))
		return "expected ', TYPE' after the priority";
	p += 2;
	if (starts(p, end, "nv-")) {
		n->nv = true;
		p += 3;
	}
	if (starts(p, end, "ramd)")) {
		n->type = MT_RAMD;
		p += 4;
	} else if (starts(p, end, "romd)")) {
		n->type = MT_ROMD;
		p += 4;
	} else if (starts(p, end, "rom)")) {
		n->type = MT_ROM;
		p += 3;
	} else if (starts(p, end, "ram)")) {
		n->type = MT_RAM;
		p += 3;
	} else if (starts(p, end, "i/o)")) {
		n->type = MT_IO;
		p += 3;
	} else {
		return "unknown region type (expected ramd, romd, rom, ram or i/o)";
	}
	if (!starts(p, end, "): "))
		return "expected '): ' after the type";
	p += 3;
	rest = p;

	if (end - rest >= 11 && memcmp(end - 11, " [disabled]", 11) == 0) {
		n->disabled = true;
		*has_disabled = true;
		end -= 11;
	}
	/*
	 * An alias line is "alias NAME @TARGET TS-TE"; parse it from the
	 * right since both names may contain spaces.
	 */
	if (starts(rest, end, "alias ") && end - rest >= 6 + 1 + 2 + 1 + 33 &&
	    end[-34] == ' ' && end[-17] == '-' &&
	    !parse_hex16(end - 33, &n->ts) && !parse_hex16(end - 16, &n->te)) {
		const char *tend = end - 34, *at = NULL;

		for (q = tend - 1; q >= rest + 6; q--) {
			if (q[0] == '@' && q[-1] == ' ' && q - 1 >= rest + 6) {
				at = q;
				break;
			}
		}
		if (at && at - 1 > rest + 6 && at + 1 < tend) {
			n->alias = true;
			n->name = xstrndup(rest + 6, (size_t)(at - 1 - (rest + 6)));
			n->target = xstrndup(at + 1, (size_t)(tend - (at + 1)));
			if (n->te - n->ts != n->end - n->start)
				return "alias target range length differs from the region's";
			return NULL;
		}
	}
	if (end == rest)
		return "empty region name";
	n->name = xstrndup(rest, (size_t)(end - rest));
	return NULL;
}

static int parse_line(struct pstate *st, const char *p, const char *end,
		      int lineno)
{
	struct mt_dump *d = st->d;
	struct mt_section *s;
	struct mt_node *n, *parent;
	const char *why;
	bool overflow = false;
	int spaces = 0, level, l;

	if (p == end) {			/* blank line ends a section */
		if (st->as_open) {
			seterr(st->err, st->fname, lineno,
			       "address-space header without a region");
			return -1;
		}
		st->cur = NULL;
		return 0;
	}
	if (starts(p, end, "address-space: ")) {
		if (st->cur && !st->as_open) {
			seterr(st->err, st->fname, lineno,
			       "missing blank line before 'address-space:'");
			return -1;
		}
		if (!st->cur) {
			st->cur = new_section(d, lineno);
			st->cur->is_as = true;
			st->as_open = true;
		}
		s = st->cur;
		if (end - p == 15) {
			seterr(st->err, st->fname, lineno, "empty address-space name");
			return -1;
		}
		s->as_names = xgrow(s->as_names, &s->as_cap, s->n_as + 1,
				    sizeof(*s->as_names));
		s->as_names[s->n_as++] = xstrndup(p + 15, (size_t)(end - p - 15));
		return 0;
	}
	if (starts(p, end, "memory-region: ")) {
		if (st->cur) {
			seterr(st->err, st->fname, lineno,
			       "missing blank line before 'memory-region:'");
			return -1;
		}
		if (end - p == 15) {
			seterr(st->err, st->fname, lineno, "empty memory-region name");
			return -1;
		}
		st->cur = new_section(d, lineno);
		st->cur->header = xstrndup(p + 15, (size_t)(end - p - 15));
		st->as_open = false;
		st->depth = 0;
		return 0;
	}
	if (starts(p, end, "[DETECTED OVERFLOW!] ")) {
		overflow = true;
		p += 21;
	}
	while (p + spaces < end && p[spaces] == ' ')
		spaces++;
	if (!st->cur) {
		seterr(st->err, st->fname, lineno,
		       "region line outside a section (expected 'address-space:' or 'memory-region:')");
		return -1;
	}
	if (spaces < 2 || spaces % 2) {
		seterr(st->err, st->fname, lineno,
		       "indentation of %d spaces (expected an even number >= 2)",
		       spaces);
		return -1;
	}
	level = spaces / 2;
	if (level > MT_MAX_LEVEL) {
		seterr(st->err, st->fname, lineno, "nesting deeper than %d levels",
		       MT_MAX_LEVEL);
		return -1;
	}
	s = st->cur;
	if (st->as_open) {
		st->as_open = false;
		st->depth = 0;
	}
	n = new_node(d, s);
	n->line = lineno;
	n->level = level;
	n->overflow = overflow;
	why = parse_region(p + spaces, end, n, &d->has_disabled);
	if (why) {
		seterr(st->err, st->fname, lineno, "%s", why);
		return -1;
	}
	if (level == 1) {
		if (s->root) {
			seterr(st->err, st->fname, lineno,
			       "second top-level region in one section");
			return -1;
		}
		s->root = n;
		st->stack[1] = n;
		st->depth = 1;
		return 0;
	}
	/*
	 * Deeper than a child of the last line, or under an alias (QEMU never
	 * prints an alias's children): the missing levels are disabled
	 * regions that plain "info mtree" leaves out.  Stand in a hidden
	 * disabled container for each.
	 */
	if (st->depth >= level - 1 && st->stack[level - 1]->alias)
		st->depth = level - 2;	/* sibling of the alias, hidden */
	if (st->depth > level - 1)
		st->depth = level - 1;
	if (st->depth == 0) {
		/* a section starting below level 1: hidden disabled root */
		struct mt_node *h = new_node(d, s);

		if (s->root) {
			seterr(st->err, st->fname, lineno,
			       "second top-level region in one section");
			return -1;
		}
		h->level = 1;
		h->hidden = true;
		h->disabled = true;
		h->start = 0;
		h->end = UINT64_MAX;
		h->type = MT_IO;
		h->name = xstrndup(s->is_as ? s->as_names[0] : s->header,
				   strlen(s->is_as ? s->as_names[0] : s->header));
		s->root = h;
		st->stack[1] = h;
		st->depth = 1;
	}
	for (l = st->depth + 1; l < level; l++) {
		struct mt_node *h = new_node(d, s);

		parent = st->stack[l - 1];
		h->level = l;
		h->hidden = true;
		h->disabled = true;
		h->start = parent->start;
		h->end = parent->end;
		h->type = MT_IO;
		h->name = xstrndup("(hidden disabled region)", 24);
		add_child(parent, h);
		st->stack[l] = h;
	}
	parent = st->stack[level - 1];
	add_child(parent, n);
	st->stack[level] = n;
	st->depth = level;
	return 0;
}

/* Same printed subtree (names, spans, flags, children)? */
static bool same_tree(const struct mt_node *a, const struct mt_node *b)
{
	size_t i;

	if (a->end - a->start != b->end - b->start || a->prio != b->prio ||
	    a->type != b->type || a->nv != b->nv || a->alias != b->alias ||
	    a->disabled != b->disabled || a->hidden != b->hidden ||
	    a->nchildren != b->nchildren || strcmp(a->name, b->name))
		return false;
	if (a->alias && (a->ts != b->ts || strcmp(a->target, b->target)))
		return false;
	for (i = 0; i < a->nchildren; i++) {
		const struct mt_node *ca = a->children[i], *cb = b->children[i];

		if (mt_rel_addr(ca) != mt_rel_addr(cb) || !same_tree(ca, cb))
			return false;
	}
	return true;
}

static void union_trees(struct mt_node *a, struct mt_node *b)
{
	struct mt_node *ra = mt_class(a), *rb = mt_class(b);
	size_t i;

	if (ra != rb) {
		/* keep the earliest printed node as representative */
		if (ra->index < rb->index)
			rb->uf = ra;
		else
			ra->uf = rb;
	}
	for (i = 0; i < a->nchildren; i++)
		union_trees(a->children[i], b->children[i]);
}

/* root flags of a class: bit 0 = has an AS root, bit 1 = has an MR root */
static unsigned int class_roots(struct mt_dump *d, struct mt_node *cls)
{
	unsigned int f = 0;
	size_t i;

	for (i = 0; i < d->nsecs; i++) {
		struct mt_node *r = d->secs[i]->root;

		if (r && mt_class(r) == cls)
			f |= d->secs[i]->is_as ? 1 : 2;
	}
	return f;
}

/*
 * A region printed as a section root may also be printed inside another
 * section (the target of an alias that is itself mapped, an AS root that is
 * an alias target).  Join each section root with the first other printed
 * node of the same name, address and subtree whose region is not already
 * another section's root of the same kind.
 */
static void unify(struct mt_dump *d)
{
	size_t i, j;

	for (i = 0; i < d->nsecs; i++) {
		struct mt_section *s = d->secs[i];
		struct mt_node *r = s->root;
		unsigned int kind = s->is_as ? 1 : 2;

		if (!r || r->hidden)
			continue;
		for (j = 0; j < d->nnodes; j++) {
			struct mt_node *n = d->nodes[j];

			if (n->sec == s || n->hidden || strcmp(n->name, r->name))
				continue;
			if (!n->parent) {
				/* only an MR section may join an AS root */
				if (s->is_as || !n->sec->is_as)
					continue;
			}
			if (mt_rel_addr(n) != r->start || !same_tree(n, r))
				continue;
			if (mt_class(n) == mt_class(r) ||
			    (class_roots(d, mt_class(n)) & kind))
				continue;
			union_trees(r, n);
			break;
		}
	}
}

/*
 * QEMU queues each distinct alias target once, in the order the aliases are
 * printed (disabled ones included), and prints the queue in that order.
 * Walk the alias lines in print order, mapping each to the section of its
 * target: an already-seen target of that name, or the next queued section.
 */
static int resolve_aliases(struct mt_dump *d, const char *fname, char *err)
{
	struct mt_section **queue;
	size_t nq = 0, next = 0, i, k;

	queue = xcalloc(d->nsecs + 1, sizeof(*queue));
	for (i = 0; i < d->nsecs; i++)
		if (!d->secs[i]->is_as)
			queue[nq++] = d->secs[i];

	for (i = 0; i < d->nnodes; i++) {
		struct mt_node *n = d->nodes[i], *c;
		struct mt_section *found = NULL;

		if (!n->alias)
			continue;
		c = mt_class(n);
		if (c != n && c->target_sec) {
			/* the same alias printed again in a copied section */
			n->target_sec = c->target_sec;
			continue;
		}
		if (next < nq && !strcmp(queue[next]->header, n->target)) {
			/*
			 * The next queued section has this name: take it as a
			 * new target.  (With several regions of one name, an
			 * alias to an already seen one cannot be told apart
			 * from one to a new one when the next queued section
			 * has that name too; the new one is assumed.)
			 */
			found = queue[next++];
		} else {
			for (k = 0; k < next; k++)
				if (!strcmp(queue[k]->header, n->target))
					found = queue[k];
			if (!found) {
				/*
				 * Plain dumps hide disabled aliases, whose
				 * targets still hold a queue slot: skip to
				 * the next section of this name.
				 */
				for (k = next; k < nq; k++)
					if (!strcmp(queue[k]->header, n->target))
						break;
				if (k < nq && !d->has_disabled) {
					next = k;
					found = queue[next++];
				}
			}
		}
		if (!found) {
			seterr(err, fname, n->line,
			       "alias target '%s' has no 'memory-region: %s' section in queue order",
			       n->target, n->target);
			free(queue);
			return -1;
		}
		found->assigned = true;
		n->target_sec = found;
		if (c != n)
			c->target_sec = found;
	}
	for (k = 0; k < nq; k++) {
		if (!queue[k]->assigned && d->has_disabled) {
			seterr(err, fname, queue[k]->line,
			       "'memory-region: %s' is the target of no alias",
			       queue[k]->header);
			free(queue);
			return -1;
		}
	}
	free(queue);
	return 0;
}

static int check_sections(struct mt_dump *d, const char *fname, char *err)
{
	size_t i;

	for (i = 0; i < d->nsecs; i++) {
		struct mt_section *s = d->secs[i];

		if (!s->root) {
			seterr(err, fname, s->line, "section without any region line");
			return -1;
		}
		if (!s->is_as && !s->root->hidden &&
		    strcmp(s->root->name, s->header)) {
			seterr(err, fname, s->root->line,
			       "region '%s' heads 'memory-region: %s'",
			       s->root->name, s->header);
			return -1;
		}
	}
	return 0;
}

int mt_parse(const char *buf, size_t len, const char *fname,
	     struct mt_dump **out, char err[MT_ERR_LEN])
{
	struct pstate st;
	const char *p = buf, *end = buf + len;
	int lineno = 0;

	memset(&st, 0, sizeof(st));
	st.fname = fname;
	st.err = err;
	st.d = xcalloc(1, sizeof(*st.d));
	err[0] = 0;
	*out = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		if (memchr(p, 0, (size_t)(le - p))) {
			seterr(err, fname, lineno, "NUL byte in text");
			goto fail;
		}
		if (parse_line(&st, p, le, lineno))
			goto fail;
		p = nl ? nl + 1 : end;
	}
	if (st.as_open) {
		seterr(err, fname, lineno, "address-space header without a region");
		goto fail;
	}
	if (!st.d->nsecs) {
		seterr(err, fname, 0, "no 'address-space:' section found");
		goto fail;
	}
	if (!st.d->secs[0]->is_as) {
		seterr(err, fname, st.d->secs[0]->line,
		       "'memory-region:' section before any 'address-space:'");
		goto fail;
	}
	if (check_sections(st.d, fname, err))
		goto fail;
	unify(st.d);
	if (resolve_aliases(st.d, fname, err))
		goto fail;
	*out = st.d;
	return 0;
fail:
	mt_free(st.d);
	return -1;
}

void mt_free(struct mt_dump *d)
{
	size_t i, j;

	if (!d)
		return;
	for (i = 0; i < d->nnodes; i++) {
		free(d->nodes[i]->children);
		free(d->nodes[i]->name);
		free(d->nodes[i]->target);
		free(d->nodes[i]);
	}
	for (i = 0; i < d->nsecs; i++) {
		for (j = 0; j < d->secs[i]->n_as; j++)
			free(d->secs[i]->as_names[j]);
		free(d->secs[i]->as_names);
		free(d->secs[i]->header);
		free(d->secs[i]);
	}
	free(d->nodes);
	free(d->secs);
	free(d);
}

/* ---- hints ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *rtrim(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

static bool name_eq(const char *name, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	return strlen(name) == n && memcmp(name, p, n) == 0;
}

int mt_apply_hints(struct mt_dump *d, const char *buf, size_t len,
		   const char *fname, mt_warn_fn warn, void *ctx,
		   char err[MT_ERR_LEN])
{
	const char *p = buf, *end = buf + len;
	char msg[MT_ERR_LEN + 64];
	int lineno = 0;
	size_t i;

	err[0] = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q, *kw, *kwe, *arg;
		unsigned int hits = 0;
		int kind;
		uint64_t addr = 0;

		lineno++;
		q = skip_ws(p, le);
		p = nl ? nl + 1 : end;
		le = rtrim(q, le);
		if (q == le || *q == '#')
			continue;
		kw = q;
		while (q < le && *q != ' ' && *q != '\t')
			q++;
		kwe = q;
		arg = skip_ws(q, le);
		if (name_eq("io", kw, kwe)) {
			kind = 0;
		} else if (name_eq("readonly", kw, kwe)) {
			kind = 1;
		} else if (name_eq("size0", kw, kwe)) {
			kind = 2;
		} else if (name_eq("container", kw, kwe)) {
			kind = 3;
		} else {
			snprintf(msg, sizeof(msg), "%s:%d: unknown hint '%.*s', line skipped",
				 fname, lineno, (int)(kwe - kw > 40 ? 40 : kwe - kw), kw);
			warn(ctx, msg);
			continue;
		}
		if (kind == 2) {
			const char *a = arg;
			uint64_t v = 0;
			int nd = 0;

			if (le - a >= 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X'))
				a += 2;
			while (a < le && *a != ' ' && *a != '\t') {
				int dv;

				if (*a >= '0' && *a <= '9')
					dv = *a - '0';
				else if (*a >= 'a' && *a <= 'f')
					dv = *a - 'a' + 10;
				else if (*a >= 'A' && *a <= 'F')
					dv = *a - 'A' + 10;
				else
					break;
				if (++nd > 16)
					break;
				v = (v << 4) | (uint64_t)dv;
				a++;
			}
			if (!nd || nd > 16 || a == le || (*a != ' ' && *a != '\t')) {
				seterr(err, fname, lineno,
				       "size0 needs 'size0 HEXADDR NAME'");
				return -1;
			}
			addr = v;
			arg = skip_ws(a, le);
		}
		if (arg == le) {
			seterr(err, fname, lineno, "hint '%.*s' without a region name",
			       (int)(kwe - kw), kw);
			return -1;
		}
		for (i = 0; i < d->nnodes; i++) {
			struct mt_node *n = d->nodes[i];

			if (n->hidden || !name_eq(n->name, arg, le))
				continue;
			if (kind == 0) {
				n->io_hint = true;
			} else if (kind == 1) {
				n->readonly_hint = true;
			} else if (kind == 3) {
				if (n->alias || n->type != MT_IO)
					continue;
				n->container_hint = true;
			} else {
				if (n->start != addr || n->end != addr)
					continue;
				n->size0 = true;
			}
			hits++;
		}
		if (!hits) {
			snprintf(msg, sizeof(msg),
				 "%s:%d: no region '%.*s' matches this hint, line skipped",
				 fname, lineno, (int)(le - arg > 80 ? 80 : le - arg), arg);
			warn(ctx, msg);
		}
	}
	return 0;
}
