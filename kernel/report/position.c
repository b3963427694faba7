/* Where the audit is, for the journal (journal.h): read from audit_status
 * alone, so it is host-tested (test/kernel/test_journal_position.c). */
#include <kernel/audit_status.h>
#include <kernel/journal.h>

static int32_t first_from(uint32_t sel, int32_t from, uint32_t npatterns)
{
	for (int32_t i = from; i < (int32_t)npatterns; i++)
		if (sel & (1u << i))
			return i;
	return -1;
}

void journal_position(const struct audit_status *st, uint32_t npatterns,
		      struct journal_position *out)
{
	int32_t c = st->current;
	uint32_t sel = st->selected, pass = st->pass, n = 0, before = 0;
	int next = 0;      /* c is the pattern to run next, not one run or running */

	if (c >= (int32_t)npatterns)
		c = -1;
	/* between patterns audit_pattern_done leaves current at -1: the last
	 * pattern done in this pass stands for it */
	if (c < 0) {
		int32_t last = -1;

		for (int32_t i = 0; i < (int32_t)npatterns; i++)
			if ((sel & (1u << i)) && st->p[i].state == PATTERN_DONE &&
			    st->p[i].pass == pass)
				last = i;
		c = last;
	}
	if (c < 0 || st->p[c].state == PATTERN_DONE) {
		/* the next one: later in this pass, else the next pass's first */
		int32_t nx = first_from(sel, c + 1, npatterns);

		if (nx < 0 && c >= 0 && pass < st->passes) {
			pass++;
			nx = first_from(sel, 0, npatterns);
		}
		if (nx >= 0) {
			c = nx;
			next = 1;
		}
	}
	out->pass = pass > st->passes ? st->passes : pass;
	out->pattern = c;
	for (uint32_t i = 0; i < npatterns; i++)
		if (sel & (1u << i)) {
			n++;
			before += c >= 0 && i < (uint32_t)c;
		}
	out->percent = 0;
	if (!n || !out->pass || !st->passes)
		return;
	uint64_t part = 0;   /* the share of pattern c done */

	if (!next && c >= 0 && st->p[c].state == PATTERN_DONE)
		part = 100; /* the audit's last pattern, done */
	else if (!next && c >= 0 && st->p[c].state == PATTERN_RUNNING)
		part = st->p[c].percent > 100 ? 100 : st->p[c].percent;
	uint64_t done = ((uint64_t)(out->pass - 1) * n + before) * 100 + part;
	uint64_t pct = done / ((uint64_t)st->passes * n);

	out->percent = pct > 100 ? 100 : (uint32_t)pct;
}
