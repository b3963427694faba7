# The memory-map audit (kernel/mapaudit/): hand-made maps and a real OVMF one.
test_mapaudit_SRCS := kernel/mapaudit/mapaudit.c kernel/mapaudit/classify.c \
	kernel/mapaudit/overlap.c kernel/mapaudit/sanitize.c kernel/mapaudit/coverage.c \
	kernel/mapaudit/sort.c
