/* Bad-frame list, its error detail and its memmap=/badram=/Windows forms
 * (badlist.h). The list is
 * small (bad memory is rare; a dead DIMM overflows it, and overflow is
 * counted), so lookups are linear and the sort is an insertion sort. */
#include <kernel/badlist.h>
#include <lib/fmt.h>

#define FRAME 4096ull

/* The entry of `frame`, or b->n when it is not listed. */
static uint32_t index_of(const struct badlist *b, uint64_t frame)
{
	uint32_t i = 0;

	while (i < b->n && b->f[i].phys != frame)
		i++;
	return i;
}

int badlist_contains(const struct badlist *b, uint64_t frame)
{
	return index_of(b, frame) < b->n;
}

struct bad_frame *badlist_add(struct badlist *b, uint64_t addr, uint64_t expected,
			      uint64_t actual, uint32_t cpu, const char *pattern)
{
	uint64_t frame = addr & ~(FRAME - 1);

	if (badlist_contains(b, frame))
		return 0;
	if (b->n == BADLIST_MAX) {
		/* linear probing from a multiplicative hash of the frame number */
		uint64_t key = frame / FRAME + 1;
		uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 50) % BADLIST_OVERFLOW_SLOTS;

		for (uint32_t k = 0; k < BADLIST_OVERFLOW_SLOTS; k++) {
			uint64_t *slot = &b->over[(h + k) % BADLIST_OVERFLOW_SLOTS];

			if (*slot == key)
				return 0;
			if (!*slot) {
				*slot = key;
				b->overflow++;
				return 0;
			}
		}
		b->overflow_saturated = 1;
		return 0;
	}
	struct bad_frame *f = &b->f[b->n++];

	*f = (struct bad_frame){ .phys = frame, .addr = addr, .expected = expected,
				 .actual = actual, .cpu = cpu, .pattern = pattern };
	return f;
}

struct bad_frame *badlist_read(struct badlist *b, uint64_t addr, uint64_t expected,
			       uint64_t actual, uint32_t cpu, const char *pattern,
			       uint32_t pattern_no)
{
	struct bad_frame *added = badlist_add(b, addr, expected, actual, cpu, pattern);
	uint64_t diff = expected ^ actual;

	if (!diff)
		return added;
	if (!b->errors || addr < b->lowest)
		b->lowest = addr;
	if (!b->errors || addr > b->highest)
		b->highest = addr;
	b->errors++;
	b->bits |= diff;
	if (pattern_no < BADLIST_PATTERNS)
		b->pattern_errors[pattern_no]++;

	/* the frame's own detail: an overflowed frame has no entry to keep it in */
	uint32_t i = added ? b->n - 1 : index_of(b, addr & ~(FRAME - 1));

	if (i < b->n) {
		struct bad_frame *f = &b->f[i];

		f->errors++;
		f->bits |= diff;
		if (pattern_no < BADLIST_PATTERNS)
			f->patterns |= 1u << pattern_no;
	}
	return added;
}

void badlist_sort(struct badlist *b)
{
	for (uint32_t i = 1; i < b->n; i++) {
		struct bad_frame x = b->f[i];
		uint32_t j = i;

		for (; j > 0 && b->f[j - 1].phys > x.phys; j--)
			b->f[j] = b->f[j - 1];
		b->f[j] = x;
	}
}

/* The run of adjacent frames starting at index i (sorted list): its end. */
static uint32_t run_end(const struct badlist *b, uint32_t i)
{
	uint32_t j = i + 1;

	while (j < b->n && b->f[j].phys == b->f[j - 1].phys + FRAME)
		j++;
	return j;
}

/* Appends `piece` (with a separator unless first) if it fits. */
static int append(char *out, size_t cap, size_t *len, const char *piece, int first)
{
	size_t n = 0;

	while (piece[n])
		n++;
	if (*len + n + (first ? 0 : 1) + 1 > cap)
		return 0;
	if (!first)
		out[(*len)++] = ',';
	for (size_t k = 0; k < n; k++)
		out[(*len)++] = piece[k];
	out[*len] = 0;
	return 1;
}

size_t badlist_memmap_param(const struct badlist *b, char *out, size_t cap, uint32_t *omitted)
{
	size_t len = 0;
	char piece[48];
	int first = 1;

	*omitted = 0;
	if (cap)
		out[0] = 0;
	if (!b->n)
		return 0;
	if (!cap || !append(out, cap, &len, "memmap=", 1)) {
		for (uint32_t i = 0; i < b->n; i = run_end(b, i))
			(*omitted)++; /* nothing fits: every range is left out */
		return 0;
	}
	for (uint32_t i = 0; i < b->n;) {
		uint32_t j = run_end(b, i);

		ksnprintf(piece, sizeof(piece), "%lluK$0x%llx",
			  (unsigned long long)(j - i) * (FRAME / 1024),
			  (unsigned long long)b->f[i].phys);
		/* once one range does not fit, later ones are left out too */
		if (*omitted || !append(out, cap, &len, piece, first))
			(*omitted)++;
		first = 0;
		i = j;
	}
	return len;
}

size_t badlist_badram(const struct badlist *b, char *out, size_t cap, uint32_t *omitted)
{
	size_t len = 0;
	char piece[48];

	*omitted = 0;
	if (cap)
		out[0] = 0;
	if (!b->n)
		return 0;
	int first = 1, fits = cap && append(out, cap, &len, "badram=", 1);


	for (uint32_t i = 0; i < b->n;) {
		uint32_t j = run_end(b, i);
		uint64_t s = b->f[i].phys, e = b->f[j - 1].phys + FRAME;

		while (s < e) {
			/* the largest aligned power-of-two block at s inside [s, e) */
			uint64_t size = FRAME;

			while ((s & (size * 2 - 1)) == 0 && s + size * 2 <= e)
				size *= 2;
			ksnprintf(piece, sizeof(piece), "0x%llx,0x%llx", (unsigned long long)s,
				  (unsigned long long)~(size - 1));
			if (!fits || *omitted || !append(out, cap, &len, piece, first))
				(*omitted)++;
			first = 0;
			s += size;
		}
		i = j;
	}
	return len;
}

size_t badlist_windows(const struct badlist *b, char *out, size_t cap, uint32_t *omitted)
{
	size_t len = 0;
	char piece[24];

	*omitted = 0;
	if (cap)
		out[0] = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		size_t n = (size_t)ksnprintf(piece, sizeof(piece), "%s0x%llx", len ? " " : "",
				     (unsigned long long)(b->f[i].phys / FRAME));

		/* whole numbers only; once one is left out, so are the later ones */
		if (*omitted || len + n + 1 > cap) {
			(*omitted)++;
			continue;
		}
		for (size_t k = 0; k <= n; k++)
			out[len + k] = piece[k];
		len += n;
	}
	return len;
}
