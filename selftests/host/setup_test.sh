#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scripts/setup's handling of the test kernels after a kernel
# update, in a fake world: no network, no root, nothing installed.  Each
# test sources scripts/setup (its functions, not its main) in a subshell,
# replaces the apt and dpkg calls with fakes that read and write files
# under a temporary folder, and runs setup's own kernel code on a fake
# .cache.  The image packages it "downloads" are real .debs built with
# dpkg-deb, so unpacking and depmod are setup's real ones too.  Last, the
# Makefile's KVERS is read on that cache: only finished kernels may count.
#
# TAP output, as the kselftest harness prints it, for scripts/run-host-tests.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

META61=linux-image-amd64
META612=linux-image-6.12-amd64
ABI61=6.1.0-9-amd64
OLD612=6.12.1+deb12-amd64
NEW612=6.12.2+deb12-amd64

# ---- The fake world: what the lists say, what the archive has -------------
#
# $W/lists/<meta>    the image the local lists resolve <meta> to
# $W/lists/avail     packages the local lists offer, one a line
# $W/archive/...     the same after `apt-get update`
# $W/installed       installed packages
# $W/calls           what setup asked of apt: update, install P, download P
# $W/age             how old the lists are, in seconds
# $W/offline         if present, apt-get update fails
# $W/corrupt         if present, downloads are truncated .debs

# A world where 6.12 moved from $OLD612 to $NEW612 since the lists were
# fetched, and the cache holds the old kernels.
make_world() {
	W=$work/$1
	mkdir -p "$W/lists" "$W/archive" "$W/cache/kernels" "$W/usr/src"
	echo "linux-image-$ABI61" > "$W/lists/$META61"
	echo "linux-image-$OLD612" > "$W/lists/$META612"
	printf '%s\n' "linux-image-$ABI61-unsigned" "linux-headers-$ABI61" \
		"linux-image-$OLD612-unsigned" "linux-headers-$OLD612" \
		> "$W/lists/avail"
	echo "linux-image-$ABI61" > "$W/archive/$META61"
	echo "linux-image-$NEW612" > "$W/archive/$META612"
	# The old 6.12 ABI has left the archive.
	printf '%s\n' "linux-image-$ABI61-unsigned" "linux-headers-$ABI61" \
		"linux-image-$NEW612-unsigned" "linux-headers-$NEW612" \
		> "$W/archive/avail"
	printf '%s\n' "linux-headers-$ABI61" "linux-headers-$OLD612" \
		> "$W/installed"
	mkdir -p "$W/usr/src/linux-headers-$ABI61" \
		"$W/usr/src/linux-headers-$OLD612"
	fake_kernel "$W/cache/kernels/$ABI61" "$ABI61" "$META61"
	fake_kernel "$W/cache/kernels/$OLD612" "$OLD612" "$META612"
	: > "$W/calls"
	echo 60 > "$W/age"
}

# A finished kernel, as setup leaves one.
fake_kernel() {
	mkdir -p "$1/boot" "$1/lib/modules/$2"
	echo "vmlinuz $2" > "$1/boot/vmlinuz-$2"
	echo "$3" > "$1/.meta"
	touch "$1/.done"
}

# What an image package holds, as far as setup cares.
build_deb() {
	local abi=$1 out=$2 pkg=$work/pkg-$1
	rm -rf "$pkg"
	mkdir -p "$pkg/DEBIAN" "$pkg/boot" "$pkg/lib/modules/$abi/kernel"
	printf 'Package: linux-image-%s-unsigned\nVersion: 1\nArchitecture: amd64\nMaintainer: test <test@example.org>\nDescription: fake\n' \
		"$abi" > "$pkg/DEBIAN/control"
	echo "vmlinuz $abi" > "$pkg/boot/vmlinuz-$abi"
	: > "$pkg/lib/modules/$abi/modules.order"
	: > "$pkg/lib/modules/$abi/modules.builtin"
	: > "$pkg/lib/modules/$abi/modules.builtin.modinfo"
	dpkg-deb -Zgzip -b "$pkg" "$out" >/dev/null
}

# Replace setup's apt and dpkg calls (after sourcing it) with the fakes.
install_fakes() {
	cache=$W/cache
	usr_src=$W/usr/src
	apt_update() {
		echo update >> "$W/calls"
		[ ! -e "$W/offline" ] || return 1
		cp "$W"/archive/* "$W/lists/"
	}
	apt_install() {
		local p
		for p in "$@"; do
			echo "install $p" >> "$W/calls"
			grep -qx "$p" "$W/lists/avail" || return 1
			echo "$p" >> "$W/installed"
			case "$p" in
			linux-headers-*) mkdir -p "$usr_src/$p" ;;
			esac
		done
	}
	apt_download() {
		local abi=${2#linux-image-}
		abi=${abi%-unsigned}
		echo "download $2" >> "$W/calls"
		grep -qx "$2" "$W/lists/avail" || return 1
		build_deb "$abi" "$1/$2_1_amd64.deb"
		if [ -e "$W/corrupt" ]; then
			# Cut where the data archive starts: a download that broke off.
			truncate -s "$(($(stat -c %s "$1/$2_1_amd64.deb") / 2))" \
				"$1/$2_1_amd64.deb"
		fi
	}
	package_installed() { grep -qx "$1" "$W/installed"; }
	package_available() { grep -qx "$1" "$W/lists/avail"; }
	resolve_image() { cat "$W/lists/$1" 2>/dev/null || true; }
	lists_age() { cat "$W/age"; }
}

# Run setup's kernel stage in world $W, as its main() would; output to
# $W/out.  Returns setup's status.
run_setup() {
	(
		# shellcheck source=../../scripts/setup
		source "$top/scripts/setup"
		install_fakes
		refresh_lists_if_old
		prepare_kernels
	) > "$W/out" 2>&1
}

# ---- Checks ----------------------------------------------------------------

fail() {
	echo "# $*"
	echo "# setup said:"
	sed 's/^/#   /' "$W/out" 2>/dev/null
	return 1
}

# The cache's kernels folder holds exactly these names (hidden ones too).
expect_cache() {
	local have want
	have=$(ls -A "$W/cache/kernels" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$have" = "$want" ] || fail "cache holds '$have', want '$want'"
}

# The Makefile's KVERS on the fake cache is exactly these.
expect_kvers() {
	local have want
	have=$(env -u KVERS make -s --no-print-directory -C "$top" \
		CACHE="$W/cache" --eval 'vl-print-kvers: ; @echo $(KVERS)' \
		vl-print-kvers 2>&1)
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$have " = "$want" ] || fail "make's KVERS is '$have', want '${want% }'"
}

expect_calls() {
	local have want
	have=$(tr '\n' ';' < "$W/calls")
	want=$(printf '%s;' "$@")
	[ "$have" = "${want%;}" ] || [ "$have" = "$want" ] ||
		fail "apt calls '$have', want '$want'"
}

expect_finished() {
	local dir=$W/cache/kernels/$1
	[ -f "$dir/.done" ] || fail "$1 has no .done"
	[ "$(cat "$dir/.meta" 2>/dev/null)" = "$2" ] || fail "$1: .meta is not $2"
	[ -f "$dir/boot/vmlinuz-$1" ] || fail "$1: no vmlinuz"
	[ -f "$dir/lib/modules/$1/modules.dep" ] || fail "$1: depmod did not run"
}

# ---- Tests -------------------------------------------------------------------

# Old lists, a new 6.12 ABI in the archive, a half-unpacked folder of it
# and an unpack leftover in the cache: setup moves to the new ABI, installs
# its headers, and drops the old kernel and the debris.
test_new_abi_after_a_kernel_update() {
	make_world new_abi
	echo $((3 * 86400)) > "$W/age"
	mkdir -p "$W/cache/kernels/$NEW612/boot" \
		"$W/cache/kernels/.unpack-$NEW612.Xy12ab/root"
	run_setup || fail "setup failed" || return
	expect_calls update "install linux-headers-$NEW612" \
		"download linux-image-$NEW612-unsigned" || return
	expect_cache "$ABI61" "$NEW612" || return
	expect_finished "$NEW612" "$META612" || return
	expect_kvers "$ABI61" "$NEW612" || return
	grep -qx "linux-headers-$NEW612" "$W/installed" ||
		fail "headers of $NEW612 not installed"
}

# Fresh lists that already name the new ABI: no update, but its headers
# and image are fetched.  (The installed headers meta-package would never
# have moved by itself.)
test_fresh_lists_naming_a_new_abi() {
	make_world fresh_new
	cp "$W"/archive/* "$W/lists/"
	run_setup || fail "setup failed" || return
	expect_calls "install linux-headers-$NEW612" \
		"download linux-image-$NEW612-unsigned" || return
	expect_cache "$ABI61" "$NEW612" || return
	expect_kvers "$ABI61" "$NEW612"
}

# Fresh-looking lists that name an ABI the archive no longer has the
# headers for: that is reason enough to refresh them.
test_unobtainable_headers_refresh_the_lists() {
	make_world no_headers
	sed -i "/linux-headers-$OLD612/d" "$W/installed" "$W/lists/avail"
	rm -rf "$W/cache/kernels/$OLD612"
	run_setup || fail "setup failed" || return
	expect_calls update "install linux-headers-$NEW612" \
		"download linux-image-$NEW612-unsigned" || return
	expect_cache "$ABI61" "$NEW612"
}

# The download breaks half-way: setup fails, leaves no folder that could
# pass for a kernel and drops nothing; the next run finishes the job.
test_broken_unpack_leaves_nothing_make_uses() {
	make_world broken
	cp "$W"/archive/* "$W/lists/"
	touch "$W/corrupt"
	if run_setup; then
		fail "setup succeeded on a corrupt package"
		return
	fi
	expect_cache "$ABI61" "$OLD612" || return
	expect_kvers "$ABI61" "$OLD612" || return
	rm "$W/corrupt"
	run_setup || fail "setup failed on the second run" || return
	expect_cache "$ABI61" "$NEW612" || return
	expect_finished "$NEW612" "$META612"
}

# Run twice: the second run asks apt for nothing and changes nothing.
test_second_run_changes_nothing() {
	make_world twice
	echo $((2 * 86400)) > "$W/age"
	run_setup || fail "setup failed" || return
	echo 60 > "$W/age"
	: > "$W/calls"
	ls -lR --time-style=full-iso "$W/cache/kernels" > "$W/before"
	run_setup || fail "setup failed on the second run" || return
	expect_calls || return
	ls -lR --time-style=full-iso "$W/cache/kernels" > "$W/after"
	cmp -s "$W/before" "$W/after" || fail "the second run changed the cache"
}

# Old lists but no network: setup goes on with what it has.
test_offline_with_old_lists_goes_on() {
	make_world offline
	echo $((3 * 86400)) > "$W/age"
	touch "$W/offline"
	run_setup || fail "setup failed offline with a usable cache" || return
	expect_calls update || return
	grep -q "apt-get update failed" "$W/out" || fail "no warning" || return
	expect_cache "$ABI61" "$OLD612"
}

# A meta-package nobody can resolve: an error, and the cache stays.
test_unresolvable_meta_drops_nothing() {
	make_world unresolvable
	rm "$W/lists/$META612" "$W/archive/$META612"
	mkdir -p "$W/cache/kernels/$NEW612"
	if run_setup; then
		fail "setup succeeded without resolving $META612"
		return
	fi
	grep -q "cannot resolve $META612" "$W/out" || fail "no clear error" ||
		return
	expect_cache "$ABI61" "$OLD612" "$NEW612"
}

# Whatever else is in the cache, make builds and boots finished kernels only.
test_make_lists_only_finished_kernels() {
	make_world make_only
	mkdir -p "$W/cache/kernels/$NEW612/boot" \
		"$W/cache/kernels/.unpack-$NEW612.abcdef/root"
	touch "$W/cache/kernels/.unpack-$NEW612.abcdef/root/.done"
	: > "$W/out"
	expect_kvers "$ABI61" "$OLD612"
}

tests=$(declare -F | sed -n 's/^declare -f test_//p')
echo "TAP version 13"
echo "1..$(echo "$tests" | wc -l)"
n=0 status=0
for t in $tests; do
	n=$((n + 1))
	if "test_$t"; then
		echo "ok $n setup.$t"
	else
		echo "not ok $n setup.$t"
		status=1
	fi
done
exit $status
