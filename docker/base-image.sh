#!/bin/sh
# docker/base-image.sh: make sure the image debian:bookworm-slim exists.
#
# The demo's Dockerfile starts from debian:bookworm-slim.  Where no image
# registry is reachable but Debian's package mirror is, build that tag
# locally: debootstrap's minbase variant of bookworm, trimmed the way the
# official slim image is (no documentation, man pages or translations,
# no apt caches), imported with "docker import".  Nothing is done when
# the tag is already there (pulled, or built by an earlier run).
#
# Environment: BASE_TAG (default debian:bookworm-slim), DEBIAN_MIRROR
# (default http://deb.debian.org/debian).
set -eu

TAG=${BASE_TAG:-debian:bookworm-slim}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$TAG" >/dev/null 2>&1; then
	echo "base: $TAG is present"
	exit 0
fi
if ! command -v debootstrap >/dev/null; then
	echo "base: installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	    install -y -qq --no-install-recommends debootstrap >/dev/null
fi

dir=$(mktemp -d /var/tmp/vrouter-base.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
root=$dir/root
start=$(date +%s)
echo "base: $TAG is missing; debootstrap --variant=minbase bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" \
    >"$dir/debootstrap.log" 2>&1 || {
	tail -n 20 "$dir/debootstrap.log" >&2
	echo "base: debootstrap failed" >&2
	exit 1
}

# The suites and the trimming of the official image.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d \
    -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* \
    "$root/usr/share/locale/"* "$root/var/cache/apt/"*.bin \
    "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* \
    "$root/var/log/"*.log "$root/tmp/"*
: >"$root/etc/machine-id"
echo "debian" >"$root/etc/hostname"

tar --numeric-owner -C "$root" -c . |
    docker import --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase bookworm $MIRROR" - "$TAG" \
    >/dev/null
echo "base: built $TAG in $(( $(date +%s) - start )) s" \
    "($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1 / 1e6}'))"
