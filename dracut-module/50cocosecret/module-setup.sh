#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module: unlock LUKS volumes with the confidential VM's launch secret
# (efi_secret), before dracut's or systemd's passphrase prompt, and wipe the
# secret before switch_root.  Used as: dracut -a cocosecret

# cocosecret_binary, cocosecret_exclusive, cocosecret_instmods,
# cocosecret_install_trust: shared with 50cocosecret-token
# shellcheck source=dracut-module/50cocosecret/cocosecret-build.sh
. "${BASH_SOURCE[0]%/*}/cocosecret-build.sh"

# How this dracut reads the command line (cocosecret-lib.sh reads it in one
# pass of its own): the files getcmdline reads, in its order, and whether the
# old names (rd_LUKS_UUID, rd_NO_LUKS, rd_NO_CRYPTTAB) still count, as they
# do in dracut 059 and no longer in dracut-ng.
cocosecret_install_cmdline_rules() {
    local lib order="/etc/cmdline.d/*.conf /etc/cmdline /proc/cmdline"
    for lib in "$dracutbasedir"/modules.d/[0-9][0-9]base/dracut-lib.sh; do
        [[ -f $lib ]] || continue
        grep -q '/run/initramfs/cmdline.d' "$lib" && order+=" /run/initramfs/cmdline.d/*.conf"
        grep -q '< /etc/kernel/cmdline' "$lib" && order+=" /etc/kernel/cmdline"
    done
    mkdir -p "$initdir/etc/cocosecret"
    echo "$order" > "$initdir/etc/cocosecret/cmdline-order"
    if grep -qs 'rd_LUKS_UUID' "$dracutbasedir"/modules.d/[0-9][0-9]crypt/parse-crypt.sh; then
        : > "$initdir/etc/cocosecret/legacy-names"
    fi
}

# called by dracut
check() {
    if ! cocosecret_binary > /dev/null; then
        derror "cocosecret: the cocosecret binary is not installed (make install, or set COCOSECRET_BINARY)"
        return 1
    fi
    cocosecret_exclusive cocosecret cocosecret-token || return 1
    # only when asked for: dracut -a cocosecret
    return 255
}

# called by dracut
depends() {
    local deps="crypt securityfs" d
    if dracut_module_included "systemd"; then
        deps+=" systemd-ask-password"
        # dracut-ng has systemd-cryptsetup as a module of its own; 059 has
        # it in crypt
        for d in "$dracutbasedir"/modules.d/[0-9][0-9]systemd-cryptsetup; do
            [[ -d $d ]] && deps+=" systemd-cryptsetup"
        done
    else
        # the initqueue runs the unlock without systemd only: dracut-ng
        # (>= 103) has an initqueue module; dracut 059 has none and
        # install() asks for the initqueue with dracut_need_initqueue.
        for d in "$dracutbasedir"/modules.d/[0-9][0-9]initqueue; do
            [[ -d $d ]] && deps+=" initqueue"
        done
    fi
    echo "$deps"
    return 0
}

# called by dracut
installkernel() {
    cocosecret_instmods
}

# called by dracut
install() {
    local bin
    bin=$(cocosecret_binary) || return 1

    inst_binary "$bin" /usr/sbin/cocosecret
    inst_simple "$moddir/cocosecret-lib.sh" /lib/cocosecret-lib.sh
    inst_script "$moddir/cocosecret-unlock.sh" /sbin/cocosecret-unlock
    inst_multiple -o modprobe readlink
    cocosecret_install_trust "$bin" || return 1
    cocosecret_install_cmdline_rules

    # The emergency path wipes before any shell: dracut's emergency hooks
    # (sourced by emergency_shell, and by dracut-emergency in systemd mode,
    # also without a shell), and with systemd a unit before the shells.
    inst_hook emergency 00 "$moddir/cocosecret-wipe-hook.sh"
    inst_hook shutdown-emergency 00 "$moddir/cocosecret-wipe-hook.sh"

    # The last wipe before switch_root: cocosecret-wipe.service with systemd
    # (a cleanup hook there would make dracut-pre-pivot.service run for it
    # alone), else a cleanup hook.
    if dracut_module_included "systemd"; then
        inst_multiple systemd-escape
        inst_script "$moddir/cocosecret-generator.sh" \
            "$systemdutildir/system-generators/cocosecret-generator"
        inst_simple "$moddir/cocosecret-wipe.service" \
            "$systemdsystemunitdir/cocosecret-wipe.service"
        $SYSTEMCTL -q --root "$initdir" enable cocosecret-wipe.service
        inst_simple "$moddir/cocosecret-emergency.service" \
            "$systemdsystemunitdir/cocosecret-emergency.service"
        local unit
        for unit in emergency.service dracut-emergency.service rescue.service; do
            inst_simple "$moddir/cocosecret-emergency.conf" \
                "$systemdsystemunitdir/$unit.d/cocosecret-emergency.conf"
        done
    else
        # after 90crypt's parse-crypt.sh (cmdline 30)
        inst_hook cmdline 31 "$moddir/parse-cocosecret.sh"
        inst_hook cleanup 99 "$moddir/cocosecret-wipe-hook.sh"
    fi

    if ! dracut_module_included "systemd" && ! dracut_module_included "initqueue"; then
        dracut_need_initqueue
    fi
}
