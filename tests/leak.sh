# SPDX-License-Identifier: GPL-2.0-or-later
# tests/leak.sh - secret hygiene (SPEC 3.2), proved from the outside:
#
# 1. Every verb that touches a secret runs under strace -f with every
#    syscall that can carry bytes out of the process (write, writev,
#    pwrite64, pwritev(2), sendto, sendmsg, sendmmsg, add_key, execve),
#    strings in full and hex-escaped (-s 1048576 -xx) so binary secrets are
#    seen, fds named (-y).  The secrets are random binary bytes; no write
#    may hold one of them, or any 12-byte piece of one, except where the
#    verb's job is to write it (table build's OUT, enroll's --secret-out),
#    and there it must be found (the scanner's positive control).
# 2. A core-dump attempt: SIGABRT with `ulimit -c unlimited`, while the
#    binary waits for its entry and while it runs the PBKDF with the secret
#    in memory, leaves no core (RLIMIT_CORE=0 and PR_SET_DUMPABLE=0); a
#    control process in the same setup does dump core.
#
# Sourced by tests/run (its helpers: ok, ko, check, mkluks, $work, $BIN,
# the GUIDs); its checks count in tests/run's total.
# COCOSECRET_TEST_MODE=valgrind (tests/sanitize.sh): both parts are
# skipped, as valgrind's own process is what strace and the signal meet.
# shellcheck shell=bash disable=SC2154 # $work, $BIN, ...: tests/run's

if ! declare -F expect >/dev/null; then
	echo "tests/leak.sh is sourced by tests/run; run tests/run" >&2
	return 1 2>/dev/null || exit 1
fi

LK=$work/leak
mkdir -p "$LK"
declare -F fails >/dev/null || fails() { ! "$@"; }
lk_mode=${COCOSECRET_TEST_MODE:-static}

# N random bytes with no NUL and no newline: the whole file is the passphrase.
lk_random() { head -c 8192 /dev/urandom | tr -d '\000\n' | head -c "$1"; }

# The scanner: decode every string argument of every traced syscall and look
# for each secret (whole, or any 12-byte window of it).
cat >"$LK/scan.py" <<'PY'
import os, re, sys
trace, allow, expect, needles = None, set(), set(), []
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if a == '--allow':
        allow.add(args.pop(0))
    elif a == '--expect':
        expect.add(args.pop(0))
    elif trace is None:
        trace = a
    else:
        b = open(a, 'rb').read()
        if b:
            needles.append((a, b))
W = 12
def pieces(b):
    yield b
    for i in range(max(0, len(b) - W + 1)):
        yield b[i:i + W]
call_re = re.compile(r'^(?:\d+\s+)?([a-z0-9_]+)\((.*)$')
str_re = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')
fd_re = re.compile(r'^\d+<((?:\\x[0-9a-f]{2})*)>')
def dec(s):
    return bytes.fromhex(s.replace('\\x', ''))
# An unnamed (O_TMPFILE) file, which strace calls DIR/#INODE, counts as an
# allowed output P in DIR if the trace links a file to the name P.
tmp_re = re.compile(r'^(.*)/#\d+$')
text = open(trace, encoding='latin-1').read()
linked = {p for p in allow
          if re.search(r'linkat\(.*"%s"' % re.escape(''.join('\\x%02x' % c for c in p.encode())), text)}
# A temporary file renamed to an allowed output P (table build's atomic
# replace) counts as P.
renamed = set()
for m in re.finditer(r'rename\("((?:\\x[0-9a-f]{2})*)", "((?:\\x[0-9a-f]{2})*)"', text):
    if dec(m.group(2)).decode('latin-1') in allow:
        renamed.add(dec(m.group(1)).decode('latin-1'))
def allowed(path):
    if path in allow or path in renamed:
        return True
    t = tmp_re.match(path or '')
    return bool(t) and any(os.path.dirname(p) == t.group(1) for p in linked)
calls, leaks, found = 0, [], set()
for line in open(trace, encoding='latin-1'):
    m = call_re.match(line)
    if not m:
        continue
    calls += 1
    name, rest = m.groups()
    fd = fd_re.match(rest)
    path = dec(fd.group(1)).decode('latin-1') if fd else None
    blob = b'\0'.join(dec(s) for s in str_re.findall(rest))
    for f, b in needles:
        if any(p in blob for p in pieces(b)):
            if allowed(path):
                found.add(f)
            else:
                leaks.append('%s: %s(%s)' % (f, name, path or '?'))
for f in expect - found:
    leaks.append('%s: not found in its allowed output (scanner broken?)' % f)
for l in leaks[:5]:
    print('leak:', l, file=sys.stderr)
print('%d syscalls, %d leaks' % (calls, len(leaks)))
sys.exit(1 if leaks else 0)
PY

# LeakSanitizer cannot run under ptrace: no leak check in the traced runs
# of an ASan build (the same verbs run untraced elsewhere in the suite).
lk_asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# lk_trace NAME WANT_RC [--allow P]... [--expect F]... -- NEEDLE... -- ARGS...
# Runs the binary on ARGS under strace; checks its exit code and the scan.
lk_trace() {
	local name=$1 want=$2 scan=() needles=() rc res
	shift 2
	while [ "$1" != -- ]; do scan+=("$1"); shift; done
	shift
	while [ "$1" != -- ]; do needles+=("$1"); shift; done
	shift
	ASAN_OPTIONS=$lk_asan timeout 60 strace -f -qq -s 1048576 -xx -y -o "$LK/$name.trace" \
		-e trace=write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,add_key,execve,linkat,rename \
		"$BIN" "$@" >"$LK/$name.out" 2>"$LK/$name.err"
	rc=$?
	cat "$LK/$name.out" "$LK/$name.err" >>"$work/all-output"
	if res=$(python3 "$LK/scan.py" "$LK/$name.trace" "${scan[@]}" "${needles[@]}" 2>"$LK/$name.scan") &&
		[ "$rc" = "$want" ]; then
		ok "leak: $name: exit $rc, no secret in any write/send/add_key/execve ($res)"
	else
		ko "leak: $name: exit $rc (want $want), $res: $(head -c 400 "$LK/$name.scan") $(head -c 300 "$LK/$name.err")"
	fi
}

if [ "$lk_mode" = valgrind ]; then
	skip "leak: strace and core-dump checks (under valgrind they would trace valgrind)"
elif ! command -v strace >/dev/null; then
	ko "leak: strace is installed (scripts/deps.sh test)"
else
	lk_random 48 >"$LK/pass"	# the volume's passphrase = the launch secret
	lk_random 64 >"$LK/tail"	# bytes after the NUL in the entry: not the passphrase, still secret
	lk_random 40 >"$LK/wrong"	# a wrong secret
	lk_random 44 >"$LK/new"		# enroll --secret-file
	{ cat "$LK/pass"; printf '\0'; cat "$LK/tail"; } >"$LK/entry"
	mkluks "$LK/l2.img" luks2 "$LK/pass" &&
		printf '{"type":"cocosecret","keyslots":["0"],"guid":"%s"}' "$TOKEN_GUID" >"$LK/token.json" &&
		cryptsetup token import --json-file "$LK/token.json" "$LK/l2.img" &&
		mkluks "$LK/l1.img" luks1 "$LK/pass"
	check "leak: make LUKS1/LUKS2 images keyed by a random binary secret" test $? = 0
	all=("$LK/pass" "$LK/tail" "$LK/wrong" "$LK/new")

	# The scanner itself: a program that does write the secret is caught.
	strace -f -qq -s 1048576 -xx -y -o "$LK/control.trace" -e trace=write cat "$LK/entry" >/dev/null
	lk_scan_quiet() { python3 "$LK/scan.py" "$@" >/dev/null 2>&1; }
	check "leak: the scanner catches a secret that is written (control: cat)" \
		fails lk_scan_quiet "$LK/control.trace" "$LK/pass"

	LS=$LK/secrets
	mkdir -p "$LS"
	cp "$LK/entry" "$LS/$TOKEN_GUID"
	lk_trace "unlock --test-passphrase --debug (LUKS2, token GUID)" 0 -- "${all[@]}" -- \
		unlock --test-passphrase --debug --secrets-dir "$LS" "$LK/l2.img"
	cp "$LK/entry" "$LS/$DISK_GUID"
	lk_trace "unlock --test-passphrase -v (LUKS1)" 0 -- "${all[@]}" -- \
		unlock --test-passphrase -v --secrets-dir "$LS" "$LK/l1.img"
	cp "$LK/wrong" "$LS/$OTHER_GUID"
	lk_trace "unlock --test-passphrase, wrong secret" 2 -- "${all[@]}" -- \
		unlock --test-passphrase --debug --guid "$OTHER_GUID" --secrets-dir "$LS" "$LK/l2.img"
	lk_trace "status (reads every entry's length)" 0 -- "${all[@]}" -- \
		status -v --secrets-dir "$LS" "$LK/l2.img" "$LK/l1.img"
	# The activation itself needs dm-crypt (exit 1 without it, as here; test-vm
	# covers the real one); the read, the attempt and the wipe are traced.
	if [ -e /dev/mapper/cocosecret-leak-test ]; then cryptsetup close cocosecret-leak-test; fi
	lk_trace "unlock (activation attempt, then wipe)" "$(
		dmsetup targets 2>/dev/null | grep -q '^crypt' && echo 0 || echo 1)" -- "${all[@]}" -- \
		unlock --debug --secrets-dir "$LS" "$LK/l2.img" cocosecret-leak-test
	if [ -e /dev/mapper/cocosecret-leak-test ]; then cryptsetup close cocosecret-leak-test; fi
	check "leak: unlock wiped the token's entry" test ! -e "$LS/$TOKEN_GUID"
	lk_trace "wipe --all" 0 -- "${all[@]}" -- wipe -v --secrets-dir "$LS" --all

	# Host side: the table holds the secrets by design, in OUT only.
	lk_trace "table build (secrets only in OUT)" 0 --allow "$LK/table.bin" --expect "$LK/pass" \
		--expect "$LK/tail" -- "${all[@]}" -- \
		table build -v -o "$LK/table.bin" "$DISK_GUID=$LK/entry" "$OTHER_GUID=$LK/new"
	lk_trace "table dump" 0 -- "${all[@]}" -- table dump "$LK/table.bin"

	# Image-build side: the existing passphrase and a given secret go nowhere
	# but into libcryptsetup; a generated one only into --secret-out.
	cp --sparse=always "$LK/l2.img" "$LK/e2.img"
	lk_trace "enroll --secret-file (LUKS2)" 0 -- "${all[@]}" -- \
		enroll -v --debug --guid "$TOKEN_GUID" --key-file "$LK/pass" --secret-file "$LK/new" "$LK/e2.img"
	cp --sparse=always "$LK/l1.img" "$LK/e1.img"
	rm -f "$LK/gen"
	ASAN_OPTIONS=$lk_asan timeout 60 strace -f -qq -s 1048576 -xx -y -o "$LK/enroll-gen.trace" \
		-e trace=write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,add_key,execve,linkat,rename \
		"$BIN" enroll --debug --key-file "$LK/pass" --secret-out "$LK/gen" "$LK/e1.img" \
		>"$LK/enroll-gen.out" 2>"$LK/enroll-gen.err"
	rc=$?
	cat "$LK/enroll-gen.out" "$LK/enroll-gen.err" >>"$work/all-output"
	if res=$(python3 "$LK/scan.py" "$LK/enroll-gen.trace" --allow "$LK/gen" --expect "$LK/gen" \
		"${all[@]}" "$LK/gen" 2>"$LK/enroll-gen.scan") && [ $rc = 0 ]; then
		ok "leak: enroll, generated secret (LUKS1): only in --secret-out ($res)"
	else
		ko "leak: enroll, generated secret: exit $rc, $res: $(head -c 400 "$LK/enroll-gen.scan")"
	fi

	# --- core dumps --------------------------------------------------------
	# A directory every user can write to: the core of a process run as nobody
	# would land there too.  core_pattern: a relative one ("core", the usual)
	# puts cores in the process's cwd; an absolute path or a pipe is pointed
	# at this directory for the test and put back after.
	# core_pattern is the whole machine's: two suites at once (a CI run beside
	# a developer's) would point it at each other's directories and put each
	# other's pattern back, so the section runs under a machine-wide lock.
	exec {lk_lock}>/run/lock/cocosecret-core-pattern.lock
	flock "$lk_lock"
	CD=$(mktemp -d "${TMPDIR:-/tmp}/cocosecret-core.XXXXXX")
	chmod 1777 "$CD"
	pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo core)
	restore=""
	case $pattern in
	/* | '|'*)
		if echo "$CD/core.%p" 2>/dev/null >/proc/sys/kernel/core_pattern; then
			restore=$pattern
		fi
		;;
	esac
	# lk_start CMD...: start CMD in $CD with core dumps allowed; sets $pid
	lk_start() { (cd "$CD" && ulimit -c unlimited && exec "$@") >"$LK/core.out" 2>"$LK/core.err" & pid=$!; }
	lk_wait_proc() { # until /proc/$pid/limits says RLIMIT_CORE is $1 (5 s at most)
		for _ in $(seq 100); do
			grep -qE "^Max core file size +$1 " "/proc/$pid/limits" 2>/dev/null && return 0
			sleep 0.05
		done
		return 1
	}
	lk_abort() { kill -ABRT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; st=$?; }
	cores() { find "$CD" -maxdepth 1 -name 'core*' | wc -l; }

	lk_start sleep 30
	lk_wait_proc unlimited
	lk_abort
	if [ "$st" != 134 ] || [ "$(cores)" = 0 ]; then
		skip "core dump checks: a control process left no core in $CD (status $st, core_pattern '$pattern'${restore:+, not writable})"
	else
		ok "core dump: the control (sleep, SIGABRT, ulimit -c unlimited) dumps core"
		rm -f "$CD"/core*
		mkdir -p "$CD/late"
		cp --sparse=always "$LK/l2.img" "$CD/l2.img"
		chmod 0644 "$CD/l2.img"

		# 1. waiting for a late entry (root)
		lk_start "$BIN" unlock --test-passphrase --timeout 30 --secrets-dir "$CD/late/dir" "$CD/l2.img"
		lk_wait_proc 0
		check "core dump: the binary sets RLIMIT_CORE to 0 (/proc/PID/limits)" test $? = 0
		lk_abort
		check "core dump: SIGABRT while waiting for the entry: killed (status $st), no core" \
			test "$st" = 134 -a "$(cores)" = 0

		# 2. as nobody: PR_SET_DUMPABLE=0 makes /proc/PID/status root's (a dumpable
		#    process's /proc/PID/status belongs to its own uid, as the control shows)
		nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		ctl_uid=none
		if [ "$(id -u)" = 0 ]; then
			lk_start "${nobody[@]}" sleep 30
			lk_wait_proc unlimited
			# (the limit is set before setpriv drops to nobody: wait for that too)
			for _ in $(seq 100); do
				ctl_uid=$(stat -c %u "/proc/$pid/status" 2>/dev/null)
				[ "$ctl_uid" = 65534 ] && break
				sleep 0.05
			done
			lk_abort
		fi
		rm -f "$CD"/core*
		if [ "$(id -u)" != 0 ] || [ "$ctl_uid" != 65534 ] || ! "${nobody[@]}" test -x "$BIN"; then
			skip "core dump as nobody: /proc/PID of a nobody process is uid $ctl_uid, or nobody cannot run $BIN"
		else
			lk_start "${nobody[@]}" "$BIN" unlock --test-passphrase --timeout 30 \
				--secrets-dir "$CD/late/dir" "$CD/l2.img"
			lk_wait_proc 0
			for _ in $(seq 40); do	# prctl() follows setrlimit()
				uid=$(stat -c %u "/proc/$pid/status" 2>/dev/null)
				[ "$uid" = 0 ] && break
				sleep 0.05
			done
			check "core dump: PR_SET_DUMPABLE=0 (/proc/PID/status of the nobody process belongs to uid $uid, want 0)" \
				test "$uid" = 0
			lk_abort
			check "core dump: SIGABRT as nobody: killed (status $st), no core" \
				test "$st" = 134 -a "$(cores)" = 0
		fi

		# 3. during the PBKDF, with the secret read into memory: a keyslot
		#    that takes a while (PBKDF2, 2M iterations); SIGABRT once the
		#    process has used 50 ms of CPU (the entry is read after ~5 ms).
		mkluks "$CD/slow.img" luks2 "$LK/pass" --pbkdf-force-iterations 2000000 >/dev/null
		mkdir -p "$CD/sec"
		cp "$LK/entry" "$CD/sec/$DISK_GUID"
		for _ in 1 2 3; do
			lk_start "$BIN" unlock --test-passphrase --secrets-dir "$CD/sec" "$CD/slow.img"
			for _ in $(seq 200); do
				t=$(awk '{ print $14 }' "/proc/$pid/stat" 2>/dev/null || echo gone)
				[ "$t" = gone ] || [ "$t" -ge 5 ] && break
				sleep 0.01
			done
			lk_abort
			[ "$st" = 134 ] && break
		done
		check "core dump: SIGABRT during the PBKDF (secret in memory): killed (status $st), no core" \
			test "$st" = 134 -a "$(cores)" = 0
	fi
	[ -n "$restore" ] && echo "$restore" >/proc/sys/kernel/core_pattern
	exec {lk_lock}>&-
	rm -rf "$CD"
fi
