/* Host tests of efi/loadopt.c: UCS-2 load options to config lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../efi/loadopt.h"

static uint16_t u[512];

static size_t ucs2(const char *s, int nul)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		u[i] = (unsigned char)s[i];
	if (nul)
		u[n++] = 0;
	return n * 2;
}

static void shell_path_is_dropped(void **s)
{
	(void)s;
	char out[256];
	size_t b = ucs2("fs0:\\EFI\\BOOT\\BOOTX64.EFI  on_finish=shutdown\taudit=quick", 1);

	assert_int_equal(loadopt_to_config(u, b, out, sizeof(out)), 31);
	assert_string_equal(out, "on_finish=shutdown\naudit=quick\n");
}

static void boot_entry_options_without_path(void **s)
{
	(void)s;
	char out[256];
	size_t b = ucs2("on_finish=reboot stray", 0);

	assert_true(loadopt_to_config(u, b, out, sizeof(out)) > 0);
	assert_string_equal(out, "on_finish=reboot\nstray\n"); /* the kernel reports "stray" */
}

static void binary_options_are_refused(void **s)
{
	(void)s;
	char out[64];
	uint16_t bin[4] = { 0x0001, 0xbeef, 0x4142, 0 };

	assert_int_equal(loadopt_to_config(bin, sizeof(bin), out, sizeof(out)), -1);
	assert_string_equal(out, "");
	/* odd byte count cannot be UCS-2 */
	assert_int_equal(loadopt_to_config(u, 3, out, sizeof(out)), -1);
}

static void empty_and_null(void **s)
{
	(void)s;
	char out[8];

	assert_int_equal(loadopt_to_config(NULL, 0, out, sizeof(out)), 0);
	assert_int_equal(loadopt_to_config(u, ucs2("   ", 1), out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(loadopt_to_config(u, 2, out, 0), -1);
}

static void cut_at_token_edge_when_full(void **s)
{
	(void)s;
	char out[16];
	size_t b = ucs2("a=1 bbbbbbbbbb=2 c=3", 1);
	long n = loadopt_to_config(u, b, out, sizeof(out));

	assert_int_equal(n, 4);
	assert_string_equal(out, "a=1\n");
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(shell_path_is_dropped),
		cmocka_unit_test(boot_entry_options_without_path),
		cmocka_unit_test(binary_options_are_refused),
		cmocka_unit_test(empty_and_null),
		cmocka_unit_test(cut_at_token_edge_when_full),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
