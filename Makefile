# SPDX-License-Identifier: GPL-2.0
#
# virtio-loopback top-level Makefile.
#
#   make                 module for every test kernel, tools, selftests
#   make KDIR=<dir> modules   module for one kernel build tree (a real board)
#   make check           host unit tests, then the selftests in a QEMU VM
#                        on each test kernel and on the debug kernel; ends
#                        with "N passed, N failed"
#   make check-debug     the selftests on the debug kernel only (KASAN,
#                        lockdep, KFENCE, kmemleak)
#   make debug-kernel    build the debug kernel if its cache key changed
#   make demo            in the test VM: record a blk device through vl-qmpd,
#                        replay it over QMP with no backend (KVER=<release>)
#   make vm-shell        a shell in the test VM (KVER=<release> picks one)
#   make bench           fio on vl-blk and a loop device in the test VM,
#                        a table of the ratios (KVER=<release> picks one)
#   make checkpatch      checkpatch.pl --strict over kmod/ and include/
#   make install         tools to $(DESTDIR)$(PREFIX)/bin, their man pages
#                        to $(DESTDIR)$(PREFIX)/share/man/man8

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
CACHE	:= $(TOP)/.cache
KSRC	:= $(CACHE)/src/linux-source-6.12
KSFT	:= $(KSRC)/tools/testing/selftests
PREFIX	?= /usr/local
MANDIR	?= $(PREFIX)/share/man

# The test kernels are the ones scripts/setup finished unpacking: a folder
# counts once it holds .done, so a half-unpacked one is never built or booted.
KVERS	?= $(sort $(notdir $(patsubst %/.done,%,$(wildcard $(CACHE)/kernels/*/.done))))
KVER	?= $(lastword $(KVERS))
# The debug kernel scripts/build-debug-kernel built (a link into its cache),
# apart from KVERS so that only its own stage boots it.
DEBUG_KVERS ?= $(sort $(notdir $(wildcard $(CACHE)/kernels-debug/*)))

ifdef KDIR
MODULE_KDIRS := $(KDIR)
else
MODULE_KDIRS := $(foreach v,$(KVERS),/usr/src/linux-headers-$(v)) \
	$(foreach v,$(DEBUG_KVERS),$(CACHE)/kernels-debug/$(v)/build)
endif

CC	?= gcc
USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I$(TOP)/include/uapi -I$(TOP)/userspace/lib
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS	:= $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
# The harness compares expected and seen values of any type, and forks
# its tests with vfork().
KSFT_CFLAGS := -I$(KSFT) -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered

LIBVL_HDRS := $(wildcard userspace/lib/*.h) include/uapi/linux/virtio_loopback.h
# The library in two parts: the backend channel (no dependencies), which
# vl-backend links alone, and the generic netlink client (libnl), for
# vlctl and the selftests that include vl_genl.h.
LIBVL_CHANNEL_SRCS := userspace/lib/vl_channel.c
LIBVL_GENL_SRCS := userspace/lib/vl_genl.c
# Logs: loading and checking one (with the format's parser, LOGFMT_SRCS),
# feeding play mode: vlctl and vl-qmpd.
LIBVL_LOG_SRCS := userspace/lib/log_file.c userspace/lib/play_feed.c \
	userspace/lib/vl_log_stream.c
# The family's attributes as tables, and as JSON (json-c): vlctl, vl-qmpd.
LIBVL_ATTRS_SRCS := userspace/lib/vl_attrs.c
# A QMP client (json-c): vl-qmp and the selftests that speak QMP.
LIBVL_QMP_SRCS := userspace/lib/qmp_client.c
GENL_SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,\
	$(shell grep -l '"vl_genl.h"' selftests/vl_*_test.c 2>/dev/null))
# Selftests that read logs do it with the module's own parser.
LOGFMT_SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,\
	$(shell grep -l '"vl_logfmt.h"' selftests/vl_*_test.c 2>/dev/null))
# Selftests that speak QMP (vl_test_qmp.h) parse it with json-c.
QMP_SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,\
	$(shell grep -l '"vl_test_qmp.h"' selftests/vl_*_test.c 2>/dev/null))

# The replay log's format, parsed and checked by one C file that the module
# builds too (kmod/vl_logfmt.c): vlctl log, its host tests and its fuzzer.
LOGFMT_SRCS := kmod/vl_logfmt.c
LOGFMT_HDRS := kmod/vl_logfmt.h include/uapi/linux/virtio_loopback.h
LOGFMT_CFLAGS := -I$(TOP)/kmod
# vlctl: one file per subcommand.
VLCTL_SRCS := $(wildcard userspace/vlctl/*.c)
VLCTL_HDRS := $(wildcard userspace/vlctl/*.h)

TOOLS	:= $(BUILD)/bin/vlctl $(BUILD)/bin/vl-backend $(BUILD)/bin/vl-qmpd \
	$(BUILD)/bin/vl-qmp
# Their man pages, roff written by hand (selftests/host/man_pages_test.sh
# checks them against the tools' --help).
MAN8	:= $(patsubst $(BUILD)/bin/%,Documentation/man/%.8,$(TOOLS))
# vl-qmpd: the QMP daemon, one file per part.
QMPD_SRCS := $(wildcard userspace/qmpd/*.c)
QMPD_HDRS := $(wildcard userspace/qmpd/*.h)
BACKEND_SRCS := $(wildcard userspace/backend/*.c)
BACKEND_HDRS := $(wildcard userspace/backend/*.h)
SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,$(wildcard selftests/vl_*_test.c))
# Selftests in shell (vl_demo_test: scripts/demo, as make demo runs it).
SELFTEST_SCRIPTS := $(patsubst selftests/%.sh,$(BUILD)/selftests/%,$(wildcard selftests/vl_*_test.sh))
HOST_TESTS := $(patsubst selftests/host/%.c,$(BUILD)/host-tests/%,$(wildcard selftests/host/*_test.c))
# Host tests in shell (scripts/setup's kernel handling, what the tools link).
HOST_SCRIPTS := $(wildcard selftests/host/*_test.sh)
TAP_SUMMARY := $(BUILD)/host-tests/vl-tap-summary
RUNNER_SRCS := selftests/runner/tap_parse.c
JSON_CFLAGS := $(shell pkg-config --cflags json-c 2>/dev/null)
JSON_LIBS := $(shell pkg-config --libs json-c 2>/dev/null)
BENCH_REPORT := $(BUILD)/bin/vl-bench-report
BENCH_REPORT_SRCS := userspace/tools/bench_report.c
BENCH_REPORT_HDRS := userspace/tools/bench_report.h

# libFuzzer targets (selftests/fuzz/): built with clang, run for a bounded
# number of inputs by `make check`; `make fuzz FUZZ_RUNS=-1` runs forever.
FUZZERS := $(patsubst selftests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard selftests/fuzz/*_fuzz.c))
FUZZ_RUNS ?= 1000000
# A target slower per input runs fewer in `make check`: FUZZ_RUNS_<name>.
FUZZ_RUNS_vl_logfmt_fuzz ?= 300000
FUZZ_CHECK = $(foreach f,$(FUZZERS),$(f)$(addprefix :,$(FUZZ_RUNS_$(notdir $(f)))))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I$(TOP)/include/uapi -I$(TOP)/userspace/lib -D_GNU_SOURCE

.PHONY: fuzz fuzzers all modules userspace selftests host-tests check check-host check-vm \
	check-debug check-debug-stage debug-kernel demo vm-shell bench checkpatch sparse install clean

all: modules userspace selftests

modules:
	@[ -n "$(strip $(MODULE_KDIRS))" ] || \
		{ echo "no test kernels: run scripts/setup, or give KDIR=" >&2; exit 1; }
	@for kdir in $(MODULE_KDIRS); do \
		scripts/build-module "$$kdir" $(if $(C),C=$(C)) || exit 1; \
	done

userspace: $(TOOLS)

$(BUILD)/bin/vlctl: $(VLCTL_SRCS) $(VLCTL_HDRS) $(LOGFMT_SRCS) $(LOGFMT_HDRS) \
		$(LIBVL_CHANNEL_SRCS) $(LIBVL_GENL_SRCS) $(LIBVL_LOG_SRCS) \
		$(LIBVL_ATTRS_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(LOGFMT_CFLAGS) $(NL_CFLAGS) $(JSON_CFLAGS) -o $@ \
		$(filter %.c,$^) $(NL_LIBS) $(JSON_LIBS)

$(BUILD)/bin/vl-qmpd: $(QMPD_SRCS) $(QMPD_HDRS) $(LOGFMT_SRCS) $(LOGFMT_HDRS) \
		$(LIBVL_GENL_SRCS) $(LIBVL_LOG_SRCS) $(LIBVL_ATTRS_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(LOGFMT_CFLAGS) $(NL_CFLAGS) $(JSON_CFLAGS) -o $@ \
		$(filter %.c,$^) $(NL_LIBS) $(JSON_LIBS)

$(BUILD)/bin/vl-qmp: userspace/tools/vl-qmp.c $(LIBVL_QMP_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(JSON_LIBS)

$(BUILD)/bin/vl-backend: $(BACKEND_SRCS) $(BACKEND_HDRS) $(LIBVL_CHANNEL_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -pthread -o $@ $(filter %.c,$^)

$(BENCH_REPORT): userspace/tools/vl-bench-report.c $(BENCH_REPORT_SRCS) $(BENCH_REPORT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(JSON_LIBS)

selftests: $(SELFTESTS) $(SELFTEST_SCRIPTS)

$(SELFTEST_SCRIPTS): $(BUILD)/selftests/%: selftests/%.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(GENL_SELFTESTS): $(LIBVL_GENL_SRCS)
$(GENL_SELFTESTS): SELFTEST_NL_CFLAGS = $(NL_CFLAGS)
$(GENL_SELFTESTS): SELFTEST_NL_LIBS = $(NL_LIBS)
$(LOGFMT_SELFTESTS): kmod/vl_logfmt.c kmod/vl_logfmt.h
$(LOGFMT_SELFTESTS): SELFTEST_LOGFMT_CFLAGS = -I$(TOP)/kmod
$(QMP_SELFTESTS): $(LIBVL_QMP_SRCS)
$(QMP_SELFTESTS): SELFTEST_JSON_CFLAGS = $(JSON_CFLAGS)
$(QMP_SELFTESTS): SELFTEST_JSON_LIBS = $(JSON_LIBS)

$(BUILD)/selftests/%: selftests/%.c $(wildcard selftests/*.h) $(LIBVL_CHANNEL_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(SELFTEST_NL_CFLAGS) \
		$(SELFTEST_LOGFMT_CFLAGS) $(SELFTEST_JSON_CFLAGS) -pthread -o $@ \
		$(filter %.c,$^) $(SELFTEST_NL_LIBS) $(SELFTEST_JSON_LIBS)

host-tests: $(HOST_TESTS) $(TAP_SUMMARY) $(FUZZERS)

$(BUILD)/fuzz/vl_channel_fuzz: selftests/fuzz/vl_channel_fuzz.c userspace/lib/vl_channel.c $(LIBVL_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# The log parser, and vlctl's decoder behind it, on arbitrary logs.
$(BUILD)/fuzz/vl_logfmt_fuzz: selftests/fuzz/vl_logfmt_fuzz.c $(LOGFMT_SRCS) \
		userspace/vlctl/log_decode.c $(LOGFMT_HDRS) $(VLCTL_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(LOGFMT_CFLAGS) $(JSON_CFLAGS) -I$(TOP)/userspace/vlctl \
		-o $@ $(filter %.c,$^) $(JSON_LIBS)

fuzzers: $(FUZZERS)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
		$$f -runs=$(FUZZ_RUNS) $(BUILD)/fuzz/corpus-$$(basename $$f) || exit 1; \
	done

$(BUILD)/host-tests/%_test: selftests/host/%_test.c $(RUNNER_SRCS) selftests/runner/tap_parse.h $(LIBVL_CHANNEL_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) -o $@ $(filter %.c,$^)

# vl-backend's blk model on the host: dev_blk.c with a fake event loop
# the test provides, on image files in /tmp.
$(BUILD)/host-tests/vl_blk_model_test: selftests/host/vl_blk_model_test.c userspace/backend/dev_blk.c userspace/backend/log.c $(BACKEND_HDRS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) -I$(TOP)/userspace/backend -o $@ $(filter %.c,$^)

# vl-backend's vhost-user protocol and shadow rings on the host, against a
# fake back-end on a socketpair and used rings the test writes.
$(BUILD)/host-tests/vhost_user_proto_test: selftests/host/vhost_user_proto_test.c \
		userspace/backend/vhost_user_msg.c userspace/backend/vhost_user_mem.c \
		$(BACKEND_HDRS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) -I$(TOP)/userspace/backend -o $@ $(filter %.c,$^)

# The replay log's parser and builders (kmod/vl_logfmt.c), on the host.
$(BUILD)/host-tests/vl_logfmt_test: selftests/host/vl_logfmt_test.c selftests/host/vl_logbuild.h \
		$(LOGFMT_SRCS) $(LOGFMT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(LOGFMT_CFLAGS) -o $@ $(filter %.c,$^)

# vlctl log, run in-process on logs the test builds.
VLCTL_LOG_SRCS := userspace/vlctl/log_cmd.c userspace/vlctl/log_decode.c \
	userspace/lib/log_file.c
$(BUILD)/host-tests/vlctl_log_test: selftests/host/vlctl_log_test.c selftests/host/vl_logbuild.h \
		selftests/host/vlctl_run.h $(VLCTL_LOG_SRCS) $(LOGFMT_SRCS) $(LOGFMT_HDRS) $(VLCTL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(LOGFMT_CFLAGS) $(JSON_CFLAGS) \
		-I$(TOP)/userspace/vlctl -o $@ $(filter %.c,$^) $(JSON_LIBS)

# vlctl replay, run in-process: the play descriptor's system calls are the
# test's fake module (the linker's --wrap).
VLCTL_REPLAY_SRCS := userspace/vlctl/replay_cmd.c $(LIBVL_LOG_SRCS) \
	userspace/vlctl/args.c
VLCTL_REPLAY_WRAP := $(foreach f,ioctl lseek write poll,-Wl,--wrap=$(f))
$(BUILD)/host-tests/vlctl_replay_test: selftests/host/vlctl_replay_test.c selftests/host/vl_logbuild.h \
		selftests/host/vlctl_run.h $(VLCTL_REPLAY_SRCS) $(LOGFMT_SRCS) $(LOGFMT_HDRS) $(VLCTL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(LOGFMT_CFLAGS) $(JSON_CFLAGS) \
		-I$(TOP)/userspace/vlctl -o $@ $(filter %.c,$^) $(JSON_LIBS) \
		$(VLCTL_REPLAY_WRAP)

# vlctl's netlink printing and the library's transactions (on nlctrl).
$(BUILD)/host-tests/vlctl_genl_test: selftests/host/vlctl_genl_test.c userspace/vlctl/attrs.c \
		$(LIBVL_GENL_SRCS) $(LIBVL_ATTRS_SRCS) $(LIBVL_HDRS) $(VLCTL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(NL_CFLAGS) $(JSON_CFLAGS) \
		-I$(TOP)/userspace/vlctl -o $@ $(filter %.c,$^) $(NL_LIBS) $(JSON_LIBS)

# vl-qmpd's QMP layer and commands, in-process against a fake module.
QMP_TEST_SRCS := $(addprefix userspace/qmpd/,qmp.c qmp_frame.c qmp_json.c commands.c events.c)
$(BUILD)/host-tests/vl_qmp_test: selftests/host/vl_qmp_test.c $(QMP_TEST_SRCS) $(QMPD_HDRS) \
		$(LIBVL_GENL_SRCS) $(LIBVL_ATTRS_SRCS) $(LIBVL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(NL_CFLAGS) $(JSON_CFLAGS) \
		-I$(TOP)/userspace/qmpd -o $@ $(filter %.c,$^) $(NL_LIBS) $(JSON_LIBS)

# The daemon itself on the host, without the module: it runs the binary.
$(BUILD)/host-tests/vl_qmpd_test: selftests/host/vl_qmpd_test.c $(BUILD)/bin/vl-qmpd
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) -o $@ $(filter %.c,$^)

# The bench report's parser, with json-c rather than the channel library.
$(BUILD)/host-tests/bench_report_test: selftests/host/bench_report_test.c $(BENCH_REPORT_SRCS) $(BENCH_REPORT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) $(JSON_CFLAGS) -o $@ $(filter %.c,$^) $(JSON_LIBS) -lm

$(TAP_SUMMARY): selftests/runner/vl-tap-summary.c $(RUNNER_SRCS) selftests/runner/tap_parse.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.c,$^)

# Every stage writes a marker-wrapped TAP log into build/results; a failing
# stage does not stop the others, the summary at the end judges them all.
check: all host-tests
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	@scripts/run-host-tests $(HOST_TESTS) $(HOST_SCRIPTS) > $(BUILD)/results/host.log 2>&1 || true
	@scripts/run-fuzzers $(FUZZ_RUNS) $(FUZZ_CHECK) > $(BUILD)/results/fuzz.log 2>&1 || true
	@for v in $(KVERS); do \
		echo "== booting $$v"; \
		scripts/vm-run --kernel "$$v" --mode test \
			--out $(BUILD)/results/$$v || true; \
	done
	@$(run-debug-stage)
	@$(TAP_SUMMARY) --expected-skips selftests/expected-skips \
		host=$(BUILD)/results/host.log fuzz=$(BUILD)/results/fuzz.log \
		$(foreach v,$(KVERS),$(v)=$(BUILD)/results/$(v)/results.log) \
		$(DEBUG_STAGES)

# The debug kernel's stage: its log, or a failing "no log" line that says
# what is missing.
DEBUG_STAGES = $(if $(DEBUG_KVERS),$(foreach v,$(DEBUG_KVERS),$(v)=$(BUILD)/results/$(v)/results.log),debug-kernel=$(BUILD)/results/no-debug-kernel)
define run-debug-stage
[ -n "$(DEBUG_KVERS)" ] || echo "== no debug kernel: run scripts/setup (or make debug-kernel)"; \
for v in $(DEBUG_KVERS); do \
	echo "== booting $$v"; \
	scripts/vm-run --kernel "$$v" --mode test \
		--out $(BUILD)/results/$$v || true; \
done
endef

# The debug kernel is built by scripts/setup; this rebuilds it after a change
# to scripts/debug-kernel.config or scripts/build-debug-kernel.
debug-kernel:
	scripts/build-debug-kernel

# Rebuilds the kernel first if its key changed, then looks again for it.
check-debug:
	@scripts/build-debug-kernel
	@$(MAKE) --no-print-directory check-debug-stage

check-debug-stage: all $(TAP_SUMMARY)
	@rm -rf $(addprefix $(BUILD)/results/,$(DEBUG_KVERS) no-debug-kernel)
	@mkdir -p $(BUILD)/results
	@$(run-debug-stage)
	@$(TAP_SUMMARY) --expected-skips selftests/expected-skips $(DEBUG_STAGES)

demo: all
	scripts/vm-run --kernel "$(KVER)" --mode demo --out $(BUILD)/demo

vm-shell: all
	scripts/vm-run --kernel "$(KVER)" --mode shell --out $(BUILD)/vm-shell

# A benchmark, not a test: it never fails on a number, only when nothing
# was measured or the VM's kernel log has errors (the table still shows).
bench: all $(BENCH_REPORT)
	@out=$(BUILD)/bench/$(KVER); status=0; \
	scripts/vm-run --kernel "$(KVER)" --mode bench --out "$$out" || status=$$?; \
	$(BENCH_REPORT) --json "$$out/bench.json" "$$out/results.log" || status=1; \
	echo "bench: $$out/bench.json"; exit $$status

checkpatch:
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict -f \
		kmod/*.c kmod/*.h include/uapi/linux/*.h

sparse:
	$(MAKE) modules C=2

install: userspace
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/

clean:
	rm -rf $(BUILD)
