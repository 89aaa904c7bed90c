# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lint.sh - sourced by tests/run: the dracut module's scripts parse
# under dash (the hooks are sourced by dracut's /bin/sh) and pass shellcheck.

dmod=$top/dracut-module/50cocosecret
tmod=$top/dracut-module/50cocosecret-token
for f in "$dmod"/*.sh "$tmod"/module-setup.sh; do
	case "$f" in
	*/module-setup.sh | */cocosecret-build.sh)	# sourced by dracut's bash
		check "bash -n ${f#"$top"/dracut-module/}" bash -n "$f"
		# -x: follow the `source` of cocosecret-build.sh (-P: from the checkout)
		check "shellcheck (bash) ${f#"$top"/dracut-module/}" shellcheck -x -P "$top" -s bash -e SC2034,SC2154 "$f"
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

# the initramfs-tools integration: run by initramfs-tools' sh (dash on the build
# host, busybox ash at boot); `local` as cryptsetup-initramfs's own scripts use it
itools=$top/initramfs-tools
for f in "$itools"/hooks/cocosecret "$itools"/scripts/*/cocosecret "$itools"/scripts/cocosecret-functions; do
	check "dash -n ${f#"$itools"/}" dash -n "$f"
	check "shellcheck (sh) ${f#"$itools"/}" shellcheck -s sh -e SC1091,SC3043 "$f"
	if command -v busybox >/dev/null 2>&1; then
		check "busybox ash -n ${f#"$itools"/}" busybox ash -n "$f"
	fi
done
check "initramfs-tools scripts are executable" sh -c "test -x '$itools/hooks/cocosecret' && for f in '$itools'/scripts/*/cocosecret; do test -x \"\$f\" || exit 1; done"

# the token module's files: its own module-setup.sh above; the rest are links to
# the files make install, the package and the image use (token/, 50cocosecret)
check "50cocosecret-token: the links resolve to token/ and 50cocosecret" sh -c '
	for f in cocosecret-token-wipe cocosecret-token-wipe.service \
		cocosecret-token-emergency.service cocosecret-token-wipe.conf; do
		[ "$(readlink "$1/$f")" = "../../token/$f" ] && [ -f "$1/$f" ] || exit 1; done
	[ "$(readlink "$1/cocosecret-build.sh")" = "../50cocosecret/cocosecret-build.sh" ]' sh "$tmod"
check "dash -n cocosecret-token-wipe" dash -n "$top/token/cocosecret-token-wipe"
check "shellcheck (sh) cocosecret-token-wipe" shellcheck -s sh "$top/token/cocosecret-token-wipe"
