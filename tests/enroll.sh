# SPDX-License-Identifier: GPL-2.0-or-later
# tests/enroll.sh - cocosecret enroll/unenroll and the commands of
# docs/GUIDE.md, on LUKS1/LUKS2 images made by the cryptsetup CLI.
#
# Sourced by tests/run: uses its helpers (check, expect, cs, tp, put,
# clear_secrets, mkluks) and variables ($work, $BIN, $top, $sec, the GUIDs);
# its checks count in tests/run's total.  Passphrases and secrets live in
# files only; every output captured by cs is scanned for them at the end.
# shellcheck shell=bash disable=SC2154 # $work, $sec, $BIN, $top, $rc...: tests/run's

if ! declare -F expect >/dev/null; then
	echo "tests/enroll.sh is sourced by tests/run; run tests/run" >&2
	return 1 2>/dev/null || exit 1
fi

E=$work/enroll
mkdir -p "$E"

fails() { ! "$@"; }
# luksmeta IMG slots|tokens|kdf N|kdftype N|memory N: LUKS2 metadata as the
# cryptsetup CLI shows it (tokens: ID:TYPE:KEYSLOTS:GUID ...).
luksmeta() {
	local img=$1 what=$2 id type ks g out=""
	case $what in
	tokens)
		while read -r id type ks; do
			g=$(cryptsetup token export --token-id "$id" "$img" | sed -n 's/.*"guid":"\([^"]*\)".*/\1/p')
			out+="${out:+ }$id:$type:$ks:${g:--}"
		done < <(cryptsetup luksDump "$img" | awk '
			/^Tokens:/ { t = 1; next }
			/^[A-Z]/ { t = 0 }
			t && /^  [0-9]+: / { if (id != "") print id, type, ks; id = $1; sub(":", "", id); type = $2; ks = "" }
			t && /Keyslot:/ { ks = ks (ks == "" ? "" : ",") $2 }
			END { if (id != "") print id, type, ks }')
		echo "$out"
		;;
	*)
		cryptsetup luksDump "$img" | awk -v what="$what" -v n="${3:-}" '
			/^Keyslots:/ { k = 1; next }
			/^[A-Z]/ { k = 0 }
			k && /^  [0-9]+: / { cur = $1; sub(":", "", cur); slots = slots (slots == "" ? "" : " ") cur }
			k && cur == n && /PBKDF:/ { kdf = $2 }
			k && cur == n && /(Iterations|Time cost):/ { iter = $NF }
			k && cur == n && /Memory:/ { mem = $2 }
			END {
				if (what == "slots") print slots
				else if (what == "kdf") print kdf, iter
				else if (what == "kdftype") print kdf
				else if (what == "memory") print mem
			}'
		;;
	esac
}
is() { # is DESCRIPTION WANT COMMAND...: COMMAND prints WANT
	local d=$1 want=$2 got
	shift 2
	got=$("$@")
	if [ "$got" = "$want" ]; then ok "$d"; else ko "$d (got '$got', want '$want')"; fi
}
slots_tokens() { echo "$(luksmeta "$1" slots)|$(luksmeta "$1" tokens)"; }
l1slots() { cryptsetup luksDump "$1" | sed -n 's/^Key Slot \([0-7]\): ENABLED$/\1/p' | xargs; }
cs_opens() { # cs_opens IMG SLOT|any KEYFILE: the cryptsetup CLI accepts KEYFILE (on SLOT)
	local slot=(--key-slot "$2")
	[ "$2" = any ] && slot=()
	cryptsetup open --test-passphrase "${slot[@]}" --key-file "$3" "$1" 2>/dev/null
}

# --- help ---------------------------------------------------------------
expect "enroll --help" 0 enroll --help
check "enroll --help: the usage" grep -q 'cocosecret enroll .*--secret-out FILE' "$work/out"
expect "unenroll --help" 0 unenroll --help
expect "--help" 0 --help
check "--help lists enroll and unenroll" sh -c "grep -q 'cocosecret enroll' '$work/out' && grep -q 'cocosecret unenroll' '$work/out'"

# --- enroll on LUKS2: keyslot, token, secret file -------------------------
# One fresh LUKS2 image (keyslot 0: the passphrase), copied for each case.
check "enroll: make LUKS2 image (keyslot 0)" mkluks "$E/fresh.img" luks2 "$work/p1"
fresh() { cp --sparse=always "$E/fresh.img" "$1"; }
fresh "$E/l2.img"
expect "enroll LUKS2" 0 enroll --key-file "$work/p1" --secret-out "$E/s1" "$E/l2.img"
check "enroll: keyslot 1 (PBKDF2, minimum cost), token 0" grep -q \
	"enrolled secret $DISK_GUID in $E/l2.img: keyslot 1 (pbkdf2, 1000 iterations), cocosecret token 0 with header MAC" "$work/err"
is "--secret-out: mode 0600" 600 stat -c %a "$E/s1"
is "secret: 43 bytes" 43 stat -c %s "$E/s1"
check "secret: base64url characters only" grep -qxE '[A-Za-z0-9_-]{43}' "$E/s1"
is "secret: decodes to 32 bytes" 32 sh -c "{ tr -- '-_' '+/' <'$E/s1'; echo =; } | base64 -d | wc -c"
cryptsetup token export --token-id 0 "$E/l2.img" >"$E/token.json"
check "cryptsetup token export: the cocosecret token, with its header MAC" grep -qxE \
	"\\{\"type\":\"cocosecret\",\"keyslots\":\\[\"1\"\\],\"guid\":\"$DISK_GUID\",\"mac\":\"v1:[0-9a-f]{64}\"\\}" "$E/token.json"
is "keyslot 1: pbkdf2, 1000 iterations" "pbkdf2 1000" luksmeta "$E/l2.img" kdf 1
check "cryptsetup open --test-passphrase --key-slot 1 accepts the secret" cs_opens "$E/l2.img" 1 "$E/s1"
check "keyslot 0 does not take the secret" fails cs_opens "$E/l2.img" 0 "$E/s1"
check "keyslot 0 still takes the passphrase" cs_opens "$E/l2.img" 0 "$work/p1"
clear_secrets
put $DISK_GUID <"$E/s1"
tp "unlock with the enrolled secret" 0 --verbose "$E/l2.img"
check "unlock: GUID and keyslot 1 from token 0, MAC verified" sh -c "grep -q 'cocosecret token 0 (keyslot 1, header MAC)' '$work/err' &&
	grep -q 'header MAC of token 0 verified' '$work/err' &&
	grep -q 'secret $DISK_GUID opens .* (keyslot 1, header authenticated)' '$work/err'"
expect "status of the enrolled image" 0 status --secrets-dir "$sec" "$E/l2.img"
check "status shows token, keyslot and MAC" grep -q "cocosecret token 0: keyslot 1, secret $DISK_GUID (present), header MAC" "$work/out"
expect "table build from --secret-out" 0 table build -o "$E/t1" "$DISK_GUID=$E/s1"
expect "table dump of it" 0 table dump "$E/t1"
check "table dump: the entry, 43 bytes" grep -qx "$DISK_GUID 43" "$work/out"

# --- refusals change nothing -----------------------------------------------
printf 'existing' >"$E/exists"
expect "refuses an existing --secret-out" 1 enroll --key-file "$work/p1" --secret-out "$E/exists" "$E/l2.img"
is "existing --secret-out untouched" existing cat "$E/exists"
ln -s "$E/nowhere" "$E/link"
expect "refuses a symlink as --secret-out" 1 enroll --key-file "$work/p1" --secret-out "$E/link" "$E/l2.img"
check "nothing created through the symlink" test ! -e "$E/nowhere"
printf 'wrong passphrase' >"$E/wrong"
expect "wrong existing passphrase: exit 2" 2 enroll --key-file "$E/wrong" --secret-out "$E/sx" "$E/l2.img"
check "wrong passphrase: no --secret-out left behind" test ! -e "$E/sx"
is "refusals: no keyslot added" "0 1" luksmeta "$E/l2.img" slots
expect "enroll: missing device" 4 enroll --key-file "$work/p1" --secret-out "$E/sx" "$work/no-such.img"
expect "enroll: not LUKS" 4 enroll --key-file "$work/p1" --secret-out "$E/sx" "$work/plain.img"
expect "enroll: missing key file" 1 enroll --key-file "$E/nope" --secret-out "$E/sx" "$E/l2.img"
expect "enroll: empty key file" 1 enroll --key-file "$work/empty.img" --secret-out "$E/sx" "$E/l2.img"
check "failed enrolls: no --secret-out left behind" test ! -e "$E/sx"
expect "enroll without --secret-out" 1 enroll --key-file "$work/p1" "$E/l2.img"
expect "enroll without DEVICE" 1 enroll --key-file "$work/p1" --secret-out "$E/sx"
expect "enroll with an extra argument" 1 enroll --key-file "$work/p1" --secret-out "$E/sx" "$E/l2.img" extra
expect "enroll: bad --guid" 1 enroll --guid 736869e5-84f0 --key-file "$work/p1" --secret-out "$E/sx" "$E/l2.img"
expect "enroll: bad --wipe-slot" 1 enroll --wipe-slot 32 --key-file "$work/p1" --secret-out "$E/sx" "$E/l2.img"
expect "enroll: bad --iter-time" 1 enroll --iter-time 0 --key-file "$work/p1" --secret-out "$E/sx" "$E/l2.img"
expect "enroll: bad --pbkdf-memory" 1 enroll --pbkdf-memory x --key-file "$work/p1" --secret-out "$E/sx" "$E/l2.img"
expect "enroll: unknown option" 1 enroll --frobnicate "$E/l2.img"
expect "enroll: option without its argument" 1 enroll "$E/l2.img" --secret-out
# No --key-file and no controlling terminal (setsid): no prompt, no hang.
timeout 30 setsid -w "$BIN" enroll --secret-out "$E/sx" "$E/l2.img" </dev/null >"$work/out" 2>"$work/err"
rc=$?; cat "$work/out" "$work/err" >>"$work/all-output"
check "no --key-file, no terminal: exit 1, says so (got $rc)" sh -c "[ $rc = 1 ] && grep -q 'no terminal' '$work/err' && [ ! -e '$E/sx' ]"

# --- enroll twice, --guid, --wipe-slot, unenroll ---------------------------
expect "enroll again, same GUID" 0 enroll --key-file "$work/p1" --secret-out "$E/s2" "$E/l2.img"
is "two cocosecret tokens, one keyslot each" "0:cocosecret:1:$DISK_GUID 1:cocosecret:2:$DISK_GUID" \
	luksmeta "$E/l2.img" tokens
check "a new secret each time" fails cmp -s "$E/s1" "$E/s2"
put $DISK_GUID <"$E/s2"
tp "unlock with the second secret" 0 "$E/l2.img"
check "...on keyslot 2" grep -q '(keyslot 2, header authenticated)' "$work/err"
expect "enroll with another GUID: refused" 1 enroll --guid $OTHER_GUID --key-file "$work/p1" --secret-out "$E/sx" "$E/l2.img"
check "the refusal names --wipe-slot" grep -q -- '--wipe-slot 1' "$work/err"
is "refused: nothing changed" "0 1 2" luksmeta "$E/l2.img" slots
expect "unenroll --wipe-slot 0 (not cocosecret's): refused" 1 unenroll --wipe-slot 0 "$E/l2.img"
expect "unenroll --wipe-slot 5 (unused)" 1 unenroll --wipe-slot 5 "$E/l2.img"
expect "unenroll --wipe-slot 2" 0 unenroll --wipe-slot 2 "$E/l2.img"
is "--wipe-slot 2: keyslot 2 gone" "0 1" luksmeta "$E/l2.img" slots
is "--wipe-slot 2: its token gone, the other kept" "0:cocosecret:1:$DISK_GUID" luksmeta "$E/l2.img" tokens
# Rotation: the old secret is the existing passphrase, --wipe-slot drops it;
# a new GUID (given in upper case, stored in lower case) replaces the old one.
expect "enroll --wipe-slot 1: rotate to a new secret and GUID" 0 enroll --guid "${OTHER_GUID^^}" \
	--key-file "$E/s1" --wipe-slot 1 --secret-out "$E/s3" "$E/l2.img"
is "rotation: new keyslot and token, old ones gone" "0 2|1:cocosecret:2:$OTHER_GUID" \
	slots_tokens "$E/l2.img"
check "rotation: the old secret opens nothing" fails cs_opens "$E/l2.img" any "$E/s1"
clear_secrets
put $OTHER_GUID <"$E/s3"
tp "unlock finds the custom GUID in the token" 0 "$E/l2.img"
expect "enroll with the same custom GUID" 0 enroll --guid $OTHER_GUID --key-file "$work/p1" --secret-out "$E/s4" "$E/l2.img"
expect "unenroll" 0 unenroll "$E/l2.img"
is "unenroll: every cocosecret keyslot gone, keyslot 0 kept" "0" luksmeta "$E/l2.img" slots
is "unenroll: every cocosecret token gone" "" luksmeta "$E/l2.img" tokens
check "unenroll: the passphrase still opens" cs_opens "$E/l2.img" 0 "$work/p1"
expect "unenroll again: nothing to do" 0 unenroll "$E/l2.img"
check "...says so" grep -q 'no cocosecret token: nothing to do' "$work/err"
expect "unenroll: missing device" 4 unenroll "$work/no-such.img"
expect "unenroll without DEVICE" 1 unenroll

# The last keyslot stays.
fresh "$E/last.img"
expect "enroll (to remove the passphrase next)" 0 enroll --key-file "$work/p1" --secret-out "$E/s5" "$E/last.img"
check "cryptsetup luksKillSlot 0: only the secret's keyslot left" \
	cryptsetup luksKillSlot --batch-mode --key-file "$E/s5" "$E/last.img" 0
expect "unenroll of the last keyslot: refused" 1 unenroll "$E/last.img"
expect "unenroll --wipe-slot of the last keyslot: refused" 1 unenroll --wipe-slot 1 "$E/last.img"
is "last keyslot: keyslot and token kept" "1|0:cocosecret:1:$DISK_GUID" \
	slots_tokens "$E/last.img"

# --- --secret-file: the NUL/newline rule before enrolling --------------------
fresh "$E/sf.img"
printf 'a-long-enough-secret-passphrase\n' >"$E/sf-nl"
printf 'a-long-enough-secret-passphrase' >"$E/sf-nl.pass"
expect "enroll --secret-file ending in a newline, minimal PBKDF asked for" 0 enroll --key-file "$work/p1" \
	--secret-file "$E/sf-nl" --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --secret-out "$E/s6" "$E/sf.img"
check "a secret file under 32 bytes: a warning about the MAC" grep -q 'a launch secret should be 32 or more random bytes' "$work/err"
check "--secret-out holds it without the newline" cmp -s "$E/s6" "$E/sf-nl.pass"
is "secret file with --pbkdf pbkdf2 --pbkdf-force-iterations 1000: pbkdf2, 1000 iterations" "pbkdf2 1000" luksmeta "$E/sf.img" kdf 1
check "cryptsetup accepts the secret without the newline" cs_opens "$E/sf.img" 1 "$E/sf-nl.pass"
clear_secrets
put $DISK_GUID <"$E/sf-nl"
tp "unlock of the raw file (newline and all)" 0 "$E/sf.img"
check "...on keyslot 1" grep -q '(keyslot 1, header authenticated)' "$work/err"
printf 'another-long-secret-\0ignored' >"$E/sf-nul"
printf 'another-long-secret-' >"$E/sf-nul.pass"
expect "enroll --secret-file with a NUL, no --secret-out" 0 enroll --key-file "$work/p1" --secret-file "$E/sf-nul" \
	--pbkdf pbkdf2 --pbkdf-force-iterations 1000 "$E/sf.img"
check "cryptsetup accepts the bytes before the NUL" cs_opens "$E/sf.img" 2 "$E/sf-nul.pass"
put $DISK_GUID <"$E/sf-nul"
tp "unlock of the raw NUL-terminated file" 0 "$E/sf.img"
# A secret file without --pbkdf: libcryptsetup's default PBKDF (argon2id) whatever
# its length, bounded here by --pbkdf-force-iterations (no benchmark) and
# --pbkdf-memory to keep it fast.
printf 'Qz7%%kW\n' >"$E/sf-short"
printf 'Qz7%%kW' >"$E/sf-short.pass"
expect "enroll a short --secret-file" 0 enroll --key-file "$work/p1" --secret-file "$E/sf-short" \
	--pbkdf-force-iterations 4 --pbkdf-memory 1024 --secret-out "$E/s7" "$E/sf.img"
check "short secret: a warning" grep -q 'a launch secret should be 32 or more random bytes' "$work/err"
is "short secret: argon2id, the default PBKDF" argon2id luksmeta "$E/sf.img" kdftype 3
is "short secret: --pbkdf-memory honoured" 1024 luksmeta "$E/sf.img" memory 3
is "short secret: --pbkdf-force-iterations honoured" "argon2id 4" luksmeta "$E/sf.img" kdf 3
check "cryptsetup accepts the short secret" cs_opens "$E/sf.img" 3 "$E/sf-short.pass"
printf '\n' >"$E/sf-empty"
expect "secret file with nothing before the newline" 1 enroll --key-file "$work/p1" --secret-file "$E/sf-empty" "$E/sf.img"
head -c 4097 /dev/zero | tr '\0' x >"$E/sf-big"
expect "secret file over 4096 bytes" 1 enroll --key-file "$work/p1" --secret-file "$E/sf-big" "$E/sf.img"
expect "secret file is a directory" 1 enroll --key-file "$work/p1" --secret-file "$E" "$E/sf.img"
is "refused secret files: nothing enrolled" "0 1 2 3" luksmeta "$E/sf.img" slots

# --- LUKS1: keyslot only ---------------------------------------------------
mkluks "$E/l1.img" luks1 "$work/p1"
expect "enroll LUKS1" 0 enroll --key-file "$work/p1" --secret-out "$E/s8" "$E/l1.img"
check "LUKS1: keyslot only, no token, says so" grep -q 'is LUKS1: keyslot only, no cocosecret token' "$work/err"
is "LUKS1: keyslot 1 added" "0 1" l1slots "$E/l1.img"
check "cryptsetup accepts the secret on LUKS1 keyslot 1" cs_opens "$E/l1.img" 1 "$E/s8"
clear_secrets
put $DISK_GUID <"$E/s8"
tp "unlock LUKS1 with the enrolled secret" 0 "$E/l1.img"
expect "enroll LUKS1 with a custom GUID" 0 enroll --guid $OTHER_GUID --key-file "$work/p1" --secret-out "$E/s9" "$E/l1.img"
check "LUKS1 custom GUID: unlock needs --guid, says so" grep -q "unlock needs --guid $OTHER_GUID" "$work/err"
expect "unenroll LUKS1 without --wipe-slot: refused" 1 unenroll "$E/l1.img"
expect "unenroll --wipe-slot 1 on LUKS1" 0 unenroll --wipe-slot 1 "$E/l1.img"
is "LUKS1: keyslot 1 gone, 0 and 2 kept" "0 2" l1slots "$E/l1.img"

# --- the prompt: /dev/tty, echo off ----------------------------------------
fresh "$E/pty.img"
python3 - "$BIN" "$work/p1" "$E/pty.img" "$E/s10" >"$work/out" 2>&1 <<'PY'
import os, pty, select, sys, time
binary, passfile, img, out = sys.argv[1:5]
pw = open(passfile, "rb").read()
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary, "enroll", "--secret-out", out, img])
buf, sent, deadline = b"", False, time.time() + 20
while time.time() < deadline:
    if not select.select([fd], [], [], 0.5)[0]:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    if not sent and b"passphrase for" in buf:
        os.write(fd, pw + b"\n")
        sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(buf)
sys.exit(os.waitstatus_to_exitcode(st))
PY
rc=$?; cat "$work/out" >>"$work/all-output"
check "prompt on the terminal: enrolled (exit $rc)" sh -c "[ $rc = 0 ] && grep -q 'Enter an existing passphrase for' '$work/out'"
check "prompt: the passphrase is not echoed" fails grep -qF "$(cat "$work/p1")" "$work/out"
check "prompt: cryptsetup accepts the secret" cs_opens "$E/pty.img" 1 "$E/s10"

# --- docs/GUIDE.md: its enroll/table commands, verbatim ----------------------
# The blocks after "<!-- tested: tests/enroll.sh -->", run in order in one
# directory holding the guide's disk.img and passphrase, cocosecret on PATH.
guide_block() {
	awk -v n="$1" '
		/<!-- tested: tests\/enroll.sh -->/ { mark = 1; next }
		mark && /^```/ { if (inblk) { mark = 0; inblk = 0 } else { k++; inblk = 1 }; next }
		inblk && k == n && NF && !/^#/ { print }
	' "$top/docs/GUIDE.md"
}
guide_run() { # run each line of block N; check each one's exit 0
	local line i=0
	while IFS= read -r line; do
		i=$((i + 1))
		(cd "$G" && PATH="$G/bin:$PATH" timeout 30 bash -c "$line") >"$G/out.$1.$i" 2>"$work/err"
		rc=$?
		cat "$G/out.$1.$i" "$work/err" >>"$work/all-output"
		if [ $rc = 0 ]; then ok "GUIDE.md: $line"; else ko "GUIDE.md: $line (exit $rc): $(head -c 300 "$work/err")"; fi
	done < <(guide_block "$1")
}
G=$E/guide
mkdir -p "$G/bin"
ln -s "$BIN" "$G/bin/cocosecret"
cp "$work/p1" "$G/passphrase"
check "GUIDE.md: three tested blocks" test "$(grep -c '<!-- tested: tests/enroll.sh -->' "$top/docs/GUIDE.md")" = 3
fresh "$G/disk.img"
guide_run 1
check "GUIDE.md: the token it shows" grep -qxE \
	"\\{\"type\":\"cocosecret\",\"keyslots\":\\[\"1\"\\],\"guid\":\"$DISK_GUID\",\"mac\":\"v1:[0-9a-f]{64}\"\\}" "$G/out.1.2"
is "GUIDE.md: the table it dumps" "$DISK_GUID 43" grep -v '^table:' "$G/out.1.6"
clear_secrets
put $DISK_GUID <"$G/disk.secret"
tp "GUIDE.md: unlock with disk.secret" 0 "$G/disk.img"
guide_run 2
check "GUIDE.md: the rotated secret opens keyslot 2" cs_opens "$G/disk.img" 2 "$G/disk.secret"
guide_run 3
is "GUIDE.md: after unenroll, keyslot 0 only" 0 luksmeta "$G/disk.img" slots

# --- no enrolled secret in any output ----------------------------------------
# (text secrets, no newline inside: one grep pattern each)
for f in "$E"/s[0-9]* "$E"/*.pass "$G/disk.secret"; do cat "$f"; echo; done >"$E/patterns"
check "enroll: no secret in any output ($(wc -l <"$E/patterns") secrets)" \
	fails grep -qaF -f "$E/patterns" "$work/all-output"
