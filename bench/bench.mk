# Host benchmark of mm/ (see bench/bench_mm.c): -O2, no sanitizers, the real
# mm/ sources and test/mm/host_env.c. Two builds: bench_mm calls the host's
# mm_env_irq_save/restore out of line (like the tests); bench_mm_inline gets
# them inline through MM_ENV_INLINE_HEADER, as a kernel can (see env.h).
# `make bench` runs both; instruction counts via callgrind when valgrind exists.
BENCH_TARGETS += bench-host
BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -Itest -DMETASLOT_HOST=1 -pthread
BENCH_DEPS := bench/bench_mm.c $(wildcard mm/*.c) test/mm/host_env.c \
	$(wildcard include/mm/*.h test/mm/host_env*.h) bench/bench.mk

$(B)/bench/bench_mm: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(filter %.c,$^) -o $@

$(B)/bench/bench_mm_inline: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) '-DMM_ENV_INLINE_HEADER="mm/host_env_inline.h"' $(filter %.c,$^) -o $@

.PHONY: bench-host
bench-host: $(B)/bench/bench_mm $(B)/bench/bench_mm_inline
	@echo "== mm: env calls out of line (as the host tests) =="
	$(B)/bench/bench_mm env=call
	@bench/callgrind.sh $(B)/bench/bench_mm call
	@echo "== mm: env inline (MM_ENV_INLINE_HEADER) =="
	$(B)/bench/bench_mm_inline env=inline
	@bench/callgrind.sh $(B)/bench/bench_mm_inline inline
