#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Signed patches (issue 23): with a policy (BPFLP_CONF) requiring
# signatures, apply, install and boot check a detached CMS signature over
# the object (OBJ.sig or --sig) and over the livepatch module it ships
# (FIX.ko.sig) before anything changes. Each refusal is one error line
# naming why, and leaves bpffs, the loaded modules and the installed patch
# as they were: unsigned, one byte flipped in the object, one in the
# module, signed by an untrusted key, by an expired certificate, a
# signature of another file. A valid signature is applied, and show and
# list -j name the signer (CN and certificate SHA-256, as openssl computes
# it). Keys and certificates come from the openssl CLI; the expired one
# from 'openssl ca' with explicit dates (OpenSSL 3.0's req and x509 take
# none).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup
command -v openssl > /dev/null || skip "no openssl command (Debian package openssl)"

schema_valid() { schema_expect "$1" "$2" "the $1 document"; }
HAVE_LP=0
[[ -d /sys/kernel/livepatch ]] && HAVE_LP=1
export BPFLP_STATE_DIR=$TDIR/state

# ---- keys, certificates, policy -------------------------------------------
K=$TDIR/keys
mkdir -m 700 "$K" "$K/trusted.d" "$K/ca"
(
	cd "$K" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout good.key -out good.pem -days 30 \
		-subj '/CN=bpflp test signer'
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.pem -days 30 \
		-subj '/CN=rogue signer'
	touch ca/index.txt
	echo 01 > ca/serial
	printf '[ca]\ndefault_ca=t\n[t]\ndatabase=ca/index.txt\nserial=ca/serial\nnew_certs_dir=ca\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' > ca.cnf
	openssl req -new -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj '/CN=expired signer'
	openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem \
		-startdate 20200101000000Z -enddate 20200201000000Z
	cp good.pem old.pem trusted.d/
) > "$TDIR/openssl.log" 2>&1 || fail "openssl: $(tail -n 5 "$TDIR/openssl.log")"
FP=$(openssl x509 -in "$K/good.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
CONF=$TDIR/bpflp.conf
printf 'require_signature = yes\ntrusted_certs = %s\n' "$K/trusted.d" > "$CONF"
export BPFLP_CONF=$CONF

# sign FILE KEY [OUT]: FILE.sig (or OUT) by KEY's pair, with bpflp sign.
sign() { "$BPFLP" sign "$1" --key "$K/$2.key" --cert "$K/$2.pem" ${3:+--out "$3"} > /dev/null ||
	fail "bpflp sign $1 with $2"; }
# flip FILE OFFSET: one bit of one byte changed.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

W=$TDIR/work
mkdir -m 700 "$W"
cp "$(patch_obj t-a@1)" "$(patch_obj t-b@1)" "$W/"
A1=$W/t-a@1.bpf.o
B1=$W/t-b@1.bpf.o

# What a refusal must leave as it was.
state() {
	bpffs_tree
	lsmod | awk '$1 ~ /^bpflp_/ { print $1 }' | sort
	find "$BPFLP_STATE_DIR" -printf '%p %s\n' 2> /dev/null | sort
}

# refused WANT CMD...: bpflp fails, one line on stderr matching WANT, nothing
# on stdout, nothing changed; with -j, one error document and no stderr.
refused() {
	local want=$1 before out rc=0
	shift
	before=$(state)
	out=$("$BPFLP" "$@" 2> "$TDIR/err") || rc=$?
	assert_eq "$rc" 1 "exit status of bpflp $*"
	assert_eq "$out" "" "stdout of the refused bpflp $*"
	assert_eq "$(wc -l < "$TDIR/err")" 1 "one line on stderr from bpflp $*"
	assert_match "$(cat "$TDIR/err")" "^bpflp: error: $want" "why bpflp $* is refused"
	assert_eq "$(state)" "$before" "state after the refused bpflp $*"
	out=$("$BPFLP" -j "$@" 2> "$TDIR/err") || rc=$?
	assert_eq "$(cat "$TDIR/err")" "" "stderr of the refused bpflp -j $*"
	assert_match "$(jq -r .error <<< "$out")" "$want" "error document of bpflp -j $*"
	assert_eq "$(state)" "$before" "state after the refused bpflp -j $*"
	echo "  ok: refused, nothing changed: bpflp $*"
}

echo "# refusals"
refused "$A1 is not signed \\(no $A1.sig\\) and $CONF requires a signature" apply "$A1"
refused "$A1 is not signed" install "$A1"

sign "$A1" good
cp "$A1" "$W/copy.bpf.o"
cp "$A1.sig" "$W/copy.bpf.o.sig"
flip "$W/copy.bpf.o" 4242
refused "$W/copy.bpf.o does not match its signature $W/copy.bpf.o.sig: the file changed after it was signed" \
	apply "$W/copy.bpf.o"
refused "$W/copy.bpf.o does not match its signature" install "$W/copy.bpf.o"

sign "$B1" good
refused "$A1 does not match its signature $B1.sig" apply "$A1" --sig "$B1.sig"

sign "$A1" rogue "$W/rogue.sig"
refused "$A1 is signed by 'rogue signer' \\(certificate sha256 [0-9a-f]{16}\\.\\.\\.\\), which no certificate in $K/trusted.d vouches for" \
	apply "$A1" --sig "$W/rogue.sig"

sign "$A1" old "$W/old.sig"
refused "the signature of $A1 is by 'expired signer' .*, whose certificate expired on Feb  1 00:00:00 2020 GMT" \
	apply "$A1" --sig "$W/old.sig"
refused "cannot read the signature $W/none.sig" apply "$A1" --sig "$W/none.sig"

if ((HAVE_LP)); then
	echo "# the livepatch module it ships"
	L=$TDIR/lp
	mkdir -m 700 "$L"
	cp "$(patch_obj t-lp@1)" "$L/t-lp@1.bpf.o"
	cp "$(kmod_path bpflp_klp_v1)" "$L/bpflp_klp_v1.ko"
	sign "$L/t-lp@1.bpf.o" good
	refused "$L/bpflp_klp_v1.ko is not signed \\(no $L/bpflp_klp_v1.ko.sig\\)" apply "$L/t-lp@1.bpf.o"
	sign "$L/bpflp_klp_v1.ko" good
	cp "$L/bpflp_klp_v1.ko" "$TDIR/orig.ko"
	flip "$L/bpflp_klp_v1.ko" $(($(stat -c %s "$L/bpflp_klp_v1.ko") / 2))
	refused "$L/bpflp_klp_v1.ko does not match its signature" apply "$L/t-lp@1.bpf.o"
	refused "$L/bpflp_klp_v1.ko does not match its signature" \
		apply "$L/t-lp@1.bpf.o" --module "$L/bpflp_klp_v1.ko"
	cp "$TDIR/orig.ko" "$L/bpflp_klp_v1.ko"
	out=$(bpflp_ok apply "$L/t-lp@1.bpf.o")
	assert_match "$out" "^applied t-lp@1 \\(replace, .*\\) with livepatch module bpflp_klp_v1$" \
		"apply: signed object and module"
	assert_behaviour "EPERM EPERM ok" "with the signed t-lp@1"
	assert_eq "$(patch_field t-lp@1 'signer | "\(.cn) \(.sha256)"')" "bpflp test signer $FP" \
		"list -j: t-lp@1's signer"
	bpflp_ok disable t-lp > /dev/null
	wait_for 30 test ! -e /sys/module/bpflp_klp_v1 || fail "bpflp_klp_v1 still loaded after disable"
fi

echo "# a valid signature"
assert_behaviour "ok ok ok" "before any patch"
json=$("$BPFLP" -j sign "$A1" --key "$K/good.key" --cert "$K/good.pem") || fail "sign -j"
schema_valid sign "$json"
assert_eq "$(jq -r '"\(.signature) \(.signer.cn) \(.signer.sha256)"' <<< "$json")" \
	"$A1.sig bpflp test signer $FP" "sign -j"
out=$("$BPFLP" apply "$A1" 2> "$TDIR/err") || fail "apply of the signed $A1: $(cat "$TDIR/err")"
assert_eq "$out" "applied t-a@1 (replace, 1 function)" "apply: signed"
assert_eq "$(cat "$TDIR/err")" "" "apply: signed, nothing on stderr"
assert_behaviour "EPERM ok ok" "with the signed t-a@1"
assert_match "$(bpflp_ok show t-a)" "  signed by bpflp test signer \\(certificate sha256 $FP\\)" "show: signer"
show=$(bpflp_ok -j show t-a)
schema_valid show "$show"
assert_eq "$(jq -r '"\(.signer.cn) \(.signer.sha256)"' <<< "$show")" "bpflp test signer $FP" "show -j: signer"
list=$(bpflp_ok -j list)
schema_valid list "$list"
assert_eq "$(patch_field t-a@1 'signer | "\(.cn) \(.sha256)"')" "bpflp test signer $FP" "list -j: signer"
# The same patch with another file's signature is still refused, and the active one stays.
refused "$A1 does not match its signature $B1.sig" apply "$A1" --sig "$B1.sig"
assert_behaviour "EPERM ok ok" "after the refused re-apply"
bpflp_ok disable t-a > /dev/null

echo "# install and boot"
out=$(bpflp_ok install "$B1")
assert_match "$out" "^installed t-b@1 in $BPFLP_STATE_DIR/patches$" "install: signed"
cmp -s "$B1.sig" "$BPFLP_STATE_DIR/patches/t-b.bpf.o.sig" || fail "install: the signature is not installed beside the object"
out=$(bpflp_ok boot)
assert_eq "$out" "applied t-b@1 (replace, 1 function)" "boot: signed"
assert_behaviour "ok EPERM ok" "with t-b@1 from boot"
assert_eq "$(patch_field t-b@1 'signer.cn')" "bpflp test signer" "list -j: boot's signer"
bpflp_ok disable t-b > /dev/null
# The installed signature replaced by another file's: boot refuses, nothing applied.
cp "$A1.sig" "$BPFLP_STATE_DIR/patches/t-b.bpf.o.sig"
refused "$BPFLP_STATE_DIR/patches/t-b.bpf.o does not match its signature" boot
rm "$BPFLP_STATE_DIR/patches/t-b.bpf.o.sig"
refused "$BPFLP_STATE_DIR/patches/t-b.bpf.o is not signed" boot
assert_behaviour "ok ok ok" "after the refused boots"
bpflp_ok uninstall t-b > /dev/null
[[ ! -e $BPFLP_STATE_DIR/patches/t-b.bpf.o.sig ]] || fail "uninstall left the signature"

echo "# require_signature = no, and no policy"
printf 'require_signature = no\ntrusted_certs = %s\n' "$K/trusted.d" > "$CONF"
rm -f "$B1.sig"
assert_eq "$(bpflp_ok apply "$B1")" "applied t-b@1 (replace, 1 function)" "not required: unsigned applies"
assert_eq "$(patch_field t-b@1 signer)" "null" "list -j: unsigned, signer null"
bpflp_ok disable t-b > /dev/null
refused "$A1 is signed by 'rogue signer'" apply "$A1" --sig "$W/rogue.sig"
chmod 666 "$CONF"
refused "$CONF is owned by uid 0 with mode 0666: bpflp trusts a policy only root can change" apply "$A1"
chmod 644 "$CONF"
printf 'require_signature = yes\ntrusted_cert = /x\n' > "$CONF"
refused "$CONF:2: unknown key 'trusted_cert'" apply "$A1"
BPFLP_CONF=$TDIR/nope.conf refused "cannot read the bpflp config $TDIR/nope.conf \\(BPFLP_CONF\\)" apply "$A1"
if [[ ! -e /etc/bpflp/bpflp.conf ]]; then
	unset BPFLP_CONF
	out=$("$BPFLP" apply "$B1" 2> "$TDIR/err") || fail "no policy: apply $B1: $(cat "$TDIR/err")"
	assert_eq "$out" "applied t-b@1 (replace, 1 function)" "no policy: unsigned applies"
	assert_eq "$(cat "$TDIR/err")" "" "no policy, stderr not a terminal: no warning"
	"$BPFLP" -v disable t-b > /dev/null 2>&1 || fail "disable t-b"
	"$BPFLP" -v apply "$B1" > /dev/null 2> "$TDIR/err" || fail "no policy: apply -v"
	assert_eq "$(grep -c '^bpflp: warning: patch signatures are not checked (no /etc/bpflp/bpflp.conf)' "$TDIR/err")" 1 \
		"no policy, -v: one warning saying how to turn signing on"
	refused "--sig $A1.sig given, but no trusted certificates are configured" apply "$A1" --sig "$A1.sig"
	bpflp_ok disable t-b > /dev/null
fi
schema_verify 3
echo "ok"
