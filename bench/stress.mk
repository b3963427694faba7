# The all-core stress at -smp 2 and -smp 8 under QEMU (bench/stress_smp.py):
# total operations per second, and their ratio (vCPUs outnumbering host cores).
BENCH_TARGETS += bench-stress
.PHONY: bench-stress
bench-stress: all
	$(PYTHON) bench/stress_smp.py
