/* Host tests of efi/cfgscan.c, the loader's reading of the two keys it acts
 * on (reports_keep, known_bad): every text is read by the loader's functions
 * and by the kernel's parser (kernel/config.c), and both must give the
 * expected value, so the two sides cannot drift apart (issue 18: they read
 * reports_keep=0 and a bad last line differently). Every text is a heap copy
 * of exactly its length with no NUL behind it, so ASan sees a read past the
 * end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/config.h>
#include <lib/cfgline.h>
#include "../../efi/cfgscan.h"

static struct config c;

/* Both readings of the n bytes at text; *keep, *forget from the loader. */
static void read_both(const char *text, size_t n, uint32_t *keep, int *forget)
{
	char *t = malloc(n ? n : 1);

	assert_non_null(t);
	memcpy(t, text, n);
	config_defaults(&c);
	config_parse(&c, t, n);
	*keep = cfgscan_reports_keep(t, n);
	*forget = cfgscan_forget_known_bad(t, n);
	free(t);
}

static void agree(const char *text, size_t n)
{
	uint32_t keep;
	int forget;

	read_both(text, n, &keep, &forget);
	if (keep != c.reports_keep || forget != c.forget_known_bad)
		fail_msg("loader reads reports_keep=%u forget=%d, kernel %u %d, in:\n%.*s", keep,
			 forget, c.reports_keep, c.forget_known_bad, (int)n, text);
}

static void want_n(const char *text, size_t n, uint32_t keep, int forget)
{
	uint32_t k;
	int f;

	read_both(text, n, &k, &f);
	if (k != keep || f != forget || c.reports_keep != keep || c.forget_known_bad != forget)
		fail_msg("in \"%.*s\": loader %u/%d, kernel %u/%d, want %u/%d", (int)n, text, k, f,
			 c.reports_keep, c.forget_known_bad, keep, forget);
}

static void want(const char *text, uint32_t keep, int forget)
{
	want_n(text, strlen(text), keep, forget);
}

#define DEF CFG_REPORTS_KEEP_DEFAULT

/* Issue 18's two texts: the loader turned 0 into 1 (deleting every report
 * but the newest), and a bad last line into the default. */
static void bad_values_change_nothing(void **s)
{
	(void)s;
	want("reports_keep=0\n", DEF, 0);
	want("reports_keep=20\nreports_keep=3x\n", 20, 0);
	want("reports_keep=20\nreports_keep=100001\n", 20, 0);
	want("reports_keep=20\nreports_keep=\n", 20, 0);
	want("reports_keep=20\nreports_keep=-1\n", 20, 0);
	want("reports_keep=20\nreports_keep=99999999999999999999999\n", 20, 0);
	want("reports_keep=0x10\n", 16, 0);
	want("reports_keep=100000\n", 100000, 0);
	want("known_bad=forget\nknown_bad=Keep\n", DEF, 1);
	want("known_bad=forget\nknown_bad=\n", DEF, 1);
	want("known_bad=forget\nknown_bad\n", DEF, 1);
	want("known_bad=forgetting\n", DEF, 0);
}

static void the_last_valid_line_wins(void **s)
{
	(void)s;
	want("reports_keep=3\nreports_keep=7\n", 7, 0);
	want("reports_keep=3\nreports_keep=7", 7, 0);
	want("known_bad=forget\naudit=quick\nknown_bad=keep\nsmp=2\n", DEF, 0);
	want("known_bad=keep\nknown_bad=forget\n", DEF, 1);
}

static void a_longer_key_is_another_key(void **s)
{
	(void)s;
	want("known_bad_x=forget\nknown_badx=forget\nxknown_bad=forget\n", DEF, 0);
	want("known_bad_x=forget\nknown_bad=forget\nknown_bad2=keep\n", DEF, 1);
	want("reports_keep2=9\nreports_keep=4\nreports_keep_x=8\n", 4, 0);
	want("KNOWN_BAD=forget\nknown_ba=forget\n=forget\n", DEF, 0); /* case-sensitive */
	want("known_bad forget\nknown_bad:forget\nknown_bad x=forget\n", DEF, 0);
}

static void comments(void **s)
{
	(void)s;
	want("# known_bad=forget\n#known_bad=forget\n\t#known_bad=forget\n", DEF, 0);
	want("known_bad #=forget\nknown_bad#=forget\n", DEF, 0);
	want("known_bad=forget # was keep\n", DEF, 1);
	want("known_bad=forget\t#x\nreports_keep=5 #a # b\n", 5, 1);
	want("known_bad=forget#x\n", DEF, 0); /* '#' glued to the value is text */
	want("reports_keep=5#\n", DEF, 0);
	want("reports_keep=5\nreports_keep= #x\n", 5, 0);
}

static void whitespace_and_line_ends(void **s)
{
	(void)s;
	want("  known_bad  =  forget  \n", DEF, 1);
	want(" \t known_bad \t= \t forget \t \r\n", DEF, 1);
	want("reports_keep = 1 2\n", DEF, 0); /* inner spaces stay */
	want("reports_keep=5\r\nknown_bad=forget\r\n", 5, 1);
	want("\r\n\r\nknown_bad=forget\r", DEF, 1);
}

/* A control byte or a byte >= 0x7f makes the whole line "not text". */
static void lines_that_are_not_text(void **s)
{
	(void)s;
	want("reports_keep=5\x01\n", DEF, 0);
	want("known_bad=forget\x7f\n", DEF, 0);
	want("known_bad=forget \xc3\xa9\n", DEF, 0);
	want("reports_keep=9\nreports_keep=\x1b" "5\nknown_bad=forget\n", 9, 1);
}

static void a_nul_ends_the_text(void **s)
{
	(void)s;
	static const char a[] = "known_bad=keep\0known_bad=forget\n";
	static const char b[] = "reports_keep=12\0" "3\n";
	static const char d[] = "# c\0\nknown_bad=forget\n";
	static const char e[] = "reports_keep=4\n\0\nreports_keep=9";

	want_n(a, sizeof(a) - 1, DEF, 0);
	want_n(b, sizeof(b) - 1, 12, 0);
	want_n(d, sizeof(d) - 1, DEF, 0);
	want_n(e, sizeof(e) - 1, 4, 0);
}

static void len_bounds_the_text(void **s)
{
	(void)s;
	static const char t[] = "reports_keep=12345XYZ";

	want_n(t, 18, 12345, 0);
	want_n(t, 14, 1, 0);
	want_n(t, 13, DEF, 0);
	want_n(t, 0, DEF, 0);
	want_n("", 0, DEF, 0);
	want("\n\n\r\n   \t  #\n=\n", DEF, 0);
}

static uint64_t rng;

static uint64_t below(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static const char *pick(const char *const *a, size_t n)
{
	return a[below(n)];
}

#define PICK(a) pick(a, sizeof(a) / sizeof(a[0]))

/* One random line from pieces that sit on the rules' edges: valid and bad
 * values, lookalike keys, comments, odd whitespace, a stray control byte. */
static size_t random_line(char *o)
{
	static const char *const keys[] = { "known_bad", "reports_keep", "known_bad_x",
					    "xknown_bad", "reports_keep2", "audit", "" };
	static const char *const sp[] = { "", "", " ", "\t", " \t ", "\r" };
	static const char *const values[] = { "keep", "forget", "Forget", "0", "1", "16",
					      "100000", "100001", "3x", "0x20", "0x", "",
					      "forget#x", "7 7", "\x01", "18446744073709551616" };
	static const char *const trail[] = { "", "", " # note", "\t#x=1", " #", "#",
					     " #reports_keep=1", "\xff" };
	uint64_t kind = below(12);

	if (kind == 0)
		return (size_t)sprintf(o, "%s%s", PICK(sp), PICK(trail));
	return (size_t)sprintf(o, "%s%s%s%s%s%s%s%s", PICK(sp), kind == 1 ? "#" : "", PICK(keys),
			       PICK(sp), kind == 2 ? "" : "=", PICK(sp), PICK(values), PICK(trail));
}

static void random_configs_read_alike(void **s)
{
	(void)s;
	static char text[4096];

	rng = 0x243f6a8885a308d3ull;
	for (int it = 0; it < 20000; it++) {
		size_t n = 0;
		uint64_t lines = below(14);

		for (uint64_t l = 0; l < lines; l++) {
			n += random_line(text + n);
			if (l + 1 < lines || below(2))
				n += (size_t)sprintf(text + n, "%s", below(3) ? "\n" : "\r\n");
		}
		if (n && !below(10)) /* a NUL ends the text early */
			text[below(n)] = 0;
		agree(text, n);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(bad_values_change_nothing),
		cmocka_unit_test(the_last_valid_line_wins),
		cmocka_unit_test(a_longer_key_is_another_key),
		cmocka_unit_test(comments),
		cmocka_unit_test(whitespace_and_line_ends),
		cmocka_unit_test(lines_that_are_not_text),
		cmocka_unit_test(a_nul_ends_the_text),
		cmocka_unit_test(len_bounds_the_text),
		cmocka_unit_test(random_configs_read_alike),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
