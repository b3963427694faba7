/* The sweep loops every pattern is built from (audit_pattern.h), written to
 * run at the memory's speed: a sweep is memory-bound only when the work per
 * word is the test and nothing else.
 *  - The span's pointer and length are read once into locals: the `bad`
 *    callback is opaque, so a loop that reads them through the span reloads
 *    them after every word that might call it.
 *  - Eight words (one 64-byte line of an aligned span) per iteration: eight
 *    loads, the differences OR-ed together, one branch. The slow path
 *    (audit_bad_words) is out of line and runs only when a block differs; it
 *    gets the values the loop read, so a word is read once per check, as a
 *    word-at-a-time loop would.
 *  - Write-only sweeps use non-temporal stores (movnti, a plain 64-bit
 *    register store: no SSE state): the data goes to RAM without the line
 *    being read first, and the check that follows reads it from RAM, not
 *    from a cache. An sfence ends each span, before the `written` hook.
 *  - Check-and-write sweeps use plain stores: the line is in the cache
 *    already (just read), a non-temporal store would only evict it.
 * Within a block the eight loads come before the eight stores. RAM sees whole
 * lines either way (a write-back cache reads the line, the CPU changes its
 * words in the cache, the line goes back later), so the order of words
 * inside a line never reaches the DRAM; the order of lines, and of spans, is
 * the pattern's. Bad words are reported in sweep order. */
#include <kernel/audit_pattern.h>

#define BLOCK 8u

/* ---------------------------------------------------------------- the slow path */

void audit_bad_words(struct audit_job *j, const struct audit_span *s, uint64_t i, int64_t step,
		     const uint64_t *v, uint32_t n, uint64_t expected, uint64_t expected_step)
{
	for (uint32_t k = 0; k < n; k++, i += (uint64_t)step, expected += expected_step)
		if (v[k] != expected)
			j->bad(j, s->phys + 8 * i, expected, v[k]);
}

/* ---------------------------------------------------------------- one span, one sweep */

void audit_span_fill(const struct audit_span *s, uint64_t p)
{
	volatile uint64_t *w = s->w;
	uint64_t n = s->words, i = 0;

	for (; i + BLOCK <= n; i += BLOCK) {
		audit_store_nt(&w[i], p);
		audit_store_nt(&w[i + 1], p);
		audit_store_nt(&w[i + 2], p);
		audit_store_nt(&w[i + 3], p);
		audit_store_nt(&w[i + 4], p);
		audit_store_nt(&w[i + 5], p);
		audit_store_nt(&w[i + 6], p);
		audit_store_nt(&w[i + 7], p);
	}
	for (; i < n; i++)
		audit_store_nt(&w[i], p);
	audit_store_fence();
}

void audit_span_fill_addr(const struct audit_span *s)
{
	volatile uint64_t *w = s->w;
	uint64_t n = s->words, i = 0, a = s->phys;

	for (; i + BLOCK <= n; i += BLOCK, a += 8 * BLOCK) {
		audit_store_nt(&w[i], a);
		audit_store_nt(&w[i + 1], a + 8);
		audit_store_nt(&w[i + 2], a + 16);
		audit_store_nt(&w[i + 3], a + 24);
		audit_store_nt(&w[i + 4], a + 32);
		audit_store_nt(&w[i + 5], a + 40);
		audit_store_nt(&w[i + 6], a + 48);
		audit_store_nt(&w[i + 7], a + 56);
	}
	for (; i < n; i++, a += 8)
		audit_store_nt(&w[i], a);
	audit_store_fence();
}

/* Eight words read at p[k*d] (d = 1 up, -1 down) into v0..v7. */
#define LOAD8(p, d)                                                              \
	uint64_t v0 = (p)[0], v1 = (p)[(d)], v2 = (p)[2 * (d)], v3 = (p)[3 * (d)],    \
		 v4 = (p)[4 * (d)], v5 = (p)[5 * (d)], v6 = (p)[6 * (d)], v7 = (p)[7 * (d)]

#define STORE8(p, d, q)                                                          \
	do {                                                                     \
		(p)[0] = (q), (p)[(d)] = (q), (p)[2 * (d)] = (q), (p)[3 * (d)] = (q); \
		(p)[4 * (d)] = (q), (p)[5 * (d)] = (q), (p)[6 * (d)] = (q);          \
		(p)[7 * (d)] = (q);                                              \
	} while (0)

#define DIFF8(e)                                                                   \
	((v0 ^ (e)) | (v1 ^ (e)) | (v2 ^ (e)) | (v3 ^ (e)) | (v4 ^ (e)) | (v5 ^ (e)) | \
	 (v6 ^ (e)) | (v7 ^ (e)))

#define VALUES8 ((const uint64_t[BLOCK]){ v0, v1, v2, v3, v4, v5, v6, v7 })

void audit_span_check(struct audit_job *j, const struct audit_span *s, uint64_t e)
{
	volatile uint64_t *w = s->w, *p = w, *end = w + (s->words & ~(uint64_t)(BLOCK - 1));

	for (; p != end; p += BLOCK) {
		LOAD8(p, 1);
		if (__builtin_expect(DIFF8(e) != 0, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, VALUES8, BLOCK, e, 0);
	}
	for (end = w + s->words; p != end; p++) {
		uint64_t v = *p;

		if (__builtin_expect(v != e, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, &v, 1, e, 0);
	}
}

/* Expected a + 8k in word k of a block: the difference (v_k - a) must be 8k,
 * so one subtraction and one compare per word, against constants. */
void audit_span_check_addr(struct audit_job *j, const struct audit_span *s)
{
	volatile uint64_t *w = s->w, *p = w, *end = w + (s->words & ~(uint64_t)(BLOCK - 1));
	uint64_t a = s->phys;

	for (; p != end; p += BLOCK, a += 8 * BLOCK) {
		LOAD8(p, 1);
		uint64_t d = (v0 - a) | ((v1 - a) ^ 8) | ((v2 - a) ^ 16) | ((v3 - a) ^ 24) |
			     ((v4 - a) ^ 32) | ((v5 - a) ^ 40) | ((v6 - a) ^ 48) | ((v7 - a) ^ 56);

		if (__builtin_expect(d != 0, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, VALUES8, BLOCK, a, 8);
	}
	for (end = w + s->words; p != end; p++, a += 8) {
		uint64_t v = *p;

		if (__builtin_expect(v != a, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, &v, 1, a, 0);
	}
}

void audit_span_check_write_up(struct audit_job *j, const struct audit_span *s, uint64_t e,
			       uint64_t q)
{
	volatile uint64_t *w = s->w, *p = w, *end = w + (s->words & ~(uint64_t)(BLOCK - 1));

	for (; p != end; p += BLOCK) {
		LOAD8(p, 1);
		STORE8(p, 1, q);
		if (__builtin_expect(DIFF8(e) != 0, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, VALUES8, BLOCK, e, 0);
	}
	for (end = w + s->words; p != end; p++) {
		uint64_t v = *p;

		*p = q;
		if (__builtin_expect(v != e, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, &v, 1, e, 0);
	}
}

void audit_span_check_write_down(struct audit_job *j, const struct audit_span *s, uint64_t e,
				 uint64_t q)
{
	volatile uint64_t *w = s->w, *p = w + s->words, *end = w + (s->words & ~(uint64_t)(BLOCK - 1));

	/* the odd words at the top first, so the blocks below are whole lines
	 * of an aligned span; p is one past the next word to check */
	for (; p != end; p--) {
		uint64_t v = p[-1];

		p[-1] = q;
		if (__builtin_expect(v != e, 0))
			audit_bad_words(j, s, (uint64_t)(p - 1 - w), -1, &v, 1, e, 0);
	}
	for (; p != w; p -= BLOCK) {
		LOAD8(p - 1, -1);
		STORE8(p - 1, -1, q);
		if (__builtin_expect(DIFF8(e) != 0, 0))
			audit_bad_words(j, s, (uint64_t)(p - 1 - w), -1, VALUES8, BLOCK, e, 0);
	}
}

/* ---------------------------------------------------------------- every span, one sweep */

void audit_fill(struct audit_job *j, uint64_t p)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		audit_span_fill(&j->spans[s], p);
		audit_wrote(j, &j->spans[s]);
	}
}

void audit_check_all(struct audit_job *j, uint64_t p)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		audit_span_check(j, &j->spans[s], p);
		audit_swept(j, &j->spans[s]);
	}
}

void audit_sweep_check_write_up(struct audit_job *j, uint64_t p, uint64_t q)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		audit_span_check_write_up(j, &j->spans[s], p, q);
		audit_wrote(j, &j->spans[s]);
	}
}

void audit_sweep_check_write_down(struct audit_job *j, uint64_t p, uint64_t q)
{
	for (uint32_t s = j->nspans; s-- > 0;) {
		audit_span_check_write_down(j, &j->spans[s], p, q);
		audit_wrote(j, &j->spans[s]);
	}
}

void audit_fill_check(struct audit_job *j, uint64_t p)
{
	audit_fill(j, p);
	audit_check_all(j, p);
}

void audit_moving_inversions(struct audit_job *j, uint64_t p)
{
	uint32_t its = j->iterations ? j->iterations : 1;

	audit_fill(j, p);
	for (uint32_t it = 0; it < its; it++) {
		audit_sweep_check_write_up(j, p, ~p);
		audit_sweep_check_write_down(j, ~p, p);
	}
}
