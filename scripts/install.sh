#!/usr/bin/env bash
# Builds fnreg and installs it:  scripts/install.sh [PREFIX]   (default: /usr/local)
#
#   PREFIX/bin/fnreg                                     the release binary (Swift runtime linked in, stripped)
#   PREFIX/share/man/man1/fnreg.1, fnreg.<command>.1     man pages (swift-argument-parser's generate-manual)
#   PREFIX/share/bash-completion/completions/fnreg       bash completion
#   PREFIX/share/zsh/site-functions/_fnreg               zsh completion
#   PREFIX/share/fish/vendor_completions.d/fnreg.fish    fish completion
#
# Completion offers the environments and functions of the registry of the current directory.
set -euo pipefail
prefix=${1:-/usr/local}
cd "$(dirname "$0")/.."
echo "== building fnreg (release, static Swift runtime; several minutes the first time)" >&2
swift build -c release --static-swift-stdlib --product fnreg >&2
bin="$(swift build -c release --static-swift-stdlib --product fnreg --show-bin-path)/fnreg"
echo "== generating man pages" >&2
swift package --disable-sandbox --allow-writing-to-package-directory generate-manual --multi-page --configuration debug >&2
mkdir -p "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
         "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 0755 "$bin" "$prefix/bin/fnreg"
if command -v strip >/dev/null; then strip "$prefix/bin/fnreg"; fi
install -m 0644 .build/plugins/GenerateManual/outputs/CLI/*.1 "$prefix/share/man/man1/"
"$prefix/bin/fnreg" --generate-completion-script bash > "$prefix/share/bash-completion/completions/fnreg"
"$prefix/bin/fnreg" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_fnreg"
"$prefix/bin/fnreg" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/fnreg.fish"
echo "installed $("$prefix/bin/fnreg" --version) into $prefix" >&2
