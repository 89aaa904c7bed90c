#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cocosecret-lib.sh: shared by the cocosecret dracut hooks (POSIX sh, needs
# nothing else).  Never handles the secret itself: only the static binary
# reads it.

COCOSECRET=/usr/sbin/cocosecret
COCOSECRET_RUN=/run/cocosecret
COCOSECRET_DISK_GUID=736869e5-84f0-4973-92ec-06879ce3da0b
# Registered by the kernel at boot whenever the firmware installed a secret
# area (the EFI config table), before any module loads.
COCOSECRET_AREA=/sys/devices/platform/efi_secret.0
# Made once every entry this module uses is wiped: later wipes are skipped.
COCOSECRET_WIPED=$COCOSECRET_RUN/wiped

# One line on the console and in the kernel log.
cocosecret_msg() {
    echo "cocosecret: $*" >&2
    echo "<5>cocosecret: $*" > /dev/kmsg 2> /dev/null
    return 0
}

# dracut's boolean, into _b: 0, no and off are false, anything else (or no
# value) true.
_cocosecret_bool() {
    case $1 in 0 | no | off) _b=0 ;; *) _b=1 ;; esac
}

# Read the kernel command line once per process, as dracut sees it
# (/etc/cmdline, /etc/cmdline.d/*.conf, /proc/cmdline), into COCO_*
# variables.  dracut's getarg runs its helper once per call: a few getargs
# per hook cost over a second under emulation, on the path to the prompt.
# The last value of an option wins; rd.luks.uuid and rd.luks.name collect.
# shellcheck disable=SC2034 # COCO_* are read by the scripts that source this
cocosecret_cmdline() {
    local _f _line _all="" _w _k _v _b _noglob="" _luks="" _noluks=""
    [ -n "$COCO_PARSED" ] && return 0
    for _f in /etc/cmdline /etc/cmdline.d/*.conf /proc/cmdline; do
        [ -r "$_f" ] || continue
        while read -r _line || [ -n "$_line" ]; do
            _all="$_all $_line"
        done < "$_f"
    done
    COCO_ENABLED=1 COCO_LUKS=1 COCO_HEADLESS=0 COCO_AUTO=0 COCO_DEBUG=0
    COCO_GUID="" COCO_TIMEOUT="" COCO_EMERGENCY="" COCO_IDS="" COCO_NAMES=""
    case $- in *f*) _noglob=1 ;; esac
    set -f
    for _w in $_all; do
        case $_w in
            *=*) _k=${_w%%=*} _v=${_w#*=} ;;
            *) _k=$_w _v="" ;;
        esac
        _v=${_v#\"}
        _v=${_v%\"}
        case $_k in
            rd.cocosecret) _cocosecret_bool "$_v"; COCO_ENABLED=$_b ;;
            rd.luks) _cocosecret_bool "$_v"; COCO_LUKS=$_b _luks=1 ;;
            rd_NO_LUKS) _noluks=1 ;;
            rd.cocosecret.headless) _cocosecret_bool "$_v"; COCO_HEADLESS=$_b ;;
            rd.cocosecret.auto) _cocosecret_bool "$_v"; COCO_AUTO=$_b ;;
            rd.debug) _cocosecret_bool "$_v"; COCO_DEBUG=$_b ;;
            rd.cocosecret.guid) COCO_GUID=$_v ;;
            rd.cocosecret.timeout) COCO_TIMEOUT=$_v ;;
            rd.emergency) COCO_EMERGENCY=$_v ;;
            rd.luks.uuid | rd_LUKS_UUID) COCO_IDS="$COCO_IDS $_v" ;;
            rd.luks.name) COCO_NAMES="$COCO_NAMES $_v" ;;
        esac
    done
    [ -n "$_noglob" ] || set +f
    # the old rd_NO_LUKS counts only without rd.luks=
    [ -z "$_luks" ] && [ -n "$_noluks" ] && COCO_LUKS=0
    COCO_PARSED=1
    return 0
}

# rd.cocosecret=0 or rd.luks=0 turn the module off.
cocosecret_enabled() {
    cocosecret_cmdline
    [ "$COCO_ENABLED" = 1 ] && [ "$COCO_LUKS" = 1 ]
}

# Is there anything to do?  Without a secret area (a VM that is not a SEV
# guest, or one launched without a secret) the module stays out of the way of
# the passphrase prompt entirely, unless rd.cocosecret.headless=1 asks it to
# fail instead of prompting.
cocosecret_wanted() {
    cocosecret_enabled || return 1
    [ -e "$COCOSECRET_AREA" ] || [ "$COCO_HEADLESS" = 1 ]
}

# "UUID NAME" for each volume named by rd.luks.uuid= (and rd.luks.name=,
# which implies its UUID, as systemd-cryptsetup-generator reads it).  The
# name is rd.luks.name's, else luks-UUID.
cocosecret_targets() {
    local _ids _id _o _name _seen=" "
    cocosecret_cmdline
    _ids=$COCO_IDS
    for _o in $COCO_NAMES; do
        _ids="$_ids ${_o%%=*}"
    done
    for _id in $_ids; do
        _id=${_id#keysource:}
        _id=${_id#luks-}
        case "$_seen" in *" $_id "*) continue ;; esac
        _seen="$_seen$_id "
        _name="luks-$_id"
        for _o in $COCO_NAMES; do
            [ "${_o%%=*}" = "$_id" ] && _name=${_o#*=}
        done
        echo "$_id $_name"
    done
    return 0
}

# Wipe the entries this module uses, and no others: rd.cocosecret.guid, or
# else the disk-passphrase GUID and the GUIDs named by the cocosecret tokens
# of the volumes it was told about or handled.
cocosecret_wipe_ours() {
    local _uuid _name _dev _v="" _seen=" "
    cocosecret_cmdline
    [ "$COCO_DEBUG" = 1 ] && _v=--verbose
    if [ -n "$COCO_GUID" ]; then
        set -- "$COCO_GUID"
    else
        set -- "$COCOSECRET_DISK_GUID"
        while read -r _uuid _name; do
            [ -e "/dev/disk/by-uuid/$_uuid" ] || continue
            _seen="$_seen/dev/disk/by-uuid/$_uuid "
            set -- "$@" --token-of "/dev/disk/by-uuid/$_uuid"
        done << TARGETS
$(cocosecret_targets)
TARGETS
        if [ -f "$COCOSECRET_RUN/devices" ]; then
            while read -r _dev; do
                case "$_seen" in *" $_dev "*) continue ;; esac
                _seen="$_seen$_dev "
                [ -b "$_dev" ] && set -- "$@" --token-of "$_dev"
            done < "$COCOSECRET_RUN/devices"
        fi
    fi
    "$COCOSECRET" wipe $_v "$@"
}

# How many targets other than NAME still wait for the secret (neither active
# nor attempted)?
cocosecret_pending() {
    local _uuid _name _left=0
    while read -r _uuid _name; do
        [ -n "$_uuid" ] || continue
        [ "$_name" = "$1" ] && continue
        [ -b "/dev/mapper/$_name" ] && continue
        [ -e "$COCOSECRET_RUN/attempted-$_name" ] && continue
        _left=$((_left + 1))
    done << TARGETS
$(cocosecret_targets)
TARGETS
    echo "$_left"
}

# Wipe as soon as no target waits for the secret any more: each one is
# active or has had its attempt.  (Volumes found by rd.cocosecret.auto are
# not known in advance: the last wipe covers them.)
cocosecret_wipe_if_done() {
    # After an unlock attempt securityfs is mounted and efi_secret loaded: no
    # directory means no secret area, nothing to wipe (and no process to start
    # on the way to the prompt).
    [ -d /sys/kernel/security/secrets/coco ] || return 0
    [ "$(cocosecret_pending "")" = 0 ] || return 0
    # Every target's device is known now, so every GUID of ours was covered;
    # the kernel nulls a wiped entry's GUID and it never comes back: the
    # last wipe before switch_root has nothing left to do.
    cocosecret_wipe_ours && : > "$COCOSECRET_WIPED"
    return 0
}

# The last wipe before switch_root (cleanup hook, cocosecret-wipe.service):
# nothing to do without a secret area, or once everything of ours is wiped.
cocosecret_wipe_final() {
    cocosecret_enabled || return 0
    [ -e "$COCOSECRET_AREA" ] || return 0
    [ -e "$COCOSECRET_WIPED" ] && return 0
    [ -d "$COCOSECRET_RUN" ] || mkdir -m 0700 "$COCOSECRET_RUN"
    cocosecret_wipe_ours && : > "$COCOSECRET_WIPED"
    return 0
}
