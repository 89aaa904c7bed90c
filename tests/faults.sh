# SPDX-License-Identifier: GPL-2.0-or-later
# tests/faults.sh - fault injection: kill -9 at a random point of a run.
#
# Each case first times three whole runs (T = their median), then N times
# starts the run again, waits a random delay in [0, T], sends SIGKILL and
# checks what is left on disk:
#   unlock --test-passphrase, unlock (the activation attempt: without
#   dm-crypt it fails with exit 1, as on a build host; test-vm covers the
#   real activation) on LUKS1 and LUKS2: the image is byte-identical to
#   before, and the entry is either intact or gone (unlink is atomic);
#   enroll on LUKS1 and LUKS2: the header is valid (cryptsetup luksDump)
#   and the old passphrase still opens it (cryptsetup open
#   --test-passphrase).  How far each killed enroll got is counted.
# Images use PBKDF2 at 1000 iterations, so a run takes tens of ms.
#
# COCOSECRET_FAULT_RUNS: the total number of kill -9 runs (default 216,
# spread evenly over the cases).  Sourced by tests/run (helpers: ok, ko,
# check, mkluks, $work, $BIN, the GUIDs); its checks count there.
# shellcheck shell=bash disable=SC2154 # $work, $BIN, ...: tests/run's

if ! declare -F expect >/dev/null; then
	echo "tests/faults.sh is sourced by tests/run; run tests/run" >&2
	return 1 2>/dev/null || exit 1
fi

FT=$work/faults
mkdir -p "$FT/sec"
fault_total=${COCOSECRET_FAULT_RUNS:-216}

head -c 8192 /dev/urandom | tr -d '\000\n' | head -c 32 >"$FT/pass"
mkluks "$FT/l1.orig" luks1 "$FT/pass" && mkluks "$FT/l2.orig" luks2 "$FT/pass" &&
	printf '{"type":"cocosecret","keyslots":["0"],"guid":"%s"}' "$DISK_GUID" >"$FT/token.json" &&
	cryptsetup token import --json-file "$FT/token.json" "$FT/l2.orig"
check "faults: make LUKS1 and LUKS2 images (PBKDF2, 1000 iterations)" test $? = 0
{ cat "$FT/pass"; printf '\0'; } >"$FT/entry"

# An ASan build's leak check at exit is no place for a SIGKILL (LeakSanitizer
# then reports its own tracer's failure); the leaks are checked elsewhere.
ft_asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
# ft_time CMD...: median wall time of three runs, in ms (at least 1)
ft_time() {
	local i t0 ts=()
	for i in 1 2 3; do
		ft_reset
		t0=$(ms_now)
		ASAN_OPTIONS=$ft_asan "$@" >/dev/null 2>&1
		ts+=($(( $(ms_now) - t0 )))
	done
	printf '%s\n' "${ts[@]}" | sort -n | sed -n '2{s/^0$/1/;p}'
}
# A pipe nobody writes to: `read -t` on it is a sleep without a fork (an
# external sleep(1) costs more than a whole run of the binary).
exec {ft_nap}<> <(:)
# ft_kill DELAY_MS CMD...: start CMD, SIGKILL it after DELAY_MS; $ft_st: its status
ft_kill() {
	local d=$1 p
	shift
	ASAN_OPTIONS=$ft_asan "$@" >/dev/null 2>&1 &
	p=$!
	read -r -t "$((d / 1000)).$(printf '%03d' $((d % 1000)))" -u "$ft_nap"
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	ft_st=$?
}

# --- unlock: the image never changes ---------------------------------------
dm_crypt=0
dmsetup targets 2>/dev/null | grep -q '^crypt' && dm_crypt=1
cases=("unlock --test-passphrase:luks1" "unlock --test-passphrase:luks2" "enroll:luks1" "enroll:luks2")
if [ $dm_crypt = 0 ]; then
	cases+=("unlock:luks1" "unlock:luks2")
else
	skip "faults: unlock with activation (this host has dm-crypt: a killed activation is test-vm's)"
fi
per_case=$(( (fault_total + ${#cases[@]} - 1) / ${#cases[@]} ))
fault_runs=0

for c in "${cases[@]}"; do
	verb=${c%%:*} type=${c#*:}
	img=$FT/$type.img orig=$FT/${type/luks/l}.orig
	case $verb in
	unlock*)
		cp --sparse=always "$orig" "$img"
		ft_reset() { [ -e "$FT/sec/$DISK_GUID" ] || cp "$FT/entry" "$FT/sec/$DISK_GUID"; }
		if [ "$verb" = unlock ]; then
			cmd=("$BIN" unlock --secrets-dir "$FT/sec" "$img" cocosecret-fault-test)
		else
			cmd=("$BIN" unlock --test-passphrase --secrets-dir "$FT/sec" "$img")
		fi
		T=$(ft_time "${cmd[@]}")
		changed=0 torn=0 killed=0
		for i in $(seq "$per_case"); do
			ft_reset
			ft_kill $((RANDOM % (T + 1))) "${cmd[@]}"
			[ "$ft_st" = 137 ] && killed=$((killed + 1))
			if ! cmp -s "$img" "$orig"; then
				changed=$((changed + 1))
				cp --sparse=always "$orig" "$img"
			fi
			if [ -e "$FT/sec/$DISK_GUID" ] && ! cmp -s "$FT/sec/$DISK_GUID" "$FT/entry"; then
				torn=$((torn + 1))
				rm -f "$FT/sec/$DISK_GUID"
			fi
			fault_runs=$((fault_runs + 1))
		done
		check "faults: $verb, ${type^^}: $per_case x kill -9 in [0, ${T} ms] ($killed killed mid-run): image byte-identical every time ($changed changed), entry intact or gone ($torn torn)" \
			test $changed = 0 -a $torn = 0
		;;
	enroll)
		ft_reset() { cp --sparse=always "$orig" "$img"; rm -f "$FT/out"; }
		cmd=("$BIN" enroll --key-file "$FT/pass" --secret-out "$FT/out" "$img")
		T=$(ft_time "${cmd[@]}")
		bad=0 killed=0 untouched=0 slot_only=0 slot_token=0 done_ok=0 detail=""
		for i in $(seq "$per_case"); do
			ft_reset
			ft_kill $((RANDOM % (T + 1))) "${cmd[@]}"
			[ "$ft_st" = 137 ] && killed=$((killed + 1))
			if ! dump=$(cryptsetup luksDump "$img" 2>&1) || ! cryptsetup open --test-passphrase --key-file "$FT/pass" "$img" 2>/dev/null; then
				bad=$((bad + 1))
				detail="run $i (status $ft_st): $(echo "$dump" | head -c 200)"
				continue
			fi
			if [ "$type" = luks1 ]; then
				nslots=$(echo "$dump" | grep -c '^Key Slot [0-7]: ENABLED')
				ntokens=0
			else
				nslots=$(echo "$dump" | awk '/^Keyslots:/ { k = 1; next } /^[A-Z]/ { k = 0 } k && /^  [0-9]+: luks2/' | wc -l)
				ntokens=$(echo "$dump" | grep -c '^  [0-9]*: cocosecret')
			fi
			if [ "$ft_st" = 0 ]; then
				# finished: the secret it wrote opens the new keyslot
				if [ "$nslots" = 2 ] && cryptsetup open --test-passphrase --key-slot 1 \
					--key-file "$FT/out" "$img" 2>/dev/null; then
					done_ok=$((done_ok + 1))
				else
					bad=$((bad + 1))
					detail="run $i finished but its secret does not open keyslot 1"
				fi
			elif [ -e "$FT/out" ] && ! cryptsetup open --test-passphrase --key-slot 1 \
				--key-file "$FT/out" "$img" 2>/dev/null; then
				# killed: --secret-out is there complete (it opens the new
				# keyslot) or not at all, never empty or partial
				bad=$((bad + 1))
				detail="run $i killed left a --secret-out that opens nothing ($(stat -c %s "$FT/out") bytes)"
			elif [ "$nslots" = 1 ]; then
				untouched=$((untouched + 1))
			elif [ "$ntokens" = 0 ] && [ "$type" = luks2 ]; then
				slot_only=$((slot_only + 1))
			else
				slot_token=$((slot_token + 1))
			fi
			fault_runs=$((fault_runs + 1))
		done
		check "faults: enroll, ${type^^}: $per_case x kill -9 in [0, ${T} ms] ($killed killed mid-run): header valid, the old passphrase opens, --secret-out complete or absent, every time ($bad bad${detail:+: $detail})" \
			test $bad = 0
		echo "     enroll ${type^^} kill -9 outcomes: $untouched unchanged, $slot_only keyslot without token, $slot_token keyslot (and token), $done_ok finished"
		;;
	esac
done
check "faults: $fault_runs kill -9 runs in all (want >= $fault_total)" test $fault_runs -ge "$fault_total"
exec {ft_nap}<&-
rm -rf "$FT"
