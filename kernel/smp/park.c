/* Parking every other CPU at a safe point (park.h). Pure: the machine is
 * reached through park_env_* only, so the host test runs this file on
 * threads.
 *
 * One word holds the request: its high half a sequence number, odd while a
 * request stands, its low half the CPUs parked for that request. A CPU adds
 * itself with a compare-exchange on the whole word, so an addition made
 * after the owner gave up (or released) fails on the changed sequence and
 * never counts toward a later request. Only the owner changes the sequence.
 * Who owns the request is a second word, taken by compare-exchange; a CPU
 * that loses parks for the winner while it waits its turn. */
#include <stdatomic.h>
#include <kernel/park.h>

static _Atomic uint64_t word;   /* seq << 32 | parked */
static atomic_uint owner;       /* CPU index + 1 of the requester, 0 none */

static uint32_t seq_of(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

int park_point(void)
{
	/* acquire: pairs with the owner's request store (cheap when none) */
	uint64_t w = atomic_load_explicit(&word, memory_order_acquire);
	uint32_t s = seq_of(w);

	if (!(s & 1) || atomic_load_explicit(&owner, memory_order_relaxed) == park_env_cpu() + 1)
		return 0;
	uint64_t f = park_env_irq_save();

	/* seq_cst (a full fence): this CPU's stores, streaming ones too, are
	 * visible before the owner counts it and starts its work */
	atomic_thread_fence(memory_order_seq_cst);
	int counted = 0;

	while (seq_of(w) == s && !counted)
		counted = atomic_compare_exchange_weak_explicit(&word, &w, w + 1, memory_order_seq_cst,
								memory_order_acquire);
	/* acquire: the owner's work is visible once the sequence moves on */
	while (counted && seq_of(atomic_load_explicit(&word, memory_order_acquire)) == s)
		park_env_relax();
	park_env_irq_restore(f);
	return counted;
}

static uint32_t parked_now(void)
{
	return (uint32_t)atomic_load_explicit(&word, memory_order_acquire);
}

/* Ends the request (only the owner calls it). */
void park_release(void)
{
	uint32_t s = seq_of(atomic_load_explicit(&word, memory_order_relaxed));

	/* release: the owner's work is visible to every parked CPU that sees
	 * the sequence move on; the count starts again at 0 */
	atomic_store_explicit(&word, (uint64_t)((s + 1) & ~1u) << 32, memory_order_release);
	atomic_store_explicit(&owner, 0, memory_order_release);
}

int park_others(uint32_t others, uint64_t timeout_us, struct park_report *r)
{
	uint32_t me = park_env_cpu() + 1, none = 0;

	*r = (struct park_report){ 0 };
	/* our turn: meanwhile another owner's request parks us like any CPU */
	while (!atomic_compare_exchange_weak_explicit(&owner, &none, me, memory_order_acquire,
						      memory_order_relaxed)) {
		if (none == me)
			return 0; /* already the owner: no nesting */
		r->turns += park_point();
		park_env_relax();
		none = 0;
	}
	/* even between requests: the next odd one */
	uint32_t s = seq_of(atomic_load_explicit(&word, memory_order_relaxed)) + 1;

	/* seq_cst: the request is seen before we read any count for it */
	atomic_store_explicit(&word, (uint64_t)s << 32, memory_order_seq_cst);
	if (others)
		park_env_wake_others();
	uint64_t t0 = park_env_now_us();

	while ((r->parked = parked_now()) < others) {
		r->waited_us = park_env_now_us() - t0;
		if (r->waited_us >= timeout_us) {
			park_release();
			return 0;
		}
		park_env_relax();
	}
	r->waited_us = park_env_now_us() - t0;
	/* and this CPU's own streaming stores are out before its work */
	atomic_thread_fence(memory_order_seq_cst);
	return 1;
}
