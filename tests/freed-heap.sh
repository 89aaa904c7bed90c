# SPDX-License-Identifier: GPL-2.0-or-later
# tests/freed-heap.sh - after an unlock, no freed heap block, and no
# writable memory at all (free chunks, dead stack frames), holds the
# passphrase, the volume key, or what HMAC makes of either.
#
# Two test builds (make freed-heap) link the static libraries cocosecret
# ships with a free() that scans every block before freeing it
# (tests/freed-heap-wrap.c; realloc and reallocarray move every time, so
# their old blocks are scanned too), and scan every writable mapping at
# exit; the harness also right after the unlock, before the exit path
# writes over the dead frames:
#   build/freed-heap/freed-heap   libcryptsetup straight:
#                                 crypt_activate_by_passphrase(cd, NULL, ...)
#   build/freed-heap/cocosecret   the binary, `unlock --test-passphrase`
# Needles: the passphrase and the volume key (images are formatted with a
# known one), their bytes, their bytes ^ HMAC's ipad/opad (what
# hmac_set_key() hashes on nettle's stack; also as big-endian words) and
# their HMAC-SHA1/256/512 inner and outer states, any 16-byte piece at any
# offset.  Images: LUKS2 with a PBKDF2 keyslot tried after one that fails,
# LUKS2 argon2id (32 MiB, 2 threads: the Argon2 memory is freed through
# free() too), LUKS1, a volume `cocosecret enroll` made (its token, and a
# header MAC where enroll writes one); and a wrong passphrase, which must
# leave nothing either.  A positive control frees
# a planted copy of the passphrase and of a nettle HMAC-SHA256 context keyed
# by it, and leaves the passphrase ^ ipad in a dead stack frame: all must be
# found.  Before scripts/patches/cryptsetup-nettle-wipe.patch
# every unlock left the PBKDF2 and digest HMAC contexts (states keyed by
# the passphrase and by the volume key) in freed heap, and a LUKS1 unlock
# the volume key ^ ipad on the stack.
#
# Device-mapper is not needed.  Sourced by tests/run (helpers: ok, ko,
# check, $work, $top, $DISK_GUID); its checks count in tests/run's total.
# shellcheck shell=bash disable=SC2154 # $work, $top, ...: tests/run's

if ! declare -F expect >/dev/null; then
	echo "tests/freed-heap.sh is sourced by tests/run; run tests/run" >&2
	return 1 2>/dev/null || exit 1
fi

FH=$work/freed-heap
FH_BIN=${COCOSECRET_FREED_HEAP_DIR:-$top/build/freed-heap}
mkdir -p "$FH/sec"

fh_random() { head -c 8192 /dev/urandom | tr -d '\000\n' | head -c "$1"; }
fh_random 32 >"$FH/pass"
fh_random 32 >"$FH/other"
fh_random 24 >"$FH/wrong"
head -c 64 /dev/urandom >"$FH/vk"

# fh_symbol BINARY OFFSET: the function holding OFFSET (nm of the unstripped binary).
fh_symbol() {
	python3 - "$1" "$2" <<'PY'
import subprocess, sys
addr, best = int(sys.argv[2], 16), '?'
for line in subprocess.run(['nm', '-n', sys.argv[1]], capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[1] in 'tTwW' and int(f[0], 16) <= addr:
        best = '%s+%#x' % (f[2], addr - int(f[0], 16))
print(best)
PY
}

# fh_run NAME WANT_RC WANT_HITS BINARY ARGS...: run with every freed block
# scanned; WANT_HITS is 0 or "some" (the positive control).
fh_run() {
	local d=$1 want=$2 want_hits=$3 bin=$4 rc sum hits blocks first off
	shift 4
	rm -f "$FH/report"
	FREED_HEAP_NEEDLES=${FH_NEEDLES:-$FH/pass:$FH/vk} FREED_HEAP_REPORT="$FH/report" \
		timeout 60 "$bin" "$@" >"$FH/out" 2>"$FH/err"
	rc=$?
	sum=$(grep '^freed-heap: .* hit(s)' "$FH/report" 2>/dev/null)
	hits=$(grep -c '^hit: ' "$FH/report" 2>/dev/null)
	blocks=$(sed -n 's/^freed-heap: .* scanned, \([0-9]*\) with a secret.*/\1/p' "$FH/report" 2>/dev/null)
	if [ "$rc" != "$want" ]; then
		ko "freed heap: $d (exit $rc, want $want): $(head -c 300 "$FH/err")"
	elif [ -z "$sum" ]; then
		ko "freed heap: $d (no report: is $bin a freed-heap build?)"
	elif [ "$want_hits" = 0 ] && [ "$hits" != 0 ]; then
		first=$(grep -m1 '^hit: ' "$FH/report")
		case $first in
		*"free() returns to +"*)
			off=${first##*returns to +}
			first="$first ($(fh_symbol "$bin" "$off"))" ;;
		esac
		ko "freed heap: $d: $hits hit(s), $blocks in freed blocks, e.g. ${first#hit: }"
	elif [ "$want_hits" != 0 ] && [ "$hits" = 0 ]; then
		ko "freed heap: $d (the planted copies were not found)"
	else
		ok "freed heap: $d (${sum#freed-heap: })"
	fi
}

if [ ! -x "$FH_BIN/freed-heap" ] || [ ! -x "$FH_BIN/cocosecret" ]; then
	ko "freed heap: test builds in $FH_BIN (make freed-heap)"
else
	FHF="--batch-mode --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --hash sha256"
	FHK="--key-size 512 --volume-key-file $FH/vk"
	truncate -s 20M "$FH/l2.img" "$FH/l1.img" "$FH/ar.img"
	# shellcheck disable=SC2086 # word splitting of the option lists
	cryptsetup luksFormat --type luks2 $FHF $FHK --key-file "$FH/other" "$FH/l2.img" >/dev/null &&
		cryptsetup luksAddKey $FHF --key-file "$FH/other" "$FH/l2.img" "$FH/pass" >/dev/null
	check "freed heap: LUKS2 image, PBKDF2 keyslots 0 (another passphrase) and 1" test $? = 0
	# shellcheck disable=SC2086
	check "freed heap: LUKS1 image" cryptsetup luksFormat --type luks1 $FHF $FHK \
		--key-file "$FH/pass" "$FH/l1.img"
	# shellcheck disable=SC2086
	check "freed heap: LUKS2 argon2id image" cryptsetup luksFormat --type luks2 --batch-mode \
		--pbkdf argon2id --pbkdf-memory 32768 --pbkdf-force-iterations 4 \
		--pbkdf-parallel 2 $FHK --key-file "$FH/pass" "$FH/ar.img"

	fh_run "control: a planted passphrase and HMAC context are found" 0 some \
		"$FH_BIN/freed-heap" --plant "$FH/l2.img" "$FH/pass"
	check "freed heap: control found the passphrase" grep -q '^hit: pass in' "$FH/report"
	check "freed heap: control found both HMAC-SHA256 states" sh -c \
		"grep -q '^hit: HMAC-SHA256(pass) inner' '$FH/report' && grep -q '^hit: HMAC-SHA256(pass) outer' '$FH/report'"
	check "freed heap: control found the dead frame's pass ^ ipad" \
		grep -q '^hit: pass ^ HMAC ipad in \[stack\] (planted)' "$FH/report"

	fh_run "libcryptsetup, LUKS2 PBKDF2 (keyslot 0 fails, 1 opens)" 0 0 \
		"$FH_BIN/freed-heap" "$FH/l2.img" "$FH/pass"
	check "freed heap: keyslot 1 opened" grep -q 'keyslot 1 opened' "$FH/out"
	fh_run "libcryptsetup, LUKS2 argon2id" 0 0 "$FH_BIN/freed-heap" "$FH/ar.img" "$FH/pass"
	fh_run "libcryptsetup, LUKS1" 0 0 "$FH_BIN/freed-heap" "$FH/l1.img" "$FH/pass"
	# A wrong secret is a secret too (another volume's, say).
	cp "$FH/pass" "$FH/pass.right" && cp "$FH/wrong" "$FH/pass"
	fh_run "libcryptsetup, LUKS2 wrong passphrase" 2 0 "$FH_BIN/freed-heap" "$FH/l2.img" "$FH/pass"
	fh_run "libcryptsetup, LUKS1 wrong passphrase" 2 0 "$FH_BIN/freed-heap" "$FH/l1.img" "$FH/pass"
	mv "$FH/pass.right" "$FH/pass"

	for img in l2 ar l1; do
		rm -f "$FH/sec/"*
		cp "$FH/pass" "$FH/sec/$DISK_GUID"
		fh_run "cocosecret unlock --test-passphrase, $img" 0 0 "$FH_BIN/cocosecret" \
			unlock --test-passphrase --secrets-dir "$FH/sec" "$FH/$img.img"
	done
	cp "$FH/wrong" "$FH/sec/$DISK_GUID"
	cp "$FH/pass" "$FH/pass.right" && cp "$FH/wrong" "$FH/pass"
	fh_run "cocosecret unlock --test-passphrase, wrong passphrase" 2 0 "$FH_BIN/cocosecret" \
		unlock --test-passphrase --secrets-dir "$FH/sec" "$FH/l2.img"
	mv "$FH/pass.right" "$FH/pass"

	# A volume cocosecret enrolled (its token, and whatever unlock does with
	# it): the generated secret, known once enroll wrote it, is the needle.
	rm -f "$FH/sec/"*
	truncate -s 20M "$FH/en.img"
	# shellcheck disable=SC2086
	cryptsetup luksFormat --type luks2 $FHF $FHK --key-file "$FH/other" "$FH/en.img" >/dev/null &&
		"$FH_BIN/cocosecret" enroll --key-file "$FH/other" --secret-out "$FH/enrolled" \
			"$FH/en.img" >/dev/null 2>&1 &&
		cp "$FH/enrolled" "$FH/sec/$DISK_GUID"
	check "freed heap: a volume enrolled by cocosecret" test $? = 0
	FH_NEEDLES="$FH/enrolled:$FH/vk" fh_run "cocosecret unlock --test-passphrase, enrolled volume" \
		0 0 "$FH_BIN/cocosecret" unlock --test-passphrase --secrets-dir "$FH/sec" "$FH/en.img"
fi
