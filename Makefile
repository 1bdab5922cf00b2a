# gvt-bpf top-level build. `make help` lists the targets.
#
# The target kernel (Debian's 6.12) comes from build/kernel.env, written by
# tools/setup. Userspace and the unit tests build with the host compiler;
# the module builds against the target kernel's headers.

TOP       := $(abspath .)
B         := $(TOP)/build
-include $(B)/kernel.env

CC        ?= gcc
CLANG     ?= clang-19
CFLAGS_COMMON := -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11 -I$(TOP)/include \
	-I$(TOP)/kmod/model -I$(TOP)/userspace/lib -D_GNU_SOURCE
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

MODEL_SRCS := $(wildcard kmod/model/*.c)
LIB_SRCS   := $(wildcard userspace/lib/*.c)
UNIT_SRCS  := $(wildcard tests/unit/*.c)
VM_SRCS    := $(wildcard tests/vm/*.c)

.PHONY: all kmod bpf userspace guest guest-kmod bench fuzz fuzz-vm unit unit-plain unit-san \
	vmtest e2e test demo demo-vgpus lint clean help check-env

all: kmod bpf userspace guest

help:
	@echo "make            build the module and userspace"
	@echo "make kmod       kmod/gvt_bpf.ko for the target kernel ($(KVER))"
	@echo "make userspace  the VFIO client library and tools"
	@echo "make guest      the guest DRM driver kmod/guest/gvt_drm.ko and gvt-guest (static)"
	@echo "make unit       CUnit tests natively, plain and under ASan/UBSan"
	@echo "make vmtest     the VM suite: the module in a booted $(KVER) kernel"
	@echo "make e2e        a real guest through QEMU vfio-pci, inside the VM (tests/e2e)"
	@echo "make test       unit + vmtest + e2e, with a closing summary"
	@echo "make bench      MMIO trap and scheduling decision costs, as ratios (VM)"
	@echo "make demo       the main job: two guests share a GPU under live BPF policies (VM)"
	@echo "make demo-vgpus the host side alone: two parents, every type, policies"
	@echo "make fuzz       libFuzzer on the model and the command scanner (FUZZ_SECS each)"
	@echo "make fuzz-vm    the VFIO fuzzer and the lifecycle torture in the VM (FUZZ_VM_SECS each)"
	@echo "make lint       checkpatch on the module sources"

check-env:
	@test -n "$(KDIR)" || { echo "build/kernel.env missing: run tools/setup first" >&2; exit 1; }

# ---- kernel module ---------------------------------------------------------
kmod: check-env
	$(MAKE) -C $(KDIR) M=$(TOP)/kmod GVT_INCLUDE=$(TOP)/include modules

# ---- guest side: the guest's DRM driver and programs --------------------------
guest-kmod: check-env
	$(MAKE) -C $(KDIR) M=$(TOP)/kmod/guest GVT_INCLUDE=$(TOP)/include modules

# static: it runs in the second-level guest's busybox initramfs
$(B)/bin/gvt-guest: userspace/guest/gvt-guest.c $(wildcard include/gvt/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -static $< -o $@

guest: guest-kmod $(B)/bin/gvt-guest

# ---- BPF policies -----------------------------------------------------------
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(B)/bpf/%.bpf.o)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(B)/bpf -I$(TOP)/include -I$(TOP)/bpf

# types of the target kernel, never of the machine's own kernel
$(B)/bpf/vmlinux.h: | check-env
	@mkdir -p $(dir $@)
	bpftool btf dump file $(KDIR)/vmlinux format c > $@.tmp && mv $@.tmp $@

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(B)/bpf/vmlinux.h $(wildcard include/gvt/*.h)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

bpf: $(BPF_OBJS)

# ---- userspace -------------------------------------------------------------
$(B)/obj/%.o: %.c $(wildcard include/gvt/*.h kmod/model/*.h userspace/lib/*.h userspace/gvtctl/*.h tests/vm/*.h tests/unit/*.h tests/fuzz-vm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -c $< -o $@

$(B)/san/%.o: %.c $(wildcard include/gvt/*.h kmod/model/*.h userspace/lib/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -c $< -o $@

$(B)/lib/libgvtvfio.a: $(LIB_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(B)/bin/gvt-load: $(B)/obj/userspace/gvt-load.o $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $^ -o $@ -lbpf -lelf -lz

# gvtctl: one object file per command group (userspace/gvtctl/)
GVTCTL_SRCS := $(wildcard userspace/gvtctl/*.c)

$(B)/bin/gvtctl: $(GVTCTL_SRCS:%.c=$(B)/obj/%.o) $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $^ -o $@ -lbpf -lelf -lz

$(B)/tests/bench-mmio: $(B)/obj/tests/bench/bench_mmio.o $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $< -o $@ -L$(B)/lib -lgvtvfio

# the VM stress programs (tests/fuzz-vm/): the VFIO fuzzer, the lifecycle torture
FUZZVM_COMMON := $(B)/obj/tests/fuzz-vm/fz_common.o $(B)/obj/tests/fuzz-vm/fz_gpu.o

$(B)/tests/bench-engine: $(B)/obj/tests/bench/bench_engine.o $(FUZZVM_COMMON) $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $(filter %.o,$^) -o $@ -L$(B)/lib -lgvtvfio -lpthread

$(B)/tests/fuzz-vfio: $(B)/obj/tests/fuzz-vm/fuzz_vfio.o $(FUZZVM_COMMON) $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $(filter %.o,$^) -o $@ -L$(B)/lib -lgvtvfio -lpthread

$(B)/tests/lifecycle-torture: $(B)/obj/tests/fuzz-vm/torture.o $(FUZZVM_COMMON) $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $(filter %.o,$^) -o $@ -L$(B)/lib -lgvtvfio -lpthread

userspace: $(B)/lib/libgvtvfio.a $(B)/bin/gvt-load $(B)/bin/gvtctl

# ---- tests -------------------------------------------------------------------
$(B)/tests/unit-plain: $(UNIT_SRCS:%.c=$(B)/obj/%.o) $(MODEL_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(dir $@)
	$(CC) $^ -o $@ -lcunit

$(B)/tests/unit-san: $(UNIT_SRCS:%.c=$(B)/san/%.o) $(MODEL_SRCS:%.c=$(B)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ -o $@ -lcunit

$(B)/tests/vm-suite: $(VM_SRCS:%.c=$(B)/obj/%.o) $(B)/lib/libgvtvfio.a
	@mkdir -p $(dir $@)
	$(CC) $(filter %.o,$^) -o $@ -L$(B)/lib -lgvtvfio -lcunit -lpthread -lbpf -lelf -lz

unit-plain: $(B)/tests/unit-plain
	@mkdir -p $(B)/results
	$(B)/tests/unit-plain | tee $(B)/results/unit-plain.txt; exit $${PIPESTATUS[0]}

unit-san: $(B)/tests/unit-san
	@mkdir -p $(B)/results
	$(B)/tests/unit-san | tee $(B)/results/unit-san.txt; exit $${PIPESTATUS[0]}

unit: unit-plain unit-san

VM_STRESS := $(B)/tests/fuzz-vfio $(B)/tests/lifecycle-torture

# slub_debug=FZP poisons freed objects: a use-after-free shows in the run
vmtest: kmod bpf userspace $(B)/tests/vm-suite $(B)/tests/bench-mmio $(VM_STRESS)
	@mkdir -p $(B)/results
	tools/vm-run --timeout 900 --append slub_debug=FZP --log $(B)/results/vm-console.log -- \
		tools/vm-suite-all | tee $(B)/results/vm.txt; \
		rc=$${PIPESTATUS[0]}; \
		tools/vm-suite-all --split $(B)/results/vm.txt $(B)/results || rc=1; \
		exit $$rc

test:
	@rm -rf $(B)/results; mkdir -p $(B)/results
	@rc=0; \
	$(MAKE) --no-print-directory unit || rc=1; \
	$(MAKE) --no-print-directory vmtest || rc=1; \
	$(MAKE) --no-print-directory e2e || rc=1; \
	stages=$$(tools/vm-suite-all --names) || rc=1; \
	tools/test-summary $(B)/results unit-plain unit-san vm $$stages e2e || rc=1; \
	exit $$rc

bench: kmod bpf userspace $(B)/tests/bench-mmio $(B)/tests/bench-engine
	tools/vm-run --timeout 900 --out $(B)/results --log $(B)/results/bench-console.log -- tools/bench

# one second-level guest per machine type, booted once each (minutes under
# full emulation); the initramfs is built here, where build/ is writable
e2e: kmod bpf userspace guest
	@mkdir -p $(B)/results
	tools/guest-run prepare
	GVT_E2E_PNG=1 tools/vm-run --timeout 2400 --log $(B)/results/e2e-console.log -- \
		tests/e2e/smoke.sh | grep -v '^# png ' | tee $(B)/results/e2e.txt; \
		rc=$${PIPESTATUS[0]}; \
		tests/e2e/smoke.sh --extract $(B)/results/e2e-console.log $(B)/results/e2e-png; \
		exit $$rc

# the main job: two guests sharing a GPU under live policies, their displays
demo: kmod bpf userspace guest
	tools/guest-run prepare
	tools/vm-run --timeout 1800 --out $(B)/demo -- tools/demo

# a tour of the host side alone (two parents, every type, policies)
demo-vgpus: kmod bpf userspace
	tools/vm-run --timeout 300 -- tools/demo-vgpus --parents 2

# coverage-guided fuzzing of the device model and command scanner
FUZZ_SECS ?= 60
fuzz:
	tests/fuzz/run -t fuzz_model $(FUZZ_SECS)
	tests/fuzz/run -t fuzz_cmd $(FUZZ_SECS)

# the VM stress stages alone and longer, FUZZ_VM_SECS each; GVT_FUZZ_SEED,
# GVT_FUZZ_ARGS and GVT_TORTURE_SEED reach them through tools/vm-run
FUZZ_VM_SECS ?= 300
fuzz-vm: kmod bpf userspace $(VM_STRESS)
	@mkdir -p $(B)/results/fuzz-vm
	GVT_FUZZ_SECONDS=$(FUZZ_VM_SECS) GVT_TORTURE_SECONDS=$(FUZZ_VM_SECS) \
	tools/vm-run --timeout $$((2 * $(FUZZ_VM_SECS) + 400)) --append slub_debug=FZP \
		--log $(B)/results/fuzz-vm/console.log -- \
		tools/vm-suite-all --stages lifecycle-torture fuzz-vfio | \
		tee $(B)/results/fuzz-vm/vm.txt; \
		rc=$${PIPESTATUS[0]}; \
		tools/vm-suite-all --split $(B)/results/fuzz-vm/vm.txt $(B)/results/fuzz-vm \
			lifecycle-torture fuzz-vfio || rc=1; \
		tools/test-summary $(B)/results/fuzz-vm lifecycle-torture fuzz-vfio || rc=1; \
		exit $$rc

# checkpatch from the target kernel's sources (tools/setup extracts it)
lint:
	perl $(B)/checkpatch/checkpatch.pl --no-tree --strict --terse \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,NEW_TYPEDEFS \
		-f $(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h \
		kmod/model/*.c kmod/model/*.h \
		$(filter-out %.mod.c,$(wildcard kmod/guest/*.c)) kmod/guest/*.h

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kmod clean 2>/dev/null
	rm -rf $(B)/obj $(B)/san $(B)/lib $(B)/tests $(B)/results

SHELL := /bin/bash
