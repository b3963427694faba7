/* Host tests of journal_position (kernel/report/position.c): what the run
 * record names as running, from audit_status as the audit fills it, both
 * today (pass start: current = -1; mid-pass: current set, not DONE) and with
 * the per-pattern barrier (current DONE: the next one, maybe in the next
 * pass), and the percent of the whole audit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/audit_status.h>
#include <kernel/journal.h>

#define NPAT 4u
static struct audit_status st;
static struct journal_position at;

/* Patterns 0, 2 and 3 selected, 2 passes. */
static void reset(void)
{
	memset(&st, 0, sizeof(st));
	st.selected = 0xd;
	st.passes = 2;
	st.pass = 1;
	st.current = -1;
}

static void where(uint32_t pass, int32_t pattern, uint32_t percent)
{
	journal_position(&st, NPAT, &at);
	assert_int_equal(at.pass, pass);
	assert_int_equal(at.pattern, pattern);
	assert_int_equal(at.percent, percent);
}

static void at_a_pass_start_the_first_selected_pattern(void **s)
{
	(void)s;
	reset();
	where(1, 0, 0);
	st.pass = 2;
	where(2, 0, 50);
	st.selected = 0x4;
	where(2, 2, 50);
}

static void a_running_pattern_is_named_with_its_share(void **s)
{
	(void)s;
	reset();
	st.current = 2;
	st.p[2].state = PATTERN_RUNNING;
	st.p[2].percent = 60;
	/* pass 1 of 2, one of three patterns done, the second at 60% */
	where(1, 2, (100 + 60) / 6);
	st.p[2].percent = 250; /* a figure past 100 counts as the pattern done */
	where(1, 2, 200 / 6);
	st.p[2].state = PATTERN_NOT_SELECTED; /* today: set, no state */
	where(1, 2, 100 / 6);
}

static void a_done_pattern_names_the_next(void **s)
{
	(void)s;
	reset();
	st.current = 0;
	st.p[0].state = PATTERN_DONE;
	where(1, 2, 100 / 6); /* one of six pattern runs done */
	st.current = 3;
	st.p[3].state = PATTERN_DONE; /* the last of pass 1: pass 2's first */
	where(2, 0, 50);
	st.pass = 2;                  /* the last of the last pass: it stays */
	where(2, 3, 100);
}

/* As kernel/audit/status.c does it: audit_pattern_done marks the pattern
 * DONE with the pass it ran in and sets current to -1. */
static void between_patterns_current_is_minus_one(void **s)
{
	(void)s;
	reset();
	st.p[0] = (struct audit_pattern_status){ .state = PATTERN_DONE, .pass = 1 };
	where(1, 2, 100 / 6);                 /* own first pattern done: the second next */
	st.p[2] = (struct audit_pattern_status){ .state = PATTERN_DONE, .pass = 1 };
	where(1, 3, 200 / 6);
	st.p[3] = (struct audit_pattern_status){ .state = PATTERN_DONE, .pass = 1 };
	where(2, 0, 50);                      /* the pass's last: the next pass's first */
	st.pass = 2;                          /* pass 2 begun: pass 1's DONE states are old */
	where(2, 0, 50);
	st.p[0].pass = 2;
	where(2, 2, 400 / 6);
	st.p[2].pass = 2;
	st.p[3].pass = 2;
	where(2, 3, 100);                     /* the audit's last pattern done */
}

static void nothing_selected_or_broken_figures_stay_bounded(void **s)
{
	(void)s;
	reset();
	st.selected = 0;
	where(1, -1, 0);
	reset();
	st.current = 31; /* beyond the table */
	where(1, 0, 0);
	reset();
	st.pass = 7; /* beyond passes */
	where(2, 0, 50);
	reset();
	st.passes = 0;
	where(0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(at_a_pass_start_the_first_selected_pattern),
		cmocka_unit_test(a_running_pattern_is_named_with_its_share),
		cmocka_unit_test(a_done_pattern_names_the_next),
		cmocka_unit_test(between_patterns_current_is_minus_one),
		cmocka_unit_test(nothing_selected_or_broken_figures_stay_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
