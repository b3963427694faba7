# The memory-map audit against an independent frame-level model, random maps.
test_mapaudit_fuzz_SRCS := kernel/mapaudit/mapaudit.c kernel/mapaudit/classify.c \
	kernel/mapaudit/overlap.c kernel/mapaudit/sanitize.c kernel/mapaudit/coverage.c \
	kernel/mapaudit/sort.c
