# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lint.sh - sourced by tests/run: the dracut module's scripts parse
# under dash (the hooks are sourced by dracut's /bin/sh) and pass shellcheck.

dmod=$top/dracut-module/50cocosecret
for f in "$dmod"/*.sh; do
	case "$f" in
	*/module-setup.sh)	# sourced by dracut's bash
		check "bash -n $(basename "$f")" bash -n "$f"
		check "shellcheck (bash) $(basename "$f")" shellcheck -s bash -e SC2034,SC2154 "$f"
		;;
	*)
		check "dash -n $(basename "$f")" dash -n "$f"
		# SC1091: dracut-lib.sh is not here; SC3043: 'local' (dash and busybox have it)
		check "shellcheck (sh) $(basename "$f")" shellcheck -s sh -e SC1091,SC3043 "$f"
		;;
	esac
done
# sourced hooks return, never exit (printf'd text for other scripts aside)
check "no exit in sourced hooks" sh -c "! grep -v printf '$dmod/parse-cocosecret.sh' '$dmod/cocosecret-wipe-hook.sh' '$dmod/cocosecret-lib.sh' | grep -E '(^|[;&|{])[[:space:]]*exit([[:space:]]|;|\$)'"
