# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the livepatch-module tests (selftests/tests/livepatch/); source
# it after lib.sh and ../patch_lib.bash and call lp_setup.
#
# The patches are the core area's t-v@1 and t-v@2; the modules selftests/kmod/bpflp_klp_* and examples/livepatch/.
# /proc/version tells which example livepatch is in effect: it ends in
# "[bpflp-klp v1]" or "[bpflp-klp v2]", or is the kernel's own line.

LP_SYSFS=/sys/kernel/livepatch
LP_MODULES="bpflp_klp_v1 bpflp_klp_v2 bpflp_klp_stall bpflp_klp_missing bpflp_klp_plain"

# lp_ko NAME: path of NAME.ko built for this kernel
lp_ko() { kmod_path "$1"; }

# lp_unload NAME: disable the module's livepatch and remove it, if loaded.
lp_unload() {
	if [[ -d $LP_SYSFS/$1 ]]; then
		wait_for 30 grep -qx 0 "$LP_SYSFS/$1/transition"
		[[ $(cat "$LP_SYSFS/$1/enabled" 2> /dev/null) != 1 ]] || echo 0 > "$LP_SYSFS/$1/enabled"
		wait_for 30 test ! -d "$LP_SYSFS/$1"
	fi
	[[ ! -e /sys/module/$1 ]] || wait_for 10 rmmod "$1" 2> /dev/null || true
}

lp_teardown() {
	local m
	bpflp_reset
	for m in $LP_MODULES bpflp_klp_block; do lp_unload "$m"; done
}

# lp_setup: core_setup, then skip without livepatch; no test module loaded.
lp_setup() {
	core_setup
	[[ -d $LP_SYSFS ]] || skip "kernel without CONFIG_LIVEPATCH"
	local m
	for m in $LP_MODULES bpflp_klp_block; do
		[[ ! -e /sys/module/$m ]] || fail "$m is loaded before the test"
	done
	ORIG_VERSION=$(cat /proc/version)
	on_exit lp_teardown
}

# lp_fix: which example fix /proc/version shows: v1, v2 or none.
lp_fix() {
	local v
	v=$(cat /proc/version)
	case $v in
	*"[bpflp-klp v1]") echo v1 ;;
	*"[bpflp-klp v2]") echo v2 ;;
	"$ORIG_VERSION") echo none ;;
	*) echo "unexpected: $v" ;;
	esac
}

# lp_loaded: the bpflp_klp_* livepatch modules loaded, and the livepatches in sysfs.
lp_loaded() {
	local m mods="" lps=""
	for m in $LP_MODULES; do [[ ! -e /sys/module/$m ]] || mods+="$m "; done
	for m in "$LP_SYSFS"/*; do [[ ! -e $m ]] || lps+="$(basename "$m") "; done
	echo "modules: ${mods% } livepatches: ${lps% }"
}

# lp_assert SPEC FIX MODULE WHAT: the one consistent state, e.g.
# lp_assert t-v@1 v1 bpflp_klp_v1: t-v@1 is the active patch (or "" for
# none), /proc/version shows FIX, and MODULE ("" for none) is the only test
# livepatch module loaded, enabled and not in transition.
lp_assert() {
	local spec=$1 fix=$2 mod=$3 what=$4 want
	assert_eq "$(active_patches)" "$spec" "active patch $what"
	assert_eq "$(lp_fix)" "$fix" "/proc/version fix $what"
	want="modules: $mod livepatches: $mod"
	assert_eq "$(lp_loaded)" "$want" "livepatch modules $what"
	if [[ -n $mod ]]; then
		assert_eq "$(cat "$LP_SYSFS/$mod/enabled") $(cat "$LP_SYSFS/$mod/transition")" "1 0" \
			"$mod enabled, transition $what"
	fi
	[[ ! -e $STORE/livepatch_txn ]] || fail "livepatch step record left behind $what"
}
