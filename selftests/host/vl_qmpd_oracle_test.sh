#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vl-qmpd against the oracle: QEMU 7.2 itself (qemu-system-x86_64 -M none,
# which scripts/setup installs for the VM tests) and vl-qmpd are given the
# same bytes on fresh connections, and must answer with the same bytes
# (timestamps and versions aside): greeting shape, errors of every kind,
# negotiation, id echo, CRLF.  Commands whose answers depend on a VM or on
# the module (stop, cont, quit, query-version) are left to vl_qmp_test.c.
# No module is needed: vl-qmpd answers as QEMU does outside replay.  TAP
# output for scripts/run-host-tests.  Run after `make`.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
qmpd=$top/build/bin/vl-qmpd
dir=$(mktemp -d /tmp/vl-qmpd-oracle.XXXXXX)
qemu_pid= qmpd_pid=

cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	[ -n "$qmpd_pid" ] && kill "$qmpd_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

if ! command -v qemu-system-x86_64 >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..1"
	echo "# qemu-system-x86_64 or python3 missing: run scripts/setup"
	echo "not ok 1 oracle.setup"
	exit 1
fi

qemu-system-x86_64 -M none -display none -nodefaults \
	-qmp "unix:$dir/qemu.sock,server=on,wait=off" 2>/dev/null &
qemu_pid=$!
"$qmpd" --qmp "unix:$dir/vl.sock" 2>/dev/null &
qmpd_pid=$!

python3 - "$dir/qemu.sock" "$dir/vl.sock" <<'EOF'
import re, socket, sys, time

N = b'{"execute":"qmp_capabilities"}'
# Each case ends at a value boundary; a marker request follows it.
CASES = [
    b'{"execute":"query-status"}',
    b'{"execute":"query-status","id":7}',
    b'{"execute":"qmp_capabilities","id":1}{"execute":"qmp_capabilities","id":{"a":[1]}}',
    b'{"execute":"qmp_capabilities","arguments":{"enable":["foo"]}}',
    b'{"execute":"qmp_capabilities","arguments":{"enable":"foo"}}',
    b'{"execute":"qmp_capabilities","arguments":{"enable":[1]}}',
    b'{"execute":"qmp_capabilities","arguments":{"enable":null}}',
    b'{"execute":"qmp_capabilities","arguments":{"x":1}}',
    b'{"execute":"qmp_capabilities","arguments":{"x":1,"y":2,"z":3,"abc":4}}',
    b'{"execute":"qmp_capabilities","arguments":{"foo":1,"bar":2,"baz":3}}',
    b'{"execute":"foo","id":5}',
    b'[1]', b'1\n', b'"abc"', b'null\n', b'true\n', b'{}',
    b'{"foo":1}', b'{"execute":1}', b'{"arguments":{}}',
    b'{"execute":"qmp_capabilities","arguments":[]}',
    b'{"execute":"qmp_capabilities","exec-oob":"x"}',
    b'{"exec-oob":"qmp_capabilities"}',
    b'{"execute":"qmp_capabilities","control":{}}',
    b'{"zzz":1,"aaa":2,"execute":5}',
    b'{"execute":"qmp_capabilities","id":null,"foo":1}',
    b'}', b']', b'foo\n', b'tru\n', b'NaN\n', b'@',
    b'{"execute":}', b'{"execute" "x"}', b'{"execute":"x",}', b'{1:2}', b'[1 2]',
    b'{"execute":"qmp_capabilities" "id":1}',
    b'\x01', b'\x01\x02\x03' + N, b'\xff', b'\xc3\xa9', b'abc\x01def\n',
    b'ab@cd' + N, N + b'\x00' + N, b'  ' + N + b'\n\n' + N,
    b'{"execute":"qmp_capabilities","id":0.1}',
    b'{"execute":"qmp_capabilities","id":1e2}',
    b'{"execute":"qmp_capabilities","id":-5}',
    b'{"execute":"qmp_capabilities","id":1.0}',
    b'{"execute":"qmp_capabilities","id":"\\u00e9/"}',
    b'{"execute":"qmp_capabilities","id":"\\ud83d\\ude00"}',
    b'{"execute":"qmp_capabilities","id":"\xc3\xa9\xe2\x82\xac"}',
    b'{"execute":"qmp_capabilities","id":[true,false,{"z":1,"a":[]}]}',
    b'{"execute":"qmp_capabilities","id":"\\u0000"}',
    N + b'{"execute":"foo"}',
    N + b'{"execute":"foo","id":[1,{"a":null}]}',
    N + b'{"execute":"query-commands","arguments":{"a":1}}',
    N + b'{"execute":"replay-break"}',
    N + b'{"execute":"replay-break","arguments":{}}',
    N + b'{"execute":"replay-break","arguments":{"icount":"5"}}',
    N + b'{"execute":"replay-break","arguments":{"icount":-1}}',
    N + b'{"execute":"replay-break","arguments":{"icount":1.5}}',
    N + b'{"execute":"replay-break","arguments":{"icount":18446744073709551615}}',
    N + b'{"execute":"replay-break","arguments":{"icount":9223372036854775807}}',
    N + b'{"execute":"replay-break","arguments":{"icount":5,"x":1}}',
    N + b'{"execute":"replay-break","arguments":{"x":1}}',
    N + b'{"execute":"replay-seek","arguments":{"icount":null}}',
    N + b'{"execute":"replay-seek","arguments":{"icount":3},"id":"s"}',
    N + b'{"execute":"replay-delete-break","arguments":{"icount":1}}',
    N + b'{"execute":"replay-delete-break","id":"d"}',
    N + b'{"execute":"query-replay","id":"a"}',
    N + b'{"execute":"query-replay","arguments":{"x":1}}',
    N + b'{"foo":1,"id":3}',
    N + b'{"execute":"foo","id":3,"bar":1}',
    N + b'{"execute":"query-status"}',
]
MARK = b'{"execute":"query-replay","id":"vl-oracle-end"}'


def connect(path):
    for _ in range(500):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.settimeout(5)
            return s
        except OSError:
            time.sleep(0.01)
    raise SystemExit('# cannot connect to ' + path)


def lines(s):
    buf = b''
    while True:
        while b'\r\n' not in buf:
            data = s.recv(65536)
            if not data:
                return
            buf += data
        line, buf = buf.split(b'\r\n', 1)
        yield line


def converse(path, case):
    s = connect(path)
    it = lines(s)
    greeting = next(it)
    s.sendall(case + MARK)
    out = []
    for line in it:
        if b'vl-oracle-end' in line:
            break
        out.append(re.sub(rb'"seconds": \d+, "microseconds": \d+', b'TS', line))
    s.close()
    return greeting, out


qemu, vl = sys.argv[1], sys.argv[2]
print('1..%d' % (len(CASES) + 1))
g_q, _ = converse(qemu, b'')
g_v, _ = converse(vl, b'')
shape = rb'\{"QMP": \{"version": \{"qemu": \{"micro": \d+, "minor": \d+, "major": \d+\}, "package": "[^"]*"\}, "capabilities": \[[^]]*\]\}\}'
ok = re.fullmatch(shape, g_q) and re.fullmatch(shape, g_v)
print('%sok 1 oracle.greeting_shape' % ('' if ok else 'not '))
failed = not ok
for i, case in enumerate(CASES, 2):
    want, got = converse(qemu, case)[1], converse(vl, case)[1]
    if want == got:
        print('ok %d oracle.case_%d' % (i, i - 1))
        continue
    failed = True
    print('# input: %r' % case)
    print('# qemu:  %r' % want)
    print('# vl:    %r' % got)
    print('not ok %d oracle.case_%d' % (i, i - 1))
sys.exit(1 if failed else 0)
EOF
