/* Host tests of kernel/config.c: METASLOT.CFG parsing with garbage input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/config.h>

static struct config c;

/* The text is copied to a heap buffer of exactly its length, with no NUL,
 * so ASan catches a read past the end. */
static void parse(const char *s)
{
	size_t n = strlen(s);
	char *t = malloc(n ? n : 1);

	assert_non_null(t);
	memcpy(t, s, n);
	config_defaults(&c);
	config_parse(&c, t, n);
	free(t);
}

static void defaults(void **s)
{
	(void)s;
	parse("");
	assert_int_equal(c.on_finish, ON_FINISH_HALT);
	assert_int_equal(c.serial_enabled, 1);
	assert_int_equal(c.serial_port, 0x3f8);
	assert_int_equal(c.serial_baud, 115200);
	assert_int_equal(c.nissues, 0);
}

static void later_lines_win_and_whitespace_is_trimmed(void **s)
{
	(void)s;
	parse("on_finish=reboot\n  on_finish =  shutdown  \r\n");
	assert_int_equal(c.on_finish, ON_FINISH_SHUTDOWN);
	assert_int_equal(c.nissues, 0);
	assert_string_equal(config_on_finish_name(c.on_finish), "shutdown");
}

static void comments(void **s)
{
	(void)s;
	parse("# on_finish=reboot\non_finish=shutdown # not reboot\nserial=com2#x\n");
	assert_int_equal(c.on_finish, ON_FINISH_SHUTDOWN);
	/* '#' glued to a value is part of it: com2#x is a bad value */
	assert_int_equal(c.nissues, 1);
	assert_string_equal(c.issues[0].what, "bad value");
	assert_int_equal(c.issues[0].line, 3);
}

static void serial_values(void **s)
{
	(void)s;
	parse("serial=com2\n");
	assert_int_equal(c.serial_port, 0x2f8);
	assert_int_equal(c.serial_baud, 115200);
	parse("serial=0x3e8,9600\n");
	assert_int_equal(c.serial_port, 0x3e8);
	assert_int_equal(c.serial_baud, 9600);
	parse("serial=off\n");
	assert_int_equal(c.serial_enabled, 0);
	const char *bad[] = { "serial=com5", "serial=com1,7", "serial=com1,0", "serial=com1,",
			      "serial=0x", "serial=0x10000", "serial=", "serial=com1,230400",
			      "serial=99999999999999999999999" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(bad[i]);
		assert_int_equal(c.nissues, 1);
		assert_string_equal(c.issues[0].what, "bad value");
		assert_string_equal(c.issues[0].key, "serial");
		/* a bad value leaves the setting as it was */
		assert_int_equal(c.serial_port, 0x3f8);
		assert_int_equal(c.serial_enabled, 1);
	}
}

static void garbage_lines_are_issues(void **s)
{
	(void)s;
	parse("on_finish=halt\nfoo=bar\nno equals here\n=x\non_finish=\n\x01\x02=\xff\n");
	assert_int_equal(c.nissues, 5);
	assert_string_equal(c.issues[0].what, "unknown key");
	assert_string_equal(c.issues[0].key, "foo");
	assert_int_equal(c.issues[0].line, 2);
	assert_string_equal(c.issues[1].what, "not key=value");
	assert_string_equal(c.issues[2].what, "empty key");
	assert_string_equal(c.issues[3].what, "bad value");
	assert_string_equal(c.issues[4].what, "not text");
	assert_int_equal(c.issues[4].line, 6);
	/* the recorded text is printable */
	for (const char *p = c.issues[4].text; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_int_equal(c.on_finish, ON_FINISH_HALT);
}

static void nul_ends_text_and_long_lines_are_cut(void **s)
{
	(void)s;
	char buf[600];

	memset(buf, 'k', sizeof(buf));
	buf[300] = '=';
	buf[599] = '\n';
	config_defaults(&c);
	config_parse(&c, buf, sizeof(buf));
	assert_int_equal(c.nissues, 1);
	assert_int_equal(strlen(c.issues[0].text), sizeof(c.issues[0].text) - 1);
	assert_int_equal(strlen(c.issues[0].key), sizeof(c.issues[0].key) - 1);

	const char t[] = "on_finish=shutdown\0on_finish=reboot\n";

	config_defaults(&c);
	config_parse(&c, t, sizeof(t) - 1);
	assert_int_equal(c.on_finish, ON_FINISH_SHUTDOWN);
}

static void issues_are_bounded(void **s)
{
	(void)s;
	char buf[4096] = "";

	for (int i = 0; i < 40; i++)
		strcat(buf, "junk\n");
	parse(buf);
	assert_int_equal(c.nissues, CONFIG_MAX_ISSUES);
	assert_int_equal(c.issues_dropped, 40 - CONFIG_MAX_ISSUES);
}

static void random_bytes_never_crash(void **s)
{
	(void)s;
	unsigned seed = 12345;
	char buf[512];

	for (int iter = 0; iter < 5000; iter++) {
		size_t n = rand_r(&seed) % sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand_r(&seed) % 4 == 0 ? "=\n# ,"[rand_r(&seed) % 5]
								: rand_r(&seed));
		config_defaults(&c);
		config_parse(&c, buf, n);
		assert_true(c.nissues <= CONFIG_MAX_ISSUES);
		assert_true(c.on_finish <= ON_FINISH_REBOOT);
	}
}

/* ---------------------------------------------------------------- the audit keys */

/* After parse(): exactly one issue, a bad value of `key` on `line`, with the
 * line's text recorded. */
static void expect_bad_value(const char *key, uint32_t line, const char *text)
{
	if (c.nissues != 1)
		fail_msg("\"%s\": %u issues, not 1", text, c.nissues);
	assert_string_equal(c.issues[0].what, "bad value");
	assert_string_equal(c.issues[0].key, key);
	assert_int_equal(c.issues[0].line, line);
	assert_string_equal(c.issues[0].text, text);
}

static uint32_t pattern_bit(const char *name)
{
	const struct audit_pattern *p = audit_pattern_find(name, (uint32_t)strlen(name));

	assert_non_null(p);
	return 1u << (p - audit_patterns);
}

static void audit_defaults(void **s)
{
	(void)s;
	parse("");
	assert_int_equal(c.audit, AUDIT_QUICK);
	assert_int_equal(c.passes, 1);
	assert_int_equal(c.patterns, 0);
	assert_int_equal(c.ninject, 0);
	for (uint32_t i = 0; i < AUDIT_MAX_INJECT; i++)
		assert_true(c.inject[i].addr == 0 && c.inject[i].mask == 0);
	/* other keys leave the audit settings alone */
	parse("on_finish=reboot\nserial=off\nsmp=2\n");
	assert_int_equal(c.audit, AUDIT_QUICK);
	assert_int_equal(c.passes, 1);
	assert_int_equal(c.patterns, 0);
	assert_int_equal(c.ninject, 0);
}

static void audit_mode(void **s)
{
	(void)s;
	parse("audit=off");
	assert_int_equal(c.audit, AUDIT_OFF);
	parse("audit=full");
	assert_int_equal(c.audit, AUDIT_FULL);
	parse("audit=standard");
	assert_int_equal(c.audit, AUDIT_STANDARD);
	parse("audit=full\n audit = quick \r\n");
	assert_int_equal(c.audit, AUDIT_QUICK);
	assert_int_equal(c.nissues, 0);

	static const char *bad[] = { "audit=", "audit=Quick", "audit=FULL", "audit=fast",
				     "audit=on", "audit=1", "audit=offf", "audit=of",
				     "audit=quick,full", "audit=full x" };
	char buf[128];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* set to full first, so "unchanged" is not just the default */
		snprintf(buf, sizeof(buf), "audit=full\n%s\n", bad[i]);
		parse(buf);
		expect_bad_value("audit", 2, bad[i]);
		assert_int_equal(c.audit, AUDIT_FULL);
	}
}

static void audit_passes(void **s)
{
	(void)s;
	static const struct { const char *v; uint32_t n; } good[] = {
		{ "1", 1 }, { "1000", 1000 }, { "999", 999 }, { "0x10", 16 }, { "0X3e8", 1000 },
		{ "007", 7 },
	};
	char buf[128];

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "passes=%s", good[i].v);
		parse(buf);
		assert_int_equal(c.nissues, 0);
		assert_int_equal(c.passes, good[i].n);
	}
	static const char *bad[] = { "passes=0", "passes=1001", "passes=-1", "passes=",
				     "passes=+5", "passes=1e3", "passes=0x", "passes=0x3e9",
				     "passes=4294967297", "passes=18446744073709551617",
				     "passes=0x10000000000000001", "passes=1 0", "passes=five" };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "# passes\npasses=5\n%s\n", bad[i]);
		parse(buf);
		expect_bad_value("passes", 3, bad[i]);
		assert_int_equal(c.passes, 5);
	}
}

static void bit_fade_seconds_key(void **s)
{
	(void)s;
	static const struct { const char *v; uint32_t n; } good[] = {
		{ "1", 1 }, { "5", 5 }, { "300", 300 }, { "86400", 86400 }, { "0x3c", 60 },
	};
	char buf[128];

	parse("");
	assert_int_equal(c.bit_fade_seconds, 300);
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "bit_fade_seconds=%s", good[i].v);
		parse(buf);
		assert_int_equal(c.nissues, 0);
		assert_int_equal(c.bit_fade_seconds, good[i].n);
	}
	/* 0 would test nothing; garbage and the too long are refused: the
	 * value before stands (the default when there is none) */
	static const char *bad[] = { "bit_fade_seconds=0", "bit_fade_seconds=86401",
				     "bit_fade_seconds=-5", "bit_fade_seconds=",
				     "bit_fade_seconds=5s", "bit_fade_seconds=five",
				     "bit_fade_seconds=4294967301", "bit_fade_seconds=0x" };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "bit_fade_seconds=7\n%s\n", bad[i]);
		parse(buf);
		expect_bad_value("bit_fade_seconds", 2, bad[i]);
		assert_int_equal(c.bit_fade_seconds, 7);
		parse(bad[i]);
		expect_bad_value("bit_fade_seconds", 1, bad[i]);
		assert_int_equal(c.bit_fade_seconds, 300);
	}
}

static void journal_spacing_key(void **s)
{
	(void)s;
	static const struct { const char *v; uint32_t n; } good[] = {
		{ "0", 0 }, { "1", 1 }, { "20", 20 }, { "1000", 1000 }, { "0x10", 16 },
	};
	char buf[128];

	parse("");
	assert_int_equal(c.journal_spacing, 20);
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "journal_spacing=%s", good[i].v);
		parse(buf);
		assert_int_equal(c.nissues, 0);
		assert_int_equal(c.journal_spacing, good[i].n);
	}
	static const char *bad[] = { "journal_spacing=1001", "journal_spacing=-1",
				     "journal_spacing=", "journal_spacing=20x",
				     "journal_spacing=often", "journal_spacing=4294967316" };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "journal_spacing=7\n%s\n", bad[i]);
		parse(buf);
		expect_bad_value("journal_spacing", 2, bad[i]);
		assert_int_equal(c.journal_spacing, 7);
		parse(bad[i]);
		expect_bad_value("journal_spacing", 1, bad[i]);
		assert_int_equal(c.journal_spacing, 20);
	}
}

static void audit_patterns_key(void **s)
{
	(void)s;
	uint32_t own = pattern_bit("own_address"), mi = pattern_bit("mov_inv_ones_zeros"),
		 rnd = pattern_bit("mov_inv_random"), lin = pattern_bit("linux_memtest");

	parse("patterns=own_address");
	assert_int_equal(c.nissues, 0);
	assert_int_equal(c.patterns, own);
	parse("patterns=linux_memtest,mov_inv_random");
	assert_int_equal(c.patterns, lin | rnd);
	parse("patterns=mov_inv_ones_zeros,mov_inv_ones_zeros");
	assert_int_equal(c.nissues, 0);
	assert_int_equal(c.patterns, mi);
	/* a later line replaces the set, it does not add to it */
	parse("patterns=own_address,mov_inv_ones_zeros,mov_inv_random,linux_memtest\n"
	      "patterns=mov_inv_random\n");
	assert_int_equal(c.patterns, rnd);
	parse("patterns=own_address,mov_inv_ones_zeros,mov_inv_random,linux_memtest");
	assert_int_equal(c.patterns, own | mi | rnd | lin);
	/* every name in the table is accepted */
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "patterns=%s", audit_patterns[i].name);
		parse(buf);
		assert_int_equal(c.nissues, 0);
		assert_int_equal(c.patterns, 1u << i);
	}

	static const char *bad[] = {
		"patterns=", "patterns=bogus", "patterns=mov_inv_random,bogus",
		"patterns=bogus,mov_inv_random", "patterns=mov_inv_random,",
		"patterns=,mov_inv_random", "patterns=own_address,,linux_memtest",
		"patterns=,", "patterns=own", "patterns=own_address_", "patterns=OWN_ADDRESS",
		"patterns=own_address;linux_memtest",
	};
	char buf[128];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "patterns=linux_memtest\n%s", bad[i]);
		parse(buf);
		expect_bad_value("patterns", 2, bad[i]);
		assert_int_equal(c.patterns, lin);
	}
	parse("patterns=bogus");
	assert_int_equal(c.patterns, 0);
}

static uint32_t index_of(const char *name)
{
	const struct audit_pattern *p = audit_pattern_find(name, (uint32_t)strlen(name));

	assert_non_null(p);
	return (uint32_t)(p - audit_patterns);
}

static void iterations_key(void **s)
{
	(void)s;
	static const char *const family[] = { "mov_inv_ones_zeros", "mov_inv_8bit",
					      "mov_inv_random", "mov_inv_walk64" };
	char buf[128];

	parse("");
	for (uint32_t i = 0; i < AUDIT_MAX_PATTERNS; i++)
		assert_int_equal(c.iterations[i], 0);
	/* a number: every pattern of the family, nothing else */
	parse("iterations=5");
	assert_int_equal(c.nissues, 0);
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		assert_int_equal(c.iterations[i], audit_patterns[i].iterations ? 5 : 0);
	for (uint32_t f = 0; f < 4; f++)
		assert_int_equal(c.iterations[index_of(family[f])], 5);
	/* by name; a later line adds to and overrides an earlier one */
	parse("iterations=mov_inv_8bit:2,mov_inv_random:1000\niterations=mov_inv_8bit:7");
	assert_int_equal(c.nissues, 0);
	assert_int_equal(c.iterations[index_of("mov_inv_8bit")], 7);
	assert_int_equal(c.iterations[index_of("mov_inv_random")], 1000);
	assert_int_equal(c.iterations[index_of("mov_inv_ones_zeros")], 0);
	assert_int_equal(c.iterations[index_of("mov_inv_walk64")], 0);
	parse("iterations=1\niterations=mov_inv_walk64:3");
	assert_int_equal(c.iterations[index_of("mov_inv_walk64")], 3);
	assert_int_equal(c.iterations[index_of("mov_inv_ones_zeros")], 1);
	/* garbage: an issue, and nothing changes (all or nothing) */
	const char *bad[] = {
		"iterations=", "iterations=0", "iterations=1001", "iterations=-1", "iterations=x",
		"iterations=own_address:2", "iterations=block_move:2", "iterations=mov_inv_8bit",
		"iterations=mov_inv_8bit:", "iterations=mov_inv_8bit:0", "iterations=mov_inv_8bit:2,",
		"iterations=mov_inv_8bit:2,bogus:3", "iterations=mov_inv_8bit:2:3",
		"iterations=:2", "iterations=mov_inv_8bit:2,,mov_inv_random:2",
		"iterations=99999999999999999999", "iterations=mov_inv_8bit:1001",
	};
	for (uint32_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "iterations=mov_inv_random:4\n%s", bad[i]);
		parse(buf);
		expect_bad_value("iterations", 2, bad[i]);
		for (uint32_t k = 0; k < audit_pattern_count; k++)
			assert_int_equal(c.iterations[k], k == index_of("mov_inv_random") ? 4 : 0);
	}
}

static void inject_fault_key(void **s)
{
	(void)s;
	parse("inject_fault=0x1000:0x1\ninject_fault=4096:255\n"
	      "inject_fault = 0xfffffffffffffff8:0xffffffffffffffff\ninject_fault=0:0X8000000000000000\n"
	      "inject_fault=0x1000:0x1\n");
	/* lines for one word add their bits: 0x1000 and 4096 are the same word */
	assert_int_equal(c.nissues, 0);
	assert_int_equal(c.ninject, 3);
	static const struct audit_injection want[3] = {
		{ 0x1000, 0xff }, { 0xfffffffffffffff8ull, ~0ull }, { 0, 1ull << 63 },
	};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(c.inject[i].addr, want[i].addr);
		assert_int_equal(c.inject[i].mask, want[i].mask);
	}

	static const char *bad[] = {
		"inject_fault=0x1004:1", "inject_fault=0x1001:1", "inject_fault=4095:1",
		"inject_fault=0x1000:0", "inject_fault=0x1000:0x0", "inject_fault=0x1000",
		"inject_fault=:1", "inject_fault=0x1000:", "inject_fault=:", "inject_fault=",
		"inject_fault=0x10000000000000000:1", "inject_fault=18446744073709551616:1",
		"inject_fault=0x1000:0x10000000000000000", "inject_fault=0x1000:1:2",
		"inject_fault=0x1000:zz", "inject_fault=-8:1", "inject_fault=0x1000 : 1",
		"inject_fault=0x:1", "inject_fault=0x1000,1",
	};
	char buf[128];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "inject_fault=0x2000:0x4\n%s", bad[i]);
		parse(buf);
		expect_bad_value("inject_fault", 2, bad[i]);
		assert_int_equal(c.ninject, 1);
		assert_int_equal(c.inject[0].addr, 0x2000);
		assert_int_equal(c.inject[0].mask, 4);
		assert_true(c.inject[1].addr == 0 && c.inject[1].mask == 0);
	}
}

static void inject_fault_keeps_sixteen(void **s)
{
	(void)s;
	char buf[2048] = "";

	for (int i = 0; i < AUDIT_MAX_INJECT + 2; i++) {
		char line[64];

		snprintf(line, sizeof(line), "inject_fault=0x%x:0x%x\n", (i + 1) * 0x1000, i + 1);
		strcat(buf, line);
	}
	parse(buf);
	assert_int_equal(c.ninject, AUDIT_MAX_INJECT);
	for (int i = 0; i < AUDIT_MAX_INJECT; i++) {
		assert_int_equal(c.inject[i].addr, (uint64_t)(i + 1) * 0x1000);
		assert_int_equal(c.inject[i].mask, (uint64_t)i + 1);
	}
	/* the 17th and 18th are reported, on their lines */
	assert_int_equal(c.nissues, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(c.issues[i].what, "bad value");
		assert_string_equal(c.issues[i].key, "inject_fault");
		assert_int_equal(c.issues[i].line, AUDIT_MAX_INJECT + 1 + i);
	}
	assert_string_equal(c.issues[0].text, "inject_fault=0x11000:0x11");
}

/* The load options are parsed after METASLOT.CFG and win; what they do not
 * set, or set badly, stays as the file had it. */
static void load_options_win_for_audit_keys(void **s)
{
	(void)s;
	const char *file = "audit=full\npasses=3\npatterns=own_address\ninject_fault=0x3000:1\n";
	const char *opts = "audit=off passes=2\npasses=0\ninject_fault=0x4000:2";

	config_defaults(&c);
	config_parse(&c, file, strlen(file));
	config_parse(&c, opts, strlen(opts));
	/* "audit=off passes=2" is one key with the value "off passes=2" */
	assert_int_equal(c.audit, AUDIT_FULL);
	assert_int_equal(c.passes, 3);
	assert_int_equal(c.patterns, pattern_bit("own_address"));
	assert_int_equal(c.ninject, 2);
	assert_int_equal(c.inject[1].addr, 0x4000);
	assert_int_equal(c.nissues, 2);
	assert_string_equal(c.issues[0].key, "audit");
	assert_int_equal(c.issues[0].line, 1);
	assert_string_equal(c.issues[1].key, "passes");
	assert_int_equal(c.issues[1].line, 2);

	opts = "audit=off\npasses=2\n";
	config_parse(&c, opts, strlen(opts));
	assert_int_equal(c.audit, AUDIT_OFF);
	assert_int_equal(c.passes, 2);
}

static void screen_log_key(void **s)
{
	(void)s;
	parse("");
	assert_int_equal(c.screen_log_json, 0);    /* events stay off the screen */
	parse("screen_log=json\n");
	assert_int_equal(c.screen_log_json, 1);
	assert_int_equal(c.nissues, 0);
	parse("screen_log=json\nscreen_log=human\n");
	assert_int_equal(c.screen_log_json, 0);
	parse("screen_log=json\nscreen_log=all\n");
	assert_int_equal(c.screen_log_json, 1);    /* a bad value leaves the last good one */
	assert_int_equal(c.nissues, 1);
	assert_string_equal(c.issues[0].what, "bad value");
}

static void bandwidth_key(void **s)
{
	(void)s;
	parse("");
	assert_int_equal(c.no_bandwidth, 0);       /* measured unless told not to */
	parse("bandwidth=off\n");
	assert_int_equal(c.no_bandwidth, 1);
	assert_int_equal(c.nissues, 0);
	parse("bandwidth=off\nbandwidth=on\n");
	assert_int_equal(c.no_bandwidth, 0);
	parse("bandwidth=fast\n");
	assert_int_equal(c.no_bandwidth, 0);
	assert_int_equal(c.nissues, 1);
	assert_string_equal(c.issues[0].what, "bad value");
}

/* menu_timeout= is the loader's (efi/menu.c); the kernel knows the key, so
 * it is no "unknown key", and reports a bad value like any other. */
static void menu_timeout_key(void **s)
{
	(void)s;
	parse("");
	assert_int_equal(c.menu_timeout, 0);
	parse("menu_timeout=5\n");
	assert_int_equal(c.menu_timeout, 5);
	assert_int_equal(c.nissues, 0);
	parse("menu_timeout=5\nmenu_timeout=0\n");
	assert_int_equal(c.menu_timeout, 0);
	parse("menu_timeout=3600\n");
	assert_int_equal(c.menu_timeout, 3600);
	assert_int_equal(c.nissues, 0);

	static const char *bad[] = { "menu_timeout=3601", "menu_timeout=-1", "menu_timeout=",
				     "menu_timeout=5s", "menu_timeout=off" };
	char buf[128];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "menu_timeout=7\n%s\n", bad[i]);
		parse(buf);
		expect_bad_value("menu_timeout", 2, bad[i]);
		assert_int_equal(c.menu_timeout, 7);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(later_lines_win_and_whitespace_is_trimmed),
		cmocka_unit_test(comments),
		cmocka_unit_test(serial_values),
		cmocka_unit_test(garbage_lines_are_issues),
		cmocka_unit_test(nul_ends_text_and_long_lines_are_cut),
		cmocka_unit_test(issues_are_bounded),
		cmocka_unit_test(random_bytes_never_crash),
		cmocka_unit_test(audit_defaults),
		cmocka_unit_test(audit_mode),
		cmocka_unit_test(audit_passes),
		cmocka_unit_test(audit_patterns_key),
		cmocka_unit_test(iterations_key),
		cmocka_unit_test(bit_fade_seconds_key),
		cmocka_unit_test(journal_spacing_key),
		cmocka_unit_test(inject_fault_key),
		cmocka_unit_test(inject_fault_keeps_sixteen),
		cmocka_unit_test(load_options_win_for_audit_keys),
		cmocka_unit_test(bandwidth_key),
		cmocka_unit_test(menu_timeout_key),
		cmocka_unit_test(screen_log_key),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
