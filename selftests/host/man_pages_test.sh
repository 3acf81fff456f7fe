#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages (Documentation/man/*.8) against the tools they describe, so
# that a page cannot fall behind its tool unnoticed:
#   - each page renders with no groff warning;
#   - every option and subcommand the tool's --help prints (and its devices'
#     and subcommands' own --help), and for vl-qmpd every command its
#     query-commands answers, heads a tagged paragraph (.TP) of the page;
#   - every exit status the help names heads one in EXIT STATUS;
#   - `make install DESTDIR=...' stages the tools and the pages, and man
#     finds the staged pages;
#   - the check itself fails on a page with one option or subcommand cut
#     out.
# Run after `make` (make check builds first).  TAP output for
# scripts/run-host-tests.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$top/build/bin
pages=$top/Documentation/man
TOOLS="vl-backend vlctl vl-qmpd vl-qmp"
tmp=$(mktemp -d)
qmpd_pid=
cleanup() {
	[ -n "$qmpd_pid" ] && kill "$qmpd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

n=0 status=0
result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n man_pages.$2"
	else
		echo "not ok $n man_pages.$2"
		status=1
	fi
}

# ---- What the tools say -----------------------------------------------------

# The options a help text names: --long and -s words, not the hyphens
# inside words such as vl-backend or read-only.
help_options() {
	grep -oE -- '(^|[^[:alnum:]-])--?[[:alpha:]][[:alnum:]-]*' |
		sed -E 's/^[^-]+//' | sort -u
}

# The first word of each entry of a "Commands:" or "Devices:" section.
help_subcommands() {
	awk '/^(Commands|Devices):$/ { in_list = 1; next }
	     /^$/ { in_list = 0 }
	     in_list && /^  [a-z]/ { print $1 }' | sort -u
}

# The exit statuses a help text names: the digits after "Exit status:".
help_exit_statuses() {
	sed -n '/^Exit status:/,/^$/p' | grep -oE '\<[0-9]\>' | sort -u
}

# Every help text of tool $1, one after the other.
all_help() {
	local tool=$1 sub
	"$bin/$tool" --help
	case "$tool" in
	vlctl) "$bin/vlctl" log --help ;;
	vl-backend)
		for sub in $("$bin/vl-backend" --help | help_subcommands); do
			"$bin/vl-backend" "$sub" --help
		done ;;
	esac
}

# The commands vl-qmpd serves, from its own query-commands: the daemon
# serves QMP without the module.  quit makes it close the connection.
qmp_commands() {
	local sock=$tmp/qmp.sock reply
	"$bin/vl-qmpd" --qmp "unix:$sock" --pidfile "$tmp/qmpd.pid" \
		--daemonize 2>"$tmp/qmpd.err" || return 1
	qmpd_pid=$(cat "$tmp/qmpd.pid")
	reply=$(printf '%s' '{"execute": "qmp_capabilities"}' \
		'{"execute": "query-commands"}' '{"execute": "quit"}' |
		timeout 60 socat -t 30 - "UNIX-CONNECT:$sock")
	# It removes its pid file as it exits; the trap kills it otherwise.
	for _ in $(seq 50); do
		[ -e "$tmp/qmpd.pid" ] || { qmpd_pid=; break; }
		sleep 0.1
	done
	grep -oE '"name": "[^"]+"' <<< "$reply" | cut -d'"' -f4 | sort -u
}

# ---- What a page says -------------------------------------------------------

# The tags of page $1's tagged paragraphs (the line after each .TP), as
# text, each after its section's name and a tab: "EXIT STATUS<TAB>2".
# Font escapes and quotes go; .B and .I join their words with blanks, the
# alternating macros (.BR, .IR, ...) without.
page_tags() {
	awk '
	function text(line,    macro, rest, n, i, c, quoted, word, has, words, sep, out) {
		macro = ""
		if (line ~ /^\.[A-Z]+( |$)/) {
			macro = line
			sub(/ .*/, "", macro)
			line = substr(line, length(macro) + 2)
		}
		if (macro == "") {
			out = line
		} else {
			n = 0; word = ""; quoted = 0; has = 0
			for (i = 1; i <= length(line); i++) {
				c = substr(line, i, 1)
				if (c == "\"") { quoted = !quoted; has = 1; continue }
				if (c == " " && !quoted) {
					if (has) { words[++n] = word; word = ""; has = 0 }
					continue
				}
				word = word c; has = 1
			}
			if (has) words[++n] = word
			sep = (macro == ".B" || macro == ".I") ? " " : ""
			out = ""
			for (i = 1; i <= n; i++) out = out (i > 1 ? sep : "") words[i]
		}
		gsub(/\\f[BIRP]/, "", out)
		gsub(/\\-/, "-", out)
		gsub(/\\\(dq/, "\"", out)
		gsub(/\\&/, "", out)
		return out
	}
	/^\.SH / { section = substr($0, 5); gsub(/"/, "", section); next }
	tag { print section "\t" text($0); tag = 0; next }
	/^\.TP/ { tag = 1 }
	' "$1"
}

# Whether a tag of page $1 starts with $2 (after other names of the same
# thing: "-f, --file FILE" is the tag of -f and of --file).
has_tag() {
	local page=$1 word=$2
	page_tags "$page" | cut -f2 |
		grep -qE -- "^([^ ,]+, )*$(sed 's/[.[*^$]/\\&/g' <<< "$word")([ ,=]|$)"
}

# check_page PAGE HELP-FILE [EXTRA-WORDS-FILE]: print what the page lacks,
# one "option X", "subcommand X", "command X" or "exit status N" a line;
# false when it lacks anything.
check_page() {
	local page=$1 help=$2 extra=${3:-} word missing=
	for word in $(help_options < "$help"); do
		has_tag "$page" "$word" || missing="$missing option $word;"
	done
	for word in $(help_subcommands < "$help"); do
		has_tag "$page" "$word" || missing="$missing subcommand $word;"
	done
	if [ -n "$extra" ]; then
		for word in $(cat "$extra"); do
			has_tag "$page" "$word" || missing="$missing command $word;"
		done
	fi
	for word in $(help_exit_statuses < "$help"); do
		page_tags "$page" | grep -qx "EXIT STATUS"$'\t'"$word" ||
			missing="$missing exit status $word;"
	done
	[ -z "$missing" ] && return 0
	tr ';' '\n' <<< "$missing" | sed '/^$/d; s/^ */# lacks /'
	return 1
}

# ---- The checks ---------------------------------------------------------------

renders_clean() {
	local page=$pages/$1.8 out
	[ -f "$page" ] || { echo "# $page is missing"; return 1; }
	out=$(groff -man -ww -z "$page" 2>&1)
	[ -z "$out" ] || { sed 's/^/# /' <<< "$out"; return 1; }
	# What man shows (its own preprocessing and warnings) says the same.
	out=$(man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$out" ] || { sed 's/^/# /' <<< "$out"; return 1; }
}

documents_help() {
	local tool=$1 extra=
	all_help "$tool" > "$tmp/$tool.help" 2>&1 || {
		echo "# $tool --help failed"; return 1; }
	# A help text with nothing in it would make every page pass.
	[ -n "$(help_options < "$tmp/$tool.help")" ] || {
		echo "# no option found in $tool's help"; return 1; }
	if [ "$tool" = vl-qmpd ]; then
		qmp_commands > "$tmp/qmp.commands" || {
			sed 's/^/# /' "$tmp/qmpd.err"; return 1; }
		[ -s "$tmp/qmp.commands" ] || {
			echo "# query-commands named no command"; return 1; }
		extra=$tmp/qmp.commands
	fi
	check_page "$pages/$tool.8" "$tmp/$tool.help" $extra
}

# A copy of page $2 with the tag lines matching $3 deleted must fail the
# check, naming $4.
catches_cut() {
	local tool=$1 page=$pages/$1.8 cut=$tmp/cut.8 out
	sed "/$2/d" "$page" > "$cut"
	if cmp -s "$page" "$cut"; then
		echo "# the cut of '$2' did not apply"
		return 1
	fi
	out=$(check_page "$cut" "$tmp/$tool.help" \
		$([ "$tool" = vl-qmpd ] && echo "$tmp/qmp.commands"))
	if [ $? -eq 0 ] || [[ $out != *"$3"* ]]; then
		sed 's/^/# /' <<< "$out"
		echo "# $tool.8 without '$2' passed the check, or it did not say $3"
		return 1
	fi
}

install_stages() {
	local stage=$tmp/stage tool
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$top" --no-print-directory install \
		DESTDIR="$stage" PREFIX=/usr > "$tmp/install.log" 2>&1 || {
		sed 's/^/# /' "$tmp/install.log"; return 1; }
	for tool in $TOOLS; do
		[ -x "$stage/usr/bin/$tool" ] || {
			echo "# $stage/usr/bin/$tool not installed"; return 1; }
		cmp -s "$pages/$tool.8" "$stage/usr/share/man/man8/$tool.8" || {
			echo "# $tool.8 not installed as it is"; return 1; }
		[ "$(stat -c %a "$stage/usr/share/man/man8/$tool.8")" = 644 ] || {
			echo "# $tool.8 not mode 644"; return 1; }
		[ "$(man -M "$stage/usr/share/man" -w 8 "$tool")" = \
		  "$stage/usr/share/man/man8/$tool.8" ] || {
			echo "# man does not find the staged $tool(8)"; return 1; }
	done
	# Those files and nothing else.
	[ "$(find "$stage" -type f | wc -l)" -eq 8 ] || {
		find "$stage" -type f | sed 's/^/# installed: /'; return 1; }
}

echo "TAP version 13"
echo "1..12"
for tool in $TOOLS; do
	renders_clean "$tool" && result ok "${tool}_renders_without_warnings" ||
		result fail "${tool}_renders_without_warnings"
	documents_help "$tool" && result ok "${tool}_documents_its_help" ||
		result fail "${tool}_documents_its_help"
done
catches_cut vlctl '^\.B \\-\\-window' "option --window" &&
	result ok check_catches_a_missing_option ||
	result fail check_catches_a_missing_option
catches_cut vl-backend '^\.B console' "subcommand console" &&
	result ok check_catches_a_missing_device ||
	result fail check_catches_a_missing_device
catches_cut vl-qmpd '^\.B replay\\-seek' "command replay-seek" &&
	result ok check_catches_a_missing_qmp_command ||
	result fail check_catches_a_missing_qmp_command
install_stages && result ok make_install_stages_tools_and_pages ||
	result fail make_install_stages_tools_and_pages
exit $status
