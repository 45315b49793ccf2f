# SPDX-License-Identifier: GPL-2.0
# Test VM, companion modules and test entry points. Included by the top Makefile.

VM_RUN      := selftests/vm/run-in-vm.sh
KERNEL_ABI   = $(shell cat $(BUILD)/kernel/abi 2>/dev/null)
KDIR         = /usr/src/linux-headers-$(KERNEL_ABI)-amd64
KMOD_SRCS   := $(wildcard kmod/*.c kmod/*.h) kmod/Makefile
KMOD_BUILD  := $(BUILD)/kmod

.PHONY: kernel vm-shell kmod check demo vmlinux-guest

# `make` builds the companion module too, once the headers are there (make
# deps); `make kmod KDIR=...` builds it for another kernel.
all: $(if $(wildcard $(KDIR)/Makefile),kmod)

# The guest kernel (and its headers) comes from `make deps`.
kernel:
	$(Q)[ -s $(BUILD)/kernel/abi ] || ./selftests/vm/deps.sh

vm-shell: kernel
	$(Q)$(VM_RUN) -i -t 0 bash -i

# Out-of-tree build of kmod/ against the guest kernel's headers. The sources
# are copied (only when newer) so kbuild's output stays out of the source tree.
kmod: kernel
	$(call msg,KMOD,$(KMOD_BUILD))
	$(Q)mkdir -p $(KMOD_BUILD)
	$(Q)cp -u $(KMOD_SRCS) $(KMOD_BUILD)/
	$(Q)$(MAKE) -s -C $(KDIR) M=$(abspath $(KMOD_BUILD)) \
		BPFLP_SRC=$(abspath .) BPFLP_VERSION=$(BPFLP_VERSION) $(if $(filter 1,$(V)),V=1,) modules >$(KMOD_BUILD)/build.log 2>&1 || \
		{ cat $(KMOD_BUILD)/build.log; exit 1; }

# Every test: host unit tests, then all in-VM tests in one boot. The .deb is
# built first (about 10 s): 52_deb_install.sh installs it in the VM; so are
# the scale benchmark's smallest sizes, for 70_bench_smoke.sh.
check: deps
	$(Q)$(MAKE) --no-print-directory all kmod bench-build-smoke deb
	$(Q)./selftests/vm/check.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)if [ -f selftests/demo.sh ]; then $(VM_RUN) -t 600 bash selftests/demo.sh; \
	else $(VM_RUN) -t 600 bash selftests/demo-platform.sh; fi

# BTF of the guest kernel, for `make vmlinux BTF=$(BUILD)/vmlinux-6.1.btf`.
vmlinux-guest: kernel
	$(call msg,VM,$(BUILD)/vmlinux-6.1.btf)
	$(Q)$(VM_RUN) -t 300 cp /sys/kernel/btf/vmlinux $(BUILD)/vm-share/vmlinux.btf
	$(Q)chmod 644 $(BUILD)/vm-share/vmlinux.btf
	$(Q)mv $(BUILD)/vm-share/vmlinux.btf $(BUILD)/vmlinux-6.1.btf

# What bpflp costs per call and per transaction (bench.sh), and how bpflp
# and kernel livepatch scale with N side by side (scale.sh), measured in the
# VM; bench-per-call and bench-scale run one part. bench-scale copies the
# CSVs to build/bench/ and plots them there (scale.png).
# bench-build: scale.sh's generated sources (selftests/bench/build.sh).
.PHONY: bench bench-per-call bench-scale bench-build bench-build-smoke
# One VM after the other, even under make -j: they would skew each other's figures.
bench: deps
	$(Q)$(MAKE) --no-print-directory bench-per-call
	$(Q)$(MAKE) --no-print-directory bench-scale

bench-per-call: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(VM_RUN) -t 900 bash selftests/bench/bench.sh

bench-build: kernel
	$(Q)./selftests/bench/build.sh full

bench-build-smoke: kernel
	$(Q)./selftests/bench/build.sh smoke

bench-scale: deps
	$(Q)$(MAKE) --no-print-directory all bench-build
	$(Q)$(VM_RUN) -t 7200 bash selftests/bench/scale.sh
	$(Q)cp $(BUILD)/vm-share/bench/*.csv $(BUILD)/bench/
	$(call msg,PLOT,$(BUILD)/bench/scale.png)
	$(Q)gnuplot -e "dir='$(BUILD)/bench'" selftests/bench/plot.gp

# Two bpflp builds on the same patches in one boot (loader_ab.sh): OLD=path.
.PHONY: bench-ab
bench-ab: deps
	$(Q)[ -n "$(OLD)" ] || { echo "bench-ab: say which bpflp to compare with: make bench-ab OLD=path/to/bpflp" >&2; exit 2; }
	$(Q)$(MAKE) --no-print-directory all bench-build-smoke
	$(Q)$(VM_RUN) -t 3600 bash selftests/bench/loader_ab.sh $(abspath $(OLD)) $(abspath $(or $(NEW),$(BUILD)/bpflp))

# Only the reboot test: a patch installed in one boot is applied in the next.
# The observer-only replace stress test, out of `make check`: the kernel may
# skip the fexit programs of a call in progress when a trampoline changes, so
# an exit can go uncounted whatever bpflp does (docs/design.md, "The fexit
# cut"; selftests/stress/observe_replace.sh).
.PHONY: stress-observe
stress-observe: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(VM_RUN) -t 1200 bash selftests/stress/observe_replace.sh

.PHONY: check-reboot
check-reboot: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./selftests/vm/reboot-test.sh
