/* The run's outcome (run.h): checks, the summary event, and the end of the
 * run as METASLOT.CFG's on_finish says. Under QEMU the isa-debug-exit status
 * carries the result (lib/qemu_exit.h). */
#include <kernel/run.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/efirt.h>
#include <kernel/screen.h>
#include <kernel/diagscreen.h>
#include <lib/qemu_exit.h>

struct run_summary run = { .cpus = 1 };

int run_check(int ok, const char *what)
{
	run.checks++;
	if (!ok) {
		struct jw w;

		run.checks_failed++;
		if (!run.first_failure)
			run.first_failure = what;
		jw_begin(&w, "check_failed");
		jw_str(&w, "what", what);
		event_emit(&w);
		kprintf("check FAILED: %s", what);
	}
	return ok;
}

enum run_result run_result(void)
{
	if (run.checks_failed)
		return RUN_FAIL;
	/* memory known to be bad from an earlier run is still bad memory */
	return run.bad_frames || run.known_bad_frames ? RUN_BAD_MEMORY : RUN_PASS;
}

static const char *result_name(enum run_result r)
{
	return r == RUN_PASS ? "pass" : r == RUN_BAD_MEMORY ? "bad_memory" : "fail";
}

static void summary(struct jw *w, enum run_result r, const char *reason)
{
	jw_begin(w, "summary");
	jw_str(w, "result", result_name(r));
	if (reason)
		jw_str(w, "reason", reason);
	jw_u64(w, "cpus", run.cpus);
	jw_u64(w, "ram_bytes", run.ram_bytes);
	jw_u64(w, "checks", run.checks);
	jw_u64(w, "checks_failed", run.checks_failed);
	if (run.first_failure)
		jw_str(w, "first_failure", run.first_failure);
	jw_u64(w, "bad_frames", run.bad_frames);
	jw_u64(w, "known_bad_frames", run.known_bad_frames);
	jw_u64(w, "tested_frames", run.tested_frames);
	jw_u64(w, "frames_free_before", run.frames_free_before);
	jw_u64(w, "frames_free_after", run.frames_free_after);
	if (run.frames_withheld)
		jw_u64(w, "poisoned_during_stress", run.frames_withheld);
	uint64_t gone = run.frames_free_before > run.frames_free_after
				? run.frames_free_before - run.frames_free_after : 0;

	jw_u64(w, "lost", gone > run.frames_withheld ? gone - run.frames_withheld : 0);
	jw_str(w, "on_finish", config_on_finish_name(kcfg.on_finish));
}

static enum qemu_exit_code exit_code(enum run_result r)
{
	return r == RUN_PASS ? QEMU_EXIT_PASS : r == RUN_BAD_MEMORY ? QEMU_EXIT_BAD_MEMORY
								    : QEMU_EXIT_FAIL;
}

void run_finish(void)
{
	enum run_result r = run_result();
	struct jw w;

	summary(&w, r, r == RUN_FAIL ? "check failed" : 0);
	event_emit(&w);
	screen_result(r, r == RUN_FAIL ? run.first_failure : r == RUN_BAD_MEMORY
					? "bad frames were found and quarantined"
					: "no bad memory, no broken invariant");
	kprintf("metaslot: result %s; %s", result_name(r), config_on_finish_name(kcfg.on_finish));
	switch (kcfg.on_finish) {
	case ON_FINISH_SHUTDOWN:
		qemu_exit(exit_code(r));
		efirt_reset(EFI_RESET_SHUTDOWN);
		kprintf("metaslot: firmware did not shut down; halting");
		break;
	case ON_FINISH_REBOOT:
		efirt_reset(EFI_RESET_COLD);
		kprintf("metaslot: firmware did not reboot; halting");
		break;
	case ON_FINISH_HALT:
		break;
	}
	halt_forever();
}

void run_stop_failed(const char *reason)
{
	struct jw w;

	summary(&w, RUN_FAIL, reason);
	console_emergency(jw_finish(&w));
	diag_result(DIAG_RESULT_FAIL, reason); /* other CPUs are stopped: no lock */
	/* halt keeps the message on screen; otherwise let QEMU report the failure */
	if (kcfg.on_finish != ON_FINISH_HALT)
		qemu_exit(QEMU_EXIT_FAIL);
	halt_forever();
}
