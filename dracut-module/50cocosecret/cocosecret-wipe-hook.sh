#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cleanup hook (both modes): the module's secrets are gone before
# switch_root, whatever happened before (unlocked, rejected, prompt, timeout).

type cocosecret_wipe_ours > /dev/null 2>&1 || . /lib/cocosecret-lib.sh

if cocosecret_enabled; then
    cocosecret_wipe_ours
fi
