#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/sanitize.sh - the whole non-VM suite (tests/run: unit tests, CLI
# tests, enroll, leak, fault injection, bad inputs) against an
# instrumented build, failing on any sanitizer or valgrind report.
#
# Usage: tests/sanitize.sh asan|valgrind BINARY
#   asan      BINARY is the ASan+UBSan build (make check-asan); the unit
#             tests are compiled with the same sanitizers (CC).  Leak
#             detection on; every report goes to build/asan/logs/.
#   valgrind  BINARY is the plain dynamic build (make check-valgrind); each
#             run goes through `valgrind --leak-check=full` (definite and
#             indirect leaks count as errors; exit code 99 on any error, and
#             every report goes to build/valgrind/logs/).  Fewer kill -9
#             runs (COCOSECRET_FAULT_RUNS=24): each start costs a second.
#
# A dynamically linked binary fails tests/run's two static-linking checks by
# design; those two, and only those, are expected.  Anything else that
# fails, or any report in the logs, fails this script.
set -eu

mode=${1:?usage: tests/sanitize.sh asan|valgrind BINARY}
bin=$(realpath "${2:?usage: tests/sanitize.sh asan|valgrind BINARY}")
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/$mode
logs=$out/logs
rm -rf "$logs"
mkdir -p "$logs"
expected_fail=("statically linked" "ldd finds nothing dynamic")
export COCOSECRET_TEST_MODE=$mode
# tests/token.sh: the token plugin's instrumented test build, loaded by the
# harness (built for the same mode: make check-asan/check-valgrind)
if [ -f "$top/build/$mode/libcryptsetup-token-cocosecret.so" ]; then
	export COCOSECRET_TOKEN_TEST_SO=$top/build/$mode/libcryptsetup-token-cocosecret.so
	export COCOSECRET_TOKEN_HARNESS=$top/build/$mode/token-harness
fi

case $mode in
asan)
	export COCOSECRET_BIN=$bin
	export ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
	export CC="${SAN_CC:-clang} -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	nice=()
	;;
valgrind)
	command -v valgrind >/dev/null || { echo "sanitize: valgrind is not installed" >&2; exit 1; }
	wrapper=$out/cocosecret-valgrind
	cat >"$wrapper" <<EOF
#!/bin/sh
# valgrind around $bin, for tests/run (written by tests/sanitize.sh)
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect --num-callers=30 \\
	--log-file="$logs/vg.%p" "$bin" "\$@"
EOF
	chmod 0755 "$wrapper"
	export COCOSECRET_BIN=$wrapper
	export COCOSECRET_FAULT_RUNS=${COCOSECRET_FAULT_RUNS:-24}
	nice=(nice -n 19)	# the machine may be booting timing-sensitive VMs
	;;
*)
	echo "sanitize: unknown mode '$mode' (asan or valgrind)" >&2
	exit 1
	;;
esac

t0=$(date +%s)
rc=0
"${nice[@]}" "$top/tests/run" >"$out/tests.out" 2>&1 || rc=$?
secs=$(( $(date +%s) - t0 ))

# The FAIL lines that are not the expected ones.
unexpected=$(grep '^FAIL ' "$out/tests.out" | while IFS= read -r line; do
	name=${line#FAIL }
	for e in "${expected_fail[@]}"; do [ "$name" = "$e" ] && continue 2; done
	echo "$line"
done)
read -r passed failed skipped < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' \
	"$out/tests.out" | tail -1)
nexp=$(( ${failed:-0} - $(printf '%s' "$unexpected" | grep -c '^FAIL' || true) ))

# Reports: any non-empty log file (valgrind -q and the sanitizers write
# nothing when all is well).
reports=$(find "$logs" -type f -size +0 | sort)
nrep=$(printf '%s' "$reports" | grep -c . || true)

echo "sanitize($mode): tests/run against $bin: ${passed:-?} passed, ${failed:-?} failed ($nexp expected for a dynamic binary), ${skipped:-0} skipped (what this build cannot run: the plain suite runs it) in ${secs} s; $nrep report(s) in $logs"
status=0
if [ -z "${passed:-}" ]; then
	echo "sanitize($mode): tests/run printed no summary (exit $rc); see $out/tests.out" >&2
	tail -20 "$out/tests.out" >&2
	status=1
fi
if [ -n "$unexpected" ]; then
	echo "sanitize($mode): unexpected failures:" >&2
	echo "$unexpected" >&2
	status=1
fi
if [ "$nrep" != 0 ]; then
	for f in $reports; do
		echo "--- $f" >&2
		head -60 "$f" >&2
	done
	status=1
fi
if [ $status = 0 ]; then
	if [ "${skipped:-0}" = 0 ]; then
		echo "$mode: $(( ${passed:-0} )) passed, 0 failed"
	else
		echo "$mode: $(( ${passed:-0} )) passed, 0 failed, $skipped skipped"
	fi
fi
exit $status
