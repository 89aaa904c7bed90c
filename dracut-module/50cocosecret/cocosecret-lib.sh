#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cocosecret-lib.sh: shared by the cocosecret dracut hooks (POSIX sh; needs
# dracut-lib.sh for getarg/getargs/getargbool).  Never handles the secret
# itself: only the static binary reads it.

COCOSECRET=/usr/sbin/cocosecret
COCOSECRET_RUN=/run/cocosecret
COCOSECRET_DISK_GUID=736869e5-84f0-4973-92ec-06879ce3da0b

# One line on the console and in the kernel log.
cocosecret_msg() {
    echo "cocosecret: $*" >&2
    echo "<5>cocosecret: $*" > /dev/kmsg 2> /dev/null
    return 0
}

# rd.cocosecret=0 or rd.luks=0 turn the module off.
cocosecret_enabled() {
    getargbool 1 rd.cocosecret && getargbool 1 rd.luks -d -n rd_NO_LUKS
}

# "UUID NAME" for each volume named by rd.luks.uuid= (and rd.luks.name=,
# which implies its UUID, as systemd-cryptsetup-generator reads it).  The
# name is rd.luks.name's, else luks-UUID.
cocosecret_targets() {
    local _ids _id _o _name _seen
    _ids="$(getargs rd.luks.uuid -d rd_LUKS_UUID)"
    for _o in $(getargs rd.luks.name); do
        _ids="$_ids ${_o%%=*}"
    done
    _seen=" "
    for _id in $_ids; do
        _id=${_id#keysource:}
        _id=${_id#luks-}
        case "$_seen" in *" $_id "*) continue ;; esac
        _seen="$_seen$_id "
        _name="luks-$_id"
        for _o in $(getargs rd.luks.name); do
            [ "${_o%%=*}" = "$_id" ] && _name=${_o#*=}
        done
        echo "$_id $_name"
    done
    return 0
}

# The options every unlock takes from the kernel command line.
cocosecret_unlock_opts() {
    local _g _t
    _t=$(getarg rd.cocosecret.timeout=)
    printf -- '--timeout %s' "${_t:-5}"
    _g=$(getarg rd.cocosecret.guid=)
    [ -n "$_g" ] && printf -- ' --guid %s' "$_g"
    getargbool 0 rd.debug && printf -- ' --verbose'
    return 0
}

# Wipe the entries this module uses, and no others: rd.cocosecret.guid, or
# else the disk-passphrase GUID and the GUIDs named by the cocosecret tokens
# of the volumes it was told about or handled.
cocosecret_wipe_ours() {
    local _g _uuid _name _dev _v=""
    getargbool 0 rd.debug && _v=--verbose
    _g=$(getarg rd.cocosecret.guid=)
    if [ -n "$_g" ]; then
        set -- "$_g"
    else
        set -- "$COCOSECRET_DISK_GUID"
        while read -r _uuid _name; do
            [ -e "/dev/disk/by-uuid/$_uuid" ] && set -- "$@" --token-of "/dev/disk/by-uuid/$_uuid"
        done << TARGETS
$(cocosecret_targets)
TARGETS
        if [ -f "$COCOSECRET_RUN/devices" ]; then
            while read -r _dev; do
                [ -b "$_dev" ] && set -- "$@" --token-of "$_dev"
            done < "$COCOSECRET_RUN/devices"
        fi
    fi
    "$COCOSECRET" wipe $_v "$@"
}

# Wipe as soon as no target waits for the secret any more: each one is
# active or has had its attempt.  (Volumes found by rd.cocosecret.auto are
# not known in advance: the cleanup hook wipes after them.)
cocosecret_wipe_if_done() {
    local _uuid _name _left=0
    # After an unlock attempt securityfs is mounted and efi_secret loaded: no
    # directory means no secret area, nothing to wipe (and no process to start
    # on the way to the prompt).  The cleanup hook still wipes unconditionally.
    [ -d /sys/kernel/security/secrets/coco ] || return 0
    while read -r _uuid _name; do
        [ -n "$_uuid" ] || continue
        [ -b "/dev/mapper/$_name" ] && continue
        [ -e "$COCOSECRET_RUN/attempted-$_name" ] && continue
        _left=$((_left + 1))
    done << TARGETS
$(cocosecret_targets)
TARGETS
    [ "$_left" = 0 ] && cocosecret_wipe_ours
    return 0
}
