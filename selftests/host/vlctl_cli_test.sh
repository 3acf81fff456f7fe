#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vlctl's command line on the host, no module needed: every usage error
# exits 2 before anything talks to the kernel (so also where the family is
# absent, which would be exit 1), numbers are read strictly, and --help
# lists every subcommand.  TAP output for scripts/run-host-tests.  Run
# after `make` (make check builds first).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vlctl=$top/build/bin/vlctl

n=0 status=0
# check NAME WANT ARGS...: vlctl ARGS... exits WANT ("!2": anything but 2).
check() {
	local name=$1 want=$2 rc
	shift 2
	n=$((n + 1))
	"$vlctl" "$@" >/dev/null 2>&1
	rc=$?
	if [ "$want" = "!2" ] && [ "$rc" -ne 2 ] || [ "$rc" = "$want" ]; then
		echo "ok $n vlctl_cli.$name"
	else
		echo "# vlctl $* exited $rc, not $want"
		echo "not ok $n vlctl_cli.$name"
		status=1
	fi
}

echo "TAP version 13"
echo "1..26"
check no_command 2
check unknown_command 2 frobnicate
check help 0 --help
check break_rejects_letters 2 break abc
check break_rejects_negative 2 break -1
check break_rejects_overflow 2 break 18446744073709551616
check break_rejects_trailing_junk 2 break 1x
check break_rejects_leading_blank 2 break " 1"
check break_rejects_empty 2 break ""
check break_rejects_hex 2 break 0x10
check break_rejects_plus_sign 2 break +5
check seek_rejects_junk 2 seek 12abc
check break_needs_icount 2 break
check seek_takes_one_icount 2 seek 1 2
check break_takes_the_largest_u64 '!2' break 18446744073709551615
check cont_takes_no_operand 2 cont now
check stop_replay_takes_no_operand 2 stop-replay x
check delete_break_unknown_option 2 delete-break --force
check devices_unknown_option 2 devices --all
check divergence_takes_no_operand 2 divergence 1
check events_count_must_be_a_number 2 events --count many
check events_count_needs_a_value 2 events --count
check events_takes_no_operand 2 events now
check query_unknown_option 2 query --yaml
check replay_needs_a_file 2 replay

# --help names every subcommand.
n=$((n + 1))
help=$("$vlctl" --help)
missing=
for cmd in query record stop-recording replay stop-replay break delete-break \
	   seek stop cont divergence devices events log; do
	[[ $help == *"  $cmd "* ]] || missing="$missing $cmd"
done
if [ -z "$missing" ]; then
	echo "ok $n vlctl_cli.help_lists_every_command"
else
	echo "# --help lacks:$missing"
	echo "not ok $n vlctl_cli.help_lists_every_command"
	status=1
fi
exit $status
