#!/usr/bin/env bash
# Builds the Terraform CLI from source with Go (and, with --with-null, the
# hashicorp/null provider, laid out as an offline provider mirror), in a cache
# outside the repository; with --tofu, builds OpenTofu instead (CI runs the e2e
# suite on both). Go's module and build caches live in a temporary folder that
# is removed afterwards, so HOME grows only by the built binaries.
#
#   source "$(bash scripts/install-terraform.sh)"
#   source "$(bash scripts/install-terraform.sh --tofu)"
#
# Progress goes to stderr; the last line on stdout is the path of env.sh (or
# env-tofu.sh), which puts the cache first on PATH, points the engine at the
# mirror and sets CDKTF_AIC_TERRAFORM to the cached terraform (or tofu).
#
#   CDKTF_AIC_TOOLS_DIR   cache directory
#                         (default: ${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-aic/tools)
#   --tofu                OpenTofu (bin/tofu) instead of Terraform (bin/terraform)
#   --force               rebuild even if the cache is complete
#   --with-null           also build hashicorp/null (only null_resource stacks need it)
#
# Each engine is built only when missing: once its cache is complete a run only
# checks the files and reports versions; it does not call the Go toolchain.
set -euo pipefail

TERRAFORM_VERSION=1.5.7
TERRAFORM_MODULE=github.com/hashicorp/terraform
TOFU_VERSION=1.6.3
TOFU_PACKAGE=github.com/opentofu/opentofu/cmd/tofu
NULL_VERSION=3.2.4
# The provider's go.mod declares github.com/terraform-providers/terraform-provider-null
# (no /v3 suffix), so its v3 tags are not valid module versions: install by the
# commit that tag v3.2.4 points to.
NULL_MODULE=github.com/terraform-providers/terraform-provider-null
NULL_COMMIT=01034f80eb238732fd9e8673582e0e770cfab578
MIN_GO_MINOR=21 # Go 1.x

FORCE=0
ENGINE=terraform
WITH_NULL=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --tofu) ENGINE=tofu ;;
    --with-null) WITH_NULL=1 ;;
    -h | --help)
      sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 0
      ;;
    *)
      echo "install-terraform: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

TOOLS_DIR="${CDKTF_AIC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-aic/tools}"
BIN_DIR="$TOOLS_DIR/bin"
MIRROR_DIR="$TOOLS_DIR/mirror"
RC_FILE="$TOOLS_DIR/terraformrc"
BUILD_DIR="$TOOLS_DIR/build"
if [[ "$ENGINE" == terraform ]]; then
  # A cache built with the provider also serves a run without it (and caches from before
  # --with-null, which always tried to build it).
  RECIPE_WITH_NULL="terraform=${TERRAFORM_VERSION} tofu=${TOFU_VERSION} null=${NULL_VERSION}@${NULL_COMMIT} layout=1"
  RECIPE="terraform=${TERRAFORM_VERSION} tofu=${TOFU_VERSION} layout=1"
  [[ "$WITH_NULL" == 1 ]] && RECIPE="$RECIPE_WITH_NULL"
  ENV_FILE="$TOOLS_DIR/env.sh"
  STAMP_FILE="$TOOLS_DIR/installed"
else
  RECIPE="tofu=${TOFU_VERSION} layout=1"
  RECIPE_WITH_NULL="$RECIPE"
  ENV_FILE="$TOOLS_DIR/env-tofu.sh"
  STAMP_FILE="$TOOLS_DIR/installed-tofu"
fi

log() { printf 'install-terraform: %s\n' "$*" >&2; }
die() {
  printf 'install-terraform: error: %s\n' "$*" >&2
  exit 1
}

# Single-quote a string for POSIX sh.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# --- fast path: everything is already there ----------------------------------

stamp_value() { sed -n "s/^$1=//p" "$STAMP_FILE" | head -n 1; }

# Succeeds (and reports) if a previous run completed the same recipe and its
# files are still present. Runs no Go command.
check_installed() {
  [[ -f "$STAMP_FILE" && -f "$ENV_FILE" && -f "$RC_FILE" ]] || return 1
  [[ "$(stamp_value recipe)" == "$RECIPE" || "$(stamp_value recipe)" == "$RECIPE_WITH_NULL" ]] || return 1
  local cli provider version
  cli="$(stamp_value cli)"
  provider="$(stamp_value provider)"
  # The provider may be unavailable (see below): then it is recorded as empty.
  [[ -n "$cli" && -x "$cli" ]] || return 1
  [[ -z "$provider" || -x "$provider" ]] || return 1
  # Whole output, not `| head`: with pipefail, terraform's exit on a closed
  # pipe would count as a failure.
  version="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$RC_FILE" "$cli" version 2>/dev/null)" || return 1
  version="${version%%$'\n'*}"
  [[ -n "$version" ]] || return 1
  if [[ "$ENGINE" == tofu || "$WITH_NULL" == 0 ]]; then
    log "up to date in $TOOLS_DIR: $version ($cli)"
  elif [[ -n "$provider" ]]; then
    log "up to date in $TOOLS_DIR: $version ($cli), hashicorp/null $NULL_VERSION ($(stamp_value platform))"
  else
    log "up to date in $TOOLS_DIR: $version ($cli); hashicorp/null $NULL_VERSION unavailable (run with --force to retry)"
  fi
  return 0
}

if [[ "$FORCE" == 0 ]] && check_installed; then
  printf '%s\n' "$ENV_FILE"
  exit 0
fi

mkdir -p "$TOOLS_DIR"

# Only one build at a time per cache directory; a run that waited may find the
# work done.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TOOLS_DIR/.lock"
  if ! flock -n 9; then
    log "waiting for another install in $TOOLS_DIR to finish"
    flock 9
    if [[ "$FORCE" == 0 ]] && check_installed; then
      printf '%s\n' "$ENV_FILE"
      exit 0
    fi
  fi
fi

# --- Go toolchain ----------------------------------------------------------------

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null 2>&1; then
  die "Go >= 1.${MIN_GO_MINOR} is required to build Terraform from source: apt-get install golang (if your distribution's is new enough), or see https://go.dev/dl"
fi

{
  read -r GOOS
  read -r GOARCH
  read -r GOVERSION
} < <(go env GOOS GOARCH GOVERSION)
PLATFORM="${GOOS}_${GOARCH}"

go_minor=0
if [[ "$GOVERSION" =~ ^go1\.([0-9]+) ]]; then
  go_minor="${BASH_REMATCH[1]}"
  if ((go_minor < MIN_GO_MINOR)); then
    die "Go >= 1.${MIN_GO_MINOR} is required to build Terraform from source, found $GOVERSION ($(command -v go)): see https://go.dev/dl"
  fi
else
  log "unrecognised Go version '$GOVERSION', trying anyway"
  go_minor=99
fi
log "using $GOVERSION ($(command -v go)) for $PLATFORM; cache: $TOOLS_DIR"

# Go's module and build caches (gigabytes for Terraform) go to a temporary folder, removed on exit:
# only the binaries are kept. -modcacherw makes the module cache removable without chmod.
GO_TMP="$(mktemp -d "${TMPDIR:-/tmp}/cdktf-aic-go.XXXXXX")"
GO_PID=""
trap '[[ -z "$GO_PID" ]] || kill "$GO_PID" 2>/dev/null; rm -rf "$GO_TMP"' EXIT
# Interrupted (Ctrl-C, a cancelled job): exit, so that the EXIT trap removes the caches too.
trap 'exit 130' INT TERM HUP
export GOPATH="$GO_TMP/path" GOMODCACHE="$GO_TMP/mod" GOCACHE="$GO_TMP/build" GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw"

# go_in_background LOGFILE ARGS...: `go ARGS` with its output in LOGFILE, and one
# progress line on stderr while it runs (rewritten in place on a terminal, every
# 30 s otherwise): the time so far and the modules downloaded.
go_in_background() {
  local logfile="$1" pid start=$SECONDS last=$((SECONDS - 30)) line
  shift
  go "$@" >"$logfile" 2>&1 &
  pid=$!
  GO_PID=$pid
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    line="install-terraform: building, $((SECONDS - start))s, $(grep -c '^go: downloading' "$logfile") modules downloaded"
    if [[ -t 2 ]]; then
      printf '\r%s' "$line" >&2
    elif ((SECONDS - last >= 30)); then
      printf '%s\n' "$line" >&2
      last=$SECONDS
    fi
  done
  [[ -t 2 ]] && printf '\r\033[K' >&2
  GO_PID=""
  wait "$pid"
}

# go_install GOBIN PACKAGE@VERSION [LDFLAGS]
# Static, reproducible build into GOBIN. When it fails, Go's output goes to
# stderr unchanged, so a refusal by the module proxy shows up with its exact
# message. Go >= 1.23
# rejects some go:linkname references that older modules make; if the link
# fails over one, link again with the check disabled (the compiled packages come
# from the build cache, so this costs only the link).
go_install() {
  local gobin="$1" target="$2" ldflags="${3:-}" logfile status start
  logfile="$(mktemp "${TMPDIR:-/tmp}/install-terraform.XXXXXX")"
  start=$SECONDS
  log "go install -trimpath${ldflags:+ -ldflags=\"$ldflags\"} $target (GOBIN=$gobin, CGO_ENABLED=0); this can take several minutes"
  set +e
  GOBIN="$gobin" CGO_ENABLED=0 go_in_background "$logfile" install -trimpath ${ldflags:+"-ldflags=$ldflags"} "$target"
  status=$?
  set -e
  if [[ "$status" != 0 ]] && ((go_minor >= 23)) \
    && grep -Eq 'linkname|invalid reference to' "$logfile"; then
    ldflags="${ldflags:+$ldflags }-checklinkname=0"
    log "link failed over a go:linkname reference; retrying with -ldflags=\"$ldflags\""
    set +e
    GOBIN="$gobin" CGO_ENABLED=0 go_in_background "$logfile" install -trimpath "-ldflags=$ldflags" "$target"
    status=$?
    set -e
  fi
  [[ "$status" == 0 ]] || cat "$logfile" >&2
  rm -f "$logfile"
  if [[ "$status" == 0 ]]; then
    log "built $target in $((SECONDS - start))s"
  else
    log "go install $target failed (exit $status) after $((SECONDS - start))s"
  fi
  return "$status"
}

mkdir -p "$BIN_DIR" "$BUILD_DIR"
rm -f "$STAMP_FILE"

# --- Terraform CLI (OpenTofu as fallback) -----------------------------------------

# tofu_built: bin/tofu is OpenTofu v$TOFU_VERSION built by this script.
tofu_built() {
  [[ -x "$BIN_DIR/tofu" ]] \
    && [[ "$(go version -m "$BIN_DIR/tofu" 2>/dev/null | awk '$1 == "mod" { print $2 "@" $3; exit }')" == "github.com/opentofu/opentofu@v$TOFU_VERSION" ]]
}
# Without the -X flag OpenTofu calls itself v$TOFU_VERSION-dev (its releases set it).
TOFU_LDFLAGS="-X=github.com/opentofu/opentofu/version.dev=no"

CLI=""
if [[ "$ENGINE" == tofu ]]; then
  if [[ "$FORCE" == 0 ]] && tofu_built; then
    log "OpenTofu v$TOFU_VERSION already built: $BIN_DIR/tofu"
  else
    go_install "$BIN_DIR" "$TOFU_PACKAGE@v$TOFU_VERSION" "$TOFU_LDFLAGS" \
      || die "could not build OpenTofu v$TOFU_VERSION (Go's messages are above)"
  fi
  CLI="$BIN_DIR/tofu"
elif [[ -x "$BIN_DIR/terraform" && ! -L "$BIN_DIR/terraform" ]] \
  && [[ "$(go version -m "$BIN_DIR/terraform" 2>/dev/null | awk '$1 == "mod" { print $2 "@" $3; exit }')" == "$TERRAFORM_MODULE@v$TERRAFORM_VERSION" ]] \
  && [[ "$FORCE" == 0 ]]; then
  log "Terraform v$TERRAFORM_VERSION already built: $BIN_DIR/terraform"
  CLI="$BIN_DIR/terraform"
elif go_install "$BIN_DIR" "$TERRAFORM_MODULE@v$TERRAFORM_VERSION"; then
  CLI="$BIN_DIR/terraform"
else
  log "could not build Terraform v$TERRAFORM_VERSION; falling back to OpenTofu v$TOFU_VERSION"
  rm -f "$BIN_DIR/terraform"
  if { [[ "$FORCE" == 0 ]] && tofu_built; } || go_install "$BIN_DIR" "$TOFU_PACKAGE@v$TOFU_VERSION" "$TOFU_LDFLAGS"; then
    CLI="$BIN_DIR/tofu"
    # cdktf looks for a binary called terraform.
    ln -sfn tofu "$BIN_DIR/terraform"
  else
    die "could not build Terraform v$TERRAFORM_VERSION nor OpenTofu v$TOFU_VERSION (Go's messages are above)"
  fi
fi

# --- hashicorp/null provider, as an unpacked filesystem mirror ----------------------------

# Stacks synthesized with the default custom resource (Terraform's built-in terraform_data)
# need no provider at all; only `customResourceType: "null_resource"` stacks need this one, so it
# is built only with --with-null. A module proxy that refuses it (403 "This module version is not
# available") is then a warning, not a failure.
# OpenTofu (--tofu) shares the mirror but does not build the provider: that is the Terraform run's
# job, and its failure would only cost time again here.
NULL_BUILD="$BUILD_DIR/terraform-provider-null"
NULL_OK=1
if [[ "$ENGINE" == tofu || "$WITH_NULL" == 0 ]]; then
  [[ -x "$NULL_BUILD" ]] || NULL_OK=0
elif [[ -x "$NULL_BUILD" && "$FORCE" == 0 ]] \
  && go version -m "$NULL_BUILD" 2>/dev/null | grep -q "${NULL_COMMIT:0:12}"; then
  log "hashicorp/null $NULL_VERSION already built: $NULL_BUILD"
elif ! go_install "$BUILD_DIR" "$NULL_MODULE@$NULL_COMMIT"; then
  NULL_OK=0
  log "warning: could not build the hashicorp/null provider $NULL_VERSION ($NULL_MODULE@$NULL_COMMIT); Go's message is above."
  log "warning: stacks using the default terraform_data custom resource are unaffected; null_resource stacks need the provider from another mirror."
fi

PROVIDER=""
mkdir -p "$MIRROR_DIR"
[[ "$NULL_OK" == 1 ]] && for host in registry.terraform.io registry.opentofu.org; do
  dir="$MIRROR_DIR/$host/hashicorp/null/$NULL_VERSION/$PLATFORM"
  mkdir -p "$dir"
  dest="$dir/terraform-provider-null_v${NULL_VERSION}_x5"
  rm -f "$dest"
  ln "$NULL_BUILD" "$dest" 2>/dev/null || cp "$NULL_BUILD" "$dest"
  chmod 0755 "$dest"
  if [[ "$host" == registry.terraform.io ]]; then PROVIDER="$dest"; fi
done
log "provider mirror: $MIRROR_DIR"

# --- CLI configuration and env.sh -------------------------------------------------

tmp="$RC_FILE.tmp.$$"
cat >"$tmp" <<EOF
# Generated by scripts/install-terraform.sh: providers come only from this mirror.
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR_DIR"
    include = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
}
EOF
mv -f "$tmp" "$RC_FILE"

tmp="$ENV_FILE.tmp.$$"
cat >"$tmp" <<EOF
# Generated by scripts/install-terraform.sh; source it (POSIX sh or bash).
case ":\$PATH" in
  :$(sq "$BIN_DIR"):* | :$(sq "$BIN_DIR")) ;;
  *) PATH=$(sq "$BIN_DIR")"\${PATH:+:\$PATH}" ;;
esac
export PATH
export TF_CLI_CONFIG_FILE=$(sq "$RC_FILE")
export TF_CLI_ARGS_providers_lock=$(sq "-fs-mirror=$MIRROR_DIR")
export CHECKPOINT_DISABLE=1
export CDKTF_AIC_TERRAFORM=$(sq "$CLI")
EOF
mv -f "$tmp" "$ENV_FILE"

cat >"$STAMP_FILE" <<EOF
recipe=$RECIPE
platform=$PLATFORM
cli=$CLI
provider=$PROVIDER
go=$GOVERSION
EOF

check_installed || die "installed files in $TOOLS_DIR do not check out"
printf '%s\n' "$ENV_FILE"
