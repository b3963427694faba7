/* Host tests of efi/menu.c, the pre-boot menu's state machine: it starts
 * from what the kernel's parser (kernel/config.c) reads in the same text,
 * a countdown with no key runs the configuration as it is, every setting
 * wraps around at both ends, garbage keys change nothing, and the config
 * lines it writes make the kernel run exactly the settings chosen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bootinfo.h>
#include <kernel/config.h>
#include <lib/cfgline.h>
#include "../../efi/menu.h"

static struct menu m;
static struct config kc;
static const struct menu_machine four = { 1ull << 30, 4 };

/* The menu and the kernel, each on a heap copy of exactly the text (no NUL
 * behind it, so ASan sees a read past the end). */
static void start(const char *text, const struct menu_machine *mach)
{
	size_t n = strlen(text);
	char *t = malloc(n ? n : 1);

	assert_non_null(t);
	memcpy(t, text, n);
	menu_init(&m, t, n, mach);
	config_defaults(&kc);
	config_parse(&kc, t, n);
	free(t);
}

static void same_as_kernel(const struct menu_settings *s, const char *text)
{
	if (s->audit != (int)kc.audit || s->passes != kc.passes || s->cpus != kc.smp_limit ||
	    s->on_finish != (int)kc.on_finish)
		fail_msg("menu reads audit %d passes %u cpus %u finish %d, kernel %d %u %u %d in:\n%s",
			 s->audit, s->passes, s->cpus, s->on_finish, kc.audit, kc.passes,
			 kc.smp_limit, kc.on_finish, text);
}

static void key(uint16_t scan, uint16_t ch)
{
	menu_key(&m, scan, ch);
}

static void keys(const char *s)
{
	for (; *s; s++)
		key(0, (uint16_t)(unsigned char)*s);
}

static void reads_the_settings_as_the_kernel_does(void **st)
{
	(void)st;
	static const char *const texts[] = {
		"",
		"audit=full\npasses=3\nsmp=2\non_finish=reboot\nmenu_timeout=9\n",
		"audit=standard\naudit=bogus\npasses=0\npasses=1001\nsmp=off\n",
		"audit=off\nsmp=all\nsmp=4097\non_finish=shutdown\non_finish=Halt\n",
		"smp=on\npasses=0x10\n# audit=full\naudit=full # comment\n",
		"audit=quick\n\x01audit=off\nmenu_timeout=5\nmenu_timeout=3601\n",
		"smp=4096\npasses=1000\naudit=full\naudit=standard",
	};
	for (unsigned i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		start(texts[i], &four);
		same_as_kernel(&m.file, texts[i]);
		same_as_kernel(&m.cur, texts[i]);
		assert_int_equal(m.timeout, kc.menu_timeout);
	}
	start("menu_timeout=9\n", &four);
	assert_int_equal(m.timeout, 9);
	assert_int_equal(m.left, 9);
	assert_int_equal(m.state, MENU_COUNTDOWN);
}

static void no_timeout_no_menu(void **st)
{
	(void)st;
	char out[64];
	static const char *const texts[] = {
		"", "menu_timeout=0\n", "menu_timeout=5\nmenu_timeout=0\n", "menu_timeout=x\n",
		"menu_timeout=-5\n",
	};
	for (unsigned i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		start(texts[i], &four);
		assert_int_equal(m.state, MENU_DONE);
		/* a done menu takes no key and no tick */
		assert_int_equal(menu_key(&m, 0, 'a'), 0);
		assert_int_equal(menu_tick(&m), 0);
		assert_int_equal(menu_config_lines(&m, out, sizeof(out)), 0);
		assert_string_equal(out, "");
	}
}

static void countdown_expiry_runs_the_configuration_as_it_is(void **st)
{
	(void)st;
	char lines[MENU_LINES][MENU_COLS], out[64] = "x";

	start("audit=full\nmenu_timeout=3\n", &four);
	menu_render(&m, lines);
	assert_non_null(strstr(lines[12], "Starting in 3 s"));
	assert_int_equal(menu_tick(&m), 1);
	assert_int_equal(menu_tick(&m), 1);
	assert_int_equal(m.state, MENU_COUNTDOWN);
	menu_render(&m, lines);
	assert_non_null(strstr(lines[12], "Starting in 1 s"));
	assert_int_equal(menu_tick(&m), 1);
	assert_int_equal(m.state, MENU_DONE);
	assert_int_equal(menu_tick(&m), 0);
	assert_int_equal(menu_key(&m, MENU_SCAN_RIGHT, 0), 0);   /* too late */
	assert_int_equal(menu_config_lines(&m, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(m.cur.audit, 3);
}

static void a_key_stops_the_countdown(void **st)
{
	(void)st;
	start("menu_timeout=2\n", &four);
	assert_int_equal(menu_key(&m, 0, ' '), 1);
	assert_int_equal(m.state, MENU_EDITING);
	assert_string_equal(m.note, "");             /* space only stops it */
	for (uint32_t i = 1; i < MENU_IDLE_SECONDS; i++)
		assert_int_equal(menu_tick(&m), 0);
	assert_int_equal(m.state, MENU_EDITING);
	/* a key restarts the idle time */
	key(MENU_SCAN_DOWN, 0);
	for (uint32_t i = 1; i < MENU_IDLE_SECONDS; i++)
		menu_tick(&m);
	assert_int_equal(m.state, MENU_EDITING);
	assert_int_equal(menu_tick(&m), 1);
	assert_int_equal(m.state, MENU_DONE);        /* unattended: starts as shown */
}

static void no_key_is_not_a_key(void **st)
{
	(void)st;
	start("menu_timeout=4\n", &four);
	assert_int_equal(menu_key(&m, 0, 0), 0);
	assert_int_equal(m.state, MENU_COUNTDOWN);
	assert_int_equal(m.left, 4);
}

static void garbage_keys_change_nothing(void **st)
{
	(void)st;
	static const uint16_t scans[] = { 0x05, 0x06, 0x08, 0x09, 0x0b, 0x16, 0x18, 0x48, 0x100,
					  0x8000, 0xffff };
	static const uint16_t chars[] = { 'b', 'z', 'Q', '0', '9', '{', 0x1b, 0x7f, 0x80, 0xe1,
					  0x263a, 0xffff, 'a' + 0x100, 'p' + 0x8000, 0x01 };
	char out[64];

	start("audit=standard\npasses=2\nsmp=3\non_finish=shutdown\nmenu_timeout=5\n", &four);
	for (unsigned i = 0; i < sizeof(scans) / sizeof(scans[0]); i++) {
		assert_int_equal(menu_key(&m, scans[i], 0), 1);
		assert_string_not_equal(m.note, "");
		/* a scan code with a letter is not the letter */
		key(scans[i], 'a');
	}
	for (unsigned i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		assert_int_equal(menu_key(&m, 0, chars[i]), 1);
	assert_int_equal(m.state, MENU_EDITING);
	assert_int_equal(m.row, 0);
	assert_memory_equal(&m.cur, &m.file, sizeof(m.cur));
	assert_int_equal(menu_config_lines(&m, out, sizeof(out)), 0);
	key(0, '\r');
	assert_int_equal(m.state, MENU_DONE);
	assert_int_equal(menu_config_lines(&m, out, sizeof(out)), 0);
}

/* From the file's value, `n` steps in `dir` on the row's arrow keys. */
static void step(int row, int dir, int n)
{
	while (m.row != row)
		key(MENU_SCAN_DOWN, 0);
	for (int i = 0; i < n; i++)
		key(dir > 0 ? MENU_SCAN_RIGHT : MENU_SCAN_LEFT, 0);
}

static void every_setting_wraps_around(void **st)
{
	(void)st;
	start("menu_timeout=5\n", &four);
	step(MENU_ROW_AUDIT, +1, 1);
	assert_string_equal(cfg_audit_names[m.cur.audit], "standard");
	step(MENU_ROW_AUDIT, +1, 2);
	assert_string_equal(cfg_audit_names[m.cur.audit], "off");
	step(MENU_ROW_AUDIT, -1, 1);
	assert_string_equal(cfg_audit_names[m.cur.audit], "full");
	step(MENU_ROW_AUDIT, +1, 4);
	assert_string_equal(cfg_audit_names[m.cur.audit], "full");

	step(MENU_ROW_PASSES, -1, 1);
	assert_int_equal(m.cur.passes, CFG_PASSES_MAX);
	step(MENU_ROW_PASSES, +1, 1);
	assert_int_equal(m.cur.passes, 1);
	step(MENU_ROW_PASSES, +1, 2);
	assert_int_equal(m.cur.passes, 3);

	uint32_t want[] = { 1, 2, 3, 4, 0, 1 };
	for (unsigned i = 0; i < 6; i++) {
		step(MENU_ROW_CPUS, +1, 1);
		assert_int_equal(m.cur.cpus, want[i]);
	}
	step(MENU_ROW_CPUS, -1, 2);
	assert_int_equal(m.cur.cpus, 4);             /* 1 -> all -> 4 */

	step(MENU_ROW_FINISH, -1, 1);
	assert_string_equal(cfg_on_finish_names[m.cur.on_finish], "reboot");
	step(MENU_ROW_FINISH, +1, 1);
	assert_string_equal(cfg_on_finish_names[m.cur.on_finish], "halt");
	step(MENU_ROW_FINISH, +1, 2);
	assert_string_equal(cfg_on_finish_names[m.cur.on_finish], "reboot");

	/* rows wrap too */
	while (m.row != 0)
		key(MENU_SCAN_DOWN, 0);
	key(MENU_SCAN_UP, 0);
	assert_int_equal(m.row, MENU_ROW_FINISH);
	key(MENU_SCAN_DOWN, 0);
	assert_int_equal(m.row, MENU_ROW_AUDIT);
}

static void cpus_without_a_count_and_above_it(void **st)
{
	(void)st;
	const struct menu_machine unknown = { 1ull << 30, 0 };

	start("menu_timeout=5\n", &unknown);
	step(MENU_ROW_CPUS, -1, 1);
	assert_int_equal(m.cur.cpus, CFG_SMP_MAX);
	step(MENU_ROW_CPUS, +1, 1);
	assert_int_equal(m.cur.cpus, 0);

	/* smp=8 from the file on a machine of 4: on to all, back to 4 */
	start("smp=8\nmenu_timeout=5\n", &four);
	step(MENU_ROW_CPUS, +1, 1);
	assert_int_equal(m.cur.cpus, 0);
	start("smp=8\nmenu_timeout=5\n", &four);
	step(MENU_ROW_CPUS, -1, 1);
	assert_int_equal(m.cur.cpus, 4);

	/* firmware reporting more CPUs than smp= can say (the fuzzer's
	 * 8992): the menu stops at CFG_SMP_MAX, and the kernel runs that */
	const struct menu_machine huge = { 1ull << 30, CFG_SMP_MAX + 4896 };

	start("menu_timeout=5\n", &huge);
	step(MENU_ROW_CPUS, -1, 1);
	assert_int_equal(m.cur.cpus, CFG_SMP_MAX);
}

static void letters_pick_and_change(void **st)
{
	(void)st;
	start("menu_timeout=5\n", &four);
	keys("a");
	assert_int_equal(m.row, MENU_ROW_AUDIT);
	assert_string_equal(cfg_audit_names[m.cur.audit], "standard");
	keys("A");
	assert_string_equal(cfg_audit_names[m.cur.audit], "quick");
	keys("pp");
	assert_int_equal(m.row, MENU_ROW_PASSES);
	assert_int_equal(m.cur.passes, 3);
	keys("P");
	assert_int_equal(m.cur.passes, 2);
	keys("cC");
	assert_int_equal(m.row, MENU_ROW_CPUS);
	assert_int_equal(m.cur.cpus, 0);
	keys("C");
	assert_int_equal(m.cur.cpus, 4);
	keys("ff");
	assert_int_equal(m.row, MENU_ROW_FINISH);
	assert_string_equal(cfg_on_finish_names[m.cur.on_finish], "reboot");
	keys("+");
	assert_string_equal(cfg_on_finish_names[m.cur.on_finish], "halt");
	keys("-");
	assert_string_equal(cfg_on_finish_names[m.cur.on_finish], "reboot");
	assert_int_equal(m.state, MENU_EDITING);
}

/* The lines the menu appends, applied by the kernel after the text: the
 * kernel must then run exactly what the menu shows. */
static void kernel_runs_what_was_chosen(const char *text)
{
	char all[512], out[MENU_CONFIG_RESERVE];
	long n = menu_config_lines(&m, out, sizeof(out));

	assert_true(n >= 0 && (size_t)n == strlen(out));
	snprintf(all, sizeof(all), "%s%s", text, out);
	config_defaults(&kc);
	config_parse(&kc, all, strlen(all));
	assert_int_equal(kc.nissues, 0);
	same_as_kernel(&m.cur, all);
}

static void enter_starts_with_the_lines_chosen(void **st)
{
	(void)st;
	const char *text = "audit=full\npasses=2\nsmp=all\non_finish=halt\nmenu_timeout=20\n";
	char out[MENU_CONFIG_RESERVE];

	start(text, &four);
	key(MENU_SCAN_LEFT, 0);                    /* full -> standard */
	key(MENU_SCAN_DOWN, 0);
	key(MENU_SCAN_RIGHT, 0);                   /* passes 3 */
	key(0, '\r');
	assert_int_equal(m.state, MENU_DONE);
	assert_int_equal(menu_config_lines(&m, out, sizeof(out)),
			 strlen("# pre-boot menu\naudit=standard\npasses=3\n"));
	assert_string_equal(out, "# pre-boot menu\naudit=standard\npasses=3\n");
	kernel_runs_what_was_chosen(text);

	start(text, &four);
	keys("cffcf\n");                           /* cpus 2, finish halt, enter by '\n' */
	assert_int_equal(m.state, MENU_DONE);
	menu_config_lines(&m, out, sizeof(out));
	assert_string_equal(out, "# pre-boot menu\nsmp=2\n");
	kernel_runs_what_was_chosen(text);

	/* every setting changed, the longest output */
	start("smp=1\nmenu_timeout=1\n", &four);
	keys("AAPCF\r");
	menu_config_lines(&m, out, sizeof(out));
	assert_string_equal(out, "# pre-boot menu\naudit=full\npasses=1000\nsmp=all\n"
				 "on_finish=reboot\n");
	kernel_runs_what_was_chosen("smp=1\nmenu_timeout=1\n");

	/* changed and changed back: nothing to add */
	start(text, &four);
	keys("aAAa\r");
	assert_int_equal(menu_config_lines(&m, out, sizeof(out)), 0);
}

static void esc_starts_as_configured(void **st)
{
	(void)st;
	char out[64];

	start("menu_timeout=5\n", &four);
	keys("aapf");
	key(MENU_SCAN_ESC, 0);
	assert_int_equal(m.state, MENU_DONE);
	assert_memory_equal(&m.cur, &m.file, sizeof(m.cur));
	assert_int_equal(menu_config_lines(&m, out, sizeof(out)), 0);
}

static void config_lines_that_do_not_fit(void **st)
{
	(void)st;
	char out[MENU_CONFIG_RESERVE];

	start("menu_timeout=5\n", &four);
	keys("AAPCF\r");
	long n = menu_config_lines(&m, out, sizeof(out));

	assert_true(n > 0);
	for (size_t cap = 0; cap <= (size_t)n; cap++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(menu_config_lines(&m, out, cap), -1);
		if (cap)
			assert_int_equal(out[0], 0);
	}
	assert_int_equal(menu_config_lines(&m, out, (size_t)n + 1), n);
}

static void line_of(char lines[MENU_LINES][MENU_COLS], const char *needle)
{
	for (int i = 0; i < MENU_LINES; i++)
		if (strstr(lines[i], needle))
			return;
	fail_msg("no screen line holds \"%s\"", needle);
}

static void the_screen(void **st)
{
	(void)st;
	char lines[MENU_LINES][MENU_COLS];
	const struct menu_machine big = { 64ull << 30, 0 };

	start("audit=standard\npasses=7\nsmp=6\non_finish=shutdown\nmenu_timeout=5\n", &four);
	menu_render(&m, lines);
	line_of(lines, "1024 MiB of RAM, CPUs: 4");
	line_of(lines, " > Audit level  standard");
	line_of(lines, "   Passes       7 ");
	line_of(lines, "   CPUs to use  6 (of 4 present)");
	line_of(lines, "   At the end   shutdown");
	line_of(lines, "Starting in 5 s");
	key(MENU_SCAN_DOWN, 0);
	menu_render(&m, lines);
	line_of(lines, "   Audit level  standard");
	line_of(lines, " > Passes       7 ");
	line_of(lines, "Countdown stopped");
	key(0, 'z');
	menu_render(&m, lines);
	line_of(lines, "That key does nothing");
	start("menu_timeout=5\n", &big);
	menu_render(&m, lines);
	line_of(lines, "64 GiB of RAM, CPUs: unknown");
	line_of(lines, "CPUs to use  all ");
}

/* Any key sequence: settings stay in range, the screen stays plain text
 * that no event parser mistakes for an event, and the lines written make the
 * kernel run what the menu shows. */
static void random_keys_keep_every_invariant(void **st)
{
	(void)st;
	char lines[MENU_LINES][MENU_COLS];
	static const uint16_t scans[] = { 0, 0, 0, 1, 2, 3, 4, 0x17, 9 };
	static const char chars[] = "aApPcCfF+- \rz{";

	srand(16);
	for (int run = 0; run < 2000; run++) {
		start(run % 2 ? "smp=9\npasses=999\nmenu_timeout=3\n" : "menu_timeout=60\n", &four);
		for (int k = 0; k < 40 && m.state != MENU_DONE; k++) {
			uint16_t sc = scans[rand() % 9];
			uint16_t ch = sc ? 0 : (uint16_t)chars[rand() % (sizeof(chars) - 1)];

			if (rand() % 8 == 0)
				menu_tick(&m);
			else
				menu_key(&m, sc, rand() % 50 ? ch : (uint16_t)rand());
			assert_true(m.cur.audit >= 0 && m.cur.audit < CFG_AUDIT_LEVELS);
			assert_true(m.cur.passes >= 1 && m.cur.passes <= CFG_PASSES_MAX);
			assert_true(m.cur.cpus <= 4 || m.cur.cpus == m.file.cpus);
			assert_true(m.cur.on_finish >= 0 && m.cur.on_finish < CFG_ON_FINISH_ACTIONS);
			assert_true(m.row >= 0 && m.row < MENU_ROWS);
			menu_render(&m, lines);
			for (int i = 0; i < MENU_LINES; i++) {
				assert_true(memchr(lines[i], 0, MENU_COLS) != NULL);
				assert_true(lines[i][0] != '{');
				for (const char *c = lines[i]; *c; c++)
					assert_true(*c >= 0x20 && *c < 0x7f);
			}
		}
		kernel_runs_what_was_chosen(run % 2 ? "smp=9\npasses=999\nmenu_timeout=3\n"
						     : "menu_timeout=60\n");
	}
}

static void ram_in_the_memory_map(void **st)
{
	(void)st;
	/* UEFI descriptors at the firmware's odd stride (48), unaligned copy */
	struct { uint32_t type; uint64_t pages; } d[] = {
		{ 7, 1000 }, { 0, 5 }, { 11, 100 }, { 4, 10 }, { 9, 3 }, { 0x80000003u, 2 },
		{ 13, 1 }, { 8, 1 }, { 7, UINT64_MAX }, { 12, 1 },
	};
	enum { N = sizeof(d) / sizeof(d[0]), STRIDE = 48 };
	uint8_t *map = calloc(N, STRIDE);

	assert_non_null(map);
	for (int i = 0; i < N; i++) {
		struct bootinfo_mem_desc x = { 0 };

		x.type = d[i].type;
		x.phys_start = 0x100000ull * (uint64_t)i;
		x.num_pages = d[i].pages;
		memcpy(map + i * STRIDE, &x, sizeof(x));
	}
	/* the UINT64_MAX-page entry would wrap the sum: left out */
	assert_int_equal(menu_ram_bytes(map, N, STRIDE), (1000 + 10 + 3 + 2 + 1) * 4096ull);
	assert_int_equal(menu_ram_bytes(map, 0, STRIDE), 0);
	free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_settings_as_the_kernel_does),
		cmocka_unit_test(no_timeout_no_menu),
		cmocka_unit_test(countdown_expiry_runs_the_configuration_as_it_is),
		cmocka_unit_test(a_key_stops_the_countdown),
		cmocka_unit_test(no_key_is_not_a_key),
		cmocka_unit_test(garbage_keys_change_nothing),
		cmocka_unit_test(every_setting_wraps_around),
		cmocka_unit_test(cpus_without_a_count_and_above_it),
		cmocka_unit_test(letters_pick_and_change),
		cmocka_unit_test(enter_starts_with_the_lines_chosen),
		cmocka_unit_test(esc_starts_as_configured),
		cmocka_unit_test(config_lines_that_do_not_fit),
		cmocka_unit_test(the_screen),
		cmocka_unit_test(random_keys_keep_every_invariant),
		cmocka_unit_test(ram_in_the_memory_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
