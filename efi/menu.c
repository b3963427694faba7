/* The pre-boot menu's state machine (menu.h). The settings are read from the
 * config text with lib/cfgline.c's parsers, the ones kernel/config.c uses, so
 * the menu starts from exactly what the kernel would run; it writes back
 * only the settings a person changed. */
#include "menu.h"
#include <bootinfo.h>
#include <lib/cfgline.h>
#include <lib/fmt.h>

void menu_init(struct menu *m, const char *cfg, size_t len, const struct menu_machine *mach)
{
	struct cfg_cursor c;
	struct cfg_line l;
	struct menu_settings *s = &m->file;
	uint32_t timeout = 0;

	*m = (struct menu){ .machine = *mach };
	*s = (struct menu_settings){ .audit = CFG_AUDIT_DEFAULT, .passes = 1 };
	cfg_cursor_init(&c, cfg, len);
	while (cfg_next(&c, &l)) {
		if (l.error)
			continue;
		/* a bad value leaves the setting alone, as in the kernel */
		if (cfg_key_is(&l, "audit"))
			(void)cfg_parse_audit(l.val, l.vlen, &s->audit);
		else if (cfg_key_is(&l, "passes"))
			(void)cfg_parse_passes(l.val, l.vlen, &s->passes);
		else if (cfg_key_is(&l, "smp"))
			(void)cfg_parse_smp(l.val, l.vlen, &s->cpus);
		else if (cfg_key_is(&l, "on_finish"))
			(void)cfg_parse_on_finish(l.val, l.vlen, &s->on_finish);
		else if (cfg_key_is(&l, "menu_timeout"))
			(void)cfg_parse_menu_timeout(l.val, l.vlen, &timeout);
	}
	m->cur = *s;
	/* never more than smp= can say: the kernel must run what was shown */
	m->cpu_max = mach->cpus && mach->cpus < CFG_SMP_MAX ? mach->cpus : CFG_SMP_MAX;
	m->timeout = m->left = timeout;
	m->state = timeout ? MENU_COUNTDOWN : MENU_DONE;
	m->note = "";
}

/* Each setting steps through its values and wraps around at both ends. */
static uint32_t step_range(uint32_t v, uint32_t lo, uint32_t hi, int dir)
{
	if (dir > 0)
		return v >= hi ? lo : v + 1;
	return v <= lo ? hi : v > hi ? hi : v - 1;
}

/* CPUs: all, 1, 2, ..., cpu_max, all. A file's smp= above what the
 * firmware reports steps down to cpu_max, or on to all. */
static uint32_t step_cpus(uint32_t v, uint32_t max, int dir)
{
	if (dir > 0)
		return v == 0 ? 1 : v >= max ? 0 : v + 1;
	return v == 0 ? max : v == 1 ? 0 : v > max ? max : v - 1;
}

static void change(struct menu *m, int row, int dir)
{
	struct menu_settings *s = &m->cur;

	m->row = row;
	switch (row) {
	case MENU_ROW_AUDIT:
		s->audit = (int)step_range((uint32_t)s->audit, 0, CFG_AUDIT_LEVELS - 1, dir);
		break;
	case MENU_ROW_PASSES:
		s->passes = step_range(s->passes, 1, CFG_PASSES_MAX, dir);
		break;
	case MENU_ROW_CPUS:
		s->cpus = step_cpus(s->cpus, m->cpu_max, dir);
		break;
	default:
		s->on_finish = (int)step_range((uint32_t)s->on_finish, 0,
					       CFG_ON_FINISH_ACTIONS - 1, dir);
	}
}

/* The letter keys: lower case steps forward, capital back. */
static int letter_row(uint16_t ch)
{
	switch (ch | 0x20) {
	case 'a': return MENU_ROW_AUDIT;
	case 'p': return MENU_ROW_PASSES;
	case 'c': return MENU_ROW_CPUS;
	case 'f': return MENU_ROW_FINISH;
	default: return -1;
	}
}

int menu_key(struct menu *m, uint16_t scan, uint16_t ch)
{
	int row = ch < 0x80 ? letter_row(ch) : -1;

	if (m->state == MENU_DONE || (scan == 0 && ch == 0))
		return 0;
	m->state = MENU_EDITING;
	m->idle = 0;
	m->note = "";
	if (scan == MENU_SCAN_UP)
		m->row = (m->row + MENU_ROWS - 1) % MENU_ROWS;
	else if (scan == MENU_SCAN_DOWN)
		m->row = (m->row + 1) % MENU_ROWS;
	else if (scan == MENU_SCAN_RIGHT || (scan == 0 && ch == '+'))
		change(m, m->row, +1);
	else if (scan == MENU_SCAN_LEFT || (scan == 0 && ch == '-'))
		change(m, m->row, -1);
	else if (scan == MENU_SCAN_ESC) {
		m->cur = m->file;
		m->state = MENU_DONE;
	} else if (scan == 0 && (ch == '\r' || ch == '\n'))
		m->state = MENU_DONE;
	else if (scan == 0 && row >= 0)
		change(m, row, ch >= 'a' ? +1 : -1);
	else if (!(scan == 0 && ch == ' '))  /* space only stops the countdown */
		m->note = "That key does nothing here; the keys are listed above.";
	return 1;
}

int menu_tick(struct menu *m)
{
	if (m->state == MENU_COUNTDOWN) {
		if (--m->left == 0)
			m->state = MENU_DONE;
		return 1;
	}
	if (m->state == MENU_EDITING && ++m->idle >= MENU_IDLE_SECONDS) {
		m->state = MENU_DONE;
		return 1;
	}
	return 0;
}

static void cpus_text(char *out, size_t cap, uint32_t cpus, uint32_t present)
{
	if (cpus == 0)
		ksnprintf(out, cap, "all");
	else if (present && cpus > present)
		ksnprintf(out, cap, "%u (of %u present)", cpus, present);
	else
		ksnprintf(out, cap, "%u", cpus);
}

void menu_render(const struct menu *m, char lines[MENU_LINES][MENU_COLS])
{
	static const char *const label[MENU_ROWS] = {
		"Audit level", "Passes", "CPUs to use", "At the end",
	};
	static const char *const hint[MENU_ROWS] = {
		"off, quick, standard, full", "1..1000", "all, 1..", "halt, shutdown, reboot",
	};
	const struct menu_settings *s = &m->cur;
	uint64_t mib = m->machine.ram_bytes >> 20;
	char val[MENU_ROWS][40], cpus[24];

	for (int i = 0; i < MENU_LINES; i++)
		lines[i][0] = 0;
	ksnprintf(lines[0], MENU_COLS, "metaslot memory audit: pre-boot menu");
	if (m->machine.cpus)
		ksnprintf(cpus, sizeof(cpus), "%u", m->machine.cpus);
	else
		ksnprintf(cpus, sizeof(cpus), "unknown");
	ksnprintf(lines[1], MENU_COLS, "Machine: %llu %s of RAM, CPUs: %s",
		  (unsigned long long)(mib >= 16384 ? mib >> 10 : mib), mib >= 16384 ? "GiB" : "MiB",
		  cpus);
	ksnprintf(val[MENU_ROW_AUDIT], sizeof(val[0]), "%s", cfg_audit_names[s->audit]);
	ksnprintf(val[MENU_ROW_PASSES], sizeof(val[0]), "%u", s->passes);
	cpus_text(val[MENU_ROW_CPUS], sizeof(val[0]), s->cpus, m->machine.cpus);
	ksnprintf(val[MENU_ROW_FINISH], sizeof(val[0]), "%s", cfg_on_finish_names[s->on_finish]);
	for (int r = 0; r < MENU_ROWS; r++)
		ksnprintf(lines[3 + r], MENU_COLS, " %c %-12s %-28s (%s)", r == m->row ? '>' : ' ',
			  label[r], val[r], hint[r]);
	ksnprintf(lines[8], MENU_COLS, "Up/Down pick a setting, Left/Right change it, Enter starts.");
	ksnprintf(lines[9], MENU_COLS, "Or a, p, c, f change audit, passes, CPUs, end (capitals: back).");
	ksnprintf(lines[10], MENU_COLS, "Esc starts with the configuration as it was.");
	if (m->state == MENU_COUNTDOWN)
		ksnprintf(lines[12], MENU_COLS, "Starting in %u s as configured; any key stops this.",
			  m->left);
	else if (m->state == MENU_EDITING)
		ksnprintf(lines[12], MENU_COLS, "Countdown stopped: Enter starts with these settings.");
	else
		ksnprintf(lines[12], MENU_COLS, "Starting.");
	ksnprintf(lines[13], MENU_COLS, "%s", m->note);
}

/* Appends the n-byte line at s; 0, or -1 when it does not fit. */
static int put(char *out, size_t cap, size_t *len, const char *s, int n)
{
	if (n < 0 || *len + (size_t)n + 1 > cap)
		return -1;
	for (int i = 0; i < n; i++)
		out[(*len)++] = s[i];
	out[*len] = 0;
	return 0;
}

long menu_config_lines(const struct menu *m, char *out, size_t cap)
{
	const struct menu_settings *f = &m->file, *c = &m->cur;
	char line[48];
	size_t len = 0;
	int bad = 0;

	if (cap == 0)
		return -1;
	out[0] = 0;
	if (f->audit == c->audit && f->passes == c->passes && f->cpus == c->cpus &&
	    f->on_finish == c->on_finish)
		return 0;
	bad |= put(out, cap, &len, line, ksnprintf(line, sizeof(line), "# pre-boot menu\n"));
	if (f->audit != c->audit)
		bad |= put(out, cap, &len, line, ksnprintf(line, sizeof(line), "audit=%s\n",
							     cfg_audit_names[c->audit]));
	if (f->passes != c->passes)
		bad |= put(out, cap, &len, line, ksnprintf(line, sizeof(line), "passes=%u\n",
							     c->passes));
	if (f->cpus != c->cpus)
		bad |= put(out, cap, &len, line,
			   c->cpus ? ksnprintf(line, sizeof(line), "smp=%u\n", c->cpus)
				   : ksnprintf(line, sizeof(line), "smp=all\n"));
	if (f->on_finish != c->on_finish)
		bad |= put(out, cap, &len, line, ksnprintf(line, sizeof(line), "on_finish=%s\n",
							     cfg_on_finish_names[c->on_finish]));
	if (bad) {
		out[0] = 0;
		return -1;
	}
	return (long)len;
}

uint64_t menu_ram_bytes(const void *map, uint32_t count, uint32_t stride)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, stride, i);

		/* a hostile page count must not wrap the sum */
		if (!bootinfo_mem_is_ram(d.type) || d.num_pages > (UINT64_MAX - sum) >> 12)
			continue;
		sum += d.num_pages << 12;
	}
	return sum;
}
