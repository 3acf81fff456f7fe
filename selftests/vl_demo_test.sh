#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo's scenario in the test suite, so that the demo cannot rot
# unseen: scripts/demo itself (a blk device recorded through vl-qmpd,
# replayed with no backend over QMP: a breakpoint, a seek back and forth,
# cont to the end, the recorded bytes read back), as `make demo` runs it.
# Its output becomes TAP comments.
DEMO=/usr/libexec/vl/demo
OUT=/tmp/vl-demo-test.out

echo "TAP version 13"
echo "1..1"
"$DEMO" > "$OUT" 2>&1
rc=$?
sed 's/^/# /' "$OUT"
rm -f "$OUT"
if [ "$rc" -eq 0 ]; then
	echo "ok 1 demo.records_and_replays_over_qmp"
else
	echo "not ok 1 demo.records_and_replays_over_qmp (scripts/demo exited $rc)"
fi
exit "$rc"
