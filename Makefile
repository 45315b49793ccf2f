# SPDX-License-Identifier: GPL-2.0
# bpflp: build the CLI, the BPF objects, the example patches and the tests.
# Quiet by default with short tags; `make V=1` shows every command.

BUILD      := build
CLANG      ?= clang
BPFTOOL    ?= bpftool
CC         ?= gcc
ARCH_DEF   := -D__TARGET_ARCH_x86

CFLAGS     ?= -g -O2
CFLAGS     += -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -fstack-protector-strong -std=gnu11 -Iinclude -I$(BUILD)/bpf -D_GNU_SOURCE
LDLIBS     := -lbpf -lelf -lz
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 $(ARCH_DEF) -Wall -Werror -Iinclude -I.

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

# ---- sources -------------------------------------------------------------
# bpf/: objects the loader itself embeds (as skeletons).
BPF_SRCS      := $(wildcard bpf/*.bpf.c)
BPF_OBJS      := $(BPF_SRCS:%.bpf.c=$(BUILD)/%.bpf.o)
BPF_SKELS     := $(BPF_SRCS:%.bpf.c=$(BUILD)/%.skel.h)

# examples/ and selftests/patches/: patch objects, built but not embedded.
PATCH_SRCS    := $(wildcard examples/*.bpf.c selftests/patches/*.bpf.c)
PATCH_OBJS    := $(PATCH_SRCS:%.bpf.c=$(BUILD)/%.bpf.o)

# selftests/progs/: BPF programs used by platform tests, with skeletons.
TPROG_SRCS    := $(wildcard selftests/progs/*.bpf.c)
TPROG_SKELS   := $(TPROG_SRCS:%.bpf.c=$(BUILD)/%.skel.h)

# selftests/limits/: many distinct patches from one source, for the limit tests.
LIMIT_FUNCS   := security_sb_statfs security_inode_symlink security_inode_link \
		 security_inode_rename security_inode_rmdir security_inode_mknod
LIMIT_OBJS    := $(foreach f,1 2 3 4 5 6,$(foreach n,1 2 3 4 5 6 7 8 9 10 11 12,\
		   $(BUILD)/selftests/limits/lim-$(f)-$(n).bpf.o))

LOADER_SRCS   := $(wildcard loader/*.c)
LOADER_OBJS   := $(LOADER_SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS      := $(filter-out $(BUILD)/loader/main.o,$(LOADER_OBJS))

UNIT_SRCS     := $(wildcard selftests/unit/test_*.c)
UNIT_BINS     := $(UNIT_SRCS:%.c=$(BUILD)/%)

PLATFORM_SRCS := $(wildcard selftests/platform/*.c)
PLATFORM_BINS := $(PLATFORM_SRCS:%.c=$(BUILD)/%)

HEADERS       := $(wildcard include/bpflp/*.h)

all: $(BUILD)/bpflp $(PATCH_OBJS) $(LIMIT_OBJS) $(PLATFORM_BINS) $(UNIT_BINS)

# ---- BPF -----------------------------------------------------------------
$(BUILD)/%.bpf.o: %.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Test patches share building blocks in headers beside them.
$(BUILD)/selftests/patches/%.bpf.o: selftests/patches/%.bpf.c vmlinux.h $(HEADERS) \
				    $(wildcard selftests/patches/*.h)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# lim-F-N: patch "lim-F-N" on the F-th function of LIMIT_FUNCS.
$(BUILD)/selftests/limits/lim-%.bpf.o: selftests/limits/lim.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DLIM_NAME='"lim-$*"' \
		-DLIM_FUNC=$(word $(firstword $(subst -, ,$*)),$(LIMIT_FUNCS)) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*)) > $@.tmp
	$(Q)mv $@.tmp $@

# ---- userspace -----------------------------------------------------------
$(BUILD)/loader/%.o: loader/%.c $(BPF_SKELS) $(HEADERS) $(wildcard loader/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/bpflp: $(LOADER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/selftests/unit/%: selftests/unit/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Iloader $^ $(LDLIBS) -lcmocka -o $@

$(BUILD)/selftests/platform/%: selftests/platform/%.c $(TPROG_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(BUILD)/selftests/progs $< $(LDLIBS) -o $@

# ---- sanitizers ----------------------------------------------------------
# `make asan`: the CLI and the unit tests built with ASan and UBSan in
# build/asan/; `make check-asan` runs every test with them (tests take the
# binary from BPFLP_BIN). _FORTIFY_SOURCE is left out: ASan checks more.
ASAN_DIR       := $(BUILD)/asan
ASAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -U_FORTIFY_SOURCE
ASAN_OBJS      := $(LOADER_SRCS:%.c=$(ASAN_DIR)/%.o)
ASAN_LIB_OBJS  := $(filter-out $(ASAN_DIR)/loader/main.o,$(ASAN_OBJS))
ASAN_UNIT_BINS := $(UNIT_SRCS:%.c=$(ASAN_DIR)/%)
# Any finding fails the run. Leaks are errors too: what bpflp keeps on
# purpose (BTF, the traceable-function cache) is still referenced at exit.
export ASAN_OPTIONS  ?= halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1

$(ASAN_DIR)/loader/%.o: loader/%.c $(BPF_SKELS) $(HEADERS) $(wildcard loader/*.h)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) -c $< -o $@

$(ASAN_DIR)/bpflp: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) $^ $(LDLIBS) -o $@

$(ASAN_DIR)/selftests/unit/%: selftests/unit/%.c $(ASAN_LIB_OBJS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) -Iloader $^ $(LDLIBS) -lcmocka -o $@

.PHONY: asan check-asan
asan: $(ASAN_DIR)/bpflp $(ASAN_UNIT_BINS)

check-asan: deps
	$(Q)$(MAKE) --no-print-directory all kmod asan
	$(Q)BPFLP_BIN=$(abspath $(ASAN_DIR)/bpflp) UNIT_DIR=$(ASAN_DIR)/selftests/unit \
		./selftests/vm/check.sh $(PATTERN)

# ---- vmlinux.h -----------------------------------------------------------
# Regenerate from a BTF file: make vmlinux.h BTF=/sys/kernel/btf/vmlinux
.PHONY: vmlinux
vmlinux:
	$(call msg,GEN,vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file $(or $(BTF),/sys/kernel/btf/vmlinux) format c > vmlinux.h.tmp
	$(Q)cmp -s vmlinux.h.tmp vmlinux.h && rm vmlinux.h.tmp || mv vmlinux.h.tmp vmlinux.h

# ---- set-up, VM, tests ---------------------------------------------------
.PHONY: deps
deps:
	$(Q)./selftests/vm/deps.sh

include selftests/vm/vm.mk
include selftests/badobj/badobj.mk

.PHONY: clean
clean:
	rm -rf $(BUILD)/bpflp $(BUILD)/loader $(BUILD)/bpf $(BUILD)/selftests $(BUILD)/examples $(ASAN_DIR)
