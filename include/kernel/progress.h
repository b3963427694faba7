/* Progress of a long phase run on every CPU: per-CPU bars on screen, and on
 * serial a progress event at most once a second (the slowest CPU's figure). */
#ifndef METASLOT_KERNEL_PROGRESS_H
#define METASLOT_KERNEL_PROGRESS_H

#include <stdint.h>

/* For the next phase: its events carry "eta_s", eta_s(percent done) seconds
 * left (called on the boot CPU); progress_end forgets it. */
void progress_set_eta(uint64_t (*eta_s)(uint32_t percent));
/* Starts a phase for `cpus` CPUs (0% each). */
void progress_begin(const char *phase, uint32_t cpus);
/* CPU `cpu` has done `done` of `total`. */
void progress_update(uint32_t cpu, uint64_t done, uint64_t total);
/* CPU `cpu` rests (halted, memory left alone) for `seconds_left` more:
 * machine checks polled when due; the boot CPU's call emits the progress
 * event, with rest_left_s, at most once a second. */
void progress_resting(uint32_t cpu, uint64_t seconds_left);
/* Emits the final 100% event. */
void progress_end(void);

#endif
