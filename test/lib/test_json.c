/* Host tests of lib/json.c and lib/fmt.c: every event is one
 * valid JSON line, even when it does not fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <lib/fmt.h>
#include <lib/json.h>

static struct jw w;

/* A small JSON checker: objects, strings with escapes, integers, booleans. */
static const char *val(const char *p);

static const char *str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdef", p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *obj(const char *p)
{
	if (*p++ != '{')
		return NULL;
	if (*p == '}')
		return p + 1;
	for (;;) {
		p = str(p);
		if (!p || *p++ != ':')
			return NULL;
		p = val(p);
		if (!p)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *val(const char *p)
{
	if (*p == '{')
		return obj(p);
	if (*p == '"')
		return str(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') { /* a fraction: at least one digit */
		if (p[1] < '0' || p[1] > '9')
			return NULL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	return p;
}

static void assert_valid(const char *s)
{
	const char *end = obj(s);

	if (!end || *end)
		fail_msg("not one JSON object: %s", s);
	assert_int_equal(strncmp(s, "{\"ev\":\"", 7), 0);
	assert_null(strchr(s, '\n'));
}

static void simple_event(void **s)
{
	(void)s;
	jw_begin(&w, "metadata");
	jw_u64(&w, "bytes", 8388608);
	jw_u64(&w, "max", UINT64_MAX);
	jw_i64(&w, "neg", -42);
	jw_bool(&w, "ok", 1);
	jw_str(&w, "s", "a\"b\\c\n\x01\xff");
	const char *o = jw_finish(&w);

	assert_string_equal(o, "{\"ev\":\"metadata\",\"bytes\":8388608,\"max\":18446744073709551615,"
			       "\"neg\":-42,\"ok\":true,\"s\":\"a\\\"b\\\\c\\u000a\\u0001\\u00ff\"}");
	assert_valid(o);
}

static void milli_numbers(void **s)
{
	(void)s;
	jw_begin(&w, "rate");
	jw_milli(&w, "gbps", 12345);
	jw_milli(&w, "ratio", 905);
	jw_milli(&w, "zero", 0);
	jw_milli(&w, "big", UINT64_MAX);
	const char *o = jw_finish(&w);

	assert_string_equal(o, "{\"ev\":\"rate\",\"gbps\":12.345,\"ratio\":0.905,\"zero\":0.000,"
			       "\"big\":18446744073709551.615}");
	assert_valid(o);
}

static void nested_objects(void **s)
{
	(void)s;
	jw_begin(&w, "memmap");
	jw_obj_begin(&w, "bytes_by_type");
	jw_u64(&w, "conventional", 1);
	jw_u64(&w, "reserved", 2);
	jw_obj_end(&w);
	jw_obj_begin(&w, "empty");
	jw_obj_end(&w);
	jw_obj_begin(&w, "left_open");
	jw_u64(&w, "x", 3);
	const char *o = jw_finish(&w);

	assert_string_equal(o, "{\"ev\":\"memmap\",\"bytes_by_type\":{\"conventional\":1,"
			       "\"reserved\":2},\"empty\":{},\"left_open\":{\"x\":3}}");
	assert_valid(o);
}

static void overflow_is_cut_to_valid_json(void **s)
{
	(void)s;
	char big[600];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	for (int depth = 0; depth < 3; depth++) {
		jw_begin(&w, "big");
		for (int i = 0; i < depth; i++)
			jw_obj_begin(&w, "o");
		for (int i = 0; i < 10; i++) {
			jw_str(&w, "k", big);
			jw_u64(&w, "n", i);
		}
		const char *o = jw_finish(&w);

		assert_true(w.truncated);
		assert_true(strlen(o) < JSON_EVENT_MAX);
		assert_non_null(strstr(o, "\"truncated\":true"));
		assert_valid(o);
	}
}

static void fmt_basics(void **s)
{
	(void)s;
	char b[64];

	assert_int_equal(ksnprintf(b, sizeof(b), "%d|%5d|%-5d|%05d", -7, 42, 42, -42), 20);
	assert_string_equal(b, "-7|   42|42   |-0042");
	ksnprintf(b, sizeof(b), "%u %x %X %llx %lu", 4000000000u, 0xabcu, 0xabcu,
		  0x123456789abcdefull, 18446744073709551615ul);
	assert_string_equal(b, "4000000000 abc ABC 123456789abcdef 18446744073709551615");
	const char *volatile null_str = NULL;

	ksnprintf(b, sizeof(b), "%s|%8s|%-4s|%c|%%|%s", "hi", "r", "l", 'z', null_str);
	assert_string_equal(b, "hi|       r|l   |z|%|(null)");
	ksnprintf(b, sizeof(b), "%016llx %lld", 0xbeefull, (long long)INT64_MIN);
	assert_string_equal(b, "000000000000beef -9223372036854775808");
	ksnprintf(b, sizeof(b), "%p", (void *)0x1000);
	assert_string_equal(b, "0x0000000000001000");
}

static void fmt_truncates_and_counts(void **s)
{
	(void)s;
	char b[8];

	assert_int_equal(ksnprintf(b, sizeof(b), "%s", "0123456789"), 10);
	assert_string_equal(b, "0123456");
	assert_int_equal(ksnprintf(b, 0, "abc"), 3);
	const char *volatile odd = "%q%"; /* unknown conversion, lone % at the end */

	ksnprintf(b, sizeof(b), odd);
	assert_string_equal(b, "%q");
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(simple_event),
		cmocka_unit_test(nested_objects),
		cmocka_unit_test(milli_numbers),
		cmocka_unit_test(overflow_is_cut_to_valid_json),
		cmocka_unit_test(fmt_basics),
		cmocka_unit_test(fmt_truncates_and_counts),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
