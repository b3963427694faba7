/* Host tests of efi/selfpath.c: the loader's own path from the FilePath
 * device paths firmware and shells really give, and from broken ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../efi/selfpath.h"

static uint8_t dp[8192];
static size_t used;

static void node(uint8_t type, uint8_t sub, const char *ascii_path, int nul)
{
	size_t chars = ascii_path ? strlen(ascii_path) + (nul ? 1 : 0) : 0;
	uint32_t len = 4 + 2 * chars;

	dp[used] = type;
	dp[used + 1] = sub;
	dp[used + 2] = (uint8_t)len;
	dp[used + 3] = (uint8_t)(len >> 8);
	for (size_t i = 0; i < chars; i++) {
		dp[used + 4 + 2 * i] = i < strlen(ascii_path) ? (uint8_t)ascii_path[i] : 0;
		dp[used + 5 + 2 * i] = 0;
	}
	used += len;
}

static void file(const char *p)
{
	node(4, 4, p, 1);
}

static void end(void)
{
	node(0x7f, 0xff, NULL, 0);
}

static void ascii(const uint16_t *s, char *out)
{
	while (*s)
		*out++ = (char)*s++;
	*out = 0;
}

static char got[SELFPATH_MAX];

static int path_of(void)
{
	uint16_t out[SELFPATH_MAX];
	int n = selfpath_file(dp, out, SELFPATH_MAX);

	got[0] = 0;
	if (n >= 0)
		ascii(out, got);
	return n;
}

static void one_node(void **st)
{
	(void)st;
	used = 0;
	file("\\EFI\\BOOT\\BOOTX64.EFI");
	end();
	assert_int_equal(path_of(), 21);
	assert_string_equal(got, "\\EFI\\BOOT\\BOOTX64.EFI");
	uint16_t out[SELFPATH_MAX];

	selfpath_file(dp, out, SELFPATH_MAX);
	assert_int_equal(selfpath_dir_len(out), 10); /* "\EFI\BOOT\" */
}

static void one_node_per_component(void **st)
{
	(void)st;
	used = 0;
	file("\\EFI");
	file("metaslot\\");  /* separators on either side, or none */
	file("metaslot.efi");
	end();
	path_of();
	assert_string_equal(got, "\\EFI\\metaslot\\metaslot.efi");
	used = 0;
	file("EFI/metaslot/metaslot.efi"); /* no leading separator, forward slashes */
	end();
	path_of();
	assert_string_equal(got, "\\EFI\\metaslot\\metaslot.efi");
}

static void other_nodes_are_skipped(void **st)
{
	(void)st;
	used = 0;
	node(2, 1, "xx", 0);              /* an ACPI node: a firmware passing the whole path */
	node(4, 1, "hdhdhdhdhdhdhdhdhdhd", 0); /* a hard-drive node */
	node(4, 4, "\\A.EFI", 0);         /* PathName without its NUL */
	end();
	assert_int_equal(path_of(), 6);
	assert_string_equal(got, "\\A.EFI");
}

static void no_file_node_means_no_path(void **st)
{
	(void)st;
	uint16_t out[4];

	used = 0;
	node(1, 3, "mem-map-node", 0);    /* a memory-mapped device path */
	end();
	assert_int_equal(path_of(), 0);
	assert_int_equal(selfpath_file(NULL, out, 4), 0);  /* no FilePath at all */
	assert_int_equal(out[0], 0);
}

static void broken_paths_are_refused(void **st)
{
	(void)st;
	uint16_t out[8];

	used = 0;
	node(4, 4, "\\x", 1);
	dp[2] = 2;                        /* length below a node header */
	assert_int_equal(path_of(), -1);
	memset(dp, 0, sizeof(dp));        /* no end node: bounded walk */
	for (used = 0; used + 8 <= sizeof(dp);)
		node(1, 1, "ab", 0);
	assert_int_equal(path_of(), -1);
	used = 0;
	file("\\EFI\\METASLOT\\A-VERY-LONG-NAME.EFI");
	end();
	assert_int_equal(selfpath_file(dp, out, 8), -1); /* does not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_node),
		cmocka_unit_test(one_node_per_component),
		cmocka_unit_test(other_nodes_are_skipped),
		cmocka_unit_test(no_file_node_means_no_path),
		cmocka_unit_test(broken_paths_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
