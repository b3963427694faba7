/* Host tests of kernel/config.c: METASLOT.CFG parsing with garbage input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/config.h>

static struct config c;

static void parse(const char *s)
{
	config_defaults(&c);
	config_parse(&c, s, strlen(s));
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
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
