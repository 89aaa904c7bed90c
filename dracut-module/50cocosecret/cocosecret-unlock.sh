#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cocosecret-unlock DEVICE UUID
# cocosecret-unlock DEVICE --auto
#
# Unlock DEVICE (the volume with LUKS UUID UUID, one of cocosecret_targets)
# with the launch secret, under the name and with the options dracut's
# cryptroot-ask or systemd-cryptsetup would use (rd.luks.name, crypttab,
# rd.luks.options, rd.luks.allow-discards), before they ask for a passphrase
# (they then find the volume active).  Run from the initqueue (udev rule) or
# from a generated cocosecret@.service.  --auto: DEVICE is any LUKS volume;
# only one with a cocosecret token is ours, under its default name.
#
# Exit 0 whenever the normal passphrase prompt should follow; with
# rd.cocosecret.headless=1 a failure goes to the emergency path instead.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# (dracut-lib.sh only for the emergency path: sourcing it costs time)
. /lib/cocosecret-lib.sh

dev=$1
uuid=$2
name=
opts=-
mode=
[ "$uuid" = --auto ] && mode=auto uuid=

cocosecret_enabled || exit 0
# (udev's DEVNAME: never an option for the binary)
case $dev in /dev/*) ;; *) exit 0 ;; esac
if [ -z "$mode" ]; then
    # the name and options for this device, crypttab's by its path too
    while read -r _u _n _o; do
        [ "$_u" = "$uuid" ] && name=$_n opts=$_o
    done << TARGETS
$(cocosecret_targets "$dev")
TARGETS
    [ -n "$name" ] || exit 0
fi
[ -n "$name" ] && [ -b "/dev/mapper/$name" ] && exit 0
flags=$(cocosecret_unlock_opts "$uuid" "$opts")
case $? in
    1) exit 0 ;; # not a volume to open here (noauto, swap, plain, ...)
    2)
        cocosecret_msg "$dev: a detached LUKS header (crypttab header=) is not supported; the normal path opens it"
        exit 0
        ;;
esac

[ -d "$COCOSECRET_RUN" ] || mkdir -m 0700 "$COCOSECRET_RUN"
# dm_crypt pulls in dm_mod: libdevmapper needs /dev/mapper/control.
[ -d /sys/module/dm_crypt ] || modprobe -q dm_crypt

# shellcheck disable=SC2046,SC2086 # --trust GUID... [--require-auth], flags: plain words
set -- --timeout "${COCO_TIMEOUT:-5}" $(cocosecret_trust_args) $flags
[ -n "$COCO_GUID" ] && set -- "$@" --guid "$COCO_GUID"
[ "$COCO_DEBUG" = 1 ] && set -- "$@" --verbose
# Keep the entry while other volumes still need it.  The last one (the only
# one, usually) lets unlock wipe it at once, in the process that read it: only
# that process can scrub the copy the kernel's read buffer holds (see
# cocosecret(8)).  auto: the volumes are not known in advance.
if [ "$mode" = auto ]; then
    set -- "$@" --require-token --keep
elif [ "$(cocosecret_pending "$name")" != 0 ]; then
    set -- "$@" --keep
fi
# (a keyslot's PBKDF can take seconds: say what the boot is waiting for)
cocosecret_msg "opening $dev${name:+ as $name} with the launch secret"
"$COCOSECRET" unlock "$@" "$dev" ${name:+"$name"}
rc=$?

echo "$dev" >> "$COCOSECRET_RUN/devices"
[ -n "$name" ] && : > "$COCOSECRET_RUN/attempted-$name"

headless=$COCO_HEADLESS

case $rc in
    0)
        # auto: more volumes may need it; the cleanup hook wipes it
        [ "$mode" = auto ] || cocosecret_wipe_if_done
        exit 0
        ;;
    2) why="the secret does not open $dev" ;;
    7) why="the LUKS header of $dev is refused (forged or altered)" ;;
    3) why="not enough memory to open $dev with the secret" ;;
    6)
        # auto: a volume without a cocosecret token is not ours
        [ "$mode" = auto ] && exit 0
        why="no secret for $dev"
        ;;
    *) why="cannot unlock $dev with the secret (exit $rc)" ;;
esac

if [ "$headless" = 1 ]; then
    cocosecret_wipe_ours
    cocosecret_msg "$why; rd.cocosecret.headless=1: not prompting, giving up"
    if [ -n "$DRACUT_SYSTEMD" ]; then
        # the unit's OnFailure= takes the emergency path
        exit 1
    fi
    . /lib/dracut-lib.sh
    # dracut's cryptroot-ask must not prompt for it either
    [ -n "$name" ] && : > "/tmp/cryptroot-asked-$name"
    mkdir -p /run/initramfs
    : > /run/initramfs/.die
    # (a subshell: emergency_shell exits when its action fails)
    (emergency_shell -n cocosecret "cocosecret: $why (headless)")
    # Still here: rd.emergency could not be carried out (without systemd, the
    # initramfs's poweroff/reboot may be systemctl's).  Ask the kernel.
    case "$COCO_EMERGENCY" in
        reboot) action=b ;;
        poweroff | halt | "") action=o ;;
        *) action="" ;;
    esac
    if [ -n "$action" ] && [ -w /proc/sysrq-trigger ]; then
        cocosecret_msg "rd.emergency did not stop the system; asking the kernel to"
        echo "$action" > /proc/sysrq-trigger
    fi
    exit 1
fi

cocosecret_msg "$why; falling back to the passphrase prompt"
[ "$mode" = auto ] || cocosecret_wipe_if_done
exit 0
