#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec of the generic netlink family and the UAPI header agree
# (scripts/check-genl-spec), and the check would see it if they did not:
# each case below changes one side, in a copy, and expects the check to
# fail naming what changed.  TAP output for scripts/run-host-tests.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
check=$top/scripts/check-genl-spec
spec=$top/Documentation/netlink/specs/virtio_loopback.yaml
header=$top/include/uapi/linux/virtio_loopback.h
genl=$top/kmod/vl_genl.c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0 status=0
result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n genl_spec.$2"
	else
		echo "not ok $n genl_spec.$2"
		status=1
	fi
}

# The real files agree.
agree() {
	local out rc
	out=$("$check" --genl "$genl" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	return $rc
}

# mismatch NAME WHAT SED-ON-SPEC SED-ON-HEADER [SED-ON-GENL]: the check of
# the changed copies fails and says WHAT.
mismatch() {
	local name=$1 what=$2 out rc
	sed -e "$3" "$spec" > "$tmp/spec.yaml"
	sed -e "$4" "$header" > "$tmp/header.h"
	sed -e "${5:-}" "$genl" > "$tmp/genl.c"
	if cmp -s "$spec" "$tmp/spec.yaml" && cmp -s "$header" "$tmp/header.h" &&
	   cmp -s "$genl" "$tmp/genl.c"; then
		echo "# $name: the change did not apply"
		result fail "$name"
		return
	fi
	out=$("$check" --spec "$tmp/spec.yaml" --header "$tmp/header.h" \
		--genl "$tmp/genl.c" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && [[ $out == *"$what"* ]]; then
		result ok "$name"
	else
		echo "$out" | sed 's/^/# /'
		echo "# $name: expected exit 1 and \"$what\", got $rc"
		result fail "$name"
	fi
}

# An attribute, a command, an enum entry: added to one side only.
add_attr_h='s/^\(\tVIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE,.*\)$/\1\n\tVIRTIO_LOOPBACK_A_REPLAY_EXTRA,\t\/* u32, test *\//'
add_attr_y='/^        name: log-size$/{n;s/$/\n      -\n        name: extra\n        type: u32/}'
add_cmd_h='s/^\(\tVIRTIO_LOOPBACK_CMD_RECORD_STOP,.*\)$/\1\n\tVIRTIO_LOOPBACK_CMD_EXTRA,/'
add_cmd_y='s/^mcast-groups:$/    -\n      name: extra\n      doc: test\n      attribute-set: replay\n\nmcast-groups:/'
add_enum_h='s/^\(\tVIRTIO_LOOPBACK_ICOUNT_PMU,.*\)$/\1\n\tVIRTIO_LOOPBACK_ICOUNT_EXTRA,/'
add_set_h='s/^\(#define VIRTIO_LOOPBACK_MCGRP_EVENTS.*\)$/\1\nenum {\n\tVIRTIO_LOOPBACK_A_EVENT_KIND = 1,\t\/* u32 *\/\n\t__VIRTIO_LOOPBACK_A_EVENT_MAX,\n\tVIRTIO_LOOPBACK_A_EVENT_MAX = (__VIRTIO_LOOPBACK_A_EVENT_MAX - 1)\n};/'

echo "TAP version 13"
echo "1..12"
if agree; then result ok header_and_spec_agree; else result fail header_and_spec_agree; fi
mismatch attribute_only_in_header VIRTIO_LOOPBACK_A_REPLAY_EXTRA '' "$add_attr_h"
mismatch attribute_only_in_spec VIRTIO_LOOPBACK_A_REPLAY_EXTRA "$add_attr_y" ''
mismatch command_only_in_header VIRTIO_LOOPBACK_CMD_EXTRA '' "$add_cmd_h"
mismatch command_only_in_spec VIRTIO_LOOPBACK_CMD_EXTRA "$add_cmd_y" ''
mismatch enum_entry_only_in_header VIRTIO_LOOPBACK_ICOUNT_EXTRA '' "$add_enum_h"
mismatch attribute_set_only_in_header VIRTIO_LOOPBACK_A_EVENT '' "$add_set_h"
mismatch attribute_renumbered "is 2 in the spec, 3 in the header" \
	'' 's/VIRTIO_LOOPBACK_A_REPLAY_PAD = 1,/VIRTIO_LOOPBACK_A_REPLAY_PAD = 1, VIRTIO_LOOPBACK_A_REPLAY_HOLE,/'
mismatch attribute_type "type u64 in the spec" \
	'/^        name: log-size$/{n;s/u32/u64/}' ''
mismatch attribute_enum "enum None in the spec" \
	'/^        enum: icount-source$/d' ''
mismatch multicast_group "multicast groups" 's/^      name: events$/      name: notify/' ''
mismatch admin_perm "VIRTIO_LOOPBACK_CMD_RECORD_STOP: admin-perm" '' '' \
	'/\.cmd\t= VIRTIO_LOOPBACK_CMD_RECORD_STOP,/,/}/{/GENL_ADMIN_PERM/d}'
exit $status
