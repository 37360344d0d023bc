// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for tools/mtree_parse.c: the "info mtree [-D]" parser, the
 * alias-target and same-region resolution, and the hints file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mtree_parse.h"

#define R(s, e, p, t, rest) s "-" e " (prio " p ", " t "): " rest "\n"
#define Z16 "0000000000000000"
#define F16 "ffffffffffffffff"

static struct mt_dump *parse_ok(const char *text)
{
	struct mt_dump *d = NULL;
	char err[MT_ERR_LEN];
	int rc = mt_parse(text, strlen(text), "t.txt", &d, err);

	if (rc)
		print_error("unexpected parse error: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(d);
	return d;
}

/* Parse must fail; the message must start with "t.txt:LINE: " and contain @frag. */
static void parse_bad(const char *text, int line, const char *frag)
{
	struct mt_dump *d = (struct mt_dump *)1;
	char err[MT_ERR_LEN], prefix[32];

	assert_int_equal(mt_parse(text, strlen(text), "t.txt", &d, err), -1);
	assert_null(d);
	if (line > 0)
		snprintf(prefix, sizeof(prefix), "t.txt:%d: ", line);
	else
		snprintf(prefix, sizeof(prefix), "t.txt: ");
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, frag))
		print_error("got '%s', want prefix '%s' and '%s'\n", err, prefix,
			    frag);
	assert_true(strncmp(err, prefix, strlen(prefix)) == 0);
	assert_non_null(strstr(err, frag));
}

static struct mt_node *find(struct mt_dump *d, const char *name, int nth)
{
	size_t i;

	for (i = 0; i < d->nnodes; i++)
		if (!d->nodes[i]->hidden && !strcmp(d->nodes[i]->name, name) &&
		    nth-- == 0)
			return d->nodes[i];
	fail_msg("no node '%s'", name);
	return NULL;
}

static void test_basic_tree(void **state)
{
	static const char text[] =
		"address-space: cpu-memory-0\n"
		"address-space: memory\n"
		"  " R(Z16, F16, "0", "i/o", "system")
		"    " R(Z16, "0000000007ffffff", "0", "ram", "alias ram-below-4g @pc.ram 0000000000000000-0000000007ffffff")
		"    " R(Z16, F16, "-1", "i/o", "pci")
		"      " R("00000000000c0000", "00000000000dffff", "1", "rom", "pc.rom")
		"    " R("00000000fee00000", "00000000feefffff", "4096", "nv-ram", "bochs dispi interface")
		"\n"
		"address-space: I/O\n"
		"  " R(Z16, "000000000000ffff", "0", "i/o", "io")
		"\n"
		"memory-region: pc.ram\n"
		"  " R(Z16, "0000000007ffffff", "0", "ram", "pc.ram")
		"\n";
	struct mt_dump *d = parse_ok(text);
	struct mt_node *n;

	(void)state;
	assert_int_equal(d->nsecs, 3);
	assert_true(d->secs[0]->is_as);
	assert_int_equal(d->secs[0]->n_as, 2);
	assert_string_equal(d->secs[0]->as_names[0], "cpu-memory-0");
	assert_string_equal(d->secs[0]->as_names[1], "memory");
	assert_false(d->secs[2]->is_as);
	assert_string_equal(d->secs[2]->header, "pc.ram");

	n = find(d, "system", 0);
	assert_int_equal(n->nchildren, 3);
	assert_int_equal(mt_size(n), UINT64_MAX);	/* 2^64 */
	assert_ptr_equal(d->secs[0]->root, n);

	n = find(d, "ram-below-4g", 0);
	assert_true(n->alias);
	assert_string_equal(n->target, "pc.ram");
	assert_int_equal(mt_size(n), 0x8000000);
	assert_ptr_equal(n->target_sec, d->secs[2]);

	n = find(d, "pci", 0);
	assert_int_equal(n->prio, -1);
	n = find(d, "pc.rom", 0);
	assert_int_equal(n->type, MT_ROM);
	assert_int_equal(n->level, 3);
	assert_int_equal(mt_rel_addr(n), 0xc0000);
	assert_ptr_equal(n->parent, find(d, "pci", 0));

	n = find(d, "bochs dispi interface", 0);
	assert_true(n->nv);
	assert_int_equal(n->type, MT_RAM);
	assert_int_equal(n->prio, 4096);
	assert_false(d->has_disabled);
	mt_free(d);
}

static void test_alias_from_right(void **state)
{
	static const char text[] =
		"address-space: a\n"
		"  " R(Z16, F16, "0", "i/o", "root")
		"    " R(Z16, "00000000000000ff", "0", "i/o", "alias alias 1 @armsse container 0000000000000100-00000000000001ff [disabled]")
		"    " R(Z16, "00000000000000ff", "0", "i/o", "alias a @b @c 0000000000000000-00000000000000ff")
		"    " R(Z16, "00000000000000ff", "0", "i/o", "alias without target")
		"\n"
		"memory-region: armsse container\n"
		"  " R(Z16, "0000000000000fff", "0", "i/o", "armsse container")
		"\n"
		"memory-region: c\n"
		"  " R(Z16, "0000000000000fff", "0", "i/o", "c")
		"\n";
	struct mt_dump *d = parse_ok(text);
	struct mt_node *n;

	(void)state;
	n = find(d, "alias 1", 0);
	assert_true(n->alias);
	assert_true(n->disabled);
	assert_string_equal(n->target, "armsse container");
	assert_int_equal(n->ts, 0x100);
	assert_int_equal(n->te, 0x1ff);
	assert_true(d->has_disabled);

	n = find(d, "a @b", 0);		/* the last " @" separates the target */
	assert_string_equal(n->target, "c");
	assert_ptr_equal(n->target_sec, d->secs[2]);

	n = find(d, "alias without target", 0);
	assert_false(n->alias);
	mt_free(d);
}

static void test_hidden_parents(void **state)
{
	/* plain "info mtree": a disabled piix4-pm is left out */
	static const char text[] =
		"address-space: I/O\n"
		"  " R(Z16, "000000000000ffff", "0", "i/o", "io")
		"      " R(Z16, "0000000000000003", "0", "i/o", "acpi-evt")
		"    " R("0000000000000070", "0000000000000071", "0", "i/o", "alias x @y 0000000000000000-0000000000000001")
		"      " R("0000000000000070", "0000000000000070", "0", "i/o", "under-alias")
		"\n"
		"memory-region: y\n"
		"    " R(Z16, "0000000000000001", "0", "i/o", "y-child")
		"\n";
	struct mt_dump *d = parse_ok(text);
	struct mt_node *io, *n, *h;

	(void)state;
	io = find(d, "io", 0);
	n = find(d, "acpi-evt", 0);
	h = n->parent;
	assert_true(h->hidden && h->disabled);
	assert_ptr_equal(h->parent, io);
	assert_int_equal(n->level, 3);

	n = find(d, "under-alias", 0);
	h = n->parent;
	assert_true(h->hidden);
	assert_ptr_equal(h->parent, io);	/* sibling of the alias */
	assert_int_equal(mt_rel_addr(n), 0x70);

	/* a section starting at level 2: its root is hidden and disabled */
	assert_true(d->secs[1]->root->hidden);
	assert_true(d->secs[1]->root->disabled);
	n = find(d, "y-child", 0);
	assert_ptr_equal(n->parent, d->secs[1]->root);
	assert_ptr_equal(find(d, "x", 0)->target_sec, d->secs[1]);
	mt_free(d);
}

static void test_unify_and_queue(void **state)
{
	/*
	 * "system" is an AS root and an alias target; pc.bios is mapped in
	 * pci and aliased; two different regions are both named "dup".
	 */
	static const char text[] =
		"address-space: memory\n"
		"  " R(Z16, F16, "0", "i/o", "system")
		"    " R(Z16, F16, "-1", "i/o", "pci")
		"      " R("00000000000e0000", "00000000000fffff", "1", "rom", "alias isa-bios @pc.bios 0000000000020000-000000000003ffff")
		"      " R("00000000fffc0000", "00000000ffffffff", "0", "rom", "pc.bios")
		"    " R("0000000000001000", "0000000000001fff", "0", "i/o", "alias d1 @dup 0000000000000000-0000000000000fff")
		"    " R("0000000000002000", "0000000000002fff", "0", "i/o", "alias d2 @dup 0000000000000000-0000000000000fff")
		"\n"
		"address-space: bm\n"
		"  " R(Z16, F16, "0", "i/o", "bus master container")
		"    " R(Z16, F16, "0", "i/o", "alias bus master @system 0000000000000000-ffffffffffffffff [disabled]")
		"\n"
		"memory-region: pc.bios\n"
		"  " R("00000000fffc0000", "00000000ffffffff", "0", "rom", "pc.bios")
		"\n"
		"memory-region: dup\n"
		"  " R(Z16, "0000000000000fff", "0", "i/o", "dup")
		"\n"
		"memory-region: dup\n"
		"  " R(Z16, "0000000000000fff", "0", "ram", "dup")
		"\n"
		"memory-region: system\n"
		"  " R(Z16, F16, "0", "i/o", "system")
		"    " R(Z16, F16, "-1", "i/o", "pci")
		"      " R("00000000000e0000", "00000000000fffff", "1", "rom", "alias isa-bios @pc.bios 0000000000020000-000000000003ffff")
		"      " R("00000000fffc0000", "00000000ffffffff", "0", "rom", "pc.bios")
		"    " R("0000000000001000", "0000000000001fff", "0", "i/o", "alias d1 @dup 0000000000000000-0000000000000fff")
		"    " R("0000000000002000", "0000000000002fff", "0", "i/o", "alias d2 @dup 0000000000000000-0000000000000fff")
		"\n";
	struct mt_dump *d = parse_ok(text);

	(void)state;
	assert_int_equal(d->nsecs, 6);
	/* section roots joined with the printed regions */
	assert_ptr_equal(mt_class(d->secs[2]->root), find(d, "pc.bios", 0));
	assert_ptr_equal(mt_class(d->secs[5]->root), d->secs[0]->root);
	assert_ptr_equal(mt_class(find(d, "pci", 1)), find(d, "pci", 0));
	/* the two "dup" sections stay distinct regions */
	assert_ptr_not_equal(mt_class(d->secs[3]->root),
			     mt_class(d->secs[4]->root));
	/* queue order: pc.bios, dup#1, dup#2, system */
	assert_ptr_equal(find(d, "isa-bios", 0)->target_sec, d->secs[2]);
	assert_ptr_equal(find(d, "d1", 0)->target_sec, d->secs[3]);
	assert_ptr_equal(find(d, "d2", 0)->target_sec, d->secs[4]);
	assert_ptr_equal(find(d, "bus master", 0)->target_sec, d->secs[5]);
	/* the copies printed in "memory-region: system" agree */
	assert_ptr_equal(find(d, "d2", 1)->target_sec, d->secs[4]);
	mt_free(d);
}

static void test_sizes(void **state)
{
	static const char text[] =
		"address-space: a\n"
		"  " R(Z16, F16, "0", "i/o", "root")
		"    " R("0000000000000010", "0000000000000010", "0", "i/o", "one")
		"    " R(F16, "0000000000000000", "0", "i/o", "wrap")
		"[DETECTED OVERFLOW!]     " R("fffffffffffff000", "0000000000000fff", "0", "i/o", "over")
		"\n";
	struct mt_dump *d = parse_ok(text);
	struct mt_node *n;

	(void)state;
	n = find(d, "one", 0);
	assert_int_equal(mt_size(n), 1);
	n->size0 = true;
	assert_int_equal(mt_size(n), 0);
	assert_int_equal(mt_size(find(d, "wrap", 0)), 2);
	n = find(d, "over", 0);
	assert_true(n->overflow);
	assert_int_equal(mt_size(n), 0x2000);
	assert_int_equal(n->level, 2);
	mt_free(d);
}

static void test_crlf_and_no_final_newline(void **state)
{
	static const char text[] =
		"address-space: a\r\n"
		"  " Z16 "-" F16 " (prio 0, i/o): root\r\n"
		"    " Z16 "-0000000000000fff (prio 2, romd): flash";
	struct mt_dump *d = parse_ok(text);

	(void)state;
	assert_string_equal(find(d, "flash", 0)->name, "flash");
	assert_int_equal(find(d, "flash", 0)->type, MT_ROMD);
	assert_string_equal(find(d, "root", 0)->name, "root");
	mt_free(d);
}

#define AS1 "address-space: a\n"
#define ROOT "  " R(Z16, F16, "0", "i/o", "root")

static void test_malformed(void **state)
{
	(void)state;
	parse_bad("", 0, "no 'address-space:' section");
	parse_bad("\n\n", 0, "no 'address-space:' section");
	parse_bad("hello\n", 1, "region line outside a section");
	parse_bad("  " R(Z16, F16, "0", "i/o", "x"), 1, "outside a section");
	parse_bad(AS1, 1, "without a region");
	parse_bad(AS1 "\n", 2, "without a region");
	parse_bad(AS1 " " R(Z16, F16, "0", "i/o", "root"), 2, "indentation of 1");
	parse_bad(AS1 R(Z16, F16, "0", "i/o", "root"), 2, "indentation of 0");
	parse_bad(AS1 "  000000000000000-" F16 " (prio 0, i/o): r\n", 2,
		  "16-digit hex");
	parse_bad(AS1 "  " Z16 "-FFFFFFFFFFFFFFFF (prio 0, i/o): r\n", 2,
		  "16-digit hex");
	parse_bad(AS1 "  " Z16 "+" F16 " (prio 0, i/o): r\n", 2, "16-digit hex");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio x, i/o): r\n", 2,
		  "priority number");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio 99999999999, i/o): r\n", 2,
		  "out of range");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio 2147483648, i/o): r\n", 2,
		  "out of range");
	parse_bad(AS1 "  " Z16 "-" F16 " (priority 0, i/o): r\n", 2, "(prio");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio 0, mmio): r\n", 2,
		  "unknown region type");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio 0, i/o) r\n", 2, "'): '");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio 0, i/o): \n", 2, "empty region name");
	parse_bad(AS1 "  " Z16 "-" F16 " (prio 0 i/o): r\n", 2, "', TYPE'");
	parse_bad(AS1 "  " Z16 "-" F16 "\n", 2, "(prio");
	parse_bad(AS1 ROOT ROOT, 3, "second top-level region");
	parse_bad(AS1 ROOT "address-space: b\n", 3, "missing blank line");
	parse_bad(AS1 ROOT "memory-region: b\n", 3, "missing blank line");
	parse_bad("memory-region: x\n  " R(Z16, F16, "0", "i/o", "x"), 1,
		  "before any 'address-space:'");
	parse_bad(AS1 ROOT "\nmemory-region: x\n  " R(Z16, F16, "0", "i/o", "y"),
		  5, "heads 'memory-region: x'");
	parse_bad(AS1 ROOT "\nmemory-region: x\n\n", 4, "section without any region");
	parse_bad(AS1 ROOT "\nmemory-region: \n", 4, "empty memory-region name");
	parse_bad("address-space: \n", 1, "empty address-space name");
	/* alias whose two ranges differ in length */
	parse_bad(AS1 ROOT "    " R(Z16, "00000000000000ff", "0", "i/o",
				    "alias a @b 0000000000000000-0000000000000fff"),
		  3, "range length");
	/* alias target with no section */
	parse_bad(AS1 ROOT "    " R(Z16, "00000000000000ff", "0", "i/o",
				    "alias a @nowhere 0000000000000000-00000000000000ff [disabled]"),
		  3, "alias target 'nowhere'");
	/* -D dump: a section nobody points at */
	parse_bad(AS1 ROOT "    " R(Z16, "00000000000000ff", "0", "i/o", "r2 [disabled]")
		  "\nmemory-region: orphan\n  " R(Z16, "00000000000000ff", "0", "i/o", "orphan"),
		  5, "target of no alias");
	/* NUL byte */
	{
		static const char nul[] = "address-space: a\n  \0x\n";

		struct mt_dump *d = NULL;
		char err[MT_ERR_LEN];

		assert_int_equal(mt_parse(nul, sizeof(nul) - 1, "t.txt", &d, err), -1);
		assert_string_equal(err, "t.txt:2: NUL byte in text");
	}
}

static void test_too_deep(void **state)
{
	size_t n = (MT_MAX_LEVEL + 1) * 2;
	char *text = malloc(n + 200);
	struct mt_dump *d = NULL;
	char err[MT_ERR_LEN];

	(void)state;
	strcpy(text, AS1);
	memset(text + strlen(text), ' ', n);
	strcpy(text + strlen(AS1) + n, Z16 "-" F16 " (prio 0, i/o): r\n");
	assert_int_equal(mt_parse(text, strlen(text), "t.txt", &d, err), -1);
	assert_non_null(strstr(err, "deeper than"));
	free(text);
}

static char warnings[4096];

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static void test_hints(void **state)
{
	static const char text[] =
		"address-space: a\n"
		"  " R(Z16, F16, "0", "i/o", "io")
		"    " R("0000000000000010", "0000000000000010", "0", "i/o", "win")
		"    " R("0000000000000020", "0000000000000020", "0", "i/o", "win")
		"    " R("0000000000000030", "000000000000003f", "0", "ram", "alias pam rom @io 0000000000000030-000000000000003f")
		"\n"
		"memory-region: io\n"
		"  " R(Z16, F16, "0", "i/o", "io")
		"    " R("0000000000000010", "0000000000000010", "0", "i/o", "win")
		"    " R("0000000000000020", "0000000000000020", "0", "i/o", "win")
		"    " R("0000000000000030", "000000000000003f", "0", "ram", "alias pam rom @io 0000000000000030-000000000000003f")
		"\n";
	static const char hints[] =
		"# comment\n"
		"\n"
		"io io\n"
		"  readonly   pam rom  \n"
		"size0 20 win\n"
		"size0 0x0000000000000099 win\n"
		"bogus thing\n"
		"container win\n"
		"container pam rom\n";
	struct mt_dump *d = parse_ok(text);
	char err[MT_ERR_LEN];

	(void)state;
	warnings[0] = 0;
	assert_int_equal(mt_apply_hints(d, hints, strlen(hints), "h.txt",
					collect, NULL, err), 0);
	assert_true(find(d, "io", 0)->io_hint);
	assert_true(find(d, "pam rom", 0)->readonly_hint);
	assert_false(find(d, "win", 0)->size0);
	assert_true(find(d, "win", 1)->size0);
	assert_int_equal(mt_size(find(d, "win", 1)), 0);
	assert_true(find(d, "win", 3)->size0);	/* the copy too */
	assert_non_null(strstr(warnings, "h.txt:6: no region 'win'"));
	assert_non_null(strstr(warnings, "h.txt:7: unknown hint 'bogus'"));
	/* container: only non-alias i/o lines */
	assert_true(find(d, "win", 0)->container_hint);
	assert_false(find(d, "pam rom", 0)->container_hint);
	assert_non_null(strstr(warnings, "h.txt:9: no region 'pam rom'"));

	assert_int_equal(mt_apply_hints(d, "size0 win\n", 10, "h.txt", collect,
					NULL, err), -1);
	assert_string_equal(err, "h.txt:1: size0 needs 'size0 HEXADDR NAME'");
	assert_int_equal(mt_apply_hints(d, "\nio\n", 4, "h.txt", collect, NULL,
					err), -1);
	assert_string_equal(err, "h.txt:2: hint 'io' without a region name");
	assert_int_equal(mt_apply_hints(d, "size0 12345678123456789 win\n", 28,
					"h.txt", collect, NULL, err), -1);
	mt_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_tree),
		cmocka_unit_test(test_alias_from_right),
		cmocka_unit_test(test_hidden_parents),
		cmocka_unit_test(test_unify_and_queue),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_hints),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("mtree_parse", tests, NULL, NULL);
}
