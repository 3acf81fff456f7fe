#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the built tools link against: vl-backend runs on boards where only
# the channel matters and must not drag in libnl (the library's netlink
# part is for vlctl).  Reads the binaries' NEEDED entries; TAP output for
# scripts/run-host-tests.  Run after `make` (make check builds first).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$top/build/bin

needed() {
	readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

# ok N NAME when "$3..." succeeds, else not ok with the reason in $2.
n=0 status=0
check() {
	local name=$1 why=$2
	shift 2
	n=$((n + 1))
	if "$@"; then
		echo "ok $n link.$name"
	else
		echo "# $why"
		echo "not ok $n link.$name"
		status=1
	fi
}

# (The lists are captured, not piped to grep -q: with pipefail, grep
# quitting early would turn a match into a failure.)
backend_links_no_libnl() {
	local libs
	[ -x "$bin/vl-backend" ] || return 1
	libs=$(needed "$bin/vl-backend")
	[ -n "$libs" ] && [[ ! $libs =~ (^|$'\n')libnl ]]
}

vlctl_links_libnl_genl() {
	local libs
	[ -x "$bin/vlctl" ] || return 1
	libs=$(needed "$bin/vlctl")
	[[ $libs =~ (^|$'\n')libnl-genl-3 ]]
}

echo "TAP version 13"
echo "1..2"
check vl_backend_links_no_libnl \
	"vl-backend missing or needs: $(needed "$bin/vl-backend" | tr '\n' ' ')" \
	backend_links_no_libnl
check vlctl_links_libnl_genl \
	"vlctl missing or needs: $(needed "$bin/vlctl" | tr '\n' ' ')" \
	vlctl_links_libnl_genl
exit $status
