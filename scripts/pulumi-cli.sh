#!/usr/bin/env bash
# Builds the Pulumi CLI from source with the ordinary `go` command, at a pinned release, into a cache
# outside the repository, and prints the cache folder (its bin/ holds `pulumi`) on stdout. A later run
# reuses the build: the first one, on a fresh machine with 2 cores, takes many minutes.
#
# Why from source: the machine reaches the Go module proxy and the npm registry, not Pulumi's downloads.
# `go install …/cmd/pulumi@version` refuses pkg/v3 (its go.mod has replace lines), so the build runs in a
# small module of our own that requires pkg/v3 and sdk/v3 at the same version, with the replace lines
# of that release's own go.mod (less the ones that point into Pulumi's repository).
#
#   bash scripts/pulumi-cli.sh            # build if needed; prints e.g. ~/.cache/pulumi-gradient-indexing/pulumi-v3.276.0
#   PULUMI_CLI_CACHE=/some/dir bash scripts/pulumi-cli.sh
set -euo pipefail

VERSION="${PULUMI_CLI_VERSION:-v3.276.0}" # the newest release the proxy serves that builds with Go 1.26
CACHE_ROOT="${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-gradient-indexing}"
DIR="$CACHE_ROOT/pulumi-$VERSION"
BIN="$DIR/bin/pulumi"
PKG=github.com/pulumi/pulumi/pkg/v3
SDK=github.com/pulumi/pulumi/sdk/v3
LANGUAGE_HOST=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
# Pulumi's release build flags (its .goreleaser.yml): static, no local paths, stripped, stamped.
LDFLAGS="-s -w -X $SDK/go/common/version.Version=$VERSION"

log() { echo "pulumi-cli: $*" >&2; }
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }

cached() { [ -x "$BIN" ] && [ "$("$BIN" version 2>/dev/null)" = "$VERSION" ]; }

mkdir -p "$DIR"
# Tests and .ci/run may ask at once: one build, the other waits for it.
exec 9>"$DIR/.lock"
if command -v flock >/dev/null; then
  if ! flock -n 9; then
    log "another build of $VERSION is running; waiting for it"
    flock 9
  fi
fi

if cached; then
  log "using the cached $VERSION: $BIN"
  echo "$DIR"
  exit 0
fi

command -v go >/dev/null || {
  log "needs Go (1.26.6 or newer, the go directive of $PKG@$VERSION) to build the Pulumi CLI"
  exit 1
}
log "building the Pulumi CLI $VERSION from source with $(go version | cut -d' ' -f3) into $DIR"
log "the first build takes many minutes on 2 cores (later runs reuse it)"

BUILD="$DIR/build"
rm -rf "$BUILD"
mkdir -p "$BUILD" "$DIR/bin"
cd "$BUILD"
go mod init local/pulumi-cli-build 2>/dev/null

log "reading $PKG@$VERSION's go.mod for its replace lines ($(elapsed))"
gomod=$(go mod download -json "$PKG@$VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -f "$gomod" ] || {
  log "the module proxy did not serve $PKG@$VERSION"
  exit 1
}
# Both `replace a => b v` lines and `replace ( … )` blocks; a target that is a path (../sdk) is
# Pulumi's own repository, which the required sdk/v3 of the same version stands for.
awk '
  /^replace \($/ { block = 1; next }
  block && /^\)$/ { block = 0; next }
  block { print; next }
  /^replace / { sub(/^replace /, ""); print }
' "$gomod" | while read -r line; do
  from=${line%%=>*} to=${line#*=>}
  read -r from_path from_version <<<"$from"
  read -r to_path to_version <<<"$to"
  case "$to_path" in .* | /*)
    log "  replace $from_path => $to_path: Pulumi's own tree, required at $VERSION instead"
    continue
    ;;
  esac
  log "  replace $from_path${from_version:+@$from_version} => $to_path@$to_version"
  go mod edit -replace="$from_path${from_version:+@$from_version}=$to_path@$to_version"
done

log "resolving dependencies ($(elapsed))"
go get "$PKG@$VERSION" "$SDK@$VERSION" 2>&1 | grep -Ev '^go: (downloading|added|upgraded) ' >&2 || true
go get "$PKG/cmd/pulumi@$VERSION" 2>&1 | grep -Ev '^go: (downloading|added|upgraded) ' >&2 || true
for module in "$PKG" "$SDK"; do
  got=$(go list -m -f '{{.Version}}' "$module")
  [ "$got" = "$VERSION" ] || {
    log "$module resolved to $got, not $VERSION"
    exit 1
  }
done

# The Node language host would let `pulumi up` run a nodejs project from a terminal. Pulumi tags it
# only rarely; the proxy must serve the module at this release (or its commit's pseudo-version).
log "looking for the Node language host $LANGUAGE_HOST@$VERSION ($(elapsed))"
language_host=""
if go list -m -json "$LANGUAGE_HOST@$VERSION" >/dev/null 2>"$DIR/language-host.err"; then
  language_host="$LANGUAGE_HOST@$VERSION"
else
  log "  not available from the module proxy: $(tail -n 1 "$DIR/language-host.err")"
  log "  programs run through the Automation API's inline programs, which need only the CLI"
fi

heartbeat() {
  while sleep 60; do log "  still compiling ($(elapsed))"; done
}
build() { # build <output> <package>
  local out=$1 package=$2 status
  heartbeat 9>&- &
  local beat=$!
  # -v names each package as it is compiled: a count every 100 shows progress without the flood;
  # compiler errors (file:line lines and "# package" headers) pass through.
  set +e
  CGO_ENABLED=0 go build -v -trimpath -ldflags "$LDFLAGS" -o "$out.tmp" "$package" 2>&1 |
    awk -v started="$started" '
      /\.go:[0-9]+:|^# |^go: / { print > "/dev/stderr"; next }
      ++n % 100 == 0 { printf "pulumi-cli:   %d packages compiled (%d s)\n", n, systime() - started > "/dev/stderr" }'
  status=${PIPESTATUS[0]}
  set -e
  kill "$beat" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    log "go build of $package failed (exit $status)"
    return 1
  fi
  mv "$out.tmp" "$out"
}

log "compiling $PKG/cmd/pulumi ($(elapsed))"
build "$DIR/bin/pulumi" "$PKG/cmd/pulumi"

if [ -n "$language_host" ]; then
  log "compiling $language_host ($(elapsed))"
  if go get "$language_host" >&2 && build "$DIR/bin/pulumi-language-nodejs" "$LANGUAGE_HOST"; then
    log "  built: $DIR/bin/pulumi-language-nodejs"
  else
    log "  could not build the language host: programs run through the Automation API"
  fi
fi

got=$("$BIN" version)
[ "$got" = "$VERSION" ] || {
  log "$BIN version printed '$got', not $VERSION"
  exit 1
}
log "built $BIN ($got) in $(elapsed)"
echo "$DIR"
