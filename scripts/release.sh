#!/usr/bin/env bash
# A release tarball:  scripts/release.sh   ->  dist/fnreg-<version>-linux-<arch>.tar.gz and .sha256
#
# The tarball holds fnreg-<version>-linux-<arch>/{bin,share} as scripts/install.sh lays them out, so
# `tar -xzf fnreg-….tar.gz -C /usr/local --strip-components=1` installs it. Entries are sorted, owned
# by 0:0 and dated at the commit's time: the same commit gives the same archive.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
scripts/install.sh "$stage/root" >&2
version=$("$stage/root/bin/fnreg" --version | awk '{print $2}')
name="fnreg-$version-linux-$arch"
mv "$stage/root" "$stage/$name"
mkdir -p dist
when=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$when" -C "$stage" -cf - "$name" | gzip -n > "dist/$name.tar.gz"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1)), dist/$name.tar.gz.sha256"
