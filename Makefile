# Top-level build: the simulator, unit tests, configs, and checks.
# `make help` lists the targets.

CC ?= gcc
O := build
WARN := -Wall -Wextra -Werror
INC_ABI := -Iinclude
INC_CORE := -Isrc/include $(INC_ABI)

# Same source lists feed the image and the simulator; src/lib.c only the
# image (the host C library provides the same functions to the simulator).
CORE_SRC := $(filter-out src/lib.c,$(sort $(wildcard src/*.c)))
ARCH_SRC := $(sort $(wildcard arch-x86/*.c))
SIM_SRC := $(sort $(wildcard sim/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
CONFIG_SRC := $(sort $(wildcard configs/*.c))
BAD_CONFIG_SRC := $(sort $(wildcard tests/configs/*.c))

SIM_INC := -Isim/include -Iarch-x86/include $(INC_CORE)
SIM_CFLAGS := $(WARN) -std=gnu11 -g -O2 $(SIM_INC) -fno-strict-aliasing
COV_CFLAGS := $(WARN) -std=gnu11 -g -O0 --coverage $(SIM_INC) \
	-fno-strict-aliasing

FS_CFLAGS := $(WARN) -std=gnu11 -O2 -ffreestanding -fno-builtin -nostdlib \
	-fno-stack-protector -fno-pic -mno-red-zone -mgeneral-regs-only \
	-mcmodel=kernel -fno-common -Iarch-x86/include $(INC_CORE)

# The image: core and arch-x86 with the real privileged layer (arch-x86/hw),
# position independent, relocating itself where the driver maps it.
IMAGE_SRC := $(sort $(wildcard src/*.c)) $(ARCH_SRC) \
	$(sort $(wildcard arch-x86/hw/*.c))
IMAGE_ASM := $(sort $(wildcard arch-x86/hw/*.S))
IMAGE_CFLAGS := $(WARN) -std=gnu11 -O2 -ffreestanding -fno-builtin -nostdlib \
	-fno-stack-protector -fpie -mno-red-zone -mgeneral-regs-only \
	-fno-common -fno-asynchronous-unwind-tables \
	-include arch-x86/hw/hidden.h -Iarch-x86/include $(INC_CORE)

CELL_DIR := $(abspath $(O)/configs)
BAD_CELL_DIR := $(abspath $(O)/tests/configs)
BAD_CONFIG_SRC_DIR := $(abspath tests/configs)
TEST_DEFS := -DCELL_DIR='"$(CELL_DIR)"' -DBAD_CELL_DIR='"$(BAD_CELL_DIR)"' \
	-DBAD_CONFIG_SRC_DIR='"$(BAD_CONFIG_SRC_DIR)"'

obj = $(patsubst %.c,$(O)/$(1)/%.o,$(2))

SIM_OBJ := $(call obj,sim,$(CORE_SRC) $(ARCH_SRC) $(SIM_SRC))
IMAGE_OBJ := $(call obj,image,$(IMAGE_SRC)) \
	$(patsubst %.S,$(O)/image/%.o,$(IMAGE_ASM))
COV_OBJ := $(call obj,cov,$(CORE_SRC) $(ARCH_SRC) $(SIM_SRC))
TEST_OBJ := $(call obj,sim,$(TEST_SRC))
COV_TEST_OBJ := $(call obj,cov,$(TEST_SRC))
FS_OBJ := $(call obj,fs,$(CORE_SRC) src/lib.c)
CELLS := $(patsubst configs/%.c,$(O)/configs/%.cell,$(CONFIG_SRC))
BAD_CELLS := $(patsubst tests/configs/%.c,$(O)/tests/configs/%.cell,\
	$(BAD_CONFIG_SRC))
BENCH_BIN := $(patsubst tests/bench/%.c,$(O)/bench/%,$(BENCH_SRC))

# The command-line tool, with the hypervisor's config validator compiled for
# the host, and the fake driver its tests preload.
TOOLS_SRC := $(sort $(wildcard tools/*.c))
TOOLS_CFLAGS := $(WARN) -std=gnu11 -g -O2 $(INC_CORE) -Iarch-x86/include
TOOLS_OBJ := $(call obj,tools,$(TOOLS_SRC) src/config_check.c)
FAKE_DRIVER := $(O)/tests/cli/fake_driver.so
# The first python3 that has pytest (a pyenv one on PATH may not).
PYTHON ?= $(shell for p in python3 /usr/bin/python3; do \
	$$p -c 'import pytest' 2>/dev/null && { echo $$p; break; }; done)

# Keep config objects: they are inputs, not throw-away intermediates.
.SECONDARY:

.PHONY: all help check check-unit check-freestanding coverage image check-image \
	bench configs clean demo demo-sim tools check-cli inmates check-inmates \
	check-qemu fetch-kernel driver fuzz fuzz-build check-nightly mutants

all: configs $(O)/libsim.a $(O)/unit-tests $(O)/sim-demo \
	check-freestanding-build tools inmates image driver

help:
	@echo "all                build configs, simulator, unit tests"
	@echo "check              everything below that can run here"
	@echo "check-unit         Criterion unit tests against the simulator"
	@echo "check-cli          pytest suite of the jailhouse CLI (fake driver)"
	@echo "check-freestanding core links freestanding, only arch seam undefined"
	@echo "check-image        jailhouse.bin: header, no undefined symbols, relocations"
	@echo "check-inmates      inmates booted as firmware in QEMU"
	@echo "inmates            build/inmates/*.bin, loaded at 0xf0000"
	@echo "check-qemu         end-to-end suite: boots the emulator targets"
	@echo "driver             driver/jailhouse.ko against the stock kernel's headers"
	@echo "coverage           gcovr line/branch coverage of src/ and arch-x86/"
	@echo "bench              paging and cell-lifecycle benchmarks"
	@echo "fuzz               libFuzzer targets, FUZZ_SECONDS each (default $(FUZZ_SECONDS))"
	@echo "mutants            mutation score of the unit suite (MUTANTS=n)"
	@echo "check-nightly      long runs: property seeds, fuzzers 1 h each, e2e cycles"
	@echo "demo               the seed's demo session in QEMU, x2APIC"
	@echo "                   (TARGET=bochs: in Bochs with VMX; see README)"
	@echo "demo-sim           the same session on the simulator"
	@echo "install            CLI, completion, firmware, configs, inmates, module"
	@echo "                   (DKMS or modules_install); DESTDIR, PREFIX"
	@echo "uninstall          removes what install listed in its manifest"
	@echo "e2e-install        install into build/e2e/install, the guests' stack"

configs: $(CELLS) $(BAD_CELLS)

$(O)/sim/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(SIM_CFLAGS) $(TEST_DEFS) -MMD -MP -c $< -o $@

$(O)/cov/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-COV  $<"
	@$(CC) $(COV_CFLAGS) $(TEST_DEFS) -MMD -MP -c $< -o $@

$(O)/fs/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-FS   $<"
	@$(CC) $(FS_CFLAGS) -MMD -MP -c $< -o $@

# A config is a C file with one initialized object in section .cell.
$(O)/configs/%.cell $(O)/tests/configs/%.cell: $(O)/cfgobj/%.o
	@mkdir -p $(dir $@)
	objcopy -O binary -j .cell $< $@
	@test -s $@ || { echo "$@: empty, no .cell section"; rm -f $@; exit 1; }

$(O)/cfgobj/%.o: configs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 $(INC_ABI) -MMD -MP -c $< -o $@

$(O)/cfgobj/%.o: tests/configs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 $(INC_ABI) -Iconfigs -MMD -MP -c $< -o $@

$(O)/tools/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-TOOL $<"
	@$(CC) $(TOOLS_CFLAGS) -MMD -MP -c $< -o $@

$(O)/jailhouse: $(TOOLS_OBJ)
	$(CC) -o $@ $(TOOLS_OBJ)

# The same tool linked statically, for the emulators' busybox initramfs.
$(O)/e2e/jailhouse: $(TOOLS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -static -o $@ $(TOOLS_OBJ)

$(FAKE_DRIVER): tests/cli/fake_driver.c include/jailhouse/ioctl.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -O2 $(INC_ABI) -shared -fPIC -o $@ $< -ldl

tools: $(O)/jailhouse $(FAKE_DRIVER)

$(O)/libsim.a: $(SIM_OBJ)
	rm -f $@ && ar rcs $@ $^

$(O)/libsim-cov.a: $(COV_OBJ)
	rm -f $@ && ar rcs $@ $^

# src/lib.c as the image compiles it, its symbols renamed jh_* so that the
# unit tests hold it against the host C library (tests/unit/test_lib.c).
LIB_HOST_CFLAGS := $(WARN) -std=gnu11 -O2 -ffreestanding -fno-builtin \
	-nostdlib -fno-stack-protector $(INC_CORE)
$(O)/lib/lib-host.o: src/lib.c
	@mkdir -p $(dir $@)
	@echo "  CC-LIB  $<"
	@$(CC) $(LIB_HOST_CFLAGS) -MMD -MP -c $< -o $(O)/lib/lib.o
	@objcopy --prefix-symbols=jh_ $(O)/lib/lib.o $@
	@test -z "$$(nm -u $@)" || { nm -u $@; echo "$@: calls out"; exit 1; }

$(O)/unit-tests: $(TEST_OBJ) $(O)/libsim.a $(O)/lib/lib-host.o
	$(CC) -o $@ $(TEST_OBJ) $(O)/lib/lib-host.o $(O)/libsim.a -lcriterion

$(O)/unit-tests-cov: $(COV_TEST_OBJ) $(O)/libsim-cov.a $(O)/lib/lib-host.o
	$(CC) --coverage -o $@ $(COV_TEST_OBJ) $(O)/lib/lib-host.o \
		$(O)/libsim-cov.a -lcriterion

$(O)/bench/%: tests/bench/%.c $(O)/libsim.a
	@mkdir -p $(dir $@)
	$(CC) $(SIM_CFLAGS) $(TEST_DEFS) -o $@ $< $(O)/libsim.a

$(O)/image/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-IMG  $<"
	@$(CC) $(IMAGE_CFLAGS) -MMD -MP -c $< -o $@

$(O)/image/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS-IMG  $<"
	@$(CC) $(IMAGE_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

# Linking refuses undefined symbols; nm -u double-checks, and the sizes show.
$(O)/jailhouse.elf: $(IMAGE_OBJ) arch-x86/hypervisor.lds
	ld -pie --no-dynamic-linker -z norelro -z noexecstack --no-undefined \
		--no-warn-rwx-segments \
		-T arch-x86/hypervisor.lds -o $@ $(IMAGE_OBJ)
	@test -z "$$(nm -u $@)" || { nm -u $@; echo "undefined symbols"; exit 1; }

$(O)/jailhouse.bin: $(O)/jailhouse.elf
	objcopy -O binary $< $@
	@echo "jailhouse.bin: $$(stat -c %s $@) bytes in the file," \
		"$$(( $$(nm $< | awk '/ __core_end$$/ {print "0x" $$1}') )) bytes" \
		"with zeroed data and stacks"

image: $(O)/jailhouse.bin

check-image: $(O)/jailhouse.bin
	scripts/check-image $(O)/jailhouse.elf $<

# The core must link with nothing undefined but the arch seam.
$(O)/core-freestanding.o: $(FS_OBJ)
	ld -r -o $@ $^

.PHONY: check-freestanding-build
check-freestanding-build: $(O)/core-freestanding.o

check-freestanding: $(O)/core-freestanding.o
	scripts/check-freestanding $< src/include/core/arch.h

check-unit: $(O)/unit-tests configs
	$(O)/unit-tests $(CRITERION_ARGS)

check-cli: tools configs
	@test -n "$(PYTHON)" || { echo "check-cli: needs python3-pytest" \
		"(run ci/setup)"; exit 1; }
	JAILHOUSE_BUILD=$(abspath $(O)) $(PYTHON) -m pytest -q tests/cli

# The end-to-end suite last, alone, so its boot times are not skewed by
# parallel compiles.
check: all check-freestanding check-image check-unit check-cli check-inmates
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory check-qemu
# End-to-end suite (tests/qemu): boots Debian's stock kernel with a busybox
# initramfs on each emulator target. Options to pytest go in E2E_ARGS, e.g.
# E2E_ARGS='-k qemu-tcg -x'.
PYTEST ?= pytest-3
E2E_ARGS ?=

fetch-kernel:
	@scripts/fetch-kernel

check-qemu: fetch-kernel driver image configs inmates $(O)/e2e/jailhouse \
		e2e-install
	PYTHONDONTWRITEBYTECODE=1 $(PYTEST) tests/qemu $(E2E_ARGS)

# What `make install` puts on a machine, as the end-to-end guests get it:
# PREFIX=/usr, the module for the guests' kernel (scripts/kernel-version)
# the modules_install way, since no DKMS runs in their initramfs. The
# session's tests build their initramfs from this tree.
E2E_INSTALL := $(O)/e2e/install

.PHONY: e2e-install
e2e-install:
	@rm -rf $(E2E_INSTALL)
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(E2E_INSTALL)) \
		PREFIX=/usr DKMS=

coverage: $(O)/unit-tests-cov configs
	find $(O)/cov -name '*.gcda' -delete
	$(O)/unit-tests-cov -j2 >/dev/null
	@echo "== coverage of arch-x86/ (its logic, run in the simulator)"
	@gcovr -r . --object-directory $(O)/cov -f arch-x86/ -s -b \
		-o /dev/null | grep -E '^(lines|branches)'
	@echo "== coverage of src/ (the core): lines must reach 90%"
	@gcovr -r . --object-directory $(O)/cov -f src/ \
		| grep -E '^src/[a-z_]+\.c|^TOTAL'
	@gcovr -r . --object-directory $(O)/cov -f src/ -s -b \
		--fail-under-line 90 -o /dev/null | grep -E '^(lines|branches)'

bench: $(BENCH_BIN) configs
	@for b in $(filter-out %/bench_exits,$(BENCH_BIN)); do \
		echo "== $$b"; $$b || exit 1; done
	@echo "== $(O)/bench/bench_exits (under callgrind)"
	@scripts/bench-exits $(O)/bench/bench_exits

# Fuzzers (tests/fuzz): libFuzzer with clang, ASan and UBSan, built from the
# simulator's own source list into build/fuzz/ (the gcc builds stay as they
# are). `make fuzz` replays tests/fuzz/regressions, then runs each target
# for FUZZ_SECONDS; scripts/fuzz prints executions per second and in total.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := cell_config system_config hypercall mmio_decode
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := $(WARN) -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fno-strict-aliasing $(SIM_INC) $(FUZZ_SAN)
# Coverage guides the fuzzers through the hypervisor's code, not the fakes.
FUZZ_COVER := -fsanitize=fuzzer-no-link
FUZZ_OBJ := $(call obj,fuzz/obj,$(CORE_SRC) $(ARCH_SRC) $(SIM_SRC))
FUZZ_BIN := $(patsubst %,$(O)/fuzz/fuzz_%,$(FUZZ_TARGETS))
# The decoder's oracle: GNU binutils' own disassembler, in the process.
FUZZ_LIBS_mmio_decode := -lopcodes -lbfd

$(O)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-FUZZ $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(if $(filter sim/%,$<),,$(FUZZ_COVER)) \
		$(TEST_DEFS) -MMD -MP -c $< -o $@

$(O)/fuzz/libsim.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

$(O)/fuzz/fuzz_%: $(O)/fuzz/obj/tests/fuzz/fuzz_%.o \
		$(O)/fuzz/obj/tests/fuzz/fuzz_common.o $(O)/fuzz/libsim.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS_$*)

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN) configs
	@scripts/fuzz $(O) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Mutation score of the unit suite (scripts/mutants): a sample of MUTANTS
# simple mutants of src/ and arch-x86/, each built and tested in a copy of
# the tree in a temporary directory, never in the tree itself.
MUTANTS ?= 40
MUTANTS_SEED ?= 1
mutants:
	@scripts/mutants --count $(MUTANTS) --seed $(MUTANTS_SEED)

# The long runs, off CI (docs/testing.md): the property test at 100,000
# steps for each seed, each fuzzer for an hour, then the e2e suite's
# create/destroy cycles on QEMU TCG (SVM), 100 of them.
NIGHTLY_SEEDS ?= 1 2 3 4 5
NIGHTLY_STEPS ?= 100000
NIGHTLY_FUZZ_SECONDS ?= 3600
NIGHTLY_CYCLES ?= 100
check-nightly: $(O)/unit-tests configs $(FUZZ_BIN)
	@for seed in $(NIGHTLY_SEEDS); do \
		echo "== property test: seed $$seed, $(NIGHTLY_STEPS) steps"; \
		JAILHOUSE_PROPERTY_SEED=$$seed \
		JAILHOUSE_PROPERTY_STEPS=$(NIGHTLY_STEPS) \
			$(O)/unit-tests --filter 'property/*' || exit 1; \
	done
	@echo "== fuzzers: $(NIGHTLY_FUZZ_SECONDS) s each"
	@scripts/fuzz $(O) $(NIGHTLY_FUZZ_SECONDS) $(FUZZ_TARGETS)
	@echo "== $(NIGHTLY_CYCLES) create/destroy cycles on qemu-svm"
	@JAILHOUSE_E2E_CYCLES=$(NIGHTLY_CYCLES) $(MAKE) --no-print-directory \
		check-qemu E2E_ARGS='-k "qemu-svm and create_destroy_cycles"'

$(O)/sim-demo: sim/demo/demo.c $(O)/libsim.a
	$(CC) $(SIM_CFLAGS) $(TEST_DEFS) -o $@ $< $(O)/libsim.a

# The seed's session on the real stack (scripts/demo): in QEMU as real
# Intel servers run Linux (x2APIC, Linux's own interrupt remapping) by
# default, in Bochs with VMX as TARGET=bochs; demo-sim plays it on the
# simulator in a second.
TARGET ?= qemu-x2apic
demo:
	@ci/setup >/dev/null
	@$(MAKE) --no-print-directory fetch-kernel driver image configs \
		inmates $(O)/e2e/jailhouse >/dev/null
	@scripts/demo $(TARGET)

demo-sim: $(O)/sim-demo configs
	@ci/setup >/dev/null
	@$(O)/sim-demo

# Inmates: flat binaries loaded at 0xf0000 and started there in real mode.
# Console per demo: a UART port, or 0 for the debug-console hypercall.
APIC_DEMO_CONSOLE ?= 0
TINY_DEMO_CONSOLE ?= 0x2f8
CRASH_DEMO_CONSOLE ?= 0
EDU_DEMO_CONSOLE ?= 0

INMATE_LIB_SRC := $(sort $(wildcard inmates/lib/*.c))
INMATE_LIB_ASM := $(sort $(wildcard inmates/lib/*.S))
INMATE_LIB_OBJ := $(patsubst %.c,$(O)/%.o,$(INMATE_LIB_SRC)) \
	$(patsubst %.S,$(O)/%.o,$(INMATE_LIB_ASM))
INMATE_NAMES := $(patsubst inmates/demos/%.c,%,\
	$(sort $(wildcard inmates/demos/*.c)))
INMATE_BINS := $(patsubst %,$(O)/inmates/%.bin,$(INMATE_NAMES))
# Test builds: apic-demo and crash-demo print on COM1 instead of calling
# the hypervisor, and every inmate also comes as a 128 KiB firmware image.
INMATE_TEST_BINS := $(O)/inmates/test/apic-demo-com1.bin \
	$(O)/inmates/test/crash-demo-com1.bin \
	$(O)/inmates/test/edu-demo-com1.bin
INMATE_ROMS := $(patsubst %,$(O)/inmates/%-rom.bin,$(INMATE_NAMES))
INMATE_CFLAGS := $(WARN) -std=gnu11 -O2 -ffreestanding -fno-builtin \
	-nostdlib -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -fno-common \
	-fno-asynchronous-unwind-tables -Iinmates/lib/include $(INC_ABI)
INMATE_LDFLAGS := -m elf_x86_64 -z noexecstack -z max-page-size=0x1000 \
	--no-undefined -T inmates/inmate.lds

inmates: $(INMATE_BINS) $(INMATE_TEST_BINS) $(INMATE_ROMS)

INMATE_DEMO_OBJ := $(O)/inmates/demos
$(INMATE_DEMO_OBJ)/apic-demo.o: INMATE_DEFS = \
	-DCONSOLE_PORT=$(APIC_DEMO_CONSOLE)
$(INMATE_DEMO_OBJ)/tiny-demo.o: INMATE_DEFS = \
	-DCONSOLE_PORT=$(TINY_DEMO_CONSOLE)
$(INMATE_DEMO_OBJ)/crash-demo.o: INMATE_DEFS = \
	-DCONSOLE_PORT=$(CRASH_DEMO_CONSOLE)
$(INMATE_DEMO_OBJ)/edu-demo.o: INMATE_DEFS = \
	-DCONSOLE_PORT=$(EDU_DEMO_CONSOLE)

$(O)/inmates/%.o: inmates/%.c
	@mkdir -p $(dir $@)
	@echo "  CC-INM  $<"
	@$(CC) $(INMATE_CFLAGS) $(INMATE_DEFS) -MMD -MP -c $< -o $@

$(O)/inmates/%.o: inmates/%.S
	@mkdir -p $(dir $@)
	@echo "  AS-INM  $<"
	@$(CC) $(INMATE_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(O)/inmates/test/%-com1.o: inmates/demos/%.c
	@mkdir -p $(dir $@)
	@echo "  CC-INM  $< (COM1)"
	@$(CC) $(INMATE_CFLAGS) -DCONSOLE_PORT=0x3f8 -MMD -MP -c $< -o $@

$(O)/inmates/%.elf: $(O)/inmates/demos/%.o $(INMATE_LIB_OBJ) inmates/inmate.lds
	ld $(INMATE_LDFLAGS) -o $@ $(filter %.o,$^)

$(O)/inmates/test/%.elf: $(O)/inmates/test/%.o $(INMATE_LIB_OBJ) \
		inmates/inmate.lds
	ld $(INMATE_LDFLAGS) -o $@ $(filter %.o,$^)

$(O)/inmates/%.bin: $(O)/inmates/%.elf
	objcopy -O binary $< $@
	@echo "  $(notdir $@): $$(stat -c %s $@) bytes at 0xf0000," \
		"work area 0x10000-$$(printf '%#x' \
		0x$$(nm $< | awk '/ __bss_end$$/ {print $$1}'))"

# Firmware images for QEMU: tests/inmates/rom.S wraps the inmate.
$(O)/inmates/apic-demo-rom.bin: $(O)/inmates/test/apic-demo-com1.bin
$(O)/inmates/crash-demo-rom.bin: $(O)/inmates/test/crash-demo-com1.bin
$(O)/inmates/edu-demo-rom.bin: $(O)/inmates/test/edu-demo-com1.bin
$(O)/inmates/tiny-demo-rom.bin: $(O)/inmates/tiny-demo.bin
$(O)/inmates/%-rom.bin: tests/inmates/rom.S
	@mkdir -p $(O)/inmates/rom
	$(CC) -c -D__ASSEMBLY__ -DINMATE_BIN='"$(filter %.bin,$^)"' \
		-o $(O)/inmates/rom/$*.o $<
	ld -m elf_x86_64 -z noexecstack -Ttext=0 -e 0 \
		-o $(O)/inmates/rom/$*.elf $(O)/inmates/rom/$*.o
	objcopy -O binary -j .text $(O)/inmates/rom/$*.elf $@
	@test "$$(stat -c %s $@)" -eq 131072 || \
		{ echo "$@: not 128 KiB"; rm -f $@; exit 1; }

# Host-side checks of the comm-region helpers (the page is mapped at
# 0x100000 in the test process, so the code runs unchanged) and printk.
INMATE_HOST_TESTS := tests/inmates/test_comm.c tests/inmates/test_printk.c \
	inmates/lib/comm.c inmates/lib/printk.c
$(O)/inmates/test-lib: $(INMATE_HOST_TESTS) inmates/lib/include/inmate.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -g -O2 -Iinmates/lib/include $(INC_ABI) \
		-o $@ $(INMATE_HOST_TESTS) -lcriterion

check-inmates: inmates $(O)/inmates/test-lib
	$(O)/inmates/test-lib $(CRITERION_ARGS)
	@test -n "$(PYTHON)" || \
		{ echo "check-inmates: needs python3-pytest (run ci/setup)"; \
		exit 1; }
	PYTHONDONTWRITEBYTECODE=1 INMATE_DIR=$(abspath $(O)/inmates) \
		$(PYTHON) -m pytest -p no:cacheprovider -v -rs \
		--durations=0 tests/inmates

# The kernel module, built by Kbuild against the headers of the kernel the
# emulators boot (scripts/kernel-version; ci/setup installs them). Missing
# headers are an error, never a silent skip.
KVER = $(shell scripts/kernel-version)
KDIR = /usr/src/linux-headers-$(KVER)

driver:
	@kver="$(KVER)"; test -n "$$kver" || { echo "driver: cannot resolve" \
		"the kernel version (scripts/kernel-version failed)"; exit 1; }
	@test -f "$(KDIR)/Makefile" || { echo "driver: kernel headers" \
		"$(KDIR) are not installed (run ci/setup)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(abspath driver) modules
	@mkdir -p $(O) && cp driver/jailhouse.ko $(O)/jailhouse.ko

# Installation as a distribution would: `make install DESTDIR=... PREFIX=...`
# puts the CLI and its completion under PREFIX, the firmware image under
# /lib/firmware, the shipped configs and inmates under PREFIX/share, and
# the module either as DKMS source in /usr/src/jailhouse-VERSION (when
# dkms is there; without DESTDIR it is also added, built and installed) or
# as /lib/modules/KVER/extra/jailhouse.ko. Every file installed is listed
# in PREFIX/share/jailhouse/install-manifest; `make uninstall` removes
# exactly those. DKMS= (empty) forces the modules_install way.
PREFIX ?= /usr/local
DESTDIR ?=
DKMS ?= $(shell command -v dkms 2>/dev/null)
VERSION := $(shell sed -n 's/.*JAILHOUSE_TOOL_VERSION "\(.*\)"/\1/p' \
	tools/jailhouse.h)
SHAREDIR = $(PREFIX)/share/jailhouse
MANIFEST = $(SHAREDIR)/install-manifest
DKMS_SRC = /usr/src/jailhouse-$(VERSION)

.PHONY: install uninstall

$(O)/jailhouse.ko:
	@$(MAKE) --no-print-directory driver

install: $(O)/jailhouse $(O)/jailhouse.bin $(O)/jailhouse.ko $(CELLS) \
		$(INMATE_BINS)
	@set -e; d="$(DESTDIR)"; list=$$(mktemp); \
	put() { install -D -m $$1 "$$2" "$$d$$3"; echo "$$3" >> $$list; }; \
	put 755 $(O)/jailhouse $(PREFIX)/sbin/jailhouse; \
	put 644 tools/jailhouse-completion.bash \
		$(PREFIX)/share/bash-completion/completions/jailhouse; \
	put 644 $(O)/jailhouse.bin /lib/firmware/jailhouse.bin; \
	for f in $(CELLS); do \
		put 644 $$f $(SHAREDIR)/configs/$$(basename $$f); done; \
	for f in $(INMATE_BINS); do \
		put 644 $$f $(SHAREDIR)/inmates/$$(basename $$f); done; \
	if [ -n "$(DKMS)" ]; then \
		for f in driver/Kbuild driver/*.c driver/*.h; do \
			put 644 $$f $(DKMS_SRC)/$$f; done; \
		for f in include/jailhouse/*.h; do \
			put 644 $$f $(DKMS_SRC)/$$f; done; \
		sed 's/@VERSION@/$(VERSION)/' driver/dkms.conf.in > $$list.conf; \
		put 644 $$list.conf $(DKMS_SRC)/dkms.conf; rm -f $$list.conf; \
	else \
		put 644 $(O)/jailhouse.ko \
			/lib/modules/$(KVER)/extra/jailhouse.ko; \
	fi; \
	echo $(MANIFEST) >> $$list; \
	install -D -m 644 $$list "$$d$(MANIFEST)"; rm -f $$list; \
	if [ -z "$$d" ] && [ -n "$(DKMS)" ]; then \
		$(DKMS) add jailhouse/$(VERSION) && \
		$(DKMS) build jailhouse/$(VERSION) && \
		$(DKMS) install jailhouse/$(VERSION); \
	elif [ -z "$$d" ]; then depmod -a $(KVER); fi; \
	echo "installed $$(wc -l < "$$d$(MANIFEST)") files, listed in" \
		"$$d$(MANIFEST)"

uninstall:
	@set -e; d="$(DESTDIR)"; m="$$d$(MANIFEST)"; \
	test -f "$$m" || { echo "uninstall: no $$m (nothing installed" \
		"with this PREFIX and DESTDIR)"; exit 1; }; \
	if [ -z "$$d" ] && grep -q '^$(DKMS_SRC)/dkms.conf$$' "$$m" && \
		[ -n "$(DKMS)" ]; then \
		$(DKMS) remove jailhouse/$(VERSION) --all || true; fi; \
	n=0; while read -r f; do rm -f "$$d$$f"; n=$$((n + 1)); done < "$$m"; \
	for dir in $(DKMS_SRC)/driver $(DKMS_SRC)/include/jailhouse \
		$(DKMS_SRC)/include $(DKMS_SRC) $(SHAREDIR)/configs \
		$(SHAREDIR)/inmates $(SHAREDIR); do \
		rmdir "$$d$$dir" 2>/dev/null || true; done; \
	echo "removed $$n files"

clean:
	rm -rf $(O)
	@if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C $(KDIR) M=$(abspath driver) clean; fi

-include $(shell find $(O) -type f -name '*.d' 2>/dev/null)
