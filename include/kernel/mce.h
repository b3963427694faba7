/* Machine checks: the CPU's own error reports (ECC corrected by the memory
 * controller, cache and bus errors), which patterns cannot see. Two halves:
 *   mce_decode.c  pure: one bank's registers -> what they say, and what the
 *                 run does about it (mce_action_for; host-tested);
 *   mce.c         the kernel: enable MCA on every CPU, log and clear what
 *                 was left from before this boot, poll the banks, poison the
 *                 frames of memory errors, and stop the machine on #MC. */
#ifndef METASLOT_KERNEL_MCE_H
#define METASLOT_KERNEL_MCE_H

#include <stdint.h>

/* MCi_STATUS bits (Intel SDM vol. 3B 16.3.2.2; AMD APM vol. 2 9.3.2.3). */
#define MCI_STATUS_VAL   (1ull << 63)
#define MCI_STATUS_OVER  (1ull << 62)
#define MCI_STATUS_UC    (1ull << 61)
#define MCI_STATUS_EN    (1ull << 60)
#define MCI_STATUS_MISCV (1ull << 59)
#define MCI_STATUS_ADDRV (1ull << 58)
#define MCI_STATUS_PCC   (1ull << 57)
#define MCI_STATUS_S     (1ull << 56) /* Intel, with MCG_CAP.SER_P */
#define MCI_STATUS_AR    (1ull << 55) /* Intel, with MCG_CAP.SER_P */
#define MCI_STATUS_DEFERRED (1ull << 44) /* AMD SMCA: uncorrected, not consumed */

/* What the decoder may trust, from the CPU that owns the bank. */
#define MCE_CPU_SER        1u /* MCG_CAP.SER_P: MCi_MISC holds address mode and LSB */
#define MCE_CPU_SMCA       2u /* AMD scalable MCA: MCA_IPID names the bank's block */
#define MCE_CPU_AMD_LEGACY 4u /* AMD before SMCA: bank 4 is the northbridge */

enum mce_kind {
	MCE_KIND_NONE,              /* MCACOD 0: no error */
	MCE_KIND_SIMPLE,            /* unclassified, microcode ROM, external, FRC, internal ... */
	MCE_KIND_GENERIC_CACHE,     /* 000F 0000 0000 11LL */
	MCE_KIND_TLB,               /* 000F 0000 0001 TTLL */
	MCE_KIND_MEMORY_CONTROLLER, /* 000F 0000 1MMM CCCC, extended 000F 0010 1MMM CCCC */
	MCE_KIND_CACHE,             /* 000F 0001 RRRR TTLL */
	MCE_KIND_BUS,               /* 000F 1PPT RRRR IILL */
	MCE_KIND_UNKNOWN,           /* an encoding the SDM does not define */
};

/* One bank as read: status always; addr, misc, ipid only where valid (the
 * decoder ignores them otherwise). */
struct mce_regs {
	uint64_t status, addr, misc, ipid;
	uint32_t bank;
};

struct mce_decoded {
	uint8_t valid;        /* VAL: the bank holds an error; nothing else is set without it */
	uint8_t corrected;    /* UC clear (and, on SMCA, not deferred) */
	uint8_t memory;       /* the error is in the memory controller or DRAM */
	uint8_t overflow;     /* OVER: more errors came than the bank could hold */
	uint8_t pcc;          /* processor context corrupt: cannot go on */
	uint8_t addr_valid, misc_valid;
	uint8_t phys_valid;   /* addr is a physical address (MISC address mode 010) */
	uint8_t frame_precise;/* ... and names one 4 KiB frame (LSB <= 12) */
	uint8_t lsb;          /* least significant valid address bit, with phys_valid */
	uint8_t level;        /* cache/TLB/bus level LL (0..3, 3 = generic), else 0 */
	uint8_t mem_tx;       /* memory controller MMM (0 generic, 1 read, 2 write, 3 addr/cmd, 4 scrub) */
	uint8_t channel;      /* memory controller CCCC (15 = not specified) */
	enum mce_kind kind;
	uint64_t phys;        /* addr with the bits below lsb cleared, with phys_valid */
	const char *why_no_phys; /* with addr_valid and no phys: why */
};

/* Decodes one bank. `flags` is MCE_CPU_*; `phys_limit` is 1 << MAXPHYADDR:
 * an address at or above it is not taken as physical. Total: any input gives
 * a defined result (broken input decodes as MCE_KIND_UNKNOWN, no phys). */
void mce_decode(const struct mce_regs *r, uint32_t flags, uint64_t phys_limit,
		struct mce_decoded *d);
const char *mce_kind_name(enum mce_kind k);

/* What the run does with a decoded error (the event's "action"). */
enum mce_action {
	MCE_ACTION_STALE,        /* from before this run: logged only */
	MCE_ACTION_LOGGED,       /* not a memory error, or no physical address */
	MCE_ACTION_TOO_COARSE,   /* the address names more than one frame */
	MCE_ACTION_BEYOND_RAM,   /* no frame of this machine's RAM */
	MCE_ACTION_STOPPED,      /* in #MC: no poisoning, the run stops */
	MCE_ACTION_POISON,       /* its frame is a bad frame (threshold: the first error) */
};
/* `frames`: how many 4 KiB frames the RAM spans (the metadata array). */
enum mce_action mce_action_for(const struct mce_decoded *d, int stale, int in_mc,
			       uint64_t frames);
const char *mce_action_name(enum mce_action a);
const char *mce_mem_tx_name(uint8_t mmm);

/* ---- kernel (mce.c) */

/* On this CPU: MCG_CTL and MCi_CTL all ones where allowed, every bank's old
 * error logged as stale and cleared, then CR4.MCE. Boot CPU first (it reads
 * the capabilities), then each AP as it starts. */
void mce_init_cpu(void);

/* Each CPU polls its banks at most this often during a phase (and once at
 * its end): a second's worth of errors is never more than 10 polls away. */
#define MCE_POLL_MS 100

/* Reads this CPU's banks if `interval_ms` passed since its last poll (0:
 * now); every valid error gives a machine_check event, and a memory error at
 * a frame-precise physical address poisons that frame as a bad frame. Cheap
 * when not due: one rdtsc. */
void mce_poll_cpu(uint32_t interval_ms);
/* Polls every online CPU now (smp_run: call outside of one). */
void mce_poll_all(void);
/* The run's last poll on every CPU, then an mca_polls event: how many polls,
 * errors found, and what polling cost. */
void mce_finish(void);

/* The last machine-check errors this run saw (stale ones from before it are
 * not kept), for the screen's error table. */
struct mce_record {
	uint64_t seq;         /* 1, 2, ... in the order they were read */
	uint64_t phys;        /* with phys_valid */
	uint32_t cpu, bank;
	uint8_t phys_valid, corrected;
	enum mce_kind kind;
};
#define MCE_RECENT 16
/* Copies the records with seq > after (at most MCE_RECENT, the newest),
 * oldest first, into out; returns how many. Any CPU, any time. */
uint32_t mce_recent(uint64_t after, struct mce_record *out);

struct trap_frame;
/* #MC (vector 18): logs this CPU's banks and stops every CPU; the run ends
 * as fail with reason "machine_check". */
void mce_exception(struct trap_frame *f) __attribute__((noreturn));

#endif
