/* stuck_bits: faults no software in the guest injected. Maps a QEMU guest's
 * RAM file (memory-backend-file,share=on) and holds chosen bits of chosen
 * 64-bit words stuck at 1 and at 0, as failed DRAM cells would, while the
 * guest runs: a loop re-asserts them whenever the guest has written them.
 *
 *   stuck_bits FILE SECONDS OFFSET:STUCK1:STUCK0 ...
 *
 * OFFSET is a byte offset into FILE (8-byte aligned), STUCK1 / STUCK0 the
 * bits held at 1 / at 0 (numbers as strtoull base 0 reads them). Prints
 * "ready" once every fault holds, then runs until SECONDS have passed, it is
 * signalled, or its parent exits.
 *
 * Only the stuck bits ever change: each is re-asserted with an atomic OR or
 * AND (never a read-modify-write of the whole word, which could undo a guest
 * store landing in between). Between rounds it sleeps RELAX_NS, so that it
 * does not take a whole host CPU from the guest's vCPUs: the audit reads a
 * word back no sooner than one sweep (seconds under TCG) after writing it
 * except at the end of a CPU's share, and every stuck bit meets at least
 * one check a full sweep after the write that exposes it. A pattern that
 * reads a word back within microseconds of writing it (walking_ones_address)
 * needs the bit held faster: STUCK_BITS_RELAX_NS=0 in the environment makes
 * the loop spin, under SCHED_FIFO where it may (so that on a busy host it is
 * running whenever the guest's vCPU is, not taking turns with it on one
 * core; the kernel's RT throttling still leaves 5% to others): a whole host
 * CPU, so keep such a run short. A relaxed loop runs under SCHED_FIFO too,
 * one priority above a spinning one, so that it is woken on time whatever
 * else the host runs. Its last line says the longest time the bits went
 * unheld (max_gap_us). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FAULTS 64
#define RELAX_NS 100000

struct fault {
	uint64_t off, stuck1, stuck0;
	uint64_t *w;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_u64(const char *s, char **end, uint64_t *v)
{
	errno = 0;
	*v = strtoull(s, end, 0);
	return errno == 0 && *end != s && s[0] != '-';
}

static int parse_fault(const char *arg, struct fault *f)
{
	char *e;

	if (!parse_u64(arg, &e, &f->off) || *e != ':')
		return 0;
	if (!parse_u64(e + 1, &e, &f->stuck1) || *e != ':')
		return 0;
	if (!parse_u64(e + 1, &e, &f->stuck0) || *e != 0)
		return 0;
	return !(f->off & 7) && (f->stuck1 | f->stuck0) && !(f->stuck1 & f->stuck0);
}

/* One round: true if the guest had overwritten a stuck bit. */
static int assert_faults(struct fault *f, int n)
{
	int changed = 0;

	for (int i = 0; i < n; i++) {
		uint64_t v = __atomic_load_n(f[i].w, __ATOMIC_RELAXED);

		if ((v & f[i].stuck1) != f[i].stuck1) {
			__atomic_fetch_or(f[i].w, f[i].stuck1, __ATOMIC_RELAXED);
			changed = 1;
		}
		if (v & f[i].stuck0) {
			__atomic_fetch_and(f[i].w, ~f[i].stuck0, __ATOMIC_RELAXED);
			changed = 1;
		}
	}
	return changed;
}

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

int main(int argc, char **argv)
{
	struct fault f[MAX_FAULTS];
	int n = argc - 3;
	char *e;
	uint64_t seconds;
	struct stat st;

	if (argc < 4 || n > MAX_FAULTS || !parse_u64(argv[2], &e, &seconds) || *e) {
		fprintf(stderr, "usage: %s FILE SECONDS OFFSET:STUCK1:STUCK0 ... (up to %d)\n",
			argv[0], MAX_FAULTS);
		return 2;
	}
	for (int i = 0; i < n; i++)
		if (!parse_fault(argv[3 + i], &f[i])) {
			fprintf(stderr, "stuck_bits: bad fault %s (OFFSET 8-byte aligned, "
				"STUCK1 and STUCK0 disjoint, not both 0)\n", argv[3 + i]);
			return 2;
		}
	/* the test that started us may die without cleaning up: go with it */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
		perror("stuck_bits: prctl");
	pid_t parent = getppid();
	int fd = open(argv[1], O_RDWR);

	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "stuck_bits: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	uint8_t *ram = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (ram == MAP_FAILED) {
		fprintf(stderr, "stuck_bits: mmap %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (f[i].off > (uint64_t)st.st_size - 8) {
			fprintf(stderr, "stuck_bits: offset %#llx beyond %s (%lld bytes)\n",
				(unsigned long long)f[i].off, argv[1], (long long)st.st_size);
			return 2;
		}
		f[i].w = (uint64_t *)(ram + f[i].off);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	assert_faults(f, n);
	printf("ready\n");
	fflush(stdout);

	struct timespec t0, now, relax = { 0, RELAX_NS };
	uint64_t rounds = 0, repairs = 0;

	const char *relax_env = getenv("STUCK_BITS_RELAX_NS");

	if (relax_env)
		relax.tv_nsec = strtol(relax_env, NULL, 0) % 1000000000;
	/* real-time where it may, so that a busy host wakes a relaxed helper on
	 * time: a spinning one at priority 1, a relaxed one at 2. Still, a
	 * spinning helper's case runs alone (cases.alone): RT throttling stops
	 * every real-time task on the spinner's core for 50 ms a second, and a
	 * helper at normal priority woken there waits until then (measured
	 * beside a spinner: gaps of 110-125 ms at normal priority, up to 34 ms
	 * at priority 2; 5 ms alone) */
	struct sched_param sp = { .sched_priority = relax.tv_nsec ? 2 : 1 };

	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
		perror("stuck_bits: SCHED_FIFO (at normal priority)");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t last_ns = ns_of(&t0), max_gap_ns = 0;

	while (!stop) {
		repairs += assert_faults(f, n);
		rounds++;
		if (relax.tv_nsec)
			nanosleep(&relax, NULL);
		/* a spinning loop reads the clock every 1024 rounds only (a tight
		 * loop), a relaxed one every round (it sleeps anyway) */
		if (relax.tv_nsec || (rounds & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			uint64_t ns = ns_of(&now);

			if (ns - last_ns > max_gap_ns)
				max_gap_ns = ns - last_ns;
			last_ns = ns;
		}
		if ((rounds & 1023) == 0) {
			if (getppid() != parent)
				break;
			if ((uint64_t)(now.tv_sec - t0.tv_sec) >= seconds)
				break;
		}
	}
	/* how often the guest wrote over a stuck bit: the test's evidence that
	 * the faults were exercised, not just present; and the longest time the
	 * host left the bits unheld (between two clock reads): a miss that
	 * follows such a gap is the host's, not the audit's */
	printf("rounds %llu repairs %llu max_gap_us %llu\n", (unsigned long long)rounds,
	       (unsigned long long)repairs, (unsigned long long)(max_gap_ns / 1000));
	return 0;
}
