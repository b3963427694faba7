/* Writes to a watched page, one store at a time (write_trap.h). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "write_trap.h"

#define EFLAGS_TF 0x100ull

static struct {
	uint8_t *page;
	long size;
	write_trap_fn after;
	void *ctx;
	volatile uintptr_t pending;  /* the store being stepped; 0: none */
	volatile uint64_t writes;
	struct sigaction old_segv, old_trap;
} T;

static void on_segv(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	uint8_t *a = si->si_addr;

	if (!T.page || a < T.page || a >= T.page + T.size || T.pending) {
		/* not ours: the old handler sees the same fault when it recurs */
		sigaction(sig, &T.old_segv, NULL);
		return;
	}
	T.pending = (uintptr_t)a;
	mprotect(T.page, (size_t)T.size, PROT_READ | PROT_WRITE);
	uc->uc_mcontext.gregs[REG_EFL] |= EFLAGS_TF;
}

static void on_trap(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	uintptr_t a = T.pending;

	(void)si;
	if (!a) {
		sigaction(sig, &T.old_trap, NULL);
		return;
	}
	uc->uc_mcontext.gregs[REG_EFL] &= ~EFLAGS_TF;
	T.writes++;
	T.after(T.ctx, a);
	T.pending = 0;
	mprotect(T.page, (size_t)T.size, PROT_READ);
}

int write_trap_arm(void *page, write_trap_fn after, void *ctx)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	T.page = page;
	T.size = sysconf(_SC_PAGESIZE);
	T.after = after;
	T.ctx = ctx;
	T.pending = 0;
	T.writes = 0;
	sa.sa_sigaction = on_segv;
	if (sigaction(SIGSEGV, &sa, &T.old_segv))
		abort();
	sa.sa_sigaction = on_trap;
	if (sigaction(SIGTRAP, &sa, &T.old_trap))
		abort();
	return mprotect(T.page, (size_t)T.size, PROT_READ);
}

uint64_t write_trap_disarm(void)
{
	mprotect(T.page, (size_t)T.size, PROT_READ | PROT_WRITE);
	sigaction(SIGSEGV, &T.old_segv, NULL);
	sigaction(SIGTRAP, &T.old_trap, NULL);
	T.page = NULL;
	return T.writes;
}
