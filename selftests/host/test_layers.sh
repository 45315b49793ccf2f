#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# loader/'s layers (the Makefile's LOADER_LAYERS, lowest first): every file
# is in a layer folder, includes only its own layer and the ones before it,
# and no include cycle is left (include_graph.py); and the build enforces
# the direction: with a layer's -iquote path, a higher layer's header is
# not found, while its own layer's is. Prints cmocka's summary lines.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
# shellcheck source=selftests/counts.bash
source selftests/counts.bash
echo "[==========] layer tests"

read -ra layers <<< "$(make -s --no-print-directory --eval 'print-layers: ; @echo $(LOADER_LAYERS)' print-layers)"
if ((${#layers[@]} < 2)); then
	not_ok "LOADER_LAYERS" "the Makefile names no layers"
	counts_exit
fi

if out=$(python3 selftests/host/include_graph.py "$root" "${layers[@]}"); then
	ok "$out"
else
	not_ok "include graph" "$(tr '\n' ';' <<< "$out")"
fi

# iquote LAYER: the quote-include flags the Makefile compiles LAYER's files with.
iquote() {
	make -s --no-print-directory --eval "print-iquote: ; @echo \$(call layer_iquote,$1/x)" print-iquote
}
# compiles LAYER HEADER: does a file of LAYER that includes HEADER compile?
compiles() {
	local flags
	read -ra flags <<< "$(iquote "$1")"
	(cd "$(mktemp -d)" && trap 'rm -rf "$PWD"' EXIT &&
		printf '#include "%s"\n' "$2" |
		gcc -fsyntax-only -D_GNU_SOURCE -I"$root/include" -I"$root/build/bpf" \
		    "${flags[@]/#loader/$root/loader}" -x c - 2>&1)
}
# Each layer against the first header of the layer above it, and its own.
for ((i = 0; i + 1 < ${#layers[@]}; i++)); do
	low=${layers[i]} high=${layers[i + 1]}
	up=$(find "loader/$high" -name '*.h' | sort | head -n1)
	own=$(find "loader/$low" -name '*.h' | sort | head -n1)
	if out=$(compiles "$low" "$(basename "$up")"); then
		not_ok "$low cannot include $up" "it compiles"
	elif grep -q "No such file" <<< "$out"; then
		ok "$low cannot include $up: not on its include path"
	else
		not_ok "$low cannot include $up" "failed otherwise: $(head -n1 <<< "$out")"
	fi
	if out=$(compiles "$low" "$(basename "$own")"); then
		ok "$low includes its own $own"
	else
		not_ok "$low includes its own $own" "$(head -n1 <<< "$out")"
	fi
done
counts_exit
