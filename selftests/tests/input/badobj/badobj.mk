# SPDX-License-Identifier: GPL-2.0
# Bad patch objects for selftests/tests/input/4*_*.sh: each one must be refused by
# bpflp with one clear error and no change to the kernel. Included by the top
# Makefile (`-include selftests/tests/input/badobj/badobj.mk`); until then build them with
#   make -f Makefile -f selftests/tests/input/badobj/badobj.mk badobj
# Objects that need no compiler (empty, truncated, huge, garbage...) are made
# by the tests themselves in the VM's /tmp.

BADOBJ_DIR   := $(BUILD)/selftests/tests/input/badobj
LLVM_OBJCOPY ?= llvm-objcopy
# dup-target.bpf.c is linked with a second half below; the rest build alone.
BADOBJ_SRCS  := $(filter-out selftests/tests/input/badobj/dup-target.bpf.c,$(wildcard selftests/tests/input/badobj/*.bpf.c))
BADOBJ_OBJS  := $(BADOBJ_SRCS:selftests/tests/input/badobj/%.bpf.c=$(BADOBJ_DIR)/%.bpf.o) \
		$(BADOBJ_DIR)/dup-target.bpf.o \
		$(BADOBJ_DIR)/bpfeb.bpf.o \
		$(BADOBJ_DIR)/nobtf.bpf.o \
		$(BADOBJ_DIR)/host-x86_64.o \
		$(BADOBJ_DIR)/host-i386.o

.PHONY: badobj
badobj: $(BADOBJ_OBJS)
all: badobj

$(BADOBJ_DIR)/%.bpf.o: selftests/tests/input/badobj/%.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BADOBJ_DIR)/parts/%.bpf.o: selftests/tests/input/badobj/parts/%.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Two global programs with the same name and section, which neither C nor the
# static linker allows: link a static second one in, then make it global
# (libbpf refuses static programs).
$(BADOBJ_DIR)/dup-target.bpf.o: $(BADOBJ_DIR)/parts/dup-target.bpf.o \
				$(BADOBJ_DIR)/parts/dup-target-extra.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@.tmp $^
	$(Q)$(LLVM_OBJCOPY) --globalize-symbol=security_file_open__ret $@.tmp $@
	$(Q)rm -f $@.tmp

$(BADOBJ_DIR)/parts/dup-target.bpf.o: selftests/tests/input/badobj/dup-target.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The example patch for the wrong byte order, and without BTF (no -g).
$(BADOBJ_DIR)/bpfeb.bpf.o: examples/deny-open.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(subst -target bpf,-target bpfeb,$(BPF_CFLAGS)) -c $< -o $@

$(BADOBJ_DIR)/nobtf.bpf.o: examples/deny-open.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(filter-out -g,$(BPF_CFLAGS)) -c $< -o $@

# Host objects: ELF, but for x86-64 and i386 instead of BPF.
$(BADOBJ_DIR)/host-x86_64.o: selftests/tests/input/badobj/parts/host.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -c $< -o $@

$(BADOBJ_DIR)/host-i386.o: selftests/tests/input/badobj/parts/host.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -m32 -O2 -c $< -o $@
