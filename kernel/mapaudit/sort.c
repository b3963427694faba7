/* Heap sort of audit points by (key, id, aux): in place, no recursion,
 * O(n log n) worst case whatever the firmware's order (an insertion sort
 * would be quadratic on a reversed map of thousands of entries). */
#include <kernel/mapaudit.h>

static bool less(const struct mapaudit_point *a, const struct mapaudit_point *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	if (a->id != b->id)
		return a->id < b->id;
	return a->aux < b->aux;
}

static void swap(struct mapaudit_point *a, struct mapaudit_point *b)
{
	struct mapaudit_point t = *a;

	*a = *b;
	*b = t;
}

/* Restores the max-heap below root in p[0..n). n <= 2^15, so 2 * root + 2
 * cannot overflow. */
static void sift_down(struct mapaudit_point *p, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && less(&p[child], &p[child + 1]))
			child++;
		if (!less(&p[root], &p[child]))
			return;
		swap(&p[root], &p[child]);
		root = child;
	}
}

void mapaudit_sort(struct mapaudit_point *p, uint32_t n)
{
	if (n < 2)
		return;
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(p, i, n);
	for (uint32_t end = n - 1; end > 0; end--) {
		swap(&p[0], &p[end]);
		sift_down(p, 0, end);
	}
}
