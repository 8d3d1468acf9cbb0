# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debian's kernel source packages through apt. bookworm's come from the
# system's own sources; bullseye's through a private apt configuration under
# the cache, so that the system's sources are never touched.

# kff_debian_source_tarball VERSION: echo the path of linux-source-VERSION's
# tarball: the installed /usr/src one, or one unpacked from a .deb fetched
# into $KFF_CACHE/debian-src. Returns 4 when apt cannot get the package.
kff_debian_source_tarball() {
	local ver=$1 pkg=linux-source-$1 d=$KFF_CACHE/debian-src deb apt=()
	if [ -f "/usr/src/$pkg.tar.xz" ]; then
		echo "/usr/src/$pkg.tar.xz"
		return 0
	fi
	mkdir -p "$d"
	deb=$(find "$d" -maxdepth 1 -name "${pkg}_*_all.deb" | sort | tail -n1)
	if [ -z "$deb" ]; then
		if [ "$(kff_base_get "debian-$ver" suite)" = bullseye ]; then
			local a=$KFF_CACHE/apt/bullseye
			mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
			echo 'deb http://deb.debian.org/debian bullseye main' >"$a/sources.list"
			apt=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
				-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o APT::Sandbox::User=root)
			timeout 300 apt-get "${apt[@]}" -qq update >/dev/null 2>&1 || return 4
		fi
		(cd "$d" && timeout 900 apt-get "${apt[@]}" -qq download "$pkg" >/dev/null 2>&1) || return 4
		deb=$(find "$d" -maxdepth 1 -name "${pkg}_*_all.deb" | sort | tail -n1)
		[ -n "$deb" ] || return 4
	fi
	if [ ! -f "$d/x-$ver/$pkg.tar.xz" ]; then
		rm -rf "$d/x-$ver"
		mkdir -p "$d/x-$ver"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$d/x-$ver" --wildcards --transform='s|.*/||' \
			"*/$pkg.tar.xz" || return 4
	fi
	echo "$d/x-$ver/$pkg.tar.xz"
}
