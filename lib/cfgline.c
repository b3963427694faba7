/* The config syntax (cfgline.h), shared by the kernel and the loader. The
 * loader links no libc and not lib/string.c, hence the hand-written loops. */
#include <lib/cfgline.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_text(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || is_space((char)c);
}

static int same(const char *a, size_t alen, const char *b)
{
	size_t i = 0;

	for (; i < alen; i++)
		if (b[i] != a[i]) /* b's NUL differs from any byte of a text line */
			return 0;
	return b[i] == 0;
}

void cfg_cursor_init(struct cfg_cursor *c, const char *text, size_t len)
{
	c->text = text;
	c->len = len;
	c->pos = 0;
	c->lineno = 0;
	c->done = 0;
}

/* 1 and *l for a line with content (perhaps an error), 0 for blank/comment. */
static int split(const char *s, size_t n, struct cfg_line *l)
{
	size_t klen, vlen;
	const char *v;

	l->raw = s;
	l->rawlen = n;
	l->key = l->val = s;
	l->klen = l->vlen = 0;
	l->error = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '#' && (i == 0 || is_space(s[i - 1]))) {
			n = i;
			break;
		}
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_text((unsigned char)s[i])) {
			l->error = "not text";
			return 1;
		}
	for (klen = 0; klen < n && s[klen] != '='; klen++)
		;
	if (klen == n) {
		l->error = "not key=value";
		return 1;
	}
	v = s + klen + 1;
	vlen = n - klen - 1;
	while (klen && is_space(s[klen - 1]))
		klen--;
	while (vlen && is_space(*v))
		v++, vlen--;
	if (klen == 0) {
		l->error = "empty key";
		return 1;
	}
	l->key = s;
	l->klen = klen;
	l->val = v;
	l->vlen = vlen;
	return 1;
}

int cfg_next(struct cfg_cursor *c, struct cfg_line *l)
{
	while (!c->done) {
		size_t s = c->pos, e = s;

		while (e < c->len && c->text[e] != '\n' && c->text[e])
			e++;
		if (e >= c->len || !c->text[e])
			c->done = 1;
		c->pos = e + 1;
		l->lineno = ++c->lineno;
		if (split(c->text + s, e - s, l))
			return 1;
	}
	return 0;
}

int cfg_key_is(const struct cfg_line *l, const char *key)
{
	return !l->error && same(l->key, l->klen, key);
}

int cfg_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int cfg_pick(const char *v, size_t n, const char *const *names, int count)
{
	for (int i = 0; i < count; i++)
		if (same(v, n, names[i]))
			return i;
	return -1;
}

int cfg_parse_reports_keep(const char *v, size_t n, uint32_t *out)
{
	uint64_t k;

	if (cfg_parse_u64(v, n, &k) || k < 1 || k > CFG_REPORTS_KEEP_MAX)
		return -1;
	*out = (uint32_t)k;
	return 0;
}

int cfg_parse_known_bad(const char *v, size_t n, int *forget)
{
	static const char *const names[] = { "keep", "forget" };
	int i = cfg_pick(v, n, names, 2);

	if (i < 0)
		return -1;
	*forget = i;
	return 0;
}

const char *const cfg_audit_names[CFG_AUDIT_LEVELS] = { "off", "quick", "standard", "full" };
const char *const cfg_on_finish_names[CFG_ON_FINISH_ACTIONS] = { "halt", "shutdown", "reboot" };

int cfg_parse_audit(const char *v, size_t n, int *level)
{
	int i = cfg_pick(v, n, cfg_audit_names, CFG_AUDIT_LEVELS);

	if (i < 0)
		return -1;
	*level = i;
	return 0;
}

int cfg_parse_on_finish(const char *v, size_t n, int *action)
{
	int i = cfg_pick(v, n, cfg_on_finish_names, CFG_ON_FINISH_ACTIONS);

	if (i < 0)
		return -1;
	*action = i;
	return 0;
}

static int parse_range(const char *v, size_t n, uint64_t lo, uint64_t hi, uint32_t *out)
{
	uint64_t k;

	if (cfg_parse_u64(v, n, &k) || k < lo || k > hi)
		return -1;
	*out = (uint32_t)k;
	return 0;
}

int cfg_parse_passes(const char *v, size_t n, uint32_t *out)
{
	return parse_range(v, n, 1, CFG_PASSES_MAX, out);
}

int cfg_parse_smp(const char *v, size_t n, uint32_t *cpus)
{
	static const char *const words[] = { "off", "all", "on" };
	static const uint32_t means[] = { 1, 0, 0 };
	int i = cfg_pick(v, n, words, 3);

	if (i >= 0) {
		*cpus = means[i];
		return 0;
	}
	return parse_range(v, n, 1, CFG_SMP_MAX, cpus);
}

int cfg_parse_menu_timeout(const char *v, size_t n, uint32_t *out)
{
	return parse_range(v, n, 0, CFG_MENU_TIMEOUT_MAX, out);
}
