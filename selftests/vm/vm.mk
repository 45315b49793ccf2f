# SPDX-License-Identifier: GPL-2.0
# Test VM, companion modules and test entry points. Included by the top Makefile.
#
# Two kernels: KERNEL=6.1 (Debian 12's, the default) or KERNEL=6.12 (Debian
# 13's) picks the one a VM target boots (demo, vm-shell, bench...). `make
# check` runs the in-VM suite on every kernel in KERNELS unless KERNEL is
# given. `make deps` fetches each into build/kernel-SERIES/ (see deps.sh).

VM_RUN      := selftests/vm/run-in-vm.sh
KERNELS     := 6.1 6.12
CHECK_KERNELS := $(if $(filter file undefined,$(origin KERNEL)),$(KERNELS),$(KERNEL))
KERNEL      ?= 6.1
$(if $(filter-out $(KERNELS),$(KERNEL) $(CHECK_KERNELS)),\
  $(error KERNEL=$(KERNEL): bpflp is tested on $(KERNELS); say KERNEL=6.1 or KERNEL=6.12))
export BPFLP_KERNEL := $(KERNEL)
# kernel_dir SERIES, kernel_release SERIES, kernel_kdir SERIES (its headers)
kernel_dir     = $(BUILD)/kernel-$(1)
kernel_release = $(shell cat $(BUILD)/kernel-$(1)/abi 2>/dev/null)-amd64
kernel_kdir    = $(shell cat $(BUILD)/kernel-$(1)/kdir 2>/dev/null)
# The companion module, the example livepatch module and the test modules:
# their sources are copied into one kbuild folder, their Kbuild files joined.
KMOD_DIRS   := kmod examples/livepatch selftests/kmod
KMOD_SRCS   := $(foreach d,$(KMOD_DIRS),$(wildcard $(d)/*.c $(d)/*.h))
KMOD_KBUILD := $(addsuffix /Kbuild,$(KMOD_DIRS))

.PHONY: kernel vm-shell kmod check demo vmlinux-guest

# `make` builds the companion module too, for each kernel fetched (make deps).
all: $(if $(wildcard $(BUILD)/kernel-*/kdir),kmod)

# The guest kernels (and their headers) come from `make deps`.
kernel:
	$(Q)$(foreach k,$(KERNELS),[ -s $(call kernel_dir,$(k))/kdir ] &&) true || ./selftests/vm/deps.sh

vm-shell: kernel
	$(Q)$(VM_RUN) -i -t 0 bash -i

# Out-of-tree build of kmod/ against each guest kernel's headers, into
# build/kmod/<release>/ (where bpflp looks first, as in an installed
# PREFIX/lib/bpflp/modules/<release>/). `make kmod KDIR=DIR` builds it for
# the kernel whose kbuild tree DIR is instead. The sources are copied (only
# when newer) so kbuild's output stays out of the source tree.
ifeq ($(KDIR),)
kmod: kernel $(addprefix kmod-,$(KERNELS))
else
kmod:
	$(call build_kmod,$(KDIR),$(BUILD)/kmod/$(shell cat $(KDIR)/include/config/kernel.release))
endif

.PHONY: $(addprefix kmod-,$(KERNELS))
$(addprefix kmod-,$(KERNELS)): kmod-%: kernel
	$(call build_kmod,$(call kernel_kdir,$*),$(BUILD)/kmod/$(call kernel_release,$*))

# build_kmod KDIR,OUT
define build_kmod
	$(call msg,KMOD,$(2))
	$(Q)mkdir -p $(2)
	$(Q)cp -u $(KMOD_SRCS) $(2)/
	$(Q)cat $(KMOD_KBUILD) > $(2)/Kbuild.new && { cmp -s $(2)/Kbuild.new $(2)/Kbuild || mv $(2)/Kbuild.new $(2)/Kbuild; }
	$(Q)rm -f $(2)/Kbuild.new $(2)/Makefile
	$(Q)$(MAKE) -s -C $(1) M=$(abspath $(2)) \
		BPFLP_SRC=$(abspath .) BPFLP_VERSION=$(BPFLP_VERSION) $(if $(filter 1,$(V)),V=1,) modules >$(2)/build.log 2>&1 || \
		{ cat $(2)/build.log; exit 1; }
endef

# The build before the tests runs one job per CPU (~3 min serially on 2 CPUs).
CHECK_JOBS ?= $(shell nproc)
# Every test: host unit tests, then all in-VM tests in one boot. The .deb is
# built first (about 10 s): 52_deb_install.sh installs it in the VM; so are
# the scale benchmark's smallest sizes, for 70_bench_smoke.sh.
check: deps
	$(Q)$(MAKE) --no-print-directory -j$(CHECK_JOBS) all kmod $(addprefix bench-build-smoke-,$(CHECK_KERNELS)) deb
	$(Q)CHECK_KERNELS="$(CHECK_KERNELS)" ./selftests/vm/check.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)if [ -f selftests/demo.sh ]; then $(VM_RUN) -t 600 bash selftests/demo.sh; \
	else $(VM_RUN) -t 600 bash selftests/demo-platform.sh; fi

# BTF of the guest kernel, for `make vmlinux BTF=$(BUILD)/vmlinux-6.1.btf`
# (vmlinux.h is generated from 6.1's: CO-RE adapts it to 6.12).
vmlinux-guest: kernel
	$(call msg,VM,$(BUILD)/vmlinux-$(KERNEL).btf)
	$(Q)$(VM_RUN) -t 300 cp /sys/kernel/btf/vmlinux $(BUILD)/vm-share/vmlinux.btf
	$(Q)chmod 644 $(BUILD)/vm-share/vmlinux.btf
	$(Q)mv $(BUILD)/vm-share/vmlinux.btf $(BUILD)/vmlinux-$(KERNEL).btf

# What bpflp costs per call and per transaction (bench.sh), and how bpflp
# and kernel livepatch scale with N side by side (scale.sh), measured in the
# VM; bench-per-call and bench-scale run one part. bench-scale copies the
# CSVs to build/bench/ and plots them there (scale.png), and the plot to
# docs/scale.png.
# bench-build: scale.sh's generated sources (selftests/tests/bench/build.sh).
.PHONY: bench bench-per-call bench-scale bench-build bench-build-smoke
# One VM after the other, even under make -j: they would skew each other's figures.
bench: deps
	$(Q)$(MAKE) --no-print-directory bench-per-call
	$(Q)$(MAKE) --no-print-directory bench-scale

bench-per-call: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(VM_RUN) -t 900 bash selftests/tests/bench/bench.sh

bench-build: kernel
	$(Q)./selftests/tests/bench/build.sh full

bench-build-smoke: kernel
	$(Q)./selftests/tests/bench/build.sh smoke

# bench-build-smoke-SERIES: the smoke build for that kernel (make check).
bench-build-smoke-%: kernel
	$(Q)BPFLP_KERNEL=$* ./selftests/tests/bench/build.sh smoke

bench-scale: deps
	$(Q)$(MAKE) --no-print-directory all bench-build
	$(Q)$(VM_RUN) -t 7200 bash selftests/tests/bench/scale.sh
	$(Q)cp $(BUILD)/vm-share/bench/*.csv $(BUILD)/bench/
	$(call msg,PLOT,$(BUILD)/bench/scale.png)
	$(Q)gnuplot -e "dir='$(BUILD)/bench'" selftests/tests/bench/plot.gp
	$(Q)cp $(BUILD)/bench/scale.png docs/scale.png	# what docs/benchmarks.md shows: commit it with the run's tables

# Two bpflp builds on the same patches in one boot (loader_ab.sh): OLD=path.
.PHONY: bench-ab
bench-ab: deps
	$(Q)[ -n "$(OLD)" ] || { echo "bench-ab: say which bpflp to compare with: make bench-ab OLD=path/to/bpflp" >&2; exit 2; }
	$(Q)$(MAKE) --no-print-directory all bench-build-smoke
	$(Q)$(VM_RUN) -t 3600 bash selftests/tests/bench/loader_ab.sh $(abspath $(OLD)) $(abspath $(or $(NEW),$(BUILD)/bpflp))

# Only the reboot test: a patch installed in one boot is applied in the next.
# The observer-only replace stress test, out of `make check`: the kernel may
# skip the fexit programs of a call in progress when a trampoline changes, so
# an exit can go uncounted whatever bpflp does (docs/design.md, "The fexit
# cut"; selftests/tests/reliability/observe_replace.sh).
.PHONY: stress-observe
stress-observe: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(VM_RUN) -t 1200 bash selftests/tests/reliability/observe_replace.sh

.PHONY: check-reboot
check-reboot: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./selftests/vm/reboot-test.sh
