/* Config parser (config.h): one table of keys, each with its value parser. A
 * value parser returns 0 and updates the config, or -1 and leaves it alone.
 * The line syntax and the numbers are lib/cfgline.c's, which the loader links. */
#include <kernel/config.h>
#include <lib/cfgline.h>
#include <lib/string.h>

static int streq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && !memcmp(a, b, alen);
}

#define PICK(field, ...)                                                        \
	do {                                                                    \
		static const char *const names[] = { __VA_ARGS__ };             \
		int i = cfg_pick(v, n, names, (int)(sizeof(names) / sizeof(names[0]))); \
		if (i < 0)                                                      \
			return -1;                                              \
		c->field = i;                                                   \
		return 0;                                                       \
	} while (0)

/* The settings the loader's pre-boot menu changes: their values are
 * lib/cfgline.c's, in the order of these enums. */
_Static_assert(CFG_AUDIT_LEVELS == AUDIT_FULL + 1 && AUDIT_QUICK == CFG_AUDIT_DEFAULT,
	       "cfg_audit_names follows enum audit_mode");
_Static_assert(CFG_ON_FINISH_ACTIONS == ON_FINISH_REBOOT + 1 && ON_FINISH_HALT == 0,
	       "cfg_on_finish_names follows enum on_finish");
_Static_assert(CONFIG_MAX_PASSES == CFG_PASSES_MAX, "one passes limit");

static int set_on_finish(struct config *c, const char *v, size_t n)
{
	int i;

	if (cfg_parse_on_finish(v, n, &i))
		return -1;
	c->on_finish = (enum on_finish)i;
	return 0;
}

static int set_audit(struct config *c, const char *v, size_t n)
{
	int i;

	if (cfg_parse_audit(v, n, &i))
		return -1;
	c->audit = (enum audit_mode)i;
	return 0;
}

/* The keys whose value is one word of a list; the list's order is the enum's. */
static int set_bench(struct config *c, const char *v, size_t n)
{
	PICK(bench, "off", "on");
}

static int set_bandwidth(struct config *c, const char *v, size_t n)
{
	PICK(no_bandwidth, "on", "off");
}

static int set_screen_log(struct config *c, const char *v, size_t n)
{
	PICK(screen_log_json, "human", "json");
}

static int set_report(struct config *c, const char *v, size_t n)
{
	PICK(save_report, "off", "on");
}

/* resume=on: after a run that did not finish, leave out the pattern it died in */
static int set_resume(struct config *c, const char *v, size_t n)
{
	PICK(resume, "off", "on");
}

/* boot_services=keep: some firmware's runtime services use memory the map
 * calls boot services memory; keep it out of the audit and allocator */
static int set_boot_services(struct config *c, const char *v, size_t n)
{
	PICK(keep_boot_services, "free", "keep");
}

/* known_bad and reports_keep: the loader acts on them, so their values are
 * parsed by the code it links too (lib/cfgline.c) */
static int set_known_bad(struct config *c, const char *v, size_t n)
{
	return cfg_parse_known_bad(v, n, &c->forget_known_bad);
}

static int set_fault_test(struct config *c, const char *v, size_t n)
{
	PICK(fault_test, "none", "page_fault", "stack_overflow", "ap_panic", "report_refused",
	     "ap_late", "console_fault", "bs_copy_corrupt", "audit_panic", "slow_cpu");
}

/* serial=off | com1..com4 | 0xPORT, optionally ",BAUD" (BAUD divides 115200) */
static int set_serial(struct config *c, const char *v, size_t n)
{
	static const uint16_t com[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	size_t comma = 0;
	uint64_t port = 0, baud = 115200;

	if (streq(v, n, "off")) {
		c->serial_enabled = 0;
		return 0;
	}
	while (comma < n && v[comma] != ',')
		comma++;
	if (comma < n && (cfg_parse_u64(v + comma + 1, n - comma - 1, &baud) || baud == 0 ||
			  baud > 115200 || 115200 % baud))
		return -1;
	if (comma == 4 && !memcmp(v, "com", 3) && v[3] >= '1' && v[3] <= '4')
		port = com[v[3] - '1'];
	else if (cfg_parse_u64(v, comma, &port) || port == 0 || port > 0xfff8)
		return -1;
	c->serial_enabled = 1;
	c->serial_port = (uint16_t)port;
	c->serial_baud = (uint32_t)baud;
	return 0;
}

/* smp=off | all | N (1..4096): how many CPUs to use */
static int set_smp(struct config *c, const char *v, size_t n)
{
	return cfg_parse_smp(v, n, &c->smp_limit);
}

/* stress_ops=N: operations per CPU, 0 skips the stress (at most 10^9) */
static int set_stress_ops(struct config *c, const char *v, size_t n)
{
	uint64_t k;

	if (cfg_parse_u64(v, n, &k) || k > 1000000000ull)
		return -1;
	c->stress_ops = k;
	return 0;
}

static int set_passes(struct config *c, const char *v, size_t n)
{
	return cfg_parse_passes(v, n, &c->passes);
}

/* menu_timeout=S: the loader's pre-boot menu (efi/menu.c) acts on it; the
 * kernel only checks it, so a bad value is reported like any other */
static int set_menu_timeout(struct config *c, const char *v, size_t n)
{
	return cfg_parse_menu_timeout(v, n, &c->menu_timeout);
}

/* bit_fade_seconds=N: 1..86400; 0 is refused (a fade test that does not
 * wait tests nothing: leave bit_fade out of patterns= instead) */
static int set_bit_fade_seconds(struct config *c, const char *v, size_t n)
{
	uint64_t k;

	if (cfg_parse_u64(v, n, &k) || k < 1 || k > CONFIG_MAX_BIT_FADE_SECONDS)
		return -1;
	c->bit_fade_seconds = (uint32_t)k;
	return 0;
}

/* journal_spacing=N: 0..1000 */
static int set_journal_spacing(struct config *c, const char *v, size_t n)
{
	uint64_t k;

	if (cfg_parse_u64(v, n, &k) || k > CONFIG_MAX_JOURNAL_SPACING)
		return -1;
	c->journal_spacing = (uint32_t)k;
	return 0;
}

/* patterns=name,name,...: every name must be known, or nothing changes */
static int set_patterns(struct config *c, const char *v, size_t n)
{
	uint32_t mask = 0;

	for (size_t s = 0; s <= n;) {
		size_t e = s;

		while (e < n && v[e] != ',')
			e++;
		const struct audit_pattern *p = audit_pattern_find(v + s, (uint32_t)(e - s));

		if (!p)
			return -1;
		mask |= 1u << (p - audit_patterns);
		s = e + 1;
	}
	c->patterns = mask;
	return 0;
}

/* iterations=N (every pattern of the moving-inversion family) or
 * iterations=name:N,name:N,... (each name one of the family); N 1..1000.
 * All or nothing: one bad item and nothing changes. */
static int set_iterations(struct config *c, const char *v, size_t n)
{
	uint32_t it[AUDIT_MAX_PATTERNS];
	uint64_t k;

	memcpy(it, c->iterations, sizeof(it));
	if (!cfg_parse_u64(v, n, &k)) {
		if (k < 1 || k > CONFIG_MAX_ITERATIONS)
			return -1;
		for (uint32_t i = 0; i < audit_pattern_count; i++)
			if (audit_patterns[i].iterations)
				it[i] = (uint32_t)k;
	} else {
		for (size_t s = 0; s <= n;) {
			size_t e = s, colon;

			while (e < n && v[e] != ',')
				e++;
			for (colon = s; colon < e && v[colon] != ':'; colon++)
				;
			const struct audit_pattern *p = audit_pattern_find(v + s, (uint32_t)(colon - s));

			if (!p || !p->iterations || colon == e ||
			    cfg_parse_u64(v + colon + 1, e - colon - 1, &k) || k < 1 ||
			    k > CONFIG_MAX_ITERATIONS)
				return -1;
			it[p - audit_patterns] = (uint32_t)k;
			s = e + 1;
		}
	}
	memcpy(c->iterations, it, sizeof(it));
	return 0;
}

/* inject_fault=ADDR:MASK (repeatable): ADDR 8-byte aligned, MASK non-zero; a
 * second line for the same word adds its bits (the audit XORs each entry's
 * mask into RAM after a sweep writes the word, so two entries with one mask
 * would cancel out) */
static int set_inject_fault(struct config *c, const char *v, size_t n)
{
	size_t colon = 0;
	uint64_t addr, mask;

	while (colon < n && v[colon] != ':')
		colon++;
	if (colon == n || cfg_parse_u64(v, colon, &addr) ||
	    cfg_parse_u64(v + colon + 1, n - colon - 1, &mask) || addr % 8 || !mask)
		return -1;
	for (uint32_t i = 0; i < c->ninject; i++)
		if (c->inject[i].addr == addr) {
			c->inject[i].mask |= mask;
			return 0;
		}
	if (c->ninject == AUDIT_MAX_INJECT)
		return -1;
	c->inject[c->ninject++] = (struct audit_injection){ addr, mask };
	return 0;
}

static int set_reports_keep(struct config *c, const char *v, size_t n)
{
	return cfg_parse_reports_keep(v, n, &c->reports_keep);
}

static const struct {
	const char *key;
	int (*set)(struct config *c, const char *v, size_t n);
} keys[] = {
	{ "on_finish", set_on_finish },
	{ "serial", set_serial },
	{ "smp", set_smp },
	{ "stress_ops", set_stress_ops },
	{ "bench", set_bench },
	{ "bandwidth", set_bandwidth },
	{ "screen_log", set_screen_log },
	{ "fault_test", set_fault_test },
	{ "audit", set_audit },
	{ "passes", set_passes },
	{ "patterns", set_patterns },
	{ "iterations", set_iterations },
	{ "bit_fade_seconds", set_bit_fade_seconds },
	{ "inject_fault", set_inject_fault },
	{ "report", set_report },
	{ "journal_spacing", set_journal_spacing },
	{ "resume", set_resume },
	{ "boot_services", set_boot_services },
	{ "reports_keep", set_reports_keep },
	{ "known_bad", set_known_bad },
	{ "menu_timeout", set_menu_timeout },
};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->on_finish = ON_FINISH_HALT;
	c->serial_enabled = 1;
	c->serial_port = 0x3f8;
	c->serial_baud = 115200;
	c->stress_ops = CONFIG_DEFAULT_STRESS_OPS;
	c->audit = AUDIT_QUICK;
	c->passes = 1;
	c->bit_fade_seconds = CONFIG_DEFAULT_BIT_FADE_SECONDS;
	c->save_report = 1;
	c->journal_spacing = CONFIG_DEFAULT_JOURNAL_SPACING;
	c->reports_keep = CFG_REPORTS_KEEP_DEFAULT;
}

const char *config_on_finish_name(enum on_finish f)
{
	return (unsigned)f < CFG_ON_FINISH_ACTIONS ? cfg_on_finish_names[f] : "halt";
}

const char *config_audit_name(enum audit_mode a)
{
	return (unsigned)a < CFG_AUDIT_LEVELS ? cfg_audit_names[a] : "?";
}

static void copy_cut(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = n < cap - 1 ? n : cap - 1;

	for (size_t i = 0; i < k; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[k] = 0;
}

static void issue(struct config *c, uint32_t line, const char *what, const char *key,
		  size_t keylen, const char *text, size_t textlen)
{
	if (c->nissues == CONFIG_MAX_ISSUES) {
		c->issues_dropped++;
		return;
	}
	struct config_issue *i = &c->issues[c->nissues++];

	i->line = line;
	i->what = what;
	copy_cut(i->key, sizeof(i->key), key, keylen);
	copy_cut(i->text, sizeof(i->text), text, textlen);
}

/* The syntax is lib/cfgline.c's; here each line meets the table of keys. */
void config_parse(struct config *c, const char *text, size_t len)
{
	struct cfg_cursor cur;
	struct cfg_line l;

	cfg_cursor_init(&cur, text, len);
	while (cfg_next(&cur, &l)) {
		size_t k = 0;

		if (l.error) {
			issue(c, l.lineno, l.error, "", 0, l.raw, l.rawlen);
			continue;
		}
		while (k < sizeof(keys) / sizeof(keys[0]) && !cfg_key_is(&l, keys[k].key))
			k++;
		if (k == sizeof(keys) / sizeof(keys[0]))
			issue(c, l.lineno, "unknown key", l.key, l.klen, l.raw, l.rawlen);
		else if (keys[k].set(c, l.val, l.vlen))
			issue(c, l.lineno, "bad value", l.key, l.klen, l.raw, l.rawlen);
	}
}
