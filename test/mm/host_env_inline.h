/* The host's mm_env_irq_save / mm_env_irq_restore as static inline functions,
 * for builds with -DMM_ENV_INLINE_HEADER='"mm/host_env_inline.h"' (the bench
 * measures both ways), standing in for a kernel's inline pushf/cli and per-CPU
 * id load. Unlike host_env.c, no automatic CPU ids: a thread that did not call
 * host_env_set_cpu runs as a CPU without a cache. */
#ifndef METASLOT_TEST_MM_HOST_ENV_INLINE_H
#define METASLOT_TEST_MM_HOST_ENV_INLINE_H

#include <stdint.h>

extern __thread int64_t host_env_this_cpu;

static inline struct mm_irq_token mm_env_irq_save(void)
{
	/* -1 (unset) becomes 0xffffffff: >= MM_MAX_CPUS, no cache */
	return (struct mm_irq_token){ 0, (uint32_t)host_env_this_cpu };
}

static inline void mm_env_irq_restore(struct mm_irq_token tok)
{
	(void)tok;
}

#endif
