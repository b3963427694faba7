/* Reporting: error names for JSON, and the helpers that hand structured
 * diagnostics to the environment. */
#include <mm/internal.h>

struct mm_shared_counters mm_shared;

static const char *const error_names[ALLOC_ERROR_COUNT] = {
	[ALLOC_ERROR_NONE] = "none",
	[ALLOC_ERROR_OUT_OF_MEMORY] = "out_of_memory",
	[ALLOC_ERROR_INVALID_ORDER] = "invalid_order",
	[ALLOC_ERROR_INVALID_ADDRESS] = "invalid_address",
	[ALLOC_ERROR_OUT_OF_RANGE] = "out_of_range",
	[ALLOC_ERROR_DOUBLE_FREE] = "double_free",
	[ALLOC_ERROR_WRONG_ORDER] = "wrong_order",
	[ALLOC_ERROR_NOT_ALLOCATED] = "not_allocated",
	[ALLOC_ERROR_REFCOUNT_OVERFLOW] = "refcount_overflow",
	[ALLOC_ERROR_CORRUPTED] = "corrupted",
	[ALLOC_ERROR_NOT_INITIALIZED] = "not_initialized",
	[ALLOC_ERROR_INVALID_ARGUMENT] = "invalid_argument",
	[ALLOC_ERROR_OVERLAP] = "overlap",
};

const char *alloc_error_name(enum alloc_error e)
{
	return (unsigned)e < ALLOC_ERROR_COUNT ? error_names[e] : "unknown";
}

void mm_report(enum alloc_error code, const char *op, const char *reason, uint64_t phys,
	       uint8_t order, uint64_t value)
{
	struct mm_diag d = { code, order, phys, value, op, reason };

	shared_inc(&mm_shared.errors);
	mm_env_diag(&d);
}

_Noreturn void mm_die(const char *op, const char *reason, uint64_t phys, uint64_t value)
{
	struct mm_diag d = { ALLOC_ERROR_CORRUPTED, 0, phys, value, op, reason };

	mm_env_panic(&d);
}
