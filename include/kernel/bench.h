/* In-kernel allocator benchmark (METASLOT.CFG bench=on, run by make bench):
 * cycles per alloc/free pair per order on one CPU, and order-0 throughput
 * with 1, 2, ... all CPUs active at once. Events and a table on screen. */
#ifndef METASLOT_KERNEL_BENCH_H
#define METASLOT_KERNEL_BENCH_H

void bench_run(void);

#endif
