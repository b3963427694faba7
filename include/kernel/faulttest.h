/* Deliberate faults, so tests can prove the failure paths work on real
 * hardware paths: METASLOT.CFG fault_test=page_fault|stack_overflow|ap_panic.
 * Each ends the run as "fail" through the exception handler or panic(). */
#ifndef METASLOT_KERNEL_FAULTTEST_H
#define METASLOT_KERNEL_FAULTTEST_H

enum fault_test { FAULT_TEST_NONE, FAULT_TEST_PAGE_FAULT, FAULT_TEST_STACK_OVERFLOW,
		  FAULT_TEST_AP_PANIC };

void fault_test_run(enum fault_test t);

#endif
