#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vl-qmp on the host, against vl-qmpd without the module (it serves QMP all
# the same): one answer line per step, the server's error texts passed on,
# bad steps answered with an error and nothing sent, events waited for
# across steps, the verbose transcript, the exit statuses.  TAP output for
# scripts/run-host-tests.  Run after `make` (make check builds first).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
qmp=$top/build/bin/vl-qmp
qmpd=$top/build/bin/vl-qmpd
tmp=$(mktemp -d /tmp/vl-qmp-test.XXXXXX)
sock=$tmp/qmp.sock
daemon=

stop_daemon() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null
	daemon=
}
trap 'stop_daemon; rm -rf "$tmp"' EXIT

# The daemonized vl-qmpd is not our child: its end is polled, 10 s at most.
wait_daemon_gone() {
	local i
	for i in $(seq 100); do
		kill -0 "$daemon" 2>/dev/null || { daemon=; return; }
		sleep 0.1
	done
}

start_daemon() {
	"$qmpd" --qmp "unix:$sock" --daemonize --pidfile "$tmp/pid" 2> "$tmp/qmpd.err" ||
		return 1
	daemon=$(cat "$tmp/pid")
}

n=0 status=0
result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n vl_qmp.$2"
	else
		echo "not ok $n vl_qmp.$2"
		status=1
	fi
}

# expect NAME WANT GOT: a result, the difference shown when they differ.
expect() {
	if [ "$2" = "$3" ]; then
		result ok "$1"
	else
		{ echo "want:"; echo "$2"; echo "got:"; echo "$3"; } | sed "s/^/# /"
		result fail "$1"
	fi
}

# run STEPS...: vl-qmp's answers to the steps (one per line) in $got, its
# exit status in $rc and its standard error in $tmp/err.
run() {
	got=$(printf '%s\n' "$@" | timeout 30 "$qmp" --verbose --timeout 2 "unix:$sock" 2> "$tmp/err")
	rc=$?
}

echo "TAP version 13"
echo "1..14"

if ! start_daemon; then
	sed 's/^/# /' "$tmp/qmpd.err"
	echo "Bail out! vl-qmpd does not start"
	exit 1
fi

run query-replay "get mode" "get icount" "# a comment" "" query-status "get running"
expect commands_and_get "ok
ok none
ok 0
ok
ok true" "$got"

run "replay-break icount=5" "replay-seek icount=abc" "no-such-command" query-replay
expect server_errors_passed_on "error setting the breakpoint is allowed only in play mode
error Invalid parameter type for 'icount', expected: integer
error The command no-such-command has not been found
ok" "$got"

# Bad steps: answered, nothing sent for them (the next request is id 2,
# after qmp_capabilities' 1).
run "replay-break 5" "replay-break =5" "get" "get a b" "wait" "get nothing" query-status
expect bad_steps_answered "error argument '5' is not NAME=VALUE
error argument '=5' is not NAME=VALUE
error usage: get NAME
error usage: get NAME
error usage: wait EVENT
error the last result has no member 'nothing'
ok" "$got"
expect bad_steps_send_nothing '-> {"execute":"query-status","id":2}' "$(grep -- '^->' "$tmp/err" | tail -n 1)"

# VALUE is JSON when all of it is, a string otherwise.
run "query-version" "replay-seek icount=12abc" "x-record-start filename=/no/such/dir/x"
expect values_typed '-> {"execute":"replay-seek","arguments":{"icount":"12abc"},"id":3}
-> {"execute":"x-record-start","arguments":{"filename":"/no/such/dir/x"},"id":4}' \
	"$(grep -- '^-> {"execute":"\(replay-seek\|x-record\)' "$tmp/err")"

run "get qemu" query-version "get qemu" "get package"
expect get_gives_json_or_text 'error the last result has no member '"'"'qemu'"'"'
ok
ok {"micro":0,"minor":2,"major":7}
ok vl-qmpd (virtio-loopback)' "$got"

# The transcript: the greeting, negotiation, each request and its reply.
run query-status
expect verbose_transcript '<- {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "vl-qmpd (virtio-loopback)"}, "capabilities": []}}
-> {"execute":"qmp_capabilities","id":1}
<- {"return": {}, "id": 1}
-> {"execute":"query-status","id":2}
<- {"return": {"status": "running", "singlestep": false, "running": true}, "id": 2}' "$(cat "$tmp/err")"

run "wait STOP"
expect wait_times_out "error no STOP within 2 s" "$got"

# An event that comes while vl-qmp waits for the next step is kept for a
# later wait: SIGTERM makes the daemon send SHUTDOWN, then close.  Once
# the connection is gone steps are still answered, and the exit status
# says it ended.
mkfifo "$tmp/in" "$tmp/out"
"$qmp" --timeout 10 "unix:$sock" < "$tmp/in" > "$tmp/out" 2> "$tmp/err" &
client=$!
exec 4> "$tmp/in" 5< "$tmp/out"
echo query-status >&4
read -r first <&5
kill "$daemon"
wait_daemon_gone
echo "wait SHUTDOWN" >&4
read -r second <&5
echo "get reason" >&4
read -r third <&5
echo "query-status" >&4
read -r fourth <&5
exec 4>&- 5<&-
wait "$client"
rc=$?
expect event_kept_for_wait "ok|ok|ok host-signal" "$first|$second|$third"
expect connection_lost "error the server closed the connection|1|vl-qmp: the server closed the connection" \
	"$fourth|$rc|$(cat "$tmp/err")"

# quit: answered, then vl-qmp exits 0 without reading further steps.
start_daemon
run quit query-status
expect quit_ends_the_session "ok rc=0" "$(echo $got) rc=$rc"
wait_daemon_gone
expect daemon_quit "" "$daemon"

# Nobody there: exit 1, said; usage: exit 2.
run query-status
expect no_server_exits_1 "1 vl-qmp: cannot connect to $sock: No such file or directory" \
	"$rc $(cat "$tmp/err")"
"$qmp" --timeout 0 "$sock" < /dev/null > /dev/null 2>&1
a=$?
"$qmp" < /dev/null > /dev/null 2>&1
b=$?
"$qmp" --help > /dev/null 2>&1
c=$?
expect usage_statuses "2 2 0" "$a $b $c"
exit $status
