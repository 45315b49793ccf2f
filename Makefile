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
LDLIBS     := -lbpf -lelf -lz -lkmod -lcrypto
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

# examples/ and the test patches of selftests/tests/AREA/ (each file named
# after the patch it defines, NAME@VERSION.bpf.c): built but not embedded.
# lim.bpf.c and fp.bpf.c are templates, built below under many names.
TEST_PATCH_SRCS := $(filter-out %/lim.bpf.c %/fp.bpf.c,$(wildcard selftests/tests/*/*.bpf.c))
PATCH_SRCS    := $(wildcard examples/*.bpf.c) $(TEST_PATCH_SRCS)
PATCH_OBJS    := $(PATCH_SRCS:%.bpf.c=$(BUILD)/%.bpf.o)

# selftests/helpers/progs/: the BPF programs of the helper programs, with skeletons.
TPROG_SRCS    := $(wildcard selftests/helpers/progs/*.bpf.c)
TPROG_SKELS   := $(TPROG_SRCS:%.bpf.c=$(BUILD)/%.skel.h)
TPROG_HDRS    := $(wildcard selftests/helpers/progs/*.h)

# selftests/tests/reliability/lim.bpf.c: many distinct patches from one
# source, for the limit tests.
LIMIT_FUNCS   := security_sb_statfs security_inode_symlink security_inode_link \
		 security_inode_rename security_inode_rmdir security_inode_mknod
# Function 1 takes 32 stacked patches (32_limits.sh, section 3), the others 12.
LIMIT_OBJS    := $(foreach n,$(shell seq 1 32),$(BUILD)/selftests/tests/reliability/lim-1-$(n).bpf.o) \
		 $(foreach f,2 3 4 5 6,$(foreach n,$(shell seq 1 12),\
		   $(BUILD)/selftests/tests/reliability/lim-$(f)-$(n).bpf.o))

# selftests/tests/core/fp.bpf.c: the builds of one patch that program
# fingerprints must tell apart (the file says what each variant changes).
FP_VARIANTS   := base ver body const sub core add drop kcfgbool kcfgchar rodata dataro
FP_OBJS       := $(FP_VARIANTS:%=$(BUILD)/selftests/tests/core/fp-%.bpf.o)

# loader/: the CLI in layers, lowest first. A layer's files include only
# their own layer's headers and those of the layers before it: each is
# compiled with -iquote for exactly those folders, so an include from a
# higher layer does not build (selftests/host/test_layers.sh checks the
# headers and that no include cycle is left).
LOADER_LAYERS := lib store kernel patch engine cli
LOADER_SRCS   := $(foreach l,$(LOADER_LAYERS),$(wildcard loader/$(l)/*.c))
LOADER_HDRS   := $(wildcard loader/*/*.h)
LOADER_OBJS   := $(LOADER_SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS      := $(filter-out $(BUILD)/loader/cli/main.o,$(LOADER_OBJS))
# layers_upto LAYER: LAYER and the layers before it.
layers_upto    = $(if $(filter $(1),$(firstword $(2))),$(1),$(firstword $(2)) \
		   $(call layers_upto,$(1),$(wordlist 2,$(words $(2)),$(2))))
# layer_iquote STEM: the quote-include path of the file loader/STEM.c.
layer_iquote   = $(addprefix -iquote loader/,$(call layers_upto,$(firstword $(subst /, ,$(1))),$(LOADER_LAYERS)))
ALL_IQUOTE    := $(addprefix -iquote loader/,$(LOADER_LAYERS))

UNIT_SRCS     := $(wildcard selftests/unit/test_*.c)
UNIT_BINS     := $(UNIT_SRCS:%.c=$(BUILD)/%)

PLATFORM_SRCS := $(wildcard selftests/helpers/*.c)
PLATFORM_BINS := $(PLATFORM_SRCS:%.c=$(BUILD)/%)

HEADERS       := $(wildcard include/bpflp/*.h)

all: $(BUILD)/bpflp $(PATCH_OBJS) $(LIMIT_OBJS) $(FP_OBJS) $(PLATFORM_BINS) $(UNIT_BINS)

# ---- BPF -----------------------------------------------------------------
$(BUILD)/%.bpf.o: %.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(TPROG_SRCS:%.bpf.c=$(BUILD)/%.bpf.o): $(TPROG_HDRS)

# Test patches share building blocks in headers: an area's beside its
# patches, those of several areas in selftests/tests/ (found by -I, so a
# patch includes "core.bpf.h" or "reliability/gap.bpf.h").
TEST_PATCH_HDRS := $(wildcard selftests/tests/*.h selftests/tests/*/*.h)
$(BUILD)/selftests/tests/%.bpf.o: selftests/tests/%.bpf.c vmlinux.h $(HEADERS) $(TEST_PATCH_HDRS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Iselftests/tests -c $< -o $@

# lim-F-N: patch "lim-F-N" on the F-th function of LIMIT_FUNCS.
$(BUILD)/selftests/tests/reliability/lim-%.bpf.o: selftests/tests/reliability/lim.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DLIM_NAME='"lim-$*"' \
		-DLIM_FUNC=$(word $(firstword $(subst -, ,$*)),$(LIMIT_FUNCS)) -c $< -o $@

$(BUILD)/selftests/tests/core/fp-%.bpf.o: selftests/tests/core/fp.bpf.c vmlinux.h $(HEADERS)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DFP_VARIANT_$(shell echo $* | tr a-z A-Z) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*)) > $@.tmp
	$(Q)mv $@.tmp $@

# ---- userspace -----------------------------------------------------------
$(BUILD)/loader/%.o: loader/%.c $(BPF_SKELS) $(HEADERS) $(LOADER_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(call layer_iquote,$*) -c $< -o $@

$(BUILD)/bpflp: $(LOADER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/selftests/unit/%: selftests/unit/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ALL_IQUOTE) -DTEST_KMOD_DIR='"$(BUILD)/kmod/$(call kernel_release,6.1)"' -DTEST_BUILD_DIR='"$(BUILD)"' $^ $(LDLIBS) -lcmocka -o $@

$(BUILD)/selftests/helpers/%: selftests/helpers/%.c $(TPROG_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(BUILD)/selftests/helpers/progs $< $(LDLIBS) -o $@

# The probes of the next replace protocol use bpflp's own code: patches
# loaded by patch_object, stubs by dispatch_stub.
$(BUILD)/selftests/helpers/dispatch_scale: selftests/helpers/dispatch_scale.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ALL_IQUOTE) $^ $(LDLIBS) -o $@

$(BUILD)/selftests/helpers/dispatch_join $(BUILD)/selftests/helpers/bench_getsid: $(BUILD)/selftests/helpers/%: selftests/helpers/%.c $(LIB_OBJS) $(TPROG_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ALL_IQUOTE) -I$(BUILD)/selftests/helpers/progs $< $(LIB_OBJS) $(LDLIBS) -o $@

# ---- sanitizers ----------------------------------------------------------
# `make asan`: the CLI and the unit tests built with ASan and UBSan in
# build/asan/; `make check-asan` runs every test with them (tests take the
# binary from BPFLP_BIN). _FORTIFY_SOURCE is left out: ASan checks more.
ASAN_DIR       := $(BUILD)/asan
ASAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -U_FORTIFY_SOURCE
ASAN_OBJS      := $(LOADER_SRCS:%.c=$(ASAN_DIR)/%.o)
ASAN_LIB_OBJS  := $(filter-out $(ASAN_DIR)/loader/cli/main.o,$(ASAN_OBJS))
ASAN_UNIT_BINS := $(UNIT_SRCS:%.c=$(ASAN_DIR)/%)
# Any finding fails the run. Leaks are errors too: what bpflp keeps on
# purpose (BTF, the traceable-function cache) is still referenced at exit.
export ASAN_OPTIONS  ?= halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1

$(ASAN_DIR)/loader/%.o: loader/%.c $(BPF_SKELS) $(HEADERS) $(LOADER_HDRS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) $(call layer_iquote,$*) -c $< -o $@

$(ASAN_DIR)/bpflp: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) $^ $(LDLIBS) -o $@

$(ASAN_DIR)/selftests/unit/%: selftests/unit/%.c $(ASAN_LIB_OBJS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) $(ALL_IQUOTE) -DTEST_KMOD_DIR='"$(BUILD)/kmod/$(call kernel_release,6.1)"' -DTEST_BUILD_DIR='"$(BUILD)"' $^ $(LDLIBS) -lcmocka -o $@

.PHONY: asan check-asan
asan: $(ASAN_DIR)/bpflp $(ASAN_UNIT_BINS)

check-asan: deps
	$(Q)$(MAKE) --no-print-directory all kmod asan bench-build-smoke deb
	$(Q)ln -sfn ../kmod $(ASAN_DIR)/kmod	# the modules, where bpflp looks: next to the binary
	$(Q)BPFLP_BIN=$(abspath $(ASAN_DIR)/bpflp) UNIT_DIR=$(ASAN_DIR)/selftests/unit \
		./selftests/vm/check.sh $(if $(PATTERN),'$(PATTERN)')

# ---- vmlinux.h -----------------------------------------------------------
# Regenerate from a BTF file: make vmlinux.h BTF=/sys/kernel/btf/vmlinux
.PHONY: vmlinux
vmlinux:
	$(call msg,GEN,vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file $(or $(BTF),/sys/kernel/btf/vmlinux) format c > vmlinux.h.tmp
	$(Q)cmp -s vmlinux.h.tmp vmlinux.h && rm vmlinux.h.tmp || mv vmlinux.h.tmp vmlinux.h

# ---- documentation and install -------------------------------------------
# Man pages are generated from docs/ with pandoc (installed by `make deps`):
# bpflp(8) from docs/cli.md, bpflp-patch(7) from docs/authoring.md.
# `make install` (PREFIX=/usr/local, DESTDIR for staging) installs the CLI,
# the authoring headers with a vmlinux.h and bpflp.pc, the man pages, bash
# completion and bpflp.service, and the companion module when it is built
# (in PREFIX/lib/bpflp/modules/<its kernel release>/, where bpflp looks for it
# relative to PREFIX/sbin); `make uninstall` removes exactly that list.
PANDOC        ?= pandoc
PREFIX        ?= /usr/local
SBINDIR       ?= $(PREFIX)/sbin
INCLUDEDIR    ?= $(PREFIX)/include
PKGCONFIGDIR  ?= $(PREFIX)/lib/pkgconfig
MANDIR        ?= $(PREFIX)/share/man
BASHCOMPDIR   ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL       ?= install
MODINFO       ?= /sbin/modinfo
KMOD_COMPANIONS = $(wildcard $(BUILD)/kmod/*/bpflp_companion.ko)
KMOD_INSTALL_DIR := $(PREFIX)/lib/bpflp/modules
BPFLP_VERSION  = $(shell sed -n 's/^\#define BPFLP_VERSION[[:space:]]*"\(.*\)"/\1/p' loader/lib/version.h)

MAN_PAGES     := $(BUILD)/man/bpflp.8 $(BUILD)/man/bpflp-patch.7
DIST_FILES    := $(BUILD)/dist/bpflp.pc $(BUILD)/dist/bpflp.service

# What `make install` puts under $(DESTDIR), one line each: uninstall's list too.
INSTALLED     := $(SBINDIR)/bpflp \
		 $(patsubst include/%,$(INCLUDEDIR)/%,$(HEADERS)) \
		 $(INCLUDEDIR)/bpflp/vmlinux/vmlinux.h \
		 $(PKGCONFIGDIR)/bpflp.pc \
		 $(MANDIR)/man8/bpflp.8 $(MANDIR)/man7/bpflp-patch.7 \
		 $(BASHCOMPDIR)/bpflp \
		 $(SYSTEMDUNITDIR)/bpflp.service

# man PAGE SECTION "WHAT IT IS" HEADER: the doc's own title line is replaced by
# a NAME section, and its "##" sections become the page's sections.
man_page = { printf '\#\# NAME\n\n%s - %s\n\n' $(1) $(3); tail -n +2 $<; } | \
	$(PANDOC) -s -f markdown -t man --shift-heading-level-by=-1 -M title=$(1) \
		-M section=$(2) -M header=$(strip $(4)) -M footer="bpflp $(BPFLP_VERSION)" -o $@

$(BUILD)/man/bpflp.8: docs/cli.md Makefile
	$(call msg,PANDOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(call man_page,bpflp,8,"live-patch the running Linux kernel with BPF programs",\
		"System Administration")

$(BUILD)/man/bpflp-patch.7: docs/authoring.md Makefile
	$(call msg,PANDOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(call man_page,bpflp-patch,7,"writing a bpflp live patch",\
		"Miscellaneous Information")

$(BUILD)/dist/%: dist/%.in loader/lib/version.h Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@VERSION@|$(BPFLP_VERSION)|g' $< > $@

.PHONY: man install uninstall FORCE
man: $(MAN_PAGES)

# Paths are baked into bpflp.pc and bpflp.service: regenerate them each time.
$(DIST_FILES): FORCE

install: $(BUILD)/bpflp $(MAN_PAGES) $(DIST_FILES)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -D -m 0755 $(BUILD)/bpflp $(DESTDIR)$(SBINDIR)/bpflp
	$(Q)$(INSTALL) -d -m 0755 $(DESTDIR)$(INCLUDEDIR)/bpflp/vmlinux
	$(Q)$(INSTALL) -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/bpflp/
	$(Q)$(INSTALL) -m 0644 vmlinux.h $(DESTDIR)$(INCLUDEDIR)/bpflp/vmlinux/vmlinux.h
	$(Q)$(INSTALL) -D -m 0644 $(BUILD)/dist/bpflp.pc $(DESTDIR)$(PKGCONFIGDIR)/bpflp.pc
	$(Q)$(INSTALL) -D -m 0644 $(BUILD)/man/bpflp.8 $(DESTDIR)$(MANDIR)/man8/bpflp.8
	$(Q)$(INSTALL) -D -m 0644 $(BUILD)/man/bpflp-patch.7 $(DESTDIR)$(MANDIR)/man7/bpflp-patch.7
	$(Q)$(INSTALL) -D -m 0644 dist/bpflp.bash-completion $(DESTDIR)$(BASHCOMPDIR)/bpflp
	$(Q)$(INSTALL) -D -m 0644 $(BUILD)/dist/bpflp.service $(DESTDIR)$(SYSTEMDUNITDIR)/bpflp.service
	$(Q)for ko in $(KMOD_COMPANIONS); do \
		release=$$($(MODINFO) -F vermagic $$ko | cut -d' ' -f1) && [ -n "$$release" ] && \
		$(INSTALL) -D -m 0644 $$ko $(DESTDIR)$(KMOD_INSTALL_DIR)/$$release/bpflp_companion.ko || exit 1; done

# The installed patch in /var/lib/bpflp is the operator's data: kept.
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/bpflp/vmlinux $(DESTDIR)$(INCLUDEDIR)/bpflp 2>/dev/null || true
	$(Q)rm -f $(DESTDIR)$(KMOD_INSTALL_DIR)/*/bpflp_companion.ko
	$(Q)rmdir $(DESTDIR)$(KMOD_INSTALL_DIR)/* $(DESTDIR)$(KMOD_INSTALL_DIR) \
		$(DESTDIR)$(PREFIX)/lib/bpflp 2>/dev/null || true

# ---- DKMS source tree ----------------------------------------------------
# `make install-dkms`: the companion module's sources as DKMS builds them,
# in $(DESTDIR)/usr/src/bpflp-companion-VERSION/, for the bpflp-companion-dkms
# package (its dkms.conf, kmod/dkms/dkms.conf, dh_dkms installs there).
DKMS_SRC_DIR  = $(DESTDIR)/usr/src/bpflp-companion-$(BPFLP_VERSION)
DKMS_SOURCES := kmod/companion_dev.c kmod/companion_hook.c kmod/companion.h kmod/companion_ident.h

.PHONY: install-dkms
install-dkms:
	$(Q)$(INSTALL) -d $(DKMS_SRC_DIR)/include/bpflp
	$(Q)$(INSTALL) -m 0644 $(DKMS_SOURCES) $(DKMS_SRC_DIR)/
	$(Q)$(INSTALL) -m 0644 include/bpflp/companion.h $(DKMS_SRC_DIR)/include/bpflp/
	$(Q)sed 's/#MODULE_VERSION#/$(BPFLP_VERSION)/' kmod/dkms/Kbuild > $(DKMS_SRC_DIR)/Kbuild

# ---- Debian package ------------------------------------------------------
# `make deb`: build/deb/bpflp_VERSION_amd64.deb and
# bpflp-companion-dkms_VERSION_all.deb with debhelper (debian/), from
# a copy of the sources so that dh's clean leaves this tree's build alone.
# dpkg-buildpackage's output goes to build/deb/build.log.
DEB_DIR  := $(BUILD)/deb
DEB_SRC   = $(DEB_DIR)/src/bpflp-$(BPFLP_VERSION)
DEB_FILE  = $(DEB_DIR)/bpflp_$(BPFLP_VERSION)_amd64.deb

.PHONY: deb
deb:
	$(Q)v=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	[ "$$v" = "$(BPFLP_VERSION)" ] || { echo "deb: debian/changelog is at $$v," \
		"loader/lib/version.h at $(BPFLP_VERSION): add a changelog entry (dch -v)" >&2; exit 1; }
	$(call msg,DEB,$(DEB_FILE))
	$(Q)rm -rf $(DEB_DIR)/src && mkdir -p $(DEB_SRC)
	$(Q)tar -c --exclude=./$(BUILD) --exclude=./.git . | tar -x -C $(DEB_SRC)
	$(Q)cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -j1 > $(abspath $(DEB_DIR))/build.log 2>&1 || \
		{ tail -n 30 $(abspath $(DEB_DIR))/build.log; echo "deb: failed; see $(DEB_DIR)/build.log" >&2; exit 1; }
	$(Q)mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/
	$(Q)rm -rf $(DEB_DIR)/src

# ---- set-up, VM, tests ---------------------------------------------------
.PHONY: deps
deps:
	$(Q)./selftests/vm/deps.sh

include selftests/vm/vm.mk
include selftests/tests/input/badobj/badobj.mk

.PHONY: clean
clean:
	rm -rf $(BUILD)/bpflp $(BUILD)/man $(BUILD)/dist $(BUILD)/loader $(BUILD)/bpf $(BUILD)/selftests $(BUILD)/examples $(BUILD)/bench $(ASAN_DIR)
