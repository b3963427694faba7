/* Host implementation of the mm environment (include/mm/env.h): no-op
 * interrupts whose token carries a thread-local CPU id, ticket locks with the same C11 atomics
 * the kernel uses, an mmap'd arena as physical memory, recorded diagnostics. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "mm/host_env.h"

__thread int64_t host_env_this_cpu = -1;
static atomic_uint next_cpu;
static uint8_t *arena;
static uint64_t arena_frames;
static void *meta_array;

static pthread_mutex_t diag_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned diag_count;
static struct mm_diag diag_last;
static void (*panic_hook)(const struct mm_diag *d);
static void (*diag_hook)(const struct mm_diag *d);

uint32_t host_env_assign_cpu(void)
{
	host_env_this_cpu = atomic_fetch_add_explicit(&next_cpu, 1, memory_order_relaxed);
	return (uint32_t)host_env_this_cpu;
}

#ifndef MM_ENV_INLINE_HEADER
struct mm_irq_token mm_env_irq_save(void)
{
	int64_t cpu = host_env_this_cpu;

	return (struct mm_irq_token){ 0, cpu >= 0 ? (uint32_t)cpu : host_env_assign_cpu() };
}

void mm_env_irq_restore(struct mm_irq_token tok)
{
	(void)tok;
}
#endif

void host_env_set_cpu(uint32_t cpu)
{
	host_env_this_cpu = cpu;
}

void mm_env_lock(struct mm_lock *l)
{
	/* relaxed: taking a ticket orders nothing; the acquire load below does */
	unsigned t = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);

	while (atomic_load_explicit(&l->owner, memory_order_acquire) != t)
		mm_env_cpu_relax();
}

void mm_env_unlock(struct mm_lock *l)
{
	unsigned o = atomic_load_explicit(&l->owner, memory_order_relaxed);

	/* release: the critical section's writes are visible to the next owner */
	atomic_store_explicit(&l->owner, o + 1, memory_order_release);
}

void mm_env_cpu_relax(void)
{
	__builtin_ia32_pause();
}

void *mm_env_phys_to_virt(uint64_t phys)
{
	if (!arena || phys >= arena_frames * PAGE_SIZE) {
		fprintf(stderr, "host_env: phys %#llx outside the arena\n", (unsigned long long)phys);
		abort();
	}
	return arena + phys;
}

void mm_env_diag(const struct mm_diag *d)
{
	static atomic_int verbose = -1; /* diagnostics may come from several threads */

	if (atomic_load(&verbose) < 0)
		atomic_store(&verbose, getenv("MM_DIAG_VERBOSE") != NULL);
	pthread_mutex_lock(&diag_mu);
	diag_count++;
	diag_last = *d;
	pthread_mutex_unlock(&diag_mu);
	if (atomic_load(&verbose))
		fprintf(stderr, "{\"ev\":\"mm_diag\",\"code\":\"%s\",\"op\":\"%s\",\"phys\":%llu,"
			"\"order\":%u,\"value\":%llu,\"reason\":\"%s\"}\n", alloc_error_name(d->code),
			d->op, (unsigned long long)d->phys, d->order, (unsigned long long)d->value,
			d->reason);
	if (diag_hook)
		diag_hook(d);
}

void host_env_set_diag_hook(void (*hook)(const struct mm_diag *d))
{
	diag_hook = hook;
}

_Noreturn void mm_env_panic(const struct mm_diag *d)
{
	if (panic_hook)
		panic_hook(d);
	fprintf(stderr, "mm panic: %s: %s (phys %#llx)\n", d->op, d->reason,
		(unsigned long long)d->phys);
	abort();
}

void host_env_set_panic_hook(void (*hook)(const struct mm_diag *d))
{
	panic_hook = hook;
}

unsigned host_env_diag_count(void)
{
	pthread_mutex_lock(&diag_mu);
	unsigned n = diag_count;
	pthread_mutex_unlock(&diag_mu);
	return n;
}

struct mm_diag host_env_last_diag(void)
{
	pthread_mutex_lock(&diag_mu);
	struct mm_diag d = diag_last;
	pthread_mutex_unlock(&diag_mu);
	return d;
}

void host_env_diag_reset(void)
{
	pthread_mutex_lock(&diag_mu);
	diag_count = 0;
	diag_last = (struct mm_diag){ 0 };
	pthread_mutex_unlock(&diag_mu);
}

void host_env_teardown(void)
{
	if (arena)
		munmap(arena, arena_frames * PAGE_SIZE);
	free(meta_array);
	arena = NULL;
	meta_array = NULL;
	arena_frames = 0;
}

void host_env_setup(uint64_t frames)
{
	host_env_teardown();
	arena = mmap(NULL, frames * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t bytes = metadata_size_for(frames * PAGE_SIZE);

	meta_array = aligned_alloc(FRAME_META_ALIGN, bytes);
	if (arena == MAP_FAILED || !meta_array) {
		fprintf(stderr, "host_env: cannot map %llu frames\n", (unsigned long long)frames);
		abort();
	}
	arena_frames = frames;
	if (init_metadata_array(meta_array, bytes, frames) != ALLOC_ERROR_NONE)
		abort();
	host_env_diag_reset();
}

uint8_t *host_env_arena(void)
{
	return arena;
}

uint64_t host_env_frames(void)
{
	return arena_frames;
}
