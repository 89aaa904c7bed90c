# SPDX-License-Identifier: GPL-2.0-or-later
# tests/badinput.sh - the rows of docs/BAD-INPUTS.md, each one a test.
#
# For every row of the doc's tables (| `case` | input | command | exit |
# message |) the function bi_<case> (dashes as underscores) sets up the
# bad input and runs the binary through bi_cs/bi_env (which set $rc and
# fill $work/out and $work/err); then the exit code, the message (IMG and
# DIR in it stand for this run's image and secrets directory) and the
# one-message-per-line rule are checked.  A function may return non-zero
# for an extra condition of its own (e.g. "nothing was wiped").  A row with
# no function, or a function with no row, is a failure.
#
# Sourced by tests/run (helpers: ok, ko, cs, mkluks, $work, $BIN, GUIDs);
# its checks count there.
# shellcheck shell=bash disable=SC2154 # $work, $BIN, ...: tests/run's

if ! declare -F expect >/dev/null; then
	echo "tests/badinput.sh is sourced by tests/run; run tests/run" >&2
	return 1 2>/dev/null || exit 1
fi

BI=$work/badinput
BIS=$BI/sec
mkdir -p "$BIS"
bi_doc=$top/docs/BAD-INPUTS.md
bi_mode=${COCOSECRET_TEST_MODE:-static}
printf 'bad-input-passphrase' >"$BI/p"
mkluks "$BI/l2.img" luks2 "$BI/p"
IMG=$BI/l2.img

bi_cs() { cs "$@"; }	# the binary, bounded (tests/run's cs)
bi_put() { rm -rf "${BIS:?}"; mkdir -p "$BIS"; cat >"$BIS/$DISK_GUID"; }
bi_tp() { cs unlock --test-passphrase --secrets-dir "$BIS" "$IMG"; }
# bi_env SETUP CMD...: run CMD (the binary: "$BIN" ...) after the shell
# commands SETUP, in a private mount namespace.
bi_env() {
	local setup=$1
	shift
	timeout 30 unshare -m --propagation private sh -c "$setup"'
		exec "$@"' sh "$@" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >>"$work/all-output"
}

# --- options and usage -----------------------------------------------------
bi_opt_unknown() { cs unlock --frobnicate "$IMG"; }
bi_opt_unknown_short() { cs unlock -Z "$IMG"; }
bi_opt_missing_arg() { cs unlock "$IMG" --guid; }
bi_opt_long_garbage() { cs unlock "--$(printf 'x%.0s' $(seq 10000))" "$IMG"; }
bi_opt_no_verb() { cs; }
bi_opt_unknown_verb() { cs frobnicate; }
bi_opt_no_device() { cs unlock --test-passphrase; }
bi_opt_extra_arg() { cs unlock "$IMG" name extra; }
bi_opt_timeout_range() { cs unlock --timeout 3601 "$IMG"; }
bi_opt_timeout_syntax() { cs unlock --timeout 1e3 "$IMG"; }
bi_opt_timeout_negative() { cs unlock --timeout -1 "$IMG"; }
bi_opt_key_slot() { cs unlock --key-slot 32 "$IMG"; }
bi_opt_name_slash() { cs unlock "$IMG" a/b; }
bi_opt_name_empty() { cs unlock "$IMG" ''; }
bi_opt_wipe_all_guid() { cs wipe --secrets-dir "$BIS" --all "$DISK_GUID"; }
bi_opt_iter_time() { cs enroll --iter-time 0 --key-file "$BI/p" --secret-out "$BI/o" "$IMG"; }
bi_opt_pbkdf_memory() { cs enroll --pbkdf-memory 4194305 --key-file "$BI/p" --secret-out "$BI/o" "$IMG"; }
bi_opt_table_action() { cs table frobnicate; }
bi_opt_trust() { cs unlock --trust not-a-guid "$IMG"; }
bi_opt_pbkdf() { cs enroll --pbkdf scrypt --key-file "$BI/p" --secret-out "$BI/o" "$IMG"; }

# --- GUIDs -----------------------------------------------------------------
bi_guid_short() { cs unlock --guid 736869e5-84f0-4973-92ec "$IMG"; }
bi_guid_braces() { cs unlock --guid "{$DISK_GUID}" "$IMG"; }
bi_guid_nonhex() { cs unlock --guid "g${DISK_GUID#?}" "$IMG"; }
bi_guid_wipe_mixed() {
	bi_put <"$BI/p"
	cs wipe --secrets-dir "$BIS" "$DISK_GUID" not-a-guid
	[ -e "$BIS/$DISK_GUID" ]	# nothing wiped
}
bi_guid_table_null() { cs table build -o "$BI/t" "00000000-0000-0000-0000-000000000000=$BI/p"; }
bi_guid_table_dup() { cs table build -o "$BI/t" "$DISK_GUID=$BI/p" "${DISK_GUID^^}=$BI/p"; }
bi_guid_table_arg() { cs table build -o "$BI/t" "$BI/p"; }

# --- secret entries --------------------------------------------------------
bi_secret_missing() { rm -rf "$BIS"; mkdir -p "$BIS"; bi_tp; }
bi_secret_dir_missing() { cs unlock --test-passphrase --secrets-dir "$BIS/none" "$IMG"; }
bi_secret_dir_is_file() {
	cs unlock --secrets-dir "$BI/p" "$IMG" cocosecret-badinput-test
	! grep -q wiped "$work/err"
}
bi_secret_empty() { : | bi_put; bi_tp; }
bi_secret_newline() { printf '\n' | bi_put; bi_tp; }
bi_secret_nul_first() { printf '\0bad-input-passphrase' | bi_put; bi_tp; }
bi_secret_too_big() { head -c 4097 /dev/zero | tr '\0' x | bi_put; bi_tp; }
bi_secret_wrong() { printf 'wrong' | bi_put; bi_tp; }
bi_secret_two_newlines() { { cat "$BI/p"; printf '\n\n'; } | bi_put; bi_tp; }
bi_secret_is_dir() { : | bi_put; rm "$BIS/$DISK_GUID"; mkdir "$BIS/$DISK_GUID"; bi_tp; }
bi_secret_fifo() {
	local t0=$SECONDS
	: | bi_put
	rm "$BIS/$DISK_GUID"
	mkfifo "$BIS/$DISK_GUID"
	bi_tp
	[ $((SECONDS - t0)) -lt 10 ]
}
bi_secret_dev_zero() {
	local t0=$SECONDS
	: | bi_put
	ln -sf /dev/zero "$BIS/$DISK_GUID"
	bi_tp
	[ $((SECONDS - t0)) -lt 10 ]
}
bi_secret_unreadable() {
	bi_put <"$BI/p"
	chmod 000 "$BIS/$DISK_GUID"
	bi_env : setpriv --bounding-set -dac_override,-dac_read_search \
		"$BIN" unlock --test-passphrase --secrets-dir "$BIS" "$IMG"
	chmod 600 "$BIS/$DISK_GUID"
}
bi_secret_file_big() {
	head -c 4097 /dev/zero | tr '\0' x >"$BI/big"
	cs enroll --key-file "$BI/p" --secret-file "$BI/big" "$IMG"
}
bi_secret_file_empty() {
	printf '\n' >"$BI/nl"
	cs enroll --key-file "$BI/p" --secret-file "$BI/nl" "$IMG"
}
bi_secret_out_exists() {
	printf 'keep me' >"$BI/exists"
	cs enroll --key-file "$BI/p" --secret-out "$BI/exists" "$IMG"
	[ "$(cat "$BI/exists")" = "keep me" ]
}
bi_secret_out_symlink() {
	ln -sf "$BI/nowhere" "$BI/link"
	cs enroll --key-file "$BI/p" --secret-out "$BI/link" "$IMG"
	[ ! -e "$BI/nowhere" ]
}

# --- tables ----------------------------------------------------------------
bi_table_header_guid() { cs table dump "$VECTORS/bad-header-guid.bin"; }
bi_table_entry_short() { cs table dump "$VECTORS/bad-entry-short.bin"; }
bi_table_entry_past_end() { cs table dump "$VECTORS/bad-entry-past-end.bin"; }
bi_table_total_too_big() { cs table dump "$VECTORS/bad-total-too-big.bin"; }
bi_table_truncated() { cs table dump "$VECTORS/bad-truncated.bin"; }
bi_table_dup_guid() {
	# two entries, one GUID: what table build refuses to make, made by hand
	python3 - "$BI/dup.tbl" <<'PY'
import struct, sys, uuid
hdr = uuid.UUID('1e74f542-71dd-4d66-963e-ef4287ff173b').bytes_le
g = uuid.UUID('736869e5-84f0-4973-92ec-06879ce3da0b').bytes_le
body = b''.join(g + struct.pack('<I', 24) + b'abcd' for _ in range(2))
t = hdr + struct.pack('<I', 20 + len(body)) + body
open(sys.argv[1], 'wb').write(t + bytes(16 - len(t) % 16))
PY
	cs table dump "$BI/dup.tbl"
}
bi_table_tiny() { head -c 10 "$VECTORS/one-entry.bin" >"$BI/tiny.tbl"; cs table dump "$BI/tiny.tbl"; }
bi_table_too_big() { head -c 70000 /dev/zero >"$BI/big.tbl"; cs table dump "$BI/big.tbl"; }
bi_table_is_dir() { cs table dump "$BI"; }

# --- devices and headers ---------------------------------------------------
bi_put <"$BI/p"
bi_dev_missing() { bi_put <"$BI/p"; cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/nope.img"; }
bi_dev_not_luks() {
	head -c 1048576 /dev/zero >"$BI/plain.img"
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/plain.img"
}
bi_dev_dir() { cs unlock --test-passphrase --secrets-dir "$BIS" "$BI"; }
bi_dev_char() { cs unlock --test-passphrase --secrets-dir "$BIS" /dev/null; }
bi_hdr_json() {
	cp --sparse=always "$IMG" "$BI/json.img"
	# both JSON areas: the primary at 4 KiB, the secondary at 16 KiB + 4 KiB
	printf '%0512d' 0 | tr 0 '{' | dd of="$BI/json.img" bs=1 seek=4096 conv=notrunc status=none
	printf '%0512d' 0 | tr 0 '{' | dd of="$BI/json.img" bs=1 seek=20480 conv=notrunc status=none
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/json.img"
}
bi_hdr_truncated() {
	cp --sparse=always "$IMG" "$BI/trunc.img"
	truncate -s 8K "$BI/trunc.img"
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/trunc.img"
}
bi_hdr_empty() { : >"$BI/empty.img"; cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/empty.img"; }
# The host's header moves (tests/header.sh has the rest): forged with luks2-forge.
bi_forge() { # bi_forge PYTHON: $BI/forged.img, $IMG with the edit; the entry in place
	cp --sparse=always "$IMG" "$BI/forged.img"
	"$top/test-vm/lib/luks2-forge" "$BI/forged.img" "$1" || return 1
	bi_put <"$BI/p"
}
bi_hdr_null_segment() {
	bi_forge 'j["segments"]["0"]["encryption"] = "cipher_null-ecb"' || return 1
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/forged.img"
}
bi_hdr_null_keyslot() {
	bi_forge 'j["keyslots"]["0"]["area"]["encryption"] = "cipher_null-ecb"' || return 1
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/forged.img"
}
bi_hdr_linear_segment() {
	bi_forge 'j["segments"]["0"]["type"] = "linear"' || return 1
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/forged.img"
}
bi_hdr_short_key() {
	bi_forge 'j["keyslots"]["0"]["key_size"] = 8' || return 1
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/forged.img"
}
bi_hdr_luks1_null() {
	mkluks "$BI/l1null.img" luks1 "$BI/p" || return 1
	"$top/test-vm/lib/luks2-forge" "$BI/l1null.img" --luks1-cipher cipher_null ecb || return 1
	bi_put <"$BI/p"
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/l1null.img"
}
bi_hdr_require_auth() {
	bi_put <"$BI/p"
	cs unlock --test-passphrase --require-auth --secrets-dir "$BIS" "$IMG"
}
bi_hdr_mac_mismatch() {
	cp --sparse=always "$IMG" "$BI/mac.img"
	rm -f "$BI/macsecret"
	"$BIN" enroll --key-file "$BI/p" --secret-out "$BI/macsecret" "$BI/mac.img" 2>/dev/null || return 1
	"$top/test-vm/lib/luks2-forge" "$BI/mac.img" 'j["segments"]["0"]["iv_tweak"] = "7"' || return 1
	bi_put <"$BI/macsecret"
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/mac.img"
}
bi_hdr_bad_token() {
	cp --sparse=always "$IMG" "$BI/tok.img"
	printf '{"type":"cocosecret","keyslots":["0"],"guid":"nope"}' >"$BI/tok.json"
	cryptsetup token import --json-file "$BI/tok.json" "$BI/tok.img" || return 1
	bi_put <"$BI/p"
	cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/tok.img"
}
bi_hdr_no_free_slot() {
	local i
	mkluks "$BI/full.img" luks1 "$BI/p" || return 1
	for i in 1 2 3 4 5 6 7; do
		printf 'another-passphrase-%d' "$i" >"$BI/k$i"
		# shellcheck disable=SC2086 # $FAST: tests/run's option list
		cryptsetup luksAddKey --batch-mode $FAST --key-file "$BI/p" "$BI/full.img" "$BI/k$i" || return 1
	done
	rm -f "$BI/o"
	cs enroll --key-file "$BI/p" --secret-out "$BI/o" "$BI/full.img"
	[ ! -e "$BI/o" ]
}
bi_hdr_wrong_existing() {
	printf 'wrong' >"$BI/wrong"
	rm -f "$BI/o"
	cs enroll --key-file "$BI/wrong" --secret-out "$BI/o" "$IMG"
	[ ! -e "$BI/o" ]
}
bi_hdr_last_slot() {
	cp --sparse=always "$IMG" "$BI/last.img"
	rm -f "$BI/o"
	"$BIN" enroll --key-file "$BI/p" --secret-out "$BI/o" "$BI/last.img" 2>/dev/null &&
		cryptsetup luksKillSlot --batch-mode --key-file "$BI/o" "$BI/last.img" 0 || return 1
	cs unenroll "$BI/last.img"
}

# --- environments ------------------------------------------------------------
# Mount-namespace set-ups: hide the kernel modules; the host's stay as they are.
bi_no_modules='[ -d /lib/modules ] && mount -t tmpfs none /lib/modules; '
bi_env_no_module() {
	bi_env "$bi_no_modules" "$BIN" -v unlock --timeout 1 "$IMG" cocosecret-badinput-test
}
bi_env_no_securityfs() {
	bi_env "$bi_no_modules"'umount /sys/kernel/security 2>/dev/null; ' \
		setpriv --bounding-set -sys_admin "$BIN" -v unlock --timeout 1 "$IMG" cocosecret-badinput-test
}
bi_env_ro_sys() {
	bi_env "$bi_no_modules"'umount /sys/kernel/security 2>/dev/null; mount -o remount,bind,ro /sys; ' \
		"$BIN" unlock --timeout 1 "$IMG" cocosecret-badinput-test
}
# --test-passphrase changes nothing: securityfs stays unmounted
# shellcheck disable=SC2016 # the inner script is expanded by its sh
bi_env_test_no_setup() {
	bi_env "$bi_no_modules"'umount /sys/kernel/security 2>/dev/null; ' \
		sh -c '"$1" -v unlock --test-passphrase --timeout 1 "$2"; r=$?
			! grep -q " /sys/kernel/security securityfs" /proc/self/mounts || exit 99
			exit $r' sh "$BIN" "$IMG"
}
bi_env_no_dm_control() {
	bi_put <"$BI/p"
	bi_env 'mount -t tmpfs -o size=4k none /dev/mapper; ' \
		"$BIN" unlock --secrets-dir "$BIS" --keep "$IMG" cocosecret-badinput-test
}
bi_env_oom_argon2() {
	mkluks "$BI/argon.img" luks2 "$BI/p" --pbkdf argon2id --pbkdf-memory 65536 \
		--pbkdf-force-iterations 4 --pbkdf-parallel 1 || return 1
	bi_put <"$BI/p"
	if [ "$bi_mode" = asan ]; then
		# ASan reserves terabytes of address space: cap its allocator instead.
		# Its "failed to allocate" warning goes to a log of its own, which
		# must hold nothing else.
		rm -f "$BI"/asan-oom.*
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=48:log_path=$BI/asan-oom" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$BI/asan-oom" \
			cs unlock --test-passphrase --secrets-dir "$BIS" "$BI/argon.img"
		! cat "$BI"/asan-oom.* 2>/dev/null | grep -v 'WARNING: AddressSanitizer failed to allocate' | grep -q .
	else
		bi_env : prlimit --as=$((48 << 20)) "$BIN" unlock --test-passphrase --secrets-dir "$BIS" "$BI/argon.img"
	fi
}
bi_env_no_tty() {
	rm -f "$BI/o"
	timeout 30 setsid -w "$BIN" enroll --secret-out "$BI/o" "$IMG" </dev/null >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >>"$work/all-output"
	[ ! -e "$BI/o" ]
}
bi_env_ro_secrets() {
	bi_put <"$BI/p"
	bi_env "mount --bind '$BIS' '$BIS' && mount -o remount,bind,ro '$BIS'; " \
		"$BIN" wipe --secrets-dir "$BIS"
	[ -e "$BIS/$DISK_GUID" ]
}
bi_env_no_space() {
	mkdir -p "$BI/full"
	rm -f "$BI/left"
	# shellcheck disable=SC2016 # the inner script is expanded by its sh
	bi_env "mount -t tmpfs -o size=4k none '$BI/full' && { head -c 8192 /dev/zero >'$BI/full/filler' 2>/dev/null; true; } &&
		exec 3>'$BI/left'; " \
		sh -c '"$1" table build -o "$2/out" "$3"; r=$?; ls "$2" >&3; exit $r' sh \
		"$BIN" "$BI/full" "$DISK_GUID=$BI/p"
	# the namespace's tmpfs went with it: what it held was listed to fd 3
	[ -s "$BI/left" ] && ! grep -qx out "$BI/left"
}

# --- the runner ----------------------------------------------------------------
# Rows: | `case` | input | command | exit | `message` |
bi_rows=$(awk -F' \\| ' '/^\| `[a-z0-9-]+` \|/ {
	id = $1; sub(/^\| `/, "", id); sub(/`$/, "", id)
	msg = $5; sub(/ \|$/, "", msg); sub(/^`/, "", msg); sub(/`$/, "", msg)
	printf "%s\t%s\t%s\n", id, $4, msg
}' "$bi_doc")
bi_n=0
while IFS=$'\t' read -r id want msg; do
	bi_n=$((bi_n + 1))
	fn=bi_${id//-/_}
	if ! declare -F "$fn" >/dev/null; then
		ko "bad input $id: a row of docs/BAD-INPUTS.md with no test ($fn)"
		continue
	fi
	if [ "$(id -u)" != 0 ] && declare -f "$fn" | grep -q 'bi_env'; then
		skip "bad input $id: needs root (a mount namespace)"
		continue
	fi
	if [ "$bi_mode" = valgrind ] && [ "$id" = env-oom-argon2 ]; then
		skip "bad input $id: valgrind cannot run under a small RLIMIT_AS"
		continue
	fi
	msg=${msg//IMG/$IMG}
	msg=${msg//DIR/$BIS}
	rc=x
	: >"$work/err"
	"$fn"
	extra=$?
	why=""
	[ "$rc" = "$want" ] || why="exit $rc, want $want"
	grep -qF -- "$msg" "$work/err" || why="${why:+$why; }no message '$msg'"
	if grep -vq -e '^cocosecret: ' -e "^Try 'cocosecret" "$work/err"; then
		why="${why:+$why; }a stderr line without the prefix"
	elif [ "$want" != 0 ] && ! grep -q -- ' -v \| --debug ' <<<" $(declare -f "$fn") " &&
		[ "$(grep -c '^cocosecret: ' "$work/err")" != 1 ]; then
		why="${why:+$why; }not exactly one message"
	fi
	[ $extra = 0 ] || why="${why:+$why; }its own check failed"
	if [ -z "$why" ]; then
		ok "bad input $id: exit $want, '$msg'"
	else
		ko "bad input $id: $why: $(head -c 300 "$work/err")"
	fi
done <<<"$bi_rows"
for fn in $(declare -F | awk '$3 ~ /^bi_(opt|guid|secret|table|dev|hdr|env)_/ { print $3 }'); do
	id=${fn#bi_}
	id=${id//_/-}
	grep -q "^$id"$'\t' <<<"$bi_rows" || ko "bad input $id: a test ($fn) with no row in docs/BAD-INPUTS.md"
done
check "bad inputs: docs/BAD-INPUTS.md has $bi_n rows (at least 25)" test "$bi_n" -ge 25
