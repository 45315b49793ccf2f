#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What bpflp refuses for the sake of security, and what it locks down:
#  a) without CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON it refuses, naming them;
#  b) the state tree is root-only: directories 0700, pins 0600, even if the
#     directories were made looser beforehand;
#  c) a patch name cannot make bpflp write outside /sys/fs/bpf/bpflp;
#  d) a patch object that someone other than root could change (not owned by
#     root, group- or world-writable) is refused unless --allow-insecure.
# Refusals are checked as in 4[0-4]_*: one error line, nothing changed.
. "$(dirname "$0")/badobj/setup.bash"

_state_setup
# Readable by nobody, so the unprivileged runs get as far as the capability check.
chmod 755 "$work"
caps_msg='missing capabilities: .*CAP_BPF'

echo "# a) capabilities"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
badobj_rebase
refused "nobody: apply, no state" "$caps_msg" "${nobody[@]}" "$BPFLP" apply "$example"
refused "nobody: check" "$caps_msg" "${nobody[@]}" "$BPFLP" check "$example"
_state_live
badobj_rebase
refused "nobody: apply" "$caps_msg" "${nobody[@]}" "$BPFLP" apply "$example"
refused "nobody: apply --stack" "$caps_msg" "${nobody[@]}" "$BPFLP" apply --stack "$BADOBJ/example-v2.bpf.o"
refused "nobody: disable" "$caps_msg" "${nobody[@]}" "$BPFLP" disable example
refused "nobody: recover" "$caps_msg" "${nobody[@]}" "$BPFLP" recover
refused "nobody: list" "CAP_|Permission denied" "${nobody[@]}" "$BPFLP" list
refused "nobody: show" "CAP_|Permission denied" "${nobody[@]}" "$BPFLP" show example
# Root, but without one of the three: the bounding set caps what exec grants.
for cap in bpf perfmon sys_admin; do
	refused "root without CAP_${cap^^}: apply" "missing capabilities: .*CAP_${cap^^}" \
		setpriv --bounding-set=-"$cap" --inh-caps=-"$cap" "$BPFLP" apply "$BADOBJ/example-v2.bpf.o"
done
assert_eq "$(active_patches)" "example@1" "active patches after the refusals"

echo "# b) modes of the state tree"
check_modes() {
	local path mode bad=0 n=0
	while read -r path mode; do
		n=$((n + 1))
		if [[ -d $path && $mode != 700 ]] || [[ ! -d $path && $((8#$mode & 8#077)) != 0 ]]; then
			echo "  $path has mode $mode" >&2
			bad=1
		fi
	done <<< "$(find "$STORE" -printf '%p %m\n')"
	((bad == 0)) || fail "$1: the state tree is not root-only"
	((n >= 8)) || fail "$1: only $n entries under $STORE"
	echo "  ok: $1: $n entries, directories 0700, nothing group- or world-accessible"
}
assert_eq "$(stat -c %a "$STORE")" 700 "mode of $STORE"
assert_eq "$(stat -c %a "$STORE/patches")" 700 "mode of $STORE/patches"
check_modes "after apply"
# Loosened behind bpflp's back: the next transaction tightens them again.
chmod 755 "$STORE" "$STORE/patches"
assert_ok "$BPFLP" apply "$BADOBJ/example-v2.bpf.o" > /dev/null
check_modes "after an apply over loosened directories"
assert_ok "$BPFLP" apply "$example" > /dev/null
assert_eq "$(active_patches)" "example@1" "active patches"

echo "# c) patch names stay inside $STORE"
ls_outside() { ls -a / /tmp /sys/fs /sys/fs/bpf "$STORE/patches/.." 2>&1; }
outside=$(ls_outside)
badobj_rebase
for obj in name-escape name-dotdot name-slash name-at; do
	refused "apply $obj" "bad patch name" "$BPFLP" apply "$BADOBJ/$obj.bpf.o"
	refused "apply --stack $obj" "bad patch name" "$BPFLP" apply --stack "$BADOBJ/$obj.bpf.o"
done
for spec in ../../../../tmp/bpflp-escape@1 ../bpflp_state .. . /etc/passwd; do
	refused "disable '$spec'" "no active patch" "$BPFLP" disable "$spec"
	refused "show '$spec'" "no patch" "$BPFLP" show "$spec"
done
now=$(ls_outside)
[[ $now == "$outside" ]] ||
	fail "entries appeared next to the store or in /tmp: was: $outside; now: $now"
echo "  ok: nothing new next to the store, in /sys/fs/bpf, / or /tmp"
[[ ! -e /tmp/bpflp-escape@1 ]] || fail "/tmp/bpflp-escape@1 was created"

echo "# d) objects others could change"
insecure_msg() { echo "$1.*--allow-insecure"; }
cp "$example" "$work/world-writable.bpf.o"
chmod 666 "$work/world-writable.bpf.o"
cp "$example" "$work/group-writable.bpf.o"
chmod 664 "$work/group-writable.bpf.o"
cp "$example" "$work/not-root.bpf.o"
chown 65534:65534 "$work/not-root.bpf.o"
cp "$example" "$work/not-root-group.bpf.o"
chown 0:65534 "$work/not-root-group.bpf.o"
chmod 664 "$work/not-root-group.bpf.o"
ln -s not-root.bpf.o "$work/link-to-not-root.bpf.o"
# Sanity: root-owned, 0644, group not root: accepted (already active: a no-op).
chown 0:65534 "$example"
assert_ok "$BPFLP" apply "$example" > /dev/null
chown 0:0 "$example"
badobj_rebase
for verb in apply check; do
	refused "$verb world-writable" "$(insecure_msg writable)" "$BPFLP" "$verb" "$work/world-writable.bpf.o"
	refused "$verb group-writable" "$(insecure_msg writable)" "$BPFLP" "$verb" "$work/group-writable.bpf.o"
	refused "$verb not owned by root" "$(insecure_msg 'not owned by root')" "$BPFLP" "$verb" "$work/not-root.bpf.o"
	refused "$verb group-writable, group not root" "$(insecure_msg writable)" \
		"$BPFLP" "$verb" "$work/not-root-group.bpf.o"
	refused "$verb symlink to not owned by root" "$(insecure_msg 'not owned by root')" \
		"$BPFLP" "$verb" "$work/link-to-not-root.bpf.o"
done
refused "apply --stack world-writable" "$(insecure_msg writable)" \
	"$BPFLP" apply --stack "$work/world-writable.bpf.o"
refused_json "-j apply world-writable" "$(insecure_msg writable)" \
	"$BPFLP" -j apply "$work/world-writable.bpf.o"
# The override: each is accepted (replacing example with itself is a no-op,
# so disable first and apply the insecure copy for real).
assert_ok "$BPFLP" disable example > /dev/null
for obj in world-writable not-root group-writable; do
	assert_ok "$BPFLP" check --allow-insecure "$work/$obj.bpf.o" > /dev/null
	assert_ok "$BPFLP" apply --allow-insecure "$work/$obj.bpf.o" > /dev/null
	assert_eq "$(active_patches)" "example@1" "active after apply --allow-insecure $obj"
	assert_ok "$BPFLP" disable example > /dev/null
done
assert_ok "$BPFLP" apply "$work/not-root.bpf.o" --allow-insecure > /dev/null
assert_eq "$(active_patches)" "example@1" "active after apply OBJ --allow-insecure"
assert_ok "$BPFLP" disable example > /dev/null

badobj_summary
