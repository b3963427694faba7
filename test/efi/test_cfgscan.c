/* Host tests of efi/cfgscan.c, the loader's look-up of one config key: hand-
 * worked texts, then random config files where the loader's reading of
 * known_bad, reports_keep and audit must be the kernel's (kernel/config.c).
 * Every text is a heap copy of exactly its length with no NUL behind it, so
 * ASan sees a read past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/config.h>
#include "../../efi/cfgscan.h"

/* cfgscan_value on a heap copy of the n bytes at s. */
static long scan_n(const char *s, size_t n, const char *key, char *out, size_t cap)
{
	char *t = malloc(n ? n : 1);
	long r;

	assert_non_null(t);
	memcpy(t, s, n);
	r = cfgscan_value(t, n, key, out, cap);
	free(t);
	return r;
}

static char v[64];

static void found_n(const char *text, size_t n, const char *key, const char *want)
{
	long r;

	memset(v, 0x5a, sizeof(v));
	r = scan_n(text, n, key, v, sizeof(v));
	if (r != (long)strlen(want) || strcmp(v, want))
		fail_msg("%s in \"%.*s\": %ld \"%s\", want \"%s\"", key, (int)n, text, r,
			 r >= 0 ? v : "", want);
}

static void found(const char *text, const char *key, const char *want)
{
	found_n(text, strlen(text), key, want);
}

static void absent_n(const char *text, size_t n, const char *key)
{
	long r = scan_n(text, n, key, v, sizeof(v));

	if (r != -1)
		fail_msg("%s in \"%.*s\": %ld \"%s\", want absent", key, (int)n, text, r, v);
}

static void absent(const char *text, const char *key)
{
	absent_n(text, strlen(text), key);
}

static void key_found(void **s)
{
	(void)s;
	found("known_bad=forget\n", "known_bad", "forget");
	found("known_bad=forget", "known_bad", "forget");
	found("audit=quick\nreports_keep=7\nsmp=off\n", "reports_keep", "7");
	found("audit=quick\nreports_keep=7\nsmp=off", "smp", "off");
	found("\n\nknown_bad=keep\n\n", "known_bad", "keep");
	found("patterns=a=b\n", "patterns", "a=b"); /* the first '=' ends the key */
}

static void key_absent(void **s)
{
	(void)s;
	absent("audit=quick\nsmp=off\n", "known_bad");
	absent("known_bad\n", "known_bad");         /* no '=' */
	absent("known_bad forget\n", "known_bad");
	absent("known_bad:forget\n", "known_bad");
	absent("known_bad x=forget\n", "known_bad");
	absent("known_ba=forget\n", "known_bad");
	absent("known=forget\n", "known_bad");
	absent("=forget\n", "known_bad");
	absent("KNOWN_BAD=forget\n", "known_bad");  /* keys are case-sensitive, as in the kernel */
}

static void last_occurrence_wins(void **s)
{
	(void)s;
	found("reports_keep=3\nreports_keep=7\n", "reports_keep", "7");
	found("reports_keep=3\nreports_keep=7", "reports_keep", "7");
	found("known_bad=forget\naudit=quick\nknown_bad=keep\nsmp=2\n", "known_bad", "keep");
	found("known_bad=keep\nknown_bad=forget\nknown_bad\n", "known_bad", "forget");
	found("known_bad=keep\nknown_bad=\n", "known_bad", "");
}

static void a_longer_key_is_another_key(void **s)
{
	(void)s;
	absent("known_bad_x=1\n", "known_bad");
	absent("known_badx=forget\n", "known_bad");
	absent("xknown_bad=forget\n", "known_bad");
	absent(" xknown_bad=forget\n", "known_bad");
	found("known_bad_x=forget\nknown_bad=keep\nknown_badx=forget\nknown_bad2=forget\n",
	      "known_bad", "keep");
	found("reports_keep2=9\nreports_keep=4\nreports_keep_x=8\n", "reports_keep", "4");
	found("reports_keep=4\nreports_keep_x=8\n", "reports_keep_x", "8");
	absent("reports_keep=4\n", "reports_keep_x");
}

static void comments(void **s)
{
	(void)s;
	absent("# known_bad=forget\n", "known_bad");
	absent("#known_bad=forget", "known_bad");
	absent("   # known_bad=forget\n", "known_bad");
	absent("\t#known_bad=forget\n", "known_bad");
	absent("known_bad #=forget\n", "known_bad");
	found("known_bad=keep\n#known_bad=forget\n  # known_bad=forget\n", "known_bad", "keep");
	found("known_bad=forget # was keep\n", "known_bad", "forget");
	found("known_bad=forget\t#x\n", "known_bad", "forget");
	found("known_bad =forget #a # b\n", "known_bad", "forget");
	found("known_bad=forget #\n", "known_bad", "forget");
	/* '#' glued to what comes before it is text, as in the kernel */
	found("known_bad=forget#x\n", "known_bad", "forget#x");
	found("known_bad=#x\n", "known_bad", "#x");
	found("known_bad=a#b #c\n", "known_bad", "a#b");
	absent("known_bad#=forget\n", "known_bad");
	/* a comment right after '=' leaves an empty value */
	found("known_bad= #x\n", "known_bad", "");
}

static void whitespace_is_trimmed(void **s)
{
	(void)s;
	found("  known_bad  =  forget  \n", "known_bad", "forget");
	found("\tknown_bad\t=\tforget\t\n", "known_bad", "forget");
	found(" \t known_bad \t= \t forget \t \n", "known_bad", "forget");
	found("known_bad = for get \n", "known_bad", "for get"); /* inner spaces stay */
	found("known_bad=   \n", "known_bad", "");
}

static void crlf_lines(void **s)
{
	(void)s;
	found("reports_keep=5\r\nknown_bad=forget\r\n", "known_bad", "forget");
	found("reports_keep=5\r\nknown_bad=forget\r\n", "reports_keep", "5");
	found("\r\n\r\nknown_bad=keep\r\n", "known_bad", "keep");
	found("known_bad=forget\r", "known_bad", "forget");
	found("known_bad=forget \r\n", "known_bad", "forget");
	found("known_bad = forget # c\r\n", "known_bad", "forget");
	found("known_bad=keep\r\n# known_bad=forget\r\n", "known_bad", "keep");
}

/* The value must fit with its NUL; nothing is written past cap. */
static void a_value_too_long_for_cap(void **s)
{
	(void)s;
	static const char text[] = "known_bad=forget\n";
	char *out;

	for (size_t cap = 0; cap <= 10; cap++) {
		long r;

		out = malloc(cap + 16);
		assert_non_null(out);
		memset(out, 0xa5, cap + 16);
		r = scan_n(text, sizeof(text) - 1, "known_bad", out, cap);
		for (size_t k = cap; k < cap + 16; k++)
			if ((unsigned char)out[k] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, k);
		if (cap < 7) {
			assert_int_equal(r, -1);
		} else {
			assert_int_equal(r, 6);
			assert_string_equal(out, "forget");
		}
		free(out);
	}
	/* an empty value needs one byte */
	out = malloc(1);
	assert_non_null(out);
	assert_int_equal(scan_n("known_bad=", 10, "known_bad", out, 1), 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(scan_n("known_bad=", 10, "known_bad", out, 0), -1);
	free(out);

	/* the last occurrence decides, fitting or not */
	assert_int_equal(scan_n("reports_keep=5\nreports_keep=123456789012345678\n", 47,
				"reports_keep", v, 16), -1);
	assert_int_equal(scan_n("reports_keep=123456789012345678\nreports_keep=5\n", 47,
				"reports_keep", v, 16), 1);
	assert_string_equal(v, "5");
}

static void a_nul_ends_the_text(void **s)
{
	(void)s;
	static const char a[] = "known_bad=keep\0known_bad=forget\n";
	static const char b[] = "known_bad=for\0get\n";
	static const char c[] = "\0known_bad=forget\n";
	static const char d[] = "# c\0\nknown_bad=forget\n";
	static const char e[] = "known_bad=keep\n\0\nknown_bad=forget";

	found_n(a, sizeof(a) - 1, "known_bad", "keep");
	found_n(b, sizeof(b) - 1, "known_bad", "for");
	absent_n(c, sizeof(c) - 1, "known_bad");
	absent_n(d, sizeof(d) - 1, "known_bad");
	found_n(e, sizeof(e) - 1, "known_bad", "keep");
}

static void len_bounds_the_text(void **s)
{
	(void)s;
	static const char t[] = "known_bad=forgetXYZ";

	found_n(t, 16, "known_bad", "forget");
	found_n(t, 12, "known_bad", "fo");
	found_n(t, 10, "known_bad", "");
	absent_n(t, 9, "known_bad");
	absent_n(t, 0, "known_bad");
}

static void empty_texts(void **s)
{
	(void)s;
	absent_n("", 0, "known_bad");
	absent("\n", "known_bad");
	absent("\n\n\r\n", "known_bad");
	absent("   \t  ", "known_bad");
	absent("#", "known_bad");
	absent("=", "known_bad");
}

/* ------------------------------------------------- against the kernel parser */

static struct config c;

/* The kernel's and the loader's reading of one text must agree on the keys
 * the loader acts on (known_bad, reports_keep) and on audit. */
static void agree(const char *text, size_t n)
{
	char *t = malloc(n ? n : 1);
	char kb[32], rk[32], au[32];
	long rkb, rrk, rau;
	unsigned long keep;
	enum audit_mode audit = AUDIT_QUICK;

	assert_non_null(t);
	memcpy(t, text, n);
	config_defaults(&c);
	config_parse(&c, t, n);
	rkb = cfgscan_value(t, n, "known_bad", kb, sizeof(kb));
	rrk = cfgscan_value(t, n, "reports_keep", rk, sizeof(rk));
	rau = cfgscan_value(t, n, "audit", au, sizeof(au));
	free(t);

	if ((rkb == 6 && !memcmp(kb, "forget", 6)) != c.forget_known_bad)
		fail_msg("known_bad: the loader reads %s, the kernel %s, in:\n%.*s",
			 rkb < 0 ? "(absent)" : kb, c.forget_known_bad ? "forget" : "keep", (int)n, text);
	keep = rrk > 0 ? strtoul(rk, NULL, 10) : 16;
	if (keep != c.reports_keep)
		fail_msg("reports_keep: the loader reads %s, the kernel %u, in:\n%.*s",
			 rrk < 0 ? "(absent)" : rk, c.reports_keep, (int)n, text);
	if (rau >= 0)
		audit = !strcmp(au, "off") ? AUDIT_OFF : !strcmp(au, "full") ? AUDIT_FULL : AUDIT_QUICK;
	if (audit != c.audit)
		fail_msg("audit: the loader reads %s, the kernel %d, in:\n%.*s",
			 rau < 0 ? "(absent)" : au, c.audit, (int)n, text);
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

/* One random line: valid values only, so "last wins" and the kernel's "last
 * valid wins" are the same; tabs only where the kernel trims them (line
 * ends, before a comment). */
static size_t random_line(char *o)
{
	static const char *const keys[] = { "known_bad", "reports_keep", "audit", "known_bad_x",
					    "xknown_bad", "known", "reports_keep2", "smp" };
	static const char *const lead[] = { "", "", " ", "\t", " \t " };
	static const char *const eqsp[] = { "", "", " ", "  " };
	static const char *const trail[] = { "", "", " ", "\t", "\r", " # note", "\t#x=1", " #",
					     "  # known_bad=forget", " #reports_keep=1" };
	static const char *const kb[] = { "keep", "forget" };
	static const char *const au[] = { "off", "quick", "full" };
	const char *key = PICK(keys);
	char value[16];
	uint64_t kind = below(10);

	if (kind == 0)
		return (size_t)sprintf(o, "%s%s", PICK(lead), PICK(trail));
	if (!strcmp(key, "reports_keep"))
		snprintf(value, sizeof(value), "%llu", 1 + (unsigned long long)below(100000));
	else if (!strcmp(key, "audit"))
		snprintf(value, sizeof(value), "%s", PICK(au));
	else if (!strcmp(key, "smp"))
		snprintf(value, sizeof(value), "%s", "off");
	else
		snprintf(value, sizeof(value), "%s", PICK(kb));
	return (size_t)sprintf(o, "%s%s%s%s=%s%s%s", PICK(lead), kind == 1 ? (below(2) ? "#" : "# ") : "",
			       key, PICK(eqsp), PICK(eqsp), value, PICK(trail));
}

static void random_configs_read_as_the_kernel_reads_them(void **s)
{
	(void)s;
	static char text[4096];

	rng = 0x243f6a8885a308d3ull;
	for (int it = 0; it < 5000; it++) {
		size_t n = 0;
		uint64_t lines = below(14);

		for (uint64_t l = 0; l < lines; l++) {
			n += random_line(text + n);
			if (l + 1 < lines || below(2))
				n += (size_t)sprintf(text + n, "%s", below(3) ? "\n" : "\r\n");
		}
		if (n && !below(10)) { /* a NUL ends the text, in place of a line end */
			size_t at = below(n);
			char *nl = memchr(text + at, '\n', n - at);

			if (nl)
				*nl = 0;
		}
		agree(text, n);
	}
}

/* A tab between key and '=' or between '=' and value: the loader's scanner
 * trims it (cfgscan.h: whitespace around key and value ignored), and must
 * then read the line the way the kernel does. */
static void tabs_around_equals_read_as_the_kernel_reads_them(void **s)
{
	(void)s;
	static const char *const texts[] = {
		"known_bad\t=forget\n",
		"known_bad=\tforget\n",
		"reports_keep\t=\t3\n",
		"audit = \tfull\n",
	};

	for (unsigned i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		agree(texts[i], strlen(texts[i]));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(key_found),
		cmocka_unit_test(key_absent),
		cmocka_unit_test(last_occurrence_wins),
		cmocka_unit_test(a_longer_key_is_another_key),
		cmocka_unit_test(comments),
		cmocka_unit_test(whitespace_is_trimmed),
		cmocka_unit_test(crlf_lines),
		cmocka_unit_test(a_value_too_long_for_cap),
		cmocka_unit_test(a_nul_ends_the_text),
		cmocka_unit_test(len_bounds_the_text),
		cmocka_unit_test(empty_texts),
		cmocka_unit_test(random_configs_read_as_the_kernel_reads_them),
		cmocka_unit_test(tabs_around_equals_read_as_the_kernel_reads_them),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
