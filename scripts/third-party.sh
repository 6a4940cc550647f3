#!/bin/sh
# third-party: cJSON, the one library the static binaries link that Debian 12 ships
# without a static archive, built from Debian's own source package.
#
#   third-party.sh fetch DIR           download and unpack the source into DIR/src (network;
#                                      the Makefile runs it while installing dependencies)
#   third-party.sh build DIR OUT CC AR compile it into OUT/libcjson.a (no network)
#
# fetch uses a private apt configuration under DIR/apt: the mirrors this machine already
# uses, as deb-src, with their own lists and cache, so the system's apt configuration,
# state and locks are untouched. The version is that of the installed libcjson-dev, so the
# header the build compiles against and the code it links are the same release.
set -eu

fetch() {
	mkdir -p "$1"
	dir=$(cd "$1" && pwd) # apt reads relative Dir:: paths under /etc/apt
	apt="$dir/apt"
	src=$(dpkg-query -W -f='${source:Package}=${source:Version}' "libcjson-dev:$(dpkg --print-architecture)")
	[ -f "$dir/src/cjson/cJSON.c" ] && [ "$(cat "$dir/src/cjson.version" 2>/dev/null)" = "$src" ] && return 0
	rm -rf "$apt" "$dir/src"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$dir/src/tmp"
	: > "$apt/sources.list"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] && sed -n 's/^deb[[:space:]]/deb-src /p' "$f" >> "$apt/sources.list"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt/sources.list.d/${f##*/}"
	done
	set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/sources.list.d" \
	       -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
	       -o APT::Sandbox::User="$(id -un)" -o Acquire::Languages=none
	echo "nodeward: fetching Debian's source package $src (private apt configuration in $apt)"
	apt-get -qq "$@" update
	# apt-get source checks the .dsc against the signed index; dpkg-source applies
	# Debian's patches (its security fixes among them) while unpacking.
	(cd "$dir/src/tmp" && apt-get -qq "$@" source "$src" >/dev/null)
	tree=$(find "$dir/src/tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$tree" ] && [ -f "$tree/cJSON.c" ] || { echo "nodeward: apt-get source $src gave no cJSON.c" >&2; exit 1; }
	mv "$tree" "$dir/src/cjson"
	rm -rf "$dir/src/tmp"
	echo "$src" > "$dir/src/cjson.version"
}

build() {
	dir=$1 out=$2 cc=$3 ar=$4
	[ -f "$dir/src/cjson/cJSON.c" ] || { echo "nodeward: $dir/src/cjson missing: run make deps-static" >&2; exit 1; }
	mkdir -p "$out"
	# Debian builds it with its default hardening; the same here, as position-independent
	# code for a static-pie link. Its own warnings are not ours to fix.
	$cc -std=gnu99 -O2 -fPIE -fstack-protector-strong -D_FORTIFY_SOURCE=2 -w \
		-c "$dir/src/cjson/cJSON.c" -o "$out/cJSON.o"
	rm -f "$out/libcjson.a"
	$ar rcs "$out/libcjson.a" "$out/cJSON.o"
}

case "${1:-}" in
fetch) shift; fetch "$@" ;;
build) shift; build "$@" ;;
*) echo "usage: $0 fetch DIR | build DIR OUT CC AR" >&2; exit 2 ;;
esac
