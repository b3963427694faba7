# Host benchmark of the RAM test patterns (bench/bench_audit.c): the pattern
# files compiled with the kernel's flags for them (K_AUDIT_CFLAGS, less what
# only a kernel image can take), the harness with the host's; sweep rates
# against the streaming limits measured in the same run.
BENCH_TARGETS += bench-audit
BENCH_AUDIT_PAT_CFLAGS := $(filter-out -mcmodel=% -fno-pic -fno-pie '-DMM_ENV_INLINE_HEADER%,\
	$(K_AUDIT_CFLAGS)) -DMETASLOT_HOST=1
BENCH_AUDIT_SRCS := $(wildcard kernel/audit/patterns/*.c)
BENCH_AUDIT_OBJS := $(patsubst %.c,$(B)/bench/audit-obj/%.o,$(BENCH_AUDIT_SRCS))

$(B)/bench/audit-obj/%.o: %.c Makefile bench/audit.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_AUDIT_PAT_CFLAGS) -MMD -MP -c $< -o $@

$(B)/bench/bench_audit: bench/bench_audit.c $(BENCH_AUDIT_OBJS) include/kernel/audit_pattern.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) -Iinclude -DMETASLOT_HOST=1 -pthread \
		bench/bench_audit.c $(BENCH_AUDIT_OBJS) -o $@

# BENCH_AUDIT_ARGS: gib=, threads=, rounds=, only= (bench_audit.c)
BENCH_AUDIT_ARGS ?= gib=2 threads=2 rounds=5
.PHONY: bench-audit
bench-audit: $(B)/bench/bench_audit
	@echo "== audit patterns against the streaming limits (host) =="
	$(B)/bench/bench_audit $(BENCH_AUDIT_ARGS)
