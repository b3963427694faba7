/* The run's state (audit_status.h) as the passes go, and the pattern_done
 * event. Everything here runs on the boot CPU (between the barriers of a
 * pass, or from progress.c's boot-CPU event), audit_status's one writer.
 *
 * Time left: the work of the run is counted in sweeps (passes over all the
 * tested memory, the unit every pattern's cost is given in), the first pass
 * having its own count (memtest86+'s shorter first pass); the rate so far,
 * sweeps done over the time since the run began, is assumed for the rest. */
#include <kernel/audit_status.h>
#include <kernel/console.h>
#include <kernel/time.h>
#include <lib/json.h>
#include "audit_internal.h"

static const struct audit_plan *plan;
static uint64_t first_sweeps, later_sweeps;   /* of one pass */
static uint64_t done_before;                  /* sweeps of the passes finished */
static uint64_t done_in_pass;                 /* of the patterns finished this pass */
static uint32_t pass_now;

void status_run_begin(const struct audit_plan *p, uint32_t passes)
{
	struct audit_status *s = &audit_status;

	plan = p;
	first_sweeps = plan_pass_sweeps(p, 0);
	later_sweeps = plan_pass_sweeps(p, 1);
	done_before = done_in_pass = 0;
	s->current = -1;
	s->pass = 0;
	s->passes = passes;
	s->selected = p->patterns;
	s->eta_s = 0;
	for (uint32_t i = 0; i < AUDIT_MAX_PATTERNS; i++)
		s->p[i] = (struct audit_pattern_status){
			.state = p->patterns & (1u << i) ? PATTERN_PENDING : PATTERN_NOT_SELECTED };
	s->start_tsc = rdtsc();
	s->running = 1;
}

static uint64_t pass_sweeps(uint32_t pass)
{
	return pass ? later_sweeps : first_sweeps;
}

void status_pass_begin(uint32_t pass)
{
	if (pass)
		done_before += pass_sweeps(pass - 1);
	done_in_pass = 0;
	pass_now = pass;
	audit_status.pass = pass + 1;
}

void status_pattern_begin(uint32_t i)
{
	struct audit_pattern_status *ps = &audit_status.p[i];

	ps->state = PATTERN_RUNNING;
	ps->pass = pass_now + 1;
	ps->percent = 0;
	audit_status.current = (int32_t)i;   /* last: the reader's index */
}

void status_pattern_progress(uint32_t i, uint32_t percent)
{
	audit_status.p[i].percent = percent > 100 ? 100 : percent;
}

/* Seconds left when `done` hundredths of a sweep of the run are behind us
 * (hundredths: a quick pass is only 8 sweeps, so whole sweeps would leave
 * the first pattern without an estimate). */
static uint64_t eta_for(uint64_t done)
{
	uint64_t total = (first_sweeps + (audit_status.passes - 1) * later_sweeps) * 100;
	uint64_t ms = tsc_hz ? (rdtsc() - audit_status.start_tsc) / (tsc_hz / 1000) : 0;

	if (!done || done >= total)
		return 0;
	return ms * (total - done) / done / 1000;
}

uint64_t status_eta_s(uint32_t percent)
{
	uint64_t in_pass = pass_sweeps(pass_now) * percent, done = done_in_pass * 100;
	int32_t cur = audit_status.current;

	/* the running pattern's own share of its sweeps, where it is ahead */
	if (cur >= 0)
		done += plan_pattern_sweeps(plan, (uint32_t)cur, pass_now) * audit_status.p[cur].percent;
	audit_status.eta_s = eta_for(done_before * 100 + (in_pass > done ? in_pass : done));
	return audit_status.eta_s;
}

void audit_pattern_done(const struct pattern_result *r)
{
	struct audit_pattern_status *ps = &audit_status.p[r->pattern];
	uint64_t ms = tsc_hz ? r->cycles / (tsc_hz / 1000) : 0;
	struct jw w;

	done_in_pass += plan_pattern_sweeps(plan, r->pattern, r->pass);
	ps->state = PATTERN_DONE;
	ps->percent = 100;
	ps->ms = ms;
	ps->errors += r->errors;
	audit_status.eta_s = eta_for((done_before + done_in_pass) * 100);
	audit_status.current = -1;

	jw_begin(&w, "pattern_done");
	jw_str(&w, "pattern", audit_patterns[r->pattern].name);
	jw_u64(&w, "pass", r->pass + 1);
	jw_u64(&w, "seconds", (ms + 500) / 1000);
	jw_u64(&w, "ms", ms);
	jw_u64(&w, "bytes_swept", r->bytes_swept);
	jw_u64(&w, "errors", r->errors);
	jw_u64(&w, "iterations", plan_iterations(plan, r->pattern, r->pass));
	if (r->temp_c != INT32_MIN)
		jw_i64(&w, "temp_c", r->temp_c);
	else
		jw_str(&w, "thermal", "unavailable");
	jw_u64(&w, "eta_s", audit_status.eta_s);
	/* whether the journal is written now, or later (journal_step_due) */
	jw_bool(&w, "journal", r->journal);
	event_emit(&w);
}

void status_run_end(void)
{
	audit_status.current = -1;
	audit_status.eta_s = 0;
	audit_status.running = 0;
}
