/* The pre-boot menu (efi/menu.c) as efi/menu_ui.c drives it: the config text
 * the loader built (no NUL inside: config_read cuts the file at one), the
 * machine, then keys and one-second ticks in any order; then its lines are
 * appended and the kernel reads the whole text.
 * Input: 8 bytes RAM, 2 bytes CPUs, 2 bytes text length, the text, then
 * events of 5 bytes (odd first byte: a tick; else a key: scan, char).
 * fuzz-dict: config.dict */
#include <string.h>
#include <kernel/config.h>
#include <lib/cfgline.h>
#include "../efi/menu.h"
#include "common/fuzz.h"

static void seed(const char *name, const char *text, const uint8_t *ev, size_t nev)
{
	uint8_t b[512];
	size_t n = strlen(text);

	memset(b, 0, 12);
	b[3] = 0x40;            /* 1 GiB */
	b[8] = 4;               /* 4 CPUs */
	b[10] = (uint8_t)n, b[11] = (uint8_t)(n >> 8);
	memcpy(b + 12, text, n);
	memcpy(b + 12 + n, ev, nev);
	fuzz_emit(name, b, 12 + n + nev);
}

void fuzz_seeds(void)
{
	static const uint8_t keys[] = {
		0, 4, 0, 0, 0,   0, 2, 0, 0, 0,   0, 3, 0, 0, 0,   0, 0, 0, 'c', 0,
		1, 0, 0, 0, 0,   0, 0, 0, 'F', 0, 0, 0x17, 0, 0, 0, 0, 0, 0, '\r', 0,
	};
	static const uint8_t ticks[] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0 };

	seed("keys", "audit=full\nsmp=8\nmenu_timeout=5\n", keys, sizeof(keys));
	seed("countdown", "menu_timeout=3\npasses=7\n", ticks, sizeof(ticks));
	seed("no_menu", "menu_timeout=0\naudit=off\n", keys, sizeof(keys));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[16384 + MENU_CONFIG_RESERVE];
	static struct config c;
	static struct menu m;
	char lines[MENU_LINES][MENU_COLS];
	struct menu_machine mach = { 0, 0 };
	size_t len;
	long n;

	if (size < 12)
		return 0;
	memcpy(&mach.ram_bytes, data, 8);
	mach.cpus = (uint32_t)(data[8] | data[9] << 8);
	len = (size_t)(data[10] | data[11] << 8);
	data += 12, size -= 12;
	if (len > size || len > 16384)
		len = size < 16384 ? size : 16384;
	memcpy(text, data, len);
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			text[i] = ' ';
	data += len, size -= len;
	menu_init(&m, text, len, &mach);
	for (; size >= 5; data += 5, size -= 5) {
		if (data[0] & 1)
			menu_tick(&m);
		else
			menu_key(&m, (uint16_t)(data[1] | data[2] << 8), (uint16_t)(data[3] | data[4] << 8));
		FUZZ_CHECK(m.cur.audit >= 0 && m.cur.audit < CFG_AUDIT_LEVELS);
		FUZZ_CHECK(m.cur.passes >= 1 && m.cur.passes <= CFG_PASSES_MAX);
		FUZZ_CHECK(m.cur.cpus <= m.cpu_max || m.cur.cpus == m.file.cpus);
		FUZZ_CHECK(m.cur.on_finish >= 0 && m.cur.on_finish < CFG_ON_FINISH_ACTIONS);
		FUZZ_CHECK(m.row >= 0 && m.row < MENU_ROWS);
	}
	menu_render(&m, lines);
	for (int i = 0; i < MENU_LINES; i++) {
		FUZZ_CHECK(memchr(lines[i], 0, MENU_COLS) && lines[i][0] != '{');
		for (const char *p = lines[i]; *p; p++)
			FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
	}
	/* appended as menu_show does; the kernel must then run what was shown */
	if (len && text[len - 1] != '\n')
		text[len++] = '\n';
	n = menu_config_lines(&m, text + len, MENU_CONFIG_RESERVE);
	FUZZ_CHECK(n >= 0 && (size_t)n == strlen(text + len));
	config_defaults(&c);
	config_parse(&c, text, len + (size_t)n);
	FUZZ_CHECK(c.audit == (enum audit_mode)m.cur.audit && c.passes == m.cur.passes &&
		   c.smp_limit == m.cur.cpus && c.on_finish == (enum on_finish)m.cur.on_finish);
	return 0;
}
