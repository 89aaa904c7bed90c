#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cleanup hook (non-systemd initramfs): the module's secrets are gone before
# switch_root, whatever happened before (unlocked, rejected, prompt, timeout).
# emergency and shutdown-emergency hooks (both modes): gone before any shell.
# An unlock in flight is waited for first (with systemd, cocosecret@.service's
# binary; without systemd the initqueue runs the unlock in dracut's own
# process, so none is ever running here).  Nothing to do without a secret
# area, or once everything of ours is wiped; a wipe that fails powers the VM
# off.

type cocosecret_wipe_ours > /dev/null 2>&1 || . /lib/cocosecret-lib.sh

# sourced by dracut's init: read the command line afresh
# shellcheck disable=SC2034 # read by cocosecret_cmdline
COCO_PARSED=
cocosecret_wipe_emergency
