/* Host implementation of include/mm/env.h (host_env.c) and its test controls:
 * threads stand in for CPUs, an mmap'd arena for physical memory. */
#ifndef METASLOT_TEST_MM_HOST_ENV_H
#define METASLOT_TEST_MM_HOST_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/env.h>

/* This thread's CPU id. Threads that never set one get 0, 1, 2, ... in order
 * of their first allocator call; two threads running at once must not share. */
void host_env_set_cpu(uint32_t cpu);

/* Fresh allocator over physical [0, frames * 4 KiB): arena + metadata array,
 * init_metadata_array. No RAM added yet. Frees the previous one. */
void host_env_setup(uint64_t frames);
void host_env_teardown(void);
uint8_t *host_env_arena(void);
uint64_t host_env_frames(void);

/* Diagnostics received since the last reset (thread-safe). MM_DIAG_VERBOSE=1
 * in the environment prints each one to stderr. */
unsigned host_env_diag_count(void);
struct mm_diag host_env_last_diag(void);
void host_env_diag_reset(void);

/* Called after each diagnostic is recorded (NULL: none): a test acts there
 * as another CPU would at that moment. Single-threaded tests only. */
void host_env_set_diag_hook(void (*hook)(const struct mm_diag *d));

/* Called by mm_env_panic before it aborts; a test hook may longjmp instead
 * (cmocka's mock_assert). */
void host_env_set_panic_hook(void (*hook)(const struct mm_diag *d));

#endif
