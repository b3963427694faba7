# `make fuzz` (docs/fuzz.md): one libFuzzer harness per parser of untrusted
# input, built with clang, ASan and UBSan. A harness is fuzz/NAME.c plus one
# line below naming the real sources it links: FUZZ_NAME := sources.
FUZZ_config      := kernel/config.c lib/cfgline.c $(wildcard kernel/audit/patterns/*.c)
FUZZ_cfgscan     := efi/cfgscan.c lib/cfgline.c
FUZZ_config_diff := efi/cfgscan.c lib/cfgline.c kernel/config.c $(wildcard kernel/audit/patterns/*.c)
FUZZ_bootinfo    := kernel/bootinfo.c mm/metadata_size.c
FUZZ_memmap      := $(wildcard kernel/mapaudit/*.c)
FUZZ_acpi        := $(wildcard kernel/acpi/acpi.c kernel/acpi/madt.c kernel/acpi/fadt.c kernel/acpi/hpet.c)
FUZZ_acpi_tables := $(FUZZ_acpi)
FUZZ_record      := lib/record.c lib/fmt.c
FUZZ_loadopt     := efi/loadopt.c efi/cfgscan.c lib/cfgline.c kernel/config.c $(wildcard kernel/audit/patterns/*.c)
FUZZ_elf         := efi/elf_load.c
FUZZ_smbios      := kernel/smbios/smbios.c kernel/smbios/memory.c kernel/smbios/query.c
FUZZ_pe_section  := efi/pe_section.c
FUZZ_selfpath    := efi/selfpath.c
FUZZ_mce_decode  := kernel/cpu/mce_decode.c
FUZZ_physmap     := efi/physmap.c efi/pagetable.c
FUZZ_menu        := efi/menu.c lib/cfgline.c lib/fmt.c kernel/config.c $(wildcard kernel/audit/patterns/*.c)
FUZZ_cpuid       := kernel/cpu/cpuid_decode.c kernel/cpu/bandwidth_plan.c

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
export FUZZ_SMOKE_SECONDS
FUZZ_CFLAGS  := -std=gnu11 -O1 -g $(WARN) -Iinclude -DMETASLOT_HOST=1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES   := $(basename $(notdir $(wildcard fuzz/*.c)))
FUZZ_BINS    := $(addprefix $(B)/fuzz/bin/,$(FUZZ_NAMES))

define fuzz_rule
$(B)/fuzz/bin/$(1): fuzz/$(1).c fuzz/common/seed.c $$(FUZZ_$(1)) $(wildcard include/*.h include/*/*.h fuzz/*.h fuzz/common/*.h test/*/*.h) Makefile fuzz/fuzz.mk
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $$(filter %.c,$$^) -o $$@
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(n))))

.PHONY: fuzz fuzz-deps fuzz-build
fuzz-deps:
	@tools/deps.sh fuzz

fuzz-build: fuzz-deps
	$(MAKE) $(FUZZ_BINS)

# Every harness FUZZ_SECONDS seconds, one at a time; last line "N passed, N failed".
fuzz: fuzz-build
	$(PYTHON) fuzz/run.py --seconds $(FUZZ_SECONDS) $(FUZZ_BINS)
