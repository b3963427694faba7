/* Deliberate faults, so tests can prove the failure paths work on real
 * hardware paths: METASLOT.CFG fault_test=page_fault|stack_overflow|ap_panic
 * end the run as "fail" through the exception handler or panic();
 * fault_test=report_refused makes the firmware refuse the run record
 * (SetVariable with attributes it must reject), which is not a failure;
 * fault_test=ap_late makes smp_init give up on the first AP just after it
 * claimed the trampoline (as if it had answered too late), which must cost
 * that CPU and nothing else (kernel/smp/smp.c). */
#ifndef METASLOT_KERNEL_FAULTTEST_H
#define METASLOT_KERNEL_FAULTTEST_H

enum fault_test { FAULT_TEST_NONE, FAULT_TEST_PAGE_FAULT, FAULT_TEST_STACK_OVERFLOW,
		  FAULT_TEST_AP_PANIC, FAULT_TEST_REPORT_REFUSED, FAULT_TEST_AP_LATE };

void fault_test_run(enum fault_test t);

#endif
