/* The fake physical memory the table-parser host tests share (test_acpi.c,
 * test_smbios.c): tables are built into `mem` at physical address `base`;
 * table_map hands the parser a malloc'd copy of exactly the bytes it asks
 * for (so ASan catches a read past what it mapped) and keeps it until
 * table_copies_free; finding_name_ok checks a finding's name is
 * lower-case snake case. Include after cmocka.h. */
#ifndef METASLOT_TEST_TABLE_WORLD_H
#define METASLOT_TEST_TABLE_WORLD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct table_copies {
	void **p;
	size_t n, cap;
};

/* A copy of [phys, phys + len) if it lies inside [base, base + size),
 * else NULL (what a failed map returns). */
static inline const void *table_map(struct table_copies *c, const uint8_t *mem, uint64_t base,
				    uint32_t size, uint64_t phys, uint64_t len)
{
	void *copy;

	if (phys < base || phys - base > size || len > size - (phys - base))
		return NULL;
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, mem + (phys - base), len);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->p = realloc(c->p, c->cap * sizeof(void *));
		assert_non_null(c->p);
	}
	c->p[c->n++] = copy;
	return copy;
}

static inline void table_copies_free(struct table_copies *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i]);
	c->n = 0;
}

/* Frees the copies and the list itself (a test's teardown). */
static inline void table_copies_drop(struct table_copies *c)
{
	table_copies_free(c);
	free(c->p);
	*c = (struct table_copies){ 0 };
}

static inline void assert_finding_name(const char *what)
{
	assert_non_null(what);
	for (const char *c = what; *c; c++)
		assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
}

#endif
