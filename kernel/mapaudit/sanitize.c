/* The sanitised map, built by a sweep over frame boundaries.
 *
 * Rules, in the order they apply:
 *  1. Each non-empty descriptor claims its class (mapaudit_classify) over
 *     whole frames: a USABLE claim shrinks inward to the frames it covers
 *     entirely, any other grows outward to every frame it touches (the
 *     partial frames of firmware memory are firmware's). A USABLE claim whose
 *     end wraps past 2^64 is dropped; any other runs to the end of the space.
 *     The kernel image is one more KERNEL claim. Claims end at 2^52 bytes,
 *     the architectural limit, so every frame number fits in 40 bits.
 *  2. Each frame takes the most restrictive claim on it: no RAM claim ->
 *     NOT_RAM; else a FIRMWARE or NOT_RAM claim -> FIRMWARE; else a KERNEL
 *     claim -> KERNEL; else USABLE. Frames no claim covers are holes.
 *  3. USABLE frames below 1 MiB become KERNEL ("low memory": legacy BIOS
 *     areas and the AP trampoline; the allocator never owns them).
 *  4. USABLE frames at or above 1 << phys_bits are dropped (counted).
 *  5. Adjacent ranges of one class merge.
 *
 * The sweep: every claim is two points, (first frame, start) and (end frame,
 * end), sorted by frame; between two consecutive frame numbers the set of
 * active claims is constant, and its counts per class give the class. n
 * claims make at most 2n - 1 segments, each emitted once, so the output is
 * sorted and non-overlapping by construction, and no frame is in two ranges. */
#include <kernel/mapaudit.h>

#define PFN_LIMIT (MAPAUDIT_ARCH_LIMIT >> 12)
#define LOW_PFN   (MAPAUDIT_LOW_LIMIT >> 12)

/* aux of a point: the claim's class, and two flags. */
#define PT_CLASS       0x0fu
#define PT_END         0x10u /* the claim ends at this frame (else starts) */
#define PT_LOADER_CODE 0x20u /* the claim is an EfiLoaderCode descriptor */

struct sweep {
	uint32_t active[MAPAUDIT_CLASS_COUNT]; /* claims covering the current segment */
	uint32_t loader_code;                  /* of which EfiLoaderCode */
	uint32_t kernel_image;                 /* 1 inside the kernel image */
	uint64_t bad_kernel;                   /* image frames outside loader code */
	uint64_t bad_kernel_first;
	uint32_t needed;                       /* ranges emitted, written or not */
	uint32_t last_cls;                     /* of range needed - 1, for merging */
	uint64_t last_end;                     /* its end frame */
};

/* [phys, last] -> frames [*s, *e), rule 1. */
static bool to_frames(uint64_t phys, uint64_t last, bool shrink, uint64_t *s, uint64_t *e)
{
	if (shrink) {
		*s = (phys >> 12) + ((phys & 0xfff) != 0);
		*e = (last >> 12) + ((last & 0xfff) == 0xfff);
	} else {
		*s = phys >> 12;
		*e = (last >> 12) + 1;
	}
	if (*e > PFN_LIMIT)
		*e = PFN_LIMIT;
	return *s < *e;
}

static uint32_t add_claim(struct mapaudit_point *p, uint32_t n, uint64_t s, uint64_t e,
			  uint32_t id, uint32_t aux)
{
	p[n++] = (struct mapaudit_point){ s, id, aux };
	p[n++] = (struct mapaudit_point){ e, id, aux | PT_END };
	return n;
}

static uint32_t collect(struct mapaudit_ctx *c)
{
	const struct mapaudit_input *in = c->in;
	struct mapaudit_point *p = c->pts;
	uint32_t n = 0;
	uint64_t s, e, last;

	for (uint32_t i = 0; i < in->count; i++) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, i);
		enum mapaudit_class cls = mapaudit_classify(d.type, d.attribute);

		if (in->keep_boot_services && cls == MAPAUDIT_USABLE &&
		    (d.type == UEFI_MT_BS_CODE || d.type == UEFI_MT_BS_DATA))
			cls = MAPAUDIT_FIRMWARE;
		bool usable = cls == MAPAUDIT_USABLE;

		if (d.num_pages == 0 || (!mapaudit_desc_last(&d, &last) && usable))
			continue;
		if (to_frames(d.phys_start, last, usable, &s, &e))
			n = add_claim(p, n, s, e, i,
				      cls | (d.type == UEFI_MT_LOADER_CODE ? PT_LOADER_CODE : 0));
	}
	if (in->kernel_bytes) {
		bool fits = in->kernel_bytes - 1 <= UINT64_MAX - in->kernel_phys;

		last = fits ? in->kernel_phys + (in->kernel_bytes - 1) : UINT64_MAX;
		if (to_frames(in->kernel_phys, last, false, &s, &e))
			n = add_claim(p, n, s, e, MAPAUDIT_KERNEL_ID, MAPAUDIT_KERNEL);
	}
	return n;
}

/* Appends frames [a, b) of class cls, merging with the previous range
 * (rule 5); counts but never writes past capacity. */
static void put(struct mapaudit_ctx *c, struct sweep *s, uint32_t cls, uint64_t a, uint64_t b)
{
	struct mapaudit_result *out = c->out;

	if (s->needed && s->last_cls == cls && s->last_end == a) {
		if (s->needed <= c->capacity)
			c->ranges[s->needed - 1].end = b << 12;
	} else {
		s->needed++;
		s->last_cls = cls;
		if (s->needed <= c->capacity)
			c->ranges[s->needed - 1] =
				(struct mapaudit_range){ a << 12, b << 12, cls, 0 };
	}
	s->last_end = b;
	if (cls != MAPAUDIT_NOT_RAM && (b << 12) > out->ram_top)
		out->ram_top = b << 12;
}

/* Frames [a, b) under the current set of claims: rules 2, 3 and 4. */
static void segment(struct mapaudit_ctx *c, struct sweep *s, uint64_t a, uint64_t b)
{
	const uint32_t *n = s->active;
	struct mapaudit_result *out = c->out;
	uint64_t width_pfn = c->width_limit >> 12;
	bool ram = n[MAPAUDIT_USABLE] || n[MAPAUDIT_KERNEL] || n[MAPAUDIT_FIRMWARE];
	uint32_t cls;

	if (!ram && !n[MAPAUDIT_NOT_RAM])
		return; /* a hole */
	if (!ram)
		cls = MAPAUDIT_NOT_RAM;
	else if (n[MAPAUDIT_FIRMWARE] || n[MAPAUDIT_NOT_RAM])
		cls = MAPAUDIT_FIRMWARE;
	else if (n[MAPAUDIT_KERNEL])
		cls = MAPAUDIT_KERNEL;
	else
		cls = MAPAUDIT_USABLE;

	if (ram)
		out->ram_frames += b - a;
	if (s->kernel_image && !s->loader_code) {
		if (!s->bad_kernel)
			s->bad_kernel_first = a;
		s->bad_kernel += b - a;
	}
	if (cls == MAPAUDIT_USABLE) {
		if (a < LOW_PFN) {
			uint64_t m = b < LOW_PFN ? b : LOW_PFN;

			put(c, s, MAPAUDIT_KERNEL, a, m);
			out->low_frames += m - a;
			a = m;
		}
		if (b > width_pfn) {
			uint64_t m = a > width_pfn ? a : width_pfn;

			out->dropped_frames += b - m;
			b = m;
		}
	}
	if (a < b)
		put(c, s, cls, a, b);
}

static void apply(struct sweep *s, const struct mapaudit_point *pt)
{
	uint32_t cls = pt->aux & PT_CLASS;

	if (pt->aux & PT_END) {
		s->active[cls]--;
		s->loader_code -= !!(pt->aux & PT_LOADER_CODE);
		s->kernel_image -= pt->id == MAPAUDIT_KERNEL_ID;
	} else {
		s->active[cls]++;
		s->loader_code += !!(pt->aux & PT_LOADER_CODE);
		s->kernel_image += pt->id == MAPAUDIT_KERNEL_ID;
	}
}

void mapaudit_sanitize(struct mapaudit_ctx *c)
{
	struct mapaudit_result *out = c->out;
	struct mapaudit_point *p = c->pts;
	struct sweep s = { 0 };
	uint32_t n = collect(c);
	uint64_t cur = 0;

	mapaudit_sort(p, n);
	for (uint32_t k = 0; k < n;) {
		uint64_t pfn = p[k].key;

		if (pfn > cur)
			segment(c, &s, cur, pfn);
		for (; k < n && p[k].key == pfn; k++)
			apply(&s, &p[k]);
		cur = pfn;
	}

	if (s.bad_kernel)
		mapaudit_note_at(c, MAPAUDIT_SEV_ERROR, "kernel_image_not_loader_code",
				 s.bad_kernel_first << 12, 0, s.bad_kernel);
	out->ranges_needed = s.needed;
	out->range_count = s.needed < c->capacity ? s.needed : c->capacity;
	if (s.needed > c->capacity) {
		mapaudit_note_at(c, MAPAUDIT_SEV_ERROR, "sanitized_overflow", 0, c->capacity,
				 s.needed);
		out->ok = false;
	}
}
