#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline hook (non-systemd initramfs): have each target LUKS volume
# unlocked with the launch secret when it appears.  The initqueue runs these
# jobs before the settled jobs, so before 90crypt's cryptroot-ask.

type cocosecret_targets > /dev/null 2>&1 || . /lib/cocosecret-lib.sh

cocosecret_write_rules() {
    local _uuid _name _opts _initqueue _flat
    _initqueue=$(command -v initqueue)
    echo 'SUBSYSTEM!="block", GOTO="cocosecret_end"'
    echo 'ACTION!="add|change", GOTO="cocosecret_end"'
    echo 'ENV{ID_FS_TYPE}!="crypto_LUKS", GOTO="cocosecret_end"'
    while read -r _uuid _name _opts; do
        [ -n "$_uuid" ] || continue
        # A settled job, as cryptroot-ask's for the same device: settled
        # jobs run in name order, and cocosecret-%k sorts before
        # cryptroot-ask-%k, also for a device that appears while another
        # volume is still unlocking.
        printf -- 'ENV{ID_FS_UUID}=="*%s*", ' "$_uuid"
        printf -- 'RUN+="%s --settled --onetime --unique --name cocosecret-%%k ' "$_initqueue"
        # shellcheck disable=SC2016 # $env{} is udev's
        printf -- '/sbin/cocosecret-unlock $env{DEVNAME} %s", GOTO="cocosecret_end"\n' "$_uuid"

        # the initqueue is not finished before the mapping exists
        _flat=$(echo "$_uuid" | tr -d -)
        # shellcheck disable=SC2154 # hookdir: dracut-lib.sh
        printf -- '[ -e /dev/disk/by-id/dm-uuid-CRYPT-LUKS?-*%s*-* ] || exit 1\n' "$_flat" \
            >> "$hookdir/initqueue/finished/50-cocosecret.sh"
    done << TARGETS
$(cocosecret_targets)
TARGETS
    if [ "$COCO_AUTO" = 1 ]; then
        printf -- 'RUN+="%s --settled --onetime --unique --name cocosecret-%%k ' "$_initqueue"
        # shellcheck disable=SC2016
        printf -- '/sbin/cocosecret-unlock $env{DEVNAME} --auto"\n'
    fi
    echo 'LABEL="cocosecret_end"'
}

if cocosecret_wanted; then
    cocosecret_write_rules > /etc/udev/rules.d/69-cocosecret.rules
else
    if cocosecret_enabled; then
        info "cocosecret: no launch secret area ($COCOSECRET_AREA): nothing to do"
    else
        info "cocosecret: disabled by rd.cocosecret=0 or rd.luks=0"
    fi
    rm -f -- /etc/udev/rules.d/69-cocosecret.rules
fi
