#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build-time helpers shared by the dracut modules 50cocosecret (the static
# binary's own unlock) and 50cocosecret-token (systemd-cryptsetup through
# libcryptsetup-token-cocosecret.so): sourced by their module-setup.sh, in
# dracut's bash.  Never installed into the initramfs.

# The static binary to put in the image: $COCOSECRET_BINARY, else the
# installed one.  (The token module needs it too: cocosecret-token-wipe runs
# `cocosecret wipe`, and the build reads the volumes' tokens with `status`.)
cocosecret_binary() {
    local b
    for b in "$COCOSECRET_BINARY" "$dracutsysrootdir"/usr/sbin/cocosecret \
        "$dracutsysrootdir"/usr/local/sbin/cocosecret "$dracutsysrootdir"/sbin/cocosecret; do
        [[ -n $b && -x $b ]] && {
            printf '%s\n' "$b"
            return 0
        }
    done
    return 1
}

# cocosecret_exclusive SELF OTHER: fail when the dracut modules SELF and OTHER
# were both asked for (dracut -a, add_dracutmodules, dracutmodules).  50cocosecret and
# 50cocosecret-token are two ways to the same volumes: with both, the
# module's units would open every volume before systemd-cryptsetup ran, so
# the plugin would never be used and the image would carry two sets of wipe
# units.  check() refuses, and dracut stops ("cannot be found or installed").
cocosecret_exclusive() {
    local asked=" ${dracutmodules-} ${add_dracutmodules-} ${force_add_dracutmodules-} "
    if [[ $asked == *" $1 "* && $asked == *" $2 "* ]]; then
        derror "cocosecret: the dracut modules cocosecret and cocosecret-token exclude each other: choose one (dracut.cocosecret(7))"
        return 1
    fi
    return 0
}

# The kernel modules both need: efi_secret, dm-crypt, and the AF_ALG
# interface libcryptsetup falls back to for ciphers it does not do in
# userspace (keyslot areas).
cocosecret_instmods() {
    hostonly='' instmods efi_secret dm_crypt af_alg algif_skcipher algif_hash xts ecb
}

# The build host's LUKS volumes whose tokens count: $cocosecret_volumes (from
# dracut.conf.d or the environment), and in hostonly mode every crypto_LUKS
# device the host's root depends on.
cocosecret_build_volumes() {
    local dev
    for dev in $cocosecret_volumes; do
        printf '%s\n' "$dev"
    done
    if [[ $hostonly ]]; then
        for dev in "${!host_fs_types[@]}"; do
            [[ ${host_fs_types[$dev]} == crypto_LUKS ]] && printf '%s\n' "$dev"
        done
    fi
    return 0
}

# Write the initramfs's trust: /etc/cocosecret/trusted-guids (the GUIDs the
# module or the plugin may read and wipe: the disk-passphrase GUID,
# $cocosecret_guids, and the GUIDs of the build-time volumes' cocosecret
# tokens, read with the static binary's `status`) and
# /etc/cocosecret/require-auth ($cocosecret_require_auth: yes, no, or auto,
# the default: yes when a build-time token carries a header MAC).  These are
# fixed here, in the (measured) initramfs: the host cannot add to them.
cocosecret_install_trust() {
    local bin=$1 dev line g auth=0 mac=0 guids=" 736869e5-84f0-4973-92ec-06879ce3da0b "
    local re='cocosecret token [0-9]+: keyslot -?[0-9]+, secret ([0-9a-f-]{36}) \([a-z]+\), (header MAC|no header MAC)'
    for g in $cocosecret_guids; do
        if [[ ! $g =~ ^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$ ]]; then
            derror "cocosecret: cocosecret_guids: '$g' is not a GUID"
            return 1
        fi
        g=${g,,}
        [[ $guids == *" $g "* ]] || guids+="$g "
    done
    while read -r dev; do
        [[ $dev ]] || continue
        while read -r line; do
            [[ $line =~ $re ]] || continue
            g=${BASH_REMATCH[1]}
            [[ $guids == *" $g "* ]] || guids+="$g "
            [[ ${BASH_REMATCH[2]} == "header MAC" ]] && mac=1
        done < <("$bin" status "$dev" 2> /dev/null)
    done < <(cocosecret_build_volumes)
    case ${cocosecret_require_auth:-auto} in
        yes | 1) auth=1 ;;
        no | 0) auth=0 ;;
        auto) auth=$mac ;;
        *)
            derror "cocosecret: cocosecret_require_auth must be yes, no or auto"
            return 1
            ;;
    esac
    mkdir -p "$initdir/etc/cocosecret"
    for g in $guids; do
        printf '%s\n' "$g"
    done > "$initdir/etc/cocosecret/trusted-guids"
    echo "$auth" > "$initdir/etc/cocosecret/require-auth"
    dinfo "cocosecret: trusted GUIDs:$guids; header MAC required: $auth"
}
