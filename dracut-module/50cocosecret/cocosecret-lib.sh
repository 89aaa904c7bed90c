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
# Fixed when the initramfs was built (module-setup.sh): the GUIDs this module
# may read or wipe, one per line, and whether a header MAC is required.  The
# host writes the disk's header, so a GUID in a token counts only when it is
# in this list (or given by rd.cocosecret.guid: the command line is measured).
COCOSECRET_TRUSTED=/etc/cocosecret/trusted-guids
COCOSECRET_AUTH=/etc/cocosecret/require-auth
# Test hook: where a failed final wipe asks the kernel to power off.
COCOSECRET_SYSRQ=${COCOSECRET_SYSRQ:-/proc/sysrq-trigger}

# One line on the console and in the kernel log.
cocosecret_msg() {
    echo "cocosecret: $*" >&2
    echo "<5>cocosecret: $*" > /dev/kmsg 2> /dev/null
    return 0
}

# Values from the command line and the host's disks reach unit files, udev
# rules and argv: only plain GUIDs, UUIDs (or their hex-and-dash prefixes, as
# dracut matches rd.luks.uuid) and mapping names of [A-Za-z0-9._+-] pass.
_cocosecret_h='[0-9a-fA-F]'
_cocosecret_h4="$_cocosecret_h$_cocosecret_h$_cocosecret_h$_cocosecret_h"
_cocosecret_guid_pat="$_cocosecret_h4$_cocosecret_h4-$_cocosecret_h4-$_cocosecret_h4-$_cocosecret_h4-$_cocosecret_h4$_cocosecret_h4$_cocosecret_h4"
cocosecret_valid_guid() {
    # shellcheck disable=SC2254 # the pattern is meant to match
    case $1 in $_cocosecret_guid_pat) return 0 ;; esac
    return 1
}
cocosecret_valid_uuid() {
    case $1 in "" | -* | *[!0-9a-fA-F-]*) return 1 ;; esac
    [ ${#1} -le 36 ]
}
cocosecret_valid_name() {
    case $1 in "" | -* | *[!A-Za-z0-9._+-]*) return 1 ;; esac
    [ ${#1} -le 127 ]
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
    COCO_AUTH=""
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
            rd.cocosecret.auth) _cocosecret_bool "$_v"; COCO_AUTH=$_b ;;
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
    if [ -n "$COCO_GUID" ] && ! cocosecret_valid_guid "$COCO_GUID"; then
        cocosecret_msg "rd.cocosecret.guid: not a GUID, ignored"
        COCO_GUID=""
    fi
    case $COCO_TIMEOUT in *[!0-9]* | ?????*) COCO_TIMEOUT="" ;; esac
    # A header MAC is required when the initramfs says so, unless
    # rd.cocosecret.auth= says otherwise (the command line is measured).
    if [ -z "$COCO_AUTH" ]; then
        COCO_AUTH=0
        [ "$(cat "$COCOSECRET_AUTH" 2> /dev/null)" = 1 ] && COCO_AUTH=1
    fi
    COCO_PARSED=1
    return 0
}

# The GUIDs this module may read and wipe, one per line: rd.cocosecret.guid
# alone when it is given (the module then uses that secret and no other),
# else the initramfs's list (the disk-passphrase GUID at least).
cocosecret_trusted() {
    local _g _seen=" "
    cocosecret_cmdline
    if [ -n "$COCO_GUID" ]; then
        echo "$COCO_GUID"
        return 0
    fi
    for _g in $COCOSECRET_DISK_GUID $(_cocosecret_trusted_file); do
        cocosecret_valid_guid "$_g" || continue
        case $_seen in *" $_g "*) continue ;; esac
        _seen="$_seen$_g "
        echo "$_g"
    done
    return 0
}

_cocosecret_trusted_file() {
    local _g
    [ -r "$COCOSECRET_TRUSTED" ] || return 0
    while read -r _g || [ -n "$_g" ]; do
        echo "$_g"
    done < "$COCOSECRET_TRUSTED"
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
        if ! cocosecret_valid_uuid "$_id" || ! cocosecret_valid_name "$_name"; then
            cocosecret_msg "rd.luks: an invalid UUID or name, ignored"
            continue
        fi
        echo "$_id $_name"
    done
    return 0
}

# Wipe the entries this module uses, and no others: the trusted GUIDs.  (Not
# the GUIDs the disks' tokens name: the host wrote those.)
cocosecret_wipe_ours() {
    local _v=""
    cocosecret_cmdline
    [ "$COCO_DEBUG" = 1 ] && _v=--verbose
    # shellcheck disable=SC2046 # one GUID per word
    "$COCOSECRET" wipe $_v $(cocosecret_trusted)
}

# The unlock's options for the trusted GUIDs and the MAC policy.
cocosecret_trust_args() {
    local _g
    cocosecret_cmdline
    for _g in $(cocosecret_trusted); do
        printf -- '--trust %s ' "$_g"
    done
    [ "$COCO_AUTH" = 1 ] && printf -- '--require-auth'
    return 0
}

# A wipe that failed must not let the boot go on (into the real root, or to a
# shell on the host's console) with the secret still there: power off.
cocosecret_wipe_failed() {
    cocosecret_msg "cannot wipe the launch secret: stopping the boot (power off)"
    sync 2> /dev/null
    echo o > "$COCOSECRET_SYSRQ" 2> /dev/null
    # (still here: only in the tests, or without sysrq)
    return 1
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
    # Every trusted GUID is covered; the kernel nulls a wiped entry's GUID and
    # it never comes back, and nothing untrusted is ever read: the last wipe
    # before switch_root has nothing left to do.
    cocosecret_wipe_ours && : > "$COCOSECRET_WIPED"
    return 0
}

# The last wipe before switch_root (cleanup hook, cocosecret-wipe.service) and
# before any emergency shell: nothing to do without a secret area, or once
# everything of ours is wiped.  A wipe that fails stops the boot.
cocosecret_wipe_final() {
    cocosecret_enabled || return 0
    [ -e "$COCOSECRET_AREA" ] || return 0
    [ -e "$COCOSECRET_WIPED" ] && return 0
    [ -d "$COCOSECRET_RUN" ] || mkdir -m 0700 "$COCOSECRET_RUN"
    if cocosecret_wipe_ours; then
        : > "$COCOSECRET_WIPED"
        return 0
    fi
    cocosecret_wipe_failed
}
