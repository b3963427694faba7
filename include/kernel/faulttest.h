/* Deliberate faults, so tests can prove the failure paths work on real
 * hardware paths: METASLOT.CFG fault_test=page_fault|stack_overflow|ap_panic
 * end the run as "fail" through the exception handler or panic();
 * fault_test=report_refused makes the firmware refuse the run record
 * (SetVariable with attributes it must reject), which is not a failure;
 * fault_test=ap_late makes smp_init give up on the first AP just after it
 * claimed the trampoline (as if it had answered too late), which must cost
 * that CPU and nothing else (kernel/smp/smp.c);
 * fault_test=console_fault faults inside console output with the console
 * lock held (the exception must still be reported, the run end as "fail");
 * fault_test=bs_copy_corrupt flips one bit of the saved copy of boot-services
 * memory, so the restore's checksum must catch it (kernel/mem/bssave.c);
 * fault_test=audit_panic panics mid-audit (the record must say fail, panic);
 * fault_test=slow_cpu makes the last CPU wait 2 ms after every span of the
 * audit, a CPU slower than the rest (passes.c must hand its slices to the
 * others, and the run stays a pass). */
#ifndef METASLOT_KERNEL_FAULTTEST_H
#define METASLOT_KERNEL_FAULTTEST_H

#include <stdint.h>

enum fault_test { FAULT_TEST_NONE, FAULT_TEST_PAGE_FAULT, FAULT_TEST_STACK_OVERFLOW,
		  FAULT_TEST_AP_PANIC, FAULT_TEST_REPORT_REFUSED, FAULT_TEST_AP_LATE,
		  FAULT_TEST_CONSOLE_FAULT, FAULT_TEST_BS_COPY_CORRUPT, FAULT_TEST_AUDIT_PANIC,
		  FAULT_TEST_SLOW_CPU };

void fault_test_run(enum fault_test t);
/* passes.c calls this after every span of the audit. fault_test=audit_panic:
 * the last CPU panics after its first span, so the journal's panic write is
 * proven from an AP in the middle of a sweep; fault_test=slow_cpu: the last
 * CPU waits 2 ms. */
void fault_test_mid_audit(uint32_t cpu);

#endif
