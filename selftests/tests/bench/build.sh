#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build what selftests/tests/bench/scale.sh runs, on the host, into build/bench/,
# for the guest kernel build/kernel-$BPFLP_KERNEL (default 6.1):
#   patches/          bpflp patches scale-N of the same functions of the
#                     target module: versions 1 and 2 (the same bodies),
#                     then one per step of the k-of-N replace series
#   kmod/<release>/   for that kernel: the target module bpflp_bench.ko,
#                     with BTF, livepatches bpflp_bench_klp_N_vV.ko,
#                     vmlinux.btf (the guest's BTF, the base of the
#                     module's) and manifest ("bpflp N" and "klp N" lines:
#                     the sizes built)
#
#   build.sh smoke|full
#
# smoke: N = 1 and 4 (make check's 70_bench_smoke.sh); full: N = 1, 10,
# 100, 1000, or those of BENCH_SIZES (as scale.sh runs them). bpflp
# patches are built for the N within the loader's BPFLP_MAX_FUNCS. Only
# what changed is rebuilt.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
out=build/bench
gen=selftests/tests/bench/gen.py
nmax=1024	# functions in the target module: the livepatch sizes go up to 1000
case ${1:-} in
smoke) want=(1 4) ;;
full) want=(${BENCH_SIZES:-1 10 100 1000}) ;;
*) echo "usage: build.sh smoke|full" >&2; exit 2 ;;
esac
kernel=build/kernel-${BPFLP_KERNEL:-6.1}
abi=$(cat $kernel/abi 2>/dev/null) || { echo "bench: no guest kernel in $kernel; run 'make deps'" >&2; exit 1; }
kdir=${KDIR:-$(cat $kernel/kdir)}
kout=$out/kmod/$abi-amd64
for tool in pahole clang xz zstd objcopy; do
	command -v $tool >/dev/null || { echo "bench: $tool missing; run 'make deps'" >&2; exit 1; }
done
quiet() { [[ ${V:-} == 1 ]] || printf '  %-8s %s\n' "$1" "$2"; }
mkdir -p $out/patches $kout

# update FILE: stdin replaces FILE only when it differs (keeps make's and kbuild's timestamps).
update() {
	cat > "$1.tmp"
	if cmp -s "$1.tmp" "$1"; then rm "$1.tmp"; else mv "$1.tmp" "$1"; fi
}

# The guest's BTF: the base of the module's split BTF.
# 6.12's headers ship vmlinux; 6.1's do not, so its vmlinuz is unpacked: the
# payload is found by its magic (xz on 6.1, zstd on 6.12).
unpack_vmlinux() {
	local z=$kernel/vmlinuz off
	if [[ -f $kdir/vmlinux ]]; then cp "$kdir/vmlinux" "$1"; return; fi
	off=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().find(b"\xfd7zXZ\x00"))' $z)
	if ((off >= 0)); then
		tail -c +$((off + 1)) $z | xz -dcq > "$1" 2>/dev/null || true
		return
	fi
	off=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().find(b"\x28\xb5\x2f\xfd"))' $z)
	((off >= 0)) || { echo "bench: $z is neither xz nor zstd; extract vmlinux by hand" >&2; exit 1; }
	tail -c +$((off + 1)) $z | zstd -dcq > "$1" 2>/dev/null || true
}
if [[ ! -s $kout/vmlinux.btf || $kernel/vmlinuz -nt $kout/vmlinux.btf ]]; then
	quiet BTF $kout/vmlinux.btf
	unpack_vmlinux $kout/vmlinux.elf
	objcopy -O binary --only-section=.BTF $kout/vmlinux.elf $kout/vmlinux.btf.tmp
	rm -f $kout/vmlinux.elf
	[[ -s $kout/vmlinux.btf.tmp ]] || { echo "bench: no .BTF section in the guest vmlinux" >&2; exit 1; }
	mv $kout/vmlinux.btf.tmp $kout/vmlinux.btf
fi
max_funcs=$(sed -n 's/^#define BPFLP_MAX_FUNCS[[:space:]]*\([0-9]*\).*/\1/p' include/bpflp/abi.h)
bpflp_ns=()
for n in "${want[@]}"; do ((n <= max_funcs)) && bpflp_ns+=("$n"); done
# The smoke build also has a patch of 100 functions, outside the manifest:
# 71_fd_limit.sh loads it under a low descriptor limit.
extra_ns=()
[[ $1 == smoke ]] && extra_ns=(100)

for n in "${bpflp_ns[@]}" "${extra_ns[@]}"; do
	# Versions 1 and 2, then for the sizes scale.sh runs one per step of the
	# k-of-N replace series (gen.py kseries).
	nr_k=0
	[[ " ${bpflp_ns[*]} " == *" $n "* ]] && nr_k=$(python3 $gen kseries "$n" | wc -w)
	for ((v = 1; v <= 2 + nr_k; v++)); do
		src=$out/patches/scale-$n-v$v.bpf.c obj=$out/patches/scale-$n-v$v.bpf.o
		python3 $gen patch "$n" "$v" | update "$src"
		if [[ ! -s $obj || $src -nt $obj || -n $(find include/bpflp -newer "$obj") ]]; then
			quiet CLANG "$obj"
			clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
				-Iinclude -I. -c "$src" -o "$obj"
		fi
	done
done

# Modules: the target and a livepatch of N functions per wanted N, versions 1 and 2.
python3 $gen target $nmax | update $kout/bpflp_bench.c
objs="bpflp_bench.o"
for n in "${want[@]}"; do
	for v in 1 2; do
		python3 $gen klp "$n" "$v" | update $kout/bpflp_bench_klp_${n}_v$v.c
		objs+=" bpflp_bench_klp_${n}_v$v.o"
	done
done
echo "obj-m := $objs" | update $kout/Kbuild
quiet KMOD $kout
make -s -C "$kdir" M="$root/$kout" modules > $kout/build.log 2>&1 ||
	{ cat $kout/build.log; exit 1; }

# Out-of-tree kbuild skips module BTF without a vmlinux (6.1's headers have
# none): add it as kbuild would (split BTF on the guest's), once per link of
# the module.
ko=$kout/bpflp_bench.ko
if [[ ! -f $ko.btf-stamp || $ko -nt $ko.btf-stamp ]]; then
	if ! objdump -h "$ko" | grep -q ' \.BTF '; then
		quiet BTF "$ko"
		pahole -J --btf_base $kout/vmlinux.btf "$ko" > $kout/pahole.log 2>&1 ||
			{ cat $kout/pahole.log; exit 1; }
	fi
	touch "$ko.btf-stamp"
fi

{
	for n in "${bpflp_ns[@]}"; do echo "bpflp $n"; done
	for n in "${want[@]}"; do echo "klp $n"; done
	echo "max_funcs $max_funcs"
} | update $kout/manifest
