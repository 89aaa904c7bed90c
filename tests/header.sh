# SPDX-License-Identifier: GPL-2.0-or-later
# tests/header.sh - sourced by tests/run after enroll.sh: the host forges the
# LUKS header (test-vm/lib/luks2-forge rewrites the JSON metadata with valid
# checksums, as libcryptsetup would accept it) and cocosecret refuses it
# (exit 7) before the secret is read, or fails the header MAC after.

FORGE=$top/test-vm/lib/luks2-forge
H=$work/header
mkdir -p "$H"

# forged NAME 'PYTHON': a copy of the enrolled image with one edit of the host's
forged() {
	cp --sparse=always "$H/enrolled.img" "$H/$1.img"
	"$FORGE" "$H/$1.img" "$2"
}
# refused DESCRIPTION IMG MESSAGE [unlock options]: exit 7, MESSAGE, and the
# entry wiped all the same (the secret itself never read: no name given to
# dm, --secrets-dir)
refused() {
	local d=$1 img=$2 msg=$3
	shift 3
	clear_secrets
	put $DISK_GUID <"$H/secret"
	# (two lines: the refusal, then "wiped secret")
	cs unlock --secrets-dir "$sec" "$@" "$img" cocosecret-test
	check "$d: refused (exit 7)" test "$rc" = 7
	check "$d: says why" grep -qF -- "$msg" "$work/err"
	check "$d: the entry is wiped all the same" test ! -e "$sec/$DISK_GUID"
}

fresh "$H/enrolled.img"
cs enroll --key-file "$work/p1" --secret-out "$H/secret" "$H/enrolled.img"
check "header: an enrolled image to forge" test "$rc" = 0
clear_secrets
put $DISK_GUID <"$H/secret"
tp "header: the unforged image opens with --require-auth" 0 --verbose --require-auth "$H/enrolled.img"
check "header: ...its MAC verified" grep -q 'header MAC of token 0 verified' "$work/err"

# --- downgrades refused before any secret is tried ---------------------------
forged seg-null 'j["segments"]["0"]["encryption"] = "cipher_null-ecb"'
refused "segment cipher_null" "$H/seg-null.img" "data segment 0 is not encrypted (cipher_null-ecb)"
forged seg-capi-null 'j["segments"]["0"]["encryption"] = "capi:ecb(cipher_null)-plain"'
refused "segment capi:ecb(cipher_null)" "$H/seg-capi-null.img" "data segment 0 is not encrypted"
forged seg-null-iv 'j["segments"]["0"]["encryption"] = "aes-cbc-null"'
refused "segment with the all-zero IV" "$H/seg-null-iv.img" "data segment 0 is not encrypted (aes-cbc-null)"
forged seg-linear 'j["segments"]["0"]["type"] = "linear"; del j["segments"]["0"]["encryption"]'
refused "segment of type linear" "$H/seg-linear.img" "data segment 0 is of type 'linear', not crypt"
forged ks-null 'j["keyslots"]["0"]["area"]["encryption"] = "cipher_null-ecb"; del j["tokens"]["0"]'
refused "keyslot area cipher_null (no token: every keyslot may be tried)" "$H/ks-null.img" \
	"keyslot 0's area is not encrypted (cipher_null-ecb): any passphrase would open it"
forged ks1-null 'j["keyslots"]["1"]["area"]["encryption"] = "cipher_null-ecb"'
refused "the token's keyslot area cipher_null" "$H/ks1-null.img" "keyslot 1's area is not encrypted"
forged ks-short 'j["keyslots"]["1"]["key_size"] = 0'
refused "an empty volume key" "$H/ks-short.img" "keyslot 1 holds a volume key of 0 bytes"
# (a keyslot with no digest at all libcryptsetup refuses itself: exit 4)
forged ks-unbound 'import copy
d = copy.deepcopy(j["digests"]["0"]); d["keyslots"] = ["1"]; d["segments"] = []
j["digests"]["1"] = d; j["digests"]["0"]["keyslots"].remove("1")'
refused "keyslot bound to a digest of no segment" "$H/ks-unbound.img" \
	"keyslot 1 is not bound through a digest to the data segment"
forged seg-newline 'j["segments"]["0"]["type"] = "crypt\ncocosecret: unlocked\u001b[2J"'
refused "a segment type with a newline and an escape in it" "$H/seg-newline.img" \
	"data segment 0 is of type 'crypt cocosecret: unlocked?[2J'"
check "...printed on one line (no forged log line)" test "$(grep -c '^cocosecret: unlocked' "$work/err")" = 0
forged ks-reenc 'j["keyslots"]["1"]["type"] = "reencrypt"'
refused "keyslot of another type" "$H/ks-reenc.img" "keyslot 1 is of type 'reencrypt', not luks2"

# LUKS1: one cipher for everything (no checksum: the host writes the fields)
mkluks "$H/l1-null.img" luks1 "$work/p1"
"$FORGE" "$H/l1-null.img" --luks1-cipher cipher_null ecb
clear_secrets
put $DISK_GUID <"$work/p1"
cs unlock --secrets-dir "$sec" "$H/l1-null.img" cocosecret-test
check "LUKS1 cipher_null: refused (exit 7)" test "$rc" = 7
check "LUKS1 cipher_null: says why" grep -qF "the volume is not encrypted (cipher_null-ecb)" "$work/err"

# --- the header MAC: any one covered field changed ---------------------------
for edit in \
	'segments:j["segments"]["0"]["iv_tweak"] = "1"' \
	'segments:j["segments"]["0"]["offset"] = str(int(j["segments"]["0"]["offset"]) + 4096)' \
	'segments:j["segments"]["0"]["sector_size"] = 512 if j["segments"]["0"]["sector_size"] != 512 else 4096' \
	'segments:j["segments"]["0"]["encryption"] = "aes-cbc-essiv:sha256"' \
	'segments:j["segments"]["0"]["size"] = "4096"' \
	'segments:j["segments"]["0"]["integrity"] = {"type": "hmac(sha256)", "journal_encryption": "none", "journal_integrity": "none"}' \
	'digests:j["digests"]["0"]["iterations"] += 1' \
	'digests:j["digests"]["0"]["salt"] = j["digests"]["0"]["digest"]' \
	'keyslot:j["keyslots"]["1"]["kdf"]["iterations"] = 1001' \
	'keyslot:j["keyslots"]["1"]["area"]["encryption"] = "aes-cbc-plain64"' \
	'keyslot:j["keyslots"]["1"]["af"]["stripes"] = 3999' \
	'token:j["tokens"]["0"]["keyslots"] = ["0"]'; do
	what=${edit%%:*}
	forged mac "${edit#*:}"
	clear_secrets
	put $DISK_GUID <"$H/secret"
	expect "header MAC: $what field changed (${edit#*:}): refused" 7 \
		unlock --test-passphrase --secrets-dir "$sec" "$H/mac.img"
	check "header MAC: ...because the MAC does not match" grep -q "its MAC does not match" "$work/err"
done

# --- what must not break it ---------------------------------------------------
cp --sparse=always "$H/enrolled.img" "$H/recovery.img"
head -c 24 /dev/urandom | base64 >"$H/recovery"
check "header MAC: cryptsetup luksAddKey of a recovery passphrase" cryptsetup luksAddKey -q \
	--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file "$work/p1" "$H/recovery.img" "$H/recovery"
clear_secrets
put $DISK_GUID <"$H/secret"
tp "header MAC: still valid after an unrelated keyslot" 0 --verbose --require-auth "$H/recovery.img"
check "header MAC: ...verified" grep -q 'header MAC of token 0 verified' "$work/err"
cp --sparse=always "$H/enrolled.img" "$H/rotated.img"
rm -f "$H/secret2"
cs enroll --key-file "$work/p1" --wipe-slot 1 --secret-out "$H/secret2" "$H/rotated.img"
check "header MAC: rotation with --wipe-slot" test "$rc" = 0
clear_secrets
put $DISK_GUID <"$H/secret2"
tp "header MAC: the rotated secret opens with --require-auth" 0 --require-auth "$H/rotated.img"
put $DISK_GUID <"$H/secret"
tp "header MAC: the old secret does not" 7 "$H/rotated.img"

# --- the token removed or made untrusted --------------------------------------
forged no-token 'del j["tokens"]["0"]'
refused "token removed, --require-auth" "$H/no-token.img" "--require-auth, and it has no usable cocosecret token" \
	--require-auth
clear_secrets
put $DISK_GUID <"$H/secret"
tp "token removed, no --require-auth: opens (the downgrade the initramfs must forbid)" 0 "$H/no-token.img"
forged no-mac 'del j["tokens"]["0"]["mac"]'
refused "token without its MAC, --require-auth" "$H/no-mac.img" "no usable cocosecret token with a header MAC" \
	--require-auth
forged other-guid "j['tokens']['0']['guid'] = '$OTHER_GUID'"
clear_secrets
put $DISK_GUID <"$H/secret"
put $OTHER_GUID <"$work/p1"
tp "token names an untrusted GUID: ignored, the trusted default is read" 0 --verbose \
	--trust $DISK_GUID "$H/other-guid.img"
check "...with a warning" grep -qF "token 0 names secret $OTHER_GUID, which this system does not trust: token ignored" "$work/err"
check "...the other program's entry untouched" test -e "$sec/$OTHER_GUID"
cs unlock --test-passphrase --secrets-dir "$sec" --trust $DISK_GUID --require-auth "$H/other-guid.img"
check "untrusted token, --require-auth: refused (exit 7)" test "$rc" = 7
expect "wipe --token-of an untrusted token's GUID: not wiped" 0 \
	wipe --secrets-dir "$sec" --trust $DISK_GUID --token-of "$H/other-guid.img"
check "...with a warning" grep -qF "its token names secret $OTHER_GUID, which is not trusted: not wiped" "$work/err"
check "...the other entry is still there" test -e "$sec/$OTHER_GUID"
forged extra-key 'j["tokens"]["0"]["keyslots_extra"] = ["0"]'
tp "a cocosecret token with an unknown field: malformed, ignored" 0 "$H/extra-key.img"
check "...says so" grep -q 'LUKS2 token 0: malformed cocosecret token, ignored' "$work/err"
forged dup-slot 'j["tokens"]["0"]["keyslots"] = ["1", "1"]'
tp "a cocosecret token naming a keyslot twice: malformed, ignored" 0 "$H/dup-slot.img"
check "...says so" grep -q 'LUKS2 token 0: malformed cocosecret token, ignored' "$work/err"

# --- a token's keyslots only: no fall-through to the others -------------------
forged no-fallthrough 'del j["tokens"]["0"]["mac"]'
clear_secrets
put $DISK_GUID <"$work/p1"
tp "with a token, a secret for another keyslot does not fall through to it" 2 "$H/no-fallthrough.img"
forged no-token-p1 'del j["tokens"]["0"]'
tp "without a token, every keyslot is tried" 0 "$H/no-token-p1.img"
