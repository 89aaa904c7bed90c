# SPDX-License-Identifier: GPL-2.0-or-later
# tests/token.sh - sourced by tests/run after header.sh: the LUKS2 token
# plugin libcryptsetup-token-cocosecret.so (docs/TOKEN.md).
#
# The shipped plugin: its exports, links and hardening, and no test hook in
# it.  The test build (make token-test: the same sources, plus
# COCOSECRET_TOKEN_TEST_SECRETS/_CONFIG for a fake secrets directory and
# configuration directory) through two loaders:
#   cli      Debian's cryptsetup 2.6.1 (no --external-tokens-path): a private
#            mount namespace binds a directory holding only the plugin over
#            the library's plugin path; luksDump, token import, open
#            --test-passphrase --token-only --token-type cocosecret
#   harness  tests/token-harness.c registers the plugin's functions with
#            libcryptsetup and does the same (the ASan and valgrind builds
#            run here: COCOSECRET_TOKEN_TEST_SO/_HARNESS from tests/sanitize.sh)
#
# shellcheck shell=bash disable=SC2154,SC2016,SC2086
# ($top, $work, $rc, $FAST...: tests/run's; $FAST is a word list as there;
# the single-quoted scripts are expanded by their sh)

TK=$work/token
mkdir -p "$TK/plugins" "$TK/cfg" "$TK/sec"
tk_mode=${COCOSECRET_TEST_MODE:-static}
TOKEN_SO=$top/build/token/libcryptsetup-token-cocosecret.so
TOKEN_TEST_SO=${COCOSECRET_TOKEN_TEST_SO:-$top/build/token-test/libcryptsetup-token-cocosecret.so}
TOKEN_HARNESS=${COCOSECRET_TOKEN_HARNESS:-$top/build/token-test/token-harness}
TK_WIPE=$top/token/cocosecret-token-wipe
tk_wrap=()
if [ "$tk_mode" = valgrind ]; then
	mkdir -p "$top/build/valgrind/logs"
	# shellcheck disable=SC2054 # the commas are valgrind's
	tk_wrap=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
		--errors-for-leak-kinds=definite,indirect --num-callers=30
		--log-file="$top/build/valgrind/logs/vg-token.%p")
fi

# --- the shipped plugin ----------------------------------------------------------
check "token: the plugin is built ($TOKEN_SO)" test -f "$TOKEN_SO"
check "token: the test build and the harness are built" test -f "$TOKEN_TEST_SO" -a -x "$TOKEN_HARNESS"
tk_exports() { nm -D --defined-only "$1" | awk '{ print $3 }' | sort | tr '\n' ' '; }
check "token: exports the CRYPTSETUP_TOKEN_1.0 symbols and nothing else" test "$(tk_exports "$TOKEN_SO")" = \
	"CRYPTSETUP_TOKEN_1.0 cryptsetup_token_buffer_free@@CRYPTSETUP_TOKEN_1.0 cryptsetup_token_dump@@CRYPTSETUP_TOKEN_1.0 cryptsetup_token_open@@CRYPTSETUP_TOKEN_1.0 cryptsetup_token_validate@@CRYPTSETUP_TOKEN_1.0 cryptsetup_token_version@@CRYPTSETUP_TOKEN_1.0 "
check "token: links the distribution's libcryptsetup.so.12" sh -c \
	"readelf -d '$TOKEN_SO' | grep -q 'NEEDED.*\\[libcryptsetup\\.so\\.12\\]'"
check "token: every library it needs resolves" sh -c "! ldd '$TOKEN_SO' | grep -q 'not found'"
check "token: full RELRO, BIND_NOW, no executable stack" sh -c "readelf -lW '$TOKEN_SO' | grep -q GNU_RELRO &&
	readelf -d '$TOKEN_SO' | grep -q 'FLAGS.*BIND_NOW' && readelf -lW '$TOKEN_SO' | grep GNU_STACK | grep -qv RWE"
check "token: the shipped plugin has no test hook (no COCOSECRET_TOKEN_TEST in it)" \
	sh -c "! grep -qa COCOSECRET_TOKEN_TEST '$TOKEN_SO'"
check "token: no stderr/stdout of its own (its messages go through crypt_log)" \
	sh -c "! nm -D --undefined-only '$TOKEN_SO' | grep -qw -e stderr -e stdout -e fprintf -e printf -e puts"

# --- images ------------------------------------------------------------------
tk_img() { # tk_img NAME: a LUKS2 image with p1 in keyslot 0
	truncate -s 20M "$TK/$1.img" &&
		cryptsetup luksFormat --batch-mode --type luks2 $FAST --key-file "$work/p1" "$TK/$1.img" >/dev/null
}
tk_forged() { # tk_forged NAME FROM 'PYTHON'
	cp --sparse=always "$TK/$2.img" "$TK/$1.img" && "$FORGE" "$TK/$1.img" "$3"
}
tk_img base
cp --sparse=always "$TK/base.img" "$TK/mac.img"
cs enroll --key-file "$work/p1" --secret-out "$TK/s-mac" "$TK/mac.img"
check "token: an enrolled image (header MAC, disk-passphrase GUID)" test "$rc" = 0
cp --sparse=always "$TK/base.img" "$TK/other.img"
cs enroll --guid "$TOKEN_GUID" --key-file "$work/p1" --secret-out "$TK/s-other" "$TK/other.img"
check "token: an image enrolled for GUID $TOKEN_GUID" test "$rc" = 0
tk_forged nomac mac 'del j["tokens"]["0"]["mac"]'
tk_forged seg-null mac 'j["segments"]["0"]["encryption"] = "cipher_null-ecb"'
tk_forged ks-null nomac 'j["keyslots"]["1"]["area"]["encryption"] = "cipher_null-ecb"'
tk_forged altered mac 'j["segments"]["0"]["iv_tweak"] = "1"'
tk_forged renamed mac 'j["tokens"]["0"]["guid"] = "'"$TOKEN_GUID"'"'

# --- the two loaders ------------------------------------------------------------
cp "$TOKEN_TEST_SO" "$TK/plugins/"
tk_plugdir=$(cryptsetup --help | sed -n 's/^LUKS2 external token plugin path: \(.*\)\.$/\1/p')
tk_env=(env COCOSECRET_TOKEN_TEST_SECRETS="$TK/sec" COCOSECRET_TOKEN_TEST_CONFIG="$TK/cfg")
tk_collect() { cat "$work/out" "$work/err" >>"$work/all-output"; cat "$work/out" "$work/err" >>"$TK/all-output"; }

# tk_cli ARGS...: cryptsetup, with $TK/plugins as its plugin directory
tk_cli() {
	timeout 60 unshare -m sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' \
		"$TK/plugins" "$tk_plugdir" "${tk_env[@]}" cryptsetup "$@" >"$work/out" 2>"$work/err"
	rc=$?
	tk_collect
}
# tk_harness VERB IMG [FILE]
tk_harness() {
	timeout 120 "${tk_env[@]}" "${tk_wrap[@]}" "$TOKEN_HARNESS" "$TOKEN_TEST_SO" "$@" \
		>"$work/out" 2>"$work/err"
	rc=$?
	tk_collect
}
# The same three operations through either loader ($tk_via).
tk_dump() { if [ "$tk_via" = cli ]; then tk_cli luksDump "$1"; else tk_harness dump "$1"; fi; }
tk_import() { if [ "$tk_via" = cli ]; then tk_cli token import --json-file "$2" "$1"; else tk_harness import "$1" "$2"; fi; }
tk_open() {
	if [ "$tk_via" = cli ]; then
		tk_cli open --test-passphrase --token-only --token-type cocosecret --verbose "$1"
	else
		tk_harness open "$1"
	fi
}
tk_said() { cat "$work/out" "$work/err" | grep -qF -- "$1"; }
# tk_expect DESCRIPTION RC IMG [MESSAGE]: open's exit code (0; 2 the secret
# opened no keyslot; 1 anything else, -ENOENT: fall back), and what it said
tk_expect() {
	local d="token($tk_via): $1" want=$2 img=$3 msg=${4:-}
	tk_open "$img"
	if [ "$rc" != "$want" ]; then
		ko "$d (exit $rc, want $want): $(head -c 400 "$work/out" "$work/err")"
	elif [ -n "$msg" ] && ! tk_said "$msg"; then
		ko "$d (no '$msg'): $(head -c 400 "$work/out" "$work/err")"
	else
		ok "$d"
	fi
}
tk_secret() { rm -f "$TK/sec"/*; cat >"$TK/sec/$1"; }
tk_config() { rm -f "$TK/cfg"/*; }

tk_cases() {
	local v f

	# luksDump shows the plugin's dump
	tk_dump "$TK/mac.img"
	check "token($tk_via): luksDump shows the GUID, keyslots and MAC" sh -c "test $rc = 0 &&
		grep -q 'cocosecret GUID: $DISK_GUID' '$work/out' && grep -q 'cocosecret keyslots: 1\$' '$work/out' &&
		grep -q 'cocosecret header MAC: present (v1)' '$work/out'"
	tk_dump "$TK/nomac.img"
	check "token($tk_via): luksDump of a token without MAC says so" grep -q 'cocosecret header MAC: absent' "$work/out"
	tk_dump "$TK/other.img"
	check "token($tk_via): luksDump of another GUID" grep -q "cocosecret GUID: $TOKEN_GUID" "$work/out"

	# token import: validate is the binary's parser (luks_token_parse)
	for v in \
		'unknown field:{"type":"cocosecret","keyslots":["0"],"guid":"'$DISK_GUID'","extra":1}' \
		'GUID not a GUID:{"type":"cocosecret","keyslots":["0"],"guid":"736869e5-84f0-4973-92ec"}' \
		'GUID not a string:{"type":"cocosecret","keyslots":["0"],"guid":42}' \
		'MAC of another version:{"type":"cocosecret","keyslots":["0"],"mac":"v2:'"$(printf '%064d' 0)"'"}' \
		'MAC too short:{"type":"cocosecret","keyslots":["0"],"mac":"v1:00ff"}' \
		'MAC in upper case:{"type":"cocosecret","keyslots":["0"],"mac":"v1:'"$(printf '%064d' 0 | tr 0 A)"'"}' \
		'a keyslot twice:{"type":"cocosecret","keyslots":["0","0"]}' \
		'~keyslot not a number:{"type":"cocosecret","keyslots":["0x"]}'; do
		printf '%s' "${v#*:}" >"$TK/bad.json"
		cp --sparse=always "$TK/base.img" "$TK/import.img"
		tk_import "$TK/import.img" "$TK/bad.json"
		f=${v%%:*}
		check "token($tk_via): token import of a malformed token (${f#\~}) is rejected" \
			test "$rc" != 0
		# (~: libcryptsetup's own checks refuse it too)
		if [ "$tk_via" = cli ] && [ "${v#\~}" = "$v" ]; then
			cryptsetup token import --json-file "$TK/bad.json" "$TK/import.img" >/dev/null 2>&1
			check "token(cli): ...which cryptsetup alone accepts (the plugin's validate refused it)" test $? = 0
		fi
	done
	printf '{"type":"cocosecret","keyslots":["0"],"guid":"%s"}' "$OTHER_GUID" >"$TK/good.json"
	cp --sparse=always "$TK/base.img" "$TK/import.img"
	tk_import "$TK/import.img" "$TK/good.json"
	check "token($tk_via): token import of a well-formed token is accepted" test "$rc" = 0

	# open: the unlock verb's rules
	tk_config
	tk_secret "$DISK_GUID" <"$TK/s-mac"
	tk_expect "the enrolled secret opens, header authenticated" 0 "$TK/mac.img" "header authenticated"
	check "token($tk_via): keep: the entry is still there" test -e "$TK/sec/$DISK_GUID"
	{ cat "$TK/s-mac"; printf '\n\0tail'; } | tk_secret "$DISK_GUID"
	tk_expect "newline and NUL ending: the bytes before them" 0 "$TK/mac.img"
	printf 'not the secret' | tk_secret "$DISK_GUID"
	tk_expect "a wrong secret: its MAC does not match (fall back)" 1 "$TK/mac.img" "its MAC does not match"
	tk_expect "a wrong secret, no MAC: no keyslot opens (-EPERM, fall back)" 2 "$TK/nomac.img"
	tk_secret "$OTHER_GUID" <"$TK/s-mac"
	tk_expect "no entry (fall back)" 1 "$TK/mac.img" "no secret $DISK_GUID"
	: | tk_secret "$DISK_GUID"
	tk_expect "an empty entry (fall back)" 1 "$TK/mac.img" "empty"
	tk_secret "$DISK_GUID" <"$TK/s-mac"
	tk_expect "forged header (segment cipher_null): refused before the read" 1 "$TK/seg-null.img" \
		"header refused: data segment 0 is not encrypted (cipher_null-ecb)"
	tk_expect "forged header (the token's keyslot cipher_null): refused" 1 "$TK/ks-null.img" \
		"keyslot 1's area is not encrypted"
	tk_expect "altered header (iv_tweak): its MAC does not match" 1 "$TK/altered.img" "its MAC does not match"

	# trust: the host's token does not choose the secret
	tk_secret "$TOKEN_GUID" <"$TK/s-other"
	tk_expect "a GUID not in trusted-guids: refused" 1 "$TK/other.img" "which this system does not trust"
	check "token($tk_via): ...its entry untouched" test -e "$TK/sec/$TOKEN_GUID"
	tk_expect "a token rewritten to name another GUID: refused" 1 "$TK/renamed.img" "does not trust"
	printf '# trusted\n\n  %s  \n' "${TOKEN_GUID^^}" >"$TK/cfg/trusted-guids"
	tk_expect "the same GUID in trusted-guids: opens" 0 "$TK/other.img"
	printf '%s\nnot-a-guid\n' "$TOKEN_GUID" >"$TK/cfg/trusted-guids"
	tk_expect "a malformed trusted-guids: only the disk-passphrase GUID is trusted" 1 "$TK/other.img" \
		"trusted-guids: a line that is not a GUID"

	# the header MAC when the initramfs requires it
	tk_config
	echo 1 >"$TK/cfg/require-auth"
	tk_secret "$DISK_GUID" <"$TK/s-mac"
	tk_expect "require-auth: a token without MAC is refused" 1 "$TK/nomac.img" "a header MAC is required"
	tk_expect "require-auth: the MAC'd token opens" 0 "$TK/mac.img" "header authenticated"
	echo yes >"$TK/cfg/require-auth"
	tk_expect "require-auth neither 0 nor 1: required" 1 "$TK/nomac.img" "a header MAC is required"
	echo 0 >"$TK/cfg/require-auth"
	tk_expect "require-auth 0: a token without MAC opens" 0 "$TK/nomac.img"

	# token-wipe: a GUID that serves one volume is wiped after the read
	tk_config
	echo "$DISK_GUID" >"$TK/cfg/token-wipe"
	tk_expect "token-wipe: opens" 0 "$TK/mac.img" "wiped secret $DISK_GUID"
	check "token($tk_via): token-wipe: the entry is gone" test ! -e "$TK/sec/$DISK_GUID"
	tk_secret "$DISK_GUID" <"$TK/s-mac"
	tk_expect "token-wipe: a refused header wipes too" 1 "$TK/seg-null.img" "header refused"
	check "token($tk_via): ...the entry is gone" test ! -e "$TK/sec/$DISK_GUID"
	tk_config
	return 0
}

for tk_via in cli harness; do
	if [ "$tk_via" = cli ] && [ "$tk_mode" != static ]; then
		skip "token(cli) under $tk_mode: the harness runs the $tk_mode build of the plugin (cryptsetup cannot load an ASan one)"
		continue
	fi
	if [ "$tk_via" = cli ] && ! { [ "$(id -u)" = 0 ] && [ -d "$tk_plugdir" ] &&
		unshare -m true 2>/dev/null; }; then
		skip "token(cli): needs root, unshare -m and cryptsetup's plugin directory"
		continue
	fi
	tk_cases
done

# strace, as tests/leak.sh traces the binary: cryptsetup opening through the
# plugin writes, sends, add_keys and execs no byte of the secret, nor of
# what follows its NUL in the entry (leak.sh's scanner, 12-byte windows)
if [ "$tk_mode" = static ] && [ -f "${LK:-}/scan.py" ] && command -v strace >/dev/null &&
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	tk_config
	head -c 256 /dev/urandom | tr -d '\000\n' | head -c 40 >"$TK/tail"
	{ cat "$TK/s-mac"; printf '\0'; cat "$TK/tail"; } | tk_secret "$DISK_GUID"
	timeout 60 strace -f -qq -s 1048576 -xx -y -o "$TK/open.trace" \
		-e trace=write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,add_key,execve \
		unshare -m sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' "$TK/plugins" "$tk_plugdir" \
		"${tk_env[@]}" cryptsetup open --test-passphrase --token-only --token-type cocosecret \
		--verbose "$TK/mac.img" >"$work/out" 2>"$work/err"
	rc=$?
	tk_collect
	if res=$(python3 "$LK/scan.py" "$TK/open.trace" "$TK/s-mac" "$TK/tail" 2>"$TK/scan.err") &&
		[ "$rc" = 0 ]; then
		ok "token(cli): open under strace: exit 0, no secret in any write/send/add_key/execve ($res)"
	else
		ko "token(cli): open under strace: exit $rc, $res: $(head -c 300 "$TK/scan.err")"
	fi
fi

# The shipped plugin ignores the test build's variables: on this host (no
# secret area) a token is not applicable.
if [ "$tk_mode" = static ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	cp "$TOKEN_SO" "$TK/plugins/"
	tk_secret "$DISK_GUID" <"$TK/s-mac"
	tk_via=cli
	if [ ! -e /sys/bus/platform/devices/efi_secret.0 ]; then
		tk_expect "the shipped plugin: no secret area here, the test variables ignored" 1 \
			"$TK/mac.img" "no launch secret area"
	fi
	cp "$TOKEN_TEST_SO" "$TK/plugins/"
fi

# The wipe unit's script: the disk-passphrase GUID and trusted-guids, no other
cat >"$TK/cocosecret" <<EOF
#!/bin/sh
# cocosecret with the test's secrets directory
v=\$1; shift
exec ${tk_wrap[*]} "$BIN" "\$v" --secrets-dir "$TK/sec" "\$@"
EOF
chmod 0755 "$TK/cocosecret"
rm -f "$TK/sec"/*
for g in $DISK_GUID $TOKEN_GUID $OTHER_GUID; do printf 'x' >"$TK/sec/$g"; done
printf '# comment\n%s\n' "$TOKEN_GUID" >"$TK/cfg/trusted-guids"
COCOSECRET="$TK/cocosecret" COCOSECRET_TRUSTED="$TK/cfg/trusted-guids" "$TK_WIPE" >"$work/out" 2>"$work/err"
rc=$?
tk_collect
check "token: cocosecret-token-wipe wipes the trusted GUIDs (exit $rc)" \
	test "$rc" = 0 -a ! -e "$TK/sec/$DISK_GUID" -a ! -e "$TK/sec/$TOKEN_GUID"
check "token: ...and leaves another program's entry" test -e "$TK/sec/$OTHER_GUID"
# --emergency: wait for the unlock in flight, kill it after the bound (a copy
# of sleep under a name no real process has stands for systemd-cryptsetup)
cp "$(command -v sleep)" "$TK/cocoinflight"
for g in $DISK_GUID $TOKEN_GUID; do printf 'x' >"$TK/sec/$g"; done
COCOSECRET="$TK/cocosecret" COCOSECRET_TRUSTED="$TK/cfg/trusted-guids" sh -c '"$1" 2 & until read -r c </proc/$!/comm && [ "$c" = cocoinflight ]; do :; done
	COCOSECRET_INFLIGHT_NAME=cocoinflight exec "$2" --emergency' sh "$TK/cocoinflight" "$TK_WIPE" \
	>"$work/out" 2>"$work/err" </dev/null
rc=$?
check "token: --emergency waits for the unlock in flight, then wipes (exit $rc)" sh -c \
	"[ $rc = 0 ] && grep -q 'waiting for the unlock in flight' '$work/err' &&
	 grep -q 'the unlock in flight finished after' '$work/err' && [ ! -e '$TK/sec/$DISK_GUID' ]"
for g in $DISK_GUID $TOKEN_GUID; do printf 'x' >"$TK/sec/$g"; done
COCOSECRET="$TK/cocosecret" COCOSECRET_TRUSTED="$TK/cfg/trusted-guids" sh -c '"$1" 60 & until read -r c </proc/$!/comm && [ "$c" = cocoinflight ]; do :; done
	COCOSECRET_INFLIGHT_NAME=cocoinflight COCOSECRET_INFLIGHT_WAIT=1 "$2" --emergency; echo "rc=$?"
	wait $!; echo "status=$?"' sh "$TK/cocoinflight" "$TK_WIPE" >"$work/out" 2>"$work/err" </dev/null
check "token: ...kills it (SIGKILL) after the bound, then wipes" sh -c \
	"grep -qx rc=0 '$work/out' && grep -qx status=137 '$work/out' &&
	 grep -q 'still runs after [0-9]* s: killing it' '$work/err' && [ ! -e '$TK/sec/$DISK_GUID' ]"
check "token: the units name the script make install puts in place" sh -c \
	"grep -q '^ExecStart=/usr/libexec/cocosecret/cocosecret-token-wipe\$' '$top/token/cocosecret-token-wipe.service' &&
	 grep -q '^ExecStart=/usr/libexec/cocosecret/cocosecret-token-wipe --emergency\$' '$top/token/cocosecret-token-emergency.service'"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TK/units"
	cp "$top"/token/*.service "$TK/units/"
	sed -i "s|^ExecStart=.*|ExecStart=/bin/true|" "$TK/units"/*.service
	check "token: systemd-analyze verify accepts the units" sh -c \
		"systemd-analyze verify --man=no '$TK/units/cocosecret-token-wipe.service' \
		 '$TK/units/cocosecret-token-emergency.service' 2>&1 | tee '$TK/verify.log' | grep -v 'not found\\|unit-files\\|Unit.*is not' | grep -q . && exit 1 || exit 0"
fi

# No secret in anything the plugin or cryptsetup printed
check "token: no secret bytes in the plugin's output" sh -c \
	"! grep -qaF -e \"\$(cat '$TK/s-mac')\" -e \"\$(cat '$TK/s-other')\" '$TK/all-output'"
