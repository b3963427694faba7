# metaslot: gnu-efi loader + freestanding x86-64 kernel + MetaSlot allocator.
# Targets: all (loader, kernel, image), image, sign, deb, run, test, bench, fuzz, docs, clean, deps.

CC      ?= gcc
LD      ?= ld
OBJCOPY ?= objcopy
PYTHON  ?= python3
B       := build

.DEFAULT_GOAL := all
.PHONY: all image run test unit boot bench bench-kernel clean deps host-tests sign deb docs
.SUFFIXES:

WARN := -Wall -Wextra -Werror

# ---------------------------------------------------------------- lib/
# Freestanding code both sides link (string helpers, fmt, JSON, the run record),
# compiled once with each side's flags.
LIB_SRCS := $(wildcard lib/*.c)

# ---------------------------------------------------------------- loader (efi/)
EFI_INC   := /usr/include/efi
EFI_LIB   := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 $(WARN) -Iinclude -I$(EFI_INC) -I$(EFI_INC)/x86_64 \
	-fpic -fshort-wchar -mno-red-zone -ffreestanding -fno-stack-protector \
	-fno-strict-aliasing -DGNU_EFI_USE_MS_ABI -maccumulate-outgoing-args
# The loader links the lib/ files it uses (not lib/string.c: gnu-efi's libefi
# defines memset and memcpy as strong symbols) and the seed's metadata_size_for.
EFI_LIB_SRCS := lib/fmt.c lib/record.c lib/cfgline.c
EFI_SRCS  := $(wildcard efi/*.c) mm/metadata_size.c $(EFI_LIB_SRCS)
EFI_OBJS  := $(patsubst %.c,$(B)/efi-obj/%.o,$(EFI_SRCS))

$(B)/efi-obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -MMD -MP -c $< -o $@

$(B)/loader.so: $(EFI_OBJS)
	$(LD) -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
		-L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -lefi -lgnuefi -o $@

# The loader alone (no kernel yet): gnu-efi's ELF-to-PE conversion.
$(B)/loader.efi: $(B)/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@

# SBAT (shim's revocation metadata): bump SBAT_GENERATION when a release
# fixes a Secure Boot bypass, so shim can refuse the older ones.
VERSION         := $(shell sed -n 's/.*LOADER_NAME *"metaslot-loader \(.*\)"/\1/p' efi/loader.h)
SBAT_GENERATION ?= 1
SBAT_URL        ?= https://example.invalid/metaslot
$(B)/sbat.csv: efi/loader.h Makefile
	@mkdir -p $(B)
	printf 'sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n%s\n' \
		'metaslot,$(SBAT_GENERATION),metaslot,metaslot,$(VERSION),$(SBAT_URL)' > $@

# The kernel as it travels inside the loader: no debug sections (kernel.elf
# keeps them for gdb and addr2line).
$(B)/kernel.strip.elf: $(B)/kernel.elf
	$(OBJCOPY) --strip-debug $< $@

# The one file: loader + .sbat + .kernel sections, NX_COMPAT when the
# sections allow it (tools/pe_pack.py says why not otherwise).
$(B)/BOOTX64.EFI: $(B)/loader.efi $(B)/kernel.strip.elf $(B)/sbat.csv tools/pe_pack.py
	$(PYTHON) tools/pe_pack.py $(B)/loader.efi $(B)/kernel.strip.elf $(B)/sbat.csv $@

# Test-only UEFI programs the boot tests put on the image (test/boot/*.c):
# memload.efi starts an image from a memory buffer, without a file system.
$(B)/test-efi/%.so: $(B)/test-efi/%.o
	$(LD) -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
		-L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o $< -lefi -lgnuefi -o $@
$(B)/test-efi/%.o: test/boot/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c $< -o $@
$(B)/test-efi/%.efi: $(B)/test-efi/%.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@
TEST_EFI := $(B)/test-efi/memload.efi

# ---------------------------------------------------------------- kernel
# Higher half, no SSE, no red zone: the kernel takes interrupts on its own stack.
K_CFLAGS := -std=c11 -O2 -g $(WARN) -Iinclude -ffreestanding -fno-stack-protector \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-strict-aliasing \
	-ffunction-sections -fdata-sections \
	'-DMM_ENV_INLINE_HEADER=<kernel/mm_env_inline.h>'
K_SRCS   := $(wildcard kernel/*.c kernel/*/*.c kernel/*/*/*.c mm/*.c) $(LIB_SRCS) $(B)/gen/font.c
K_ASM    := $(wildcard kernel/*.S kernel/*/*.S)
K_OBJS   := $(patsubst %.c,$(B)/k-obj/%.o,$(K_SRCS)) $(patsubst %.S,$(B)/k-obj/%.o,$(K_ASM))

$(B)/k-obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(K_CFLAGS) -MMD -MP -c $< -o $@

# The RAM test patterns: the one place that may differ from the kernel's
# flags (bench/audit.mk benchmarks them with these).
K_AUDIT_CFLAGS := $(K_CFLAGS)
$(B)/k-obj/kernel/audit/patterns/%.o: K_CFLAGS := $(K_AUDIT_CFLAGS)

$(B)/k-obj/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(CC) $(K_CFLAGS) -MMD -MP -c $< -o $@

$(B)/kernel.elf: $(K_OBJS) kernel/kernel.ld
	$(LD) -nostdlib -static -z max-page-size=0x1000 --gc-sections -T kernel/kernel.ld \
		$(K_OBJS) -o $@

# The console font: one of Debian's console-setup PSF fonts, embedded at build time.
FONT_PSF ?= /usr/share/consolefonts/Lat15-Terminus16.psf.gz
FONT_BIG_PSF ?= /usr/share/consolefonts/Lat15-Terminus32x16.psf.gz
$(B)/gen/font.c: tools/psf2c.py $(FONT_PSF) $(FONT_BIG_PSF)
	@mkdir -p $(dir $@)
	$(PYTHON) tools/psf2c.py $@ font_small=$(FONT_PSF) font_large=$(FONT_BIG_PSF)

# ---------------------------------------------------------------- signing
# `make sign KEY=db.key CERT=db.crt`: BOOTX64.EFI signed with sbsign (the key
# must be in the machine's db, or enrolled in shim's MOK list), checked with
# sbverify, plus a stick image holding it: build/signed/. Default: Debian's
# snakeoil test key, which OVMF_VARS_4M.snakeoil.fd trusts (its passphrase
# is "snakeoil"; sbsign cannot take one, so it is decrypted into build/).
SNAKEOIL_KEY := /usr/share/ovmf/PkKek-1-snakeoil.key
KEY  ?= $(B)/snakeoil/db.key
CERT ?= /usr/share/ovmf/PkKek-1-snakeoil.pem
SIGNED := $(B)/signed
$(B)/snakeoil/db.key: $(SNAKEOIL_KEY)
	@mkdir -p $(dir $@)
	openssl pkey -in $< -passin pass:snakeoil -out $@

sign: $(B)/BOOTX64.EFI tools/mkimg.sh config/METASLOT.CFG $(if $(filter $(B)/snakeoil/db.key,$(KEY)),$(KEY))
	@mkdir -p $(SIGNED)
	sbsign --key $(KEY) --cert $(CERT) --output $(SIGNED)/BOOTX64.EFI $(B)/BOOTX64.EFI
	sbverify --cert $(CERT) $(SIGNED)/BOOTX64.EFI
	tools/mkimg.sh $(SIGNED)/metaslot.img $(SIGNED)/BOOTX64.EFI config/METASLOT.CFG

# ---------------------------------------------------------------- Debian package
# `make deb`: build/metaslot_<version>-1_amd64.deb (tools/mkdeb.sh). DEB_EFI=
# build/signed/BOOTX64.EFI ships the signed file instead.
DEB     := $(B)/metaslot_$(VERSION)-1_amd64.deb
DEB_EFI ?= $(B)/BOOTX64.EFI
$(DEB): $(DEB_EFI) tools/mkdeb.sh tools/reports.sh tools/metaslot-lastrun docs/metaslot.8 README.md $(wildcard pkg/deb/*)
	tools/mkdeb.sh $@ $(DEB_EFI) $(VERSION)-1
deb: $(DEB)

# ---------------------------------------------------------------- image
$(B)/metaslot.img: $(B)/BOOTX64.EFI tools/mkimg.sh config/METASLOT.CFG
	tools/mkimg.sh $@ $(B)/BOOTX64.EFI config/METASLOT.CFG

all: $(B)/BOOTX64.EFI $(B)/kernel.elf $(B)/metaslot.img
image: $(B)/metaslot.img

deps:
	@tools/deps.sh

# ---------------------------------------------------------------- host tests
# Each test/<area>/test_<name>.c has a fragment test/<area>/test_<name>.mk that
# sets test_<name>_SRCS (the real sources it links), optionally
# test_<name>_CFLAGS and test_<name>_TSAN := 1 (also build a ThreadSanitizer copy).
H_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Iinclude -Itest -DMETASLOT_HOST=1 -pthread
H_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
H_TSAN   := -fsanitize=thread
-include $(wildcard test/*/*.mk)
HOST_TEST_NAMES := $(basename $(notdir $(wildcard test/*/test_*.c)))
HOST_TESTS := $(addprefix $(B)/host/,$(HOST_TEST_NAMES)) \
	$(foreach t,$(HOST_TEST_NAMES),$(if $($(t)_TSAN),$(B)/host/$(t).tsan))

# every header a test's sources may include, the sources' own folders' too
# (kernel/audit/patterns/random_sequence.h): a changed one rebuilds the tests
H_HDRS   := $(wildcard include/*.h include/*/*.h test/*/*.h lib/*.h mm/*.h efi/*.h \
	kernel/*.h kernel/*/*.h kernel/*/*/*.h)

define host_test_rule
$(B)/host/$(1): $(wildcard test/*/$(1).c) $$($(1)_SRCS) $(H_HDRS) Makefile
	@mkdir -p $(B)/host
	$(CC) $(H_CFLAGS) $(H_SAN) $$($(1)_CFLAGS) $$(filter %.c,$$^) -o $$@ -lcmocka -lm
$(B)/host/$(1).tsan: $(wildcard test/*/$(1).c) $$($(1)_SRCS) $(H_HDRS) Makefile
	@mkdir -p $(B)/host
	$(CC) $(H_CFLAGS) $(H_TSAN) $$($(1)_CFLAGS) $$(filter %.c,$$^) -o $$@ -lcmocka -lm
endef
$(foreach t,$(HOST_TEST_NAMES),$(eval $(call host_test_rule,$(t))))

# Tests written as scripts that print TAP (the screendump decoder's self-test).
SCRIPT_TESTS := test/boot/test_screen_decode.py test/build/test_kernel_image.py \
	test/build/test_layout.py test/build/test_deb.py test/build/test_pe_pack.py \
	test/build/test_lastrun.py

host-tests: $(HOST_TESTS)

# Generated documentation: docs/audit.md's pattern x fault-class table, from
# what test_fault_models finds (tools/fault_table.py). The test fails when a
# pattern stops catching what the doc says; the table is written first, so a
# wanted change still reaches the doc (and shows in its diff). DOC_TESTS
# (make test, not make unit) fail while the doc is stale.
DOC_TESTS := test/build/test_fault_table.py
docs: $(B)/host/test_fault_models
	rm -f $(B)/fault_table.md
	FAULT_TABLE=$(B)/fault_table.md $(B)/host/test_fault_models >/dev/null || \
		echo "docs: test_fault_models failed (a regression?); the table is what it found"
	$(PYTHON) tools/fault_table.py write $(B)/fault_table.md docs/audit.md

# ---------------------------------------------------------------- fuzzing
include fuzz/fuzz.mk
# make test runs every harness FUZZ_SMOKE_SECONDS as a smoke test (a harness
# that stops building or crashes on its seeds fails it); clang comes from
# `tools/deps.sh fuzz`.
FUZZ_SMOKE := test/build/test_fuzz_smoke.py

# `make test`: install what is missing, build everything, run the host unit
# tests and the boot tests under QEMU/OVMF. Last line: "N passed, N failed".
test: deps fuzz-deps
	$(MAKE) all host-tests deb $(TEST_EFI) sign $(FUZZ_BINS)
	$(PYTHON) test/run.py --host $(HOST_TESTS) $(SCRIPT_TESTS) $(DOC_TESTS) $(FUZZ_SMOKE) --boot

unit: deps
	$(MAKE) all host-tests deb
	$(PYTHON) test/run.py --host $(HOST_TESTS) $(SCRIPT_TESTS)

boot: deps
	$(MAKE) all $(TEST_EFI) sign
	$(PYTHON) test/run.py --boot $(if $(ONLY),--only '$(ONLY)')

# `make run`: boot the main job in QEMU; SMP=, MEM=, MACHINE=, ACCEL= override.
run: deps
	$(MAKE) all
	$(PYTHON) tools/qemu.py run

# `make bench`: the host benchmark (bench/*.mk) and the in-kernel one under QEMU.
BENCH_TARGETS := bench-kernel
-include $(wildcard bench/*.mk)
bench: deps $(BENCH_TARGETS)

bench-kernel: all
	$(PYTHON) tools/qemu.py bench

clean:
	rm -rf $(B)

# `make print-VAR`: a variable's value (test/build/test_layout.py asks for EFI_SRCS).
print-%:
	@echo $($*)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
