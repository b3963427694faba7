/* What every harness in fuzz/ shares. A harness is one file, fuzz/NAME.c,
 * defining LLVMFuzzerTestOneInput (the input fed the way the real caller
 * feeds it, after the caller's own checks) and fuzz_seeds (its seed corpus,
 * built from the host tests' data, written with fuzz_emit). Register it with
 * one line in fuzz/fuzz.mk: FUZZ_NAME := the real sources it links. */
#ifndef METASLOT_FUZZ_H
#define METASLOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's seed inputs: one fuzz_emit call each. */
void fuzz_seeds(void);
void fuzz_emit(const char *name, const void *data, size_t len);
/* A file of the source tree (the harness runs at the repository's root). */
void fuzz_emit_file(const char *name, const char *path);

/* A broken promise of the code under test: a crash libFuzzer keeps. */
#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #cond);                               \
			abort();                                                \
		}                                                               \
	} while (0)

/* Little-endian stores for building seeds. */
static inline void fuzz_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static inline void fuzz_put64(uint8_t *p, uint64_t v)
{
	fuzz_put32(p, (uint32_t)v);
	fuzz_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
