# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cmdline.sh - sourced by tests/run: the dracut module reads the kernel
# command line in one pass of its own (cocosecret-lib.sh); it must read it
# exactly as dracut's getarg/getargs/getargbool do.  Each command line is
# mounted over /proc/cmdline in a private mount namespace and both readings
# are compared, under dash.

cmdline_ref() { # dracut 059's reading (what the module used before)
	cat <<-'REF'
	wait_for_dev() { :; }
	. /usr/lib/dracut/modules.d/99base/dracut-lib.sh
	b() { if "$@"; then echo 1; else echo 0; fi; }
	echo "enabled=$(b eval 'getargbool 1 rd.cocosecret && getargbool 1 rd.luks -d -n rd_NO_LUKS')"
	echo "headless=$(b getargbool 0 rd.cocosecret.headless)"
	echo "auto=$(b getargbool 0 rd.cocosecret.auto)"
	echo "debug=$(b getargbool 0 rd.debug)"
	echo "guid=$(getarg rd.cocosecret.guid=)"
	echo "timeout=$(getarg rd.cocosecret.timeout=)"
	echo "emergency=$(getarg rd.emergency)"
	ids="$(getargs rd.luks.uuid -d rd_LUKS_UUID 2>/dev/null)"
	for o in $(getargs rd.luks.name); do ids="$ids ${o%%=*}"; done
	seen=" "
	for id in $ids; do
		id=${id#keysource:}; id=${id#luks-}
		case "$seen" in *" $id "*) continue ;; esac
		seen="$seen$id "; name="luks-$id"
		for o in $(getargs rd.luks.name); do [ "${o%%=*}" = "$id" ] && name=${o#*=}; done
		echo "target=$id $name"
	done
	REF
}

cmdline_ours() {
	cat <<-OURS
	. $dmod/cocosecret-lib.sh
	# built by dracut 059, which still reads the old names
	COCOSECRET_LEGACY=$work/legacy-names COCOSECRET_CMDLINE_ORDER=/nonexistent
	b() { if "\$@"; then echo 1; else echo 0; fi; }
	cocosecret_cmdline
	echo "enabled=\$(b cocosecret_enabled)"
	echo "headless=\$COCO_HEADLESS"
	echo "auto=\$COCO_AUTO"
	echo "debug=\$COCO_DEBUG"
	echo "guid=\$COCO_GUID"
	echo "timeout=\$COCO_TIMEOUT"
	echo "emergency=\$COCO_EMERGENCY"
	cocosecret_targets | while read -r u n o; do echo "target=\$u \$n"; done
	OURS
}

# cmdline_read WHICH LINE: WHICH's reading of kernel command line LINE
cmdline_read() {
	printf '%s\n' "$2" >"$work/cmdline"
	mkdir -p "$work/cmdbin"
	ln -sf /usr/lib/dracut/dracut-util "$work/cmdbin/dracut-getarg"
	ln -sf /usr/lib/dracut/dracut-util "$work/cmdbin/dracut-getargs"
	"cmdline_$1" >"$work/cmdline.sh"
	PATH=$work/cmdbin:$PATH unshare -m sh -c \
		'mount --bind "$1" /proc/cmdline && exec dash "$2"' sh "$work/cmdline" "$work/cmdline.sh" 2>/dev/null
}

: >"$work/legacy-names"
u1=48e1a96b-49c9-49f9-a8e7-7e49312220e1
u2=e8ee2b37-06df-4615-993c-e21c4883f4a0
g1=0f1e2d3c-4b5a-4697-8877-665544332211
while IFS= read -r line; do
	ref=$(cmdline_read ref "$line")
	ours=$(cmdline_read ours "$line")
	if [ -n "$ref" ] && [ "$ref" = "$ours" ]; then
		ok "cmdline read as dracut does: $line"
	else
		ko "cmdline read as dracut does: $line"
		diff <(echo "$ref") <(echo "$ours") | sed 's/^/     /'
	fi
done <<LINES
BOOT_IMAGE=/vmlinuz ro quiet
root=/dev/mapper/luks-$u1 rd.luks.uuid=$u1
rd.luks.uuid=luks-$u1 rd.luks.uuid=$u2 rd.luks.uuid=$u1
rd.luks.name=$u1=cryptroot rd.luks.uuid=$u2 rd.luks.name=$u2=data
rd.luks.uuid=$u1 rd.cocosecret=0
rd.luks.uuid=$u1 rd.cocosecret=0 rd.cocosecret=1
rd.luks.uuid=$u1 rd.luks=0
rd.luks.uuid=$u1 rd.luks=no rd.luks=yes
rd.luks.uuid=$u1 rd_NO_LUKS
rd.luks.uuid=$u1 rd_NO_LUKS rd.luks=1
rd_LUKS_UUID=$u1 rd.cocosecret.headless rd.cocosecret.auto=1 rd.debug
rd.luks.uuid=$u1 rd.cocosecret.headless=1 rd.cocosecret.headless=off rd.cocosecret.auto=no
rd.luks.uuid=$u1 rd.cocosecret.guid=$g1 rd.cocosecret.timeout=17 rd.emergency=poweroff
rd.luks.uuid=$u1 rd.cocosecret.guid=$DISK_GUID rd.cocosecret.guid=$g1 rd.emergency=reboot rd.shell=0
rd.luks.uuid=keysource:$u1 rd.cocosecret.timeout=0 rd.debug=0
LINES
