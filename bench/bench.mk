# Host benchmark of mm/ (see bench/bench_mm.c): -O2, no sanitizers.
# `make bench` runs it; instruction counts via callgrind when valgrind exists.
BENCH_TARGETS += bench-host
BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -Itest -DMETASLOT_HOST=1 -pthread

$(B)/bench/bench_mm: bench/bench_mm.c $(wildcard mm/*.c) test/mm/host_env.c \
		$(wildcard include/mm/*.h include/kernel/string.h test/mm/host_env.h) bench/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(filter %.c,$^) -o $@

.PHONY: bench-host
bench-host: $(B)/bench/bench_mm
	$(B)/bench/bench_mm
	@bench/callgrind.sh $(B)/bench/bench_mm
