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

	if (c >= (int32_t)npatterns)
		c = -1;
	if (c < 0 || st->p[c].state == PATTERN_DONE) {
		/* the next one: later in this pass, else the next pass's first */
		int32_t next = first_from(sel, c + 1, npatterns);

		if (next < 0 && c >= 0 && pass < st->passes) {
			pass++;
			next = first_from(sel, 0, npatterns);
		}
		if (next >= 0)
			c = next;
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
	uint64_t part = 0;

	/* the running one's share; a pattern named as the next has none yet
	 * (its state may be DONE from the pass before) */
	if (c != st->current)
		part = 0;
	else if (c >= 0 && st->p[c].state == PATTERN_DONE)
		part = 100; /* the last one of the audit, done */
	else if (c >= 0 && st->p[c].state == PATTERN_RUNNING)
		part = st->p[c].percent > 100 ? 100 : st->p[c].percent;
	uint64_t done = ((uint64_t)(out->pass - 1) * n + before) * 100 + part;
	uint64_t pct = done / ((uint64_t)st->passes * n);

	out->percent = pct > 100 ? 100 : (uint32_t)pct;
}
