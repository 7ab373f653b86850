#!/usr/bin/env bash
# scripts/tools.sh - give this repo a working Pulumi toolchain in .tools/ (git-ignored) and print
# where it is: the LAST LINE OF STDOUT is the bin dir to put first on PATH (scripts/pulumi-env.sh
# does that). Progress and errors go to stderr.
#
#   1. a `pulumi` already on PATH that is at least the pinned SDK version (requirements.txt
#      `pulumi==X`) and that has the resource plugins `command` and `docker` (installed, per
#      `pulumi plugin ls`, or ambient `pulumi-resource-*` binaries on PATH): use it;
#   2. else Pulumi's official installer into .tools/official (it needs Pulumi's own download site,
#      which many build machines cannot reach: bounded by short timeouts, then we fall through);
#   3. else build from the Go module proxy (the go command's default GOPROXY) into .tools/bin:
#        pulumi                    github.com/pulumi/pulumi/pkg/v3 ./cmd/pulumi (+ sdk/v3 beside it)
#        pulumi-language-python    github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
#                                  (+ the scripts pulumi-language-python-exec etc. from sdk/v3)
#        pulumi-resource-command   github.com/pulumi/pulumi-command/provider  (pulumi-command==)
#        pulumi-resource-docker    github.com/pulumi/pulumi-docker/provider/vN (pulumi-docker==)
#                                  + github.com/kreuzwerker/terraform-provider-docker as ../upstream
#      Each build is cached in $TOOLS_CACHE_DIR/<name>-<version>/ (with a .stamp); .tools/bin holds
#      hard links (or copies) of the cached files, so a second run takes seconds.
#
# Seen on this workplace's machines (2026-11): the Go module proxy serves pkg/v3 + sdk/v3 (v3.274.x;
# v3.272.0 is refused) and github.com/kreuzwerker/terraform-provider-docker, but answers 403 "This
# module version is not available" for every version tried of the language-host module, of
# github.com/pulumi/pulumi-command/provider and of pulumi-docker's sdk/v5 and provider modules.
# So only the CLI and the Python scripts get built there; the rest fails naming the module.
# (Automation API inline programs with pulumi.dynamic providers need nothing more than that.)
#
# Every component is built even if an earlier one failed; each failure prints one message naming
# the step and why, and the script then exits 1 (no bin dir printed).
#
# Knobs (environment):
#   PULUMI_TOOLS_DIR          where the toolchain lives (default <repo>/.tools)
#   TOOLS_CACHE_DIR           where builds are cached by version (default ~/.cache/docker-multihost/tools)
#   TOOLS_SKIP_AMBIENT=1      ignore a pulumi on PATH (step 1)
#   TOOLS_SKIP_INSTALLER=1    do not try the official installer (step 2)
#   TOOLS_INSTALLER_TIMEOUT   seconds for the installer download (default 15)
#   TOOLS_REBUILD=1           ignore the cache and build again
#   TOOLS_COMPONENTS          which to build in step 3 (default: all four:
#                             "cli python-language-host command-provider docker-provider")
#   LANGHOST_MODULE_VERSION   a version of the language-host module known to be served
#   COMMAND_PROVIDER_MODULE_VERSION  a version of github.com/pulumi/pulumi-command/provider
#   DOCKER_PROVIDER_MODULE    module@version of the pulumi-docker provider module
#   DOCKER_UPSTREAM_VERSION   version of github.com/kreuzwerker/terraform-provider-docker that the
#                             pulumi-docker release pins as its `upstream` submodule
set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${PULUMI_TOOLS_DIR:-$REPO/.tools}"
BIN="$TOOLS/bin"
# Builds are cached by version outside the checkout, so a fresh clone (CI) reuses them.
CACHE="${TOOLS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/docker-multihost/tools}"
BUILD="$TOOLS/build"
LOGS="$TOOLS/logs"
REQS="$REPO/requirements.txt"

# ---------------------------------------------------------------------------------------------
# messages and failure handling
# ---------------------------------------------------------------------------------------------
STEP="start"
LAST_LOG=""
ERR_MARK=""          # set per component: once a failure is reported, nested shells stay quiet

log() { echo "tools.sh: $*" >&2; }
step() { STEP="$1"; log "$1"; }

report_failure() {   # $1 = reason; prints the one message for the current step
  if [[ -n "$ERR_MARK" && -e "$ERR_MARK" ]]; then return 0; fi
  {
    echo "tools.sh: FAILED at step '$STEP': $1"
    if [[ -n "$LAST_LOG" && -s "$LAST_LOG" ]]; then
      echo "---- last lines of $LAST_LOG ----"
      tail -n 25 "$LAST_LOG"
      echo "----"
    fi
  } >&2
  if [[ -n "$ERR_MARK" ]]; then : > "$ERR_MARK"; fi
}
fail() { report_failure "$*"; exit 1; }
on_err() { local rc=$1 cmd=$2; report_failure "command \`$cmd\` exited with status $rc"; exit "$rc"; }
trap 'on_err $? "$BASH_COMMAND"' ERR

# run LOGNAME CMD...: run a long command with its output in .tools/logs/LOGNAME.log
run() {
  local name=$1 rc=0 what; shift
  LAST_LOG="$LOGS/$name.log"
  echo "+ $*" > "$LAST_LOG"
  "$@" >> "$LAST_LOG" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    what="$*"; [[ ${#what} -le 120 ]] || what="${what:0:117}..."
    fail "\`$what\` exited with status $rc"
  fi
  LAST_LOG=""
}

# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------
pin() {  # pinned version of a PyPI package in requirements.txt
  local v
  v=$(sed -n -E "s/^[[:space:]]*$1[[:space:]]*==[[:space:]]*([0-9][0-9A-Za-z.+-]*).*/\1/p" "$REQS" | head -n 1)
  [[ -n "$v" ]] || fail "requirements.txt has no line '$1==<version>'"
  echo "$v"
}

ver_ge() {  # ver_ge A B: A >= B (leading v ignored)
  local a=${1#v} b=${2#v}
  [[ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n 1)" == "$b" ]]
}

# link_or_copy SRC DST: hard link when possible (same file system), else copy
link_or_copy() { ln -f "$1" "$2" 2>/dev/null || cp -f "$1" "$2"; }

# go environment for every build
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"   # Go 1.26 satisfies the modules' go directives
export CGO_ENABLED=0
export GOWORK=off
export GOFLAGS="-mod=mod -buildvcs=false"    # .tools/build sits inside this git repo
# keep the go command's own proxy setting, minus a fall-back to fetching from version control
# (these machines reach no VCS host; a module the proxy lacks should fail at once, not hang)
if command -v go >/dev/null 2>&1; then
  _goproxy=$(go env GOPROXY)
  if [[ "$_goproxy" != direct && "$_goproxy" != off ]]; then
    GOPROXY=$(printf '%s' "$_goproxy" | sed -E 's/[,|]direct$//'); export GOPROXY
  fi
  unset _goproxy
fi
GO_TAGS="osusergo,grpcnotrace"
PULUMI_VERSION_VAR="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

# Module look-ups. MOD_ERR holds the go command's answer of the last failed look-up.
MOD_ERR=""
mod_dir() {  # mod_dir MOD@VER: download the module zip, print its (read-only) dir in the cache
  local out dir
  if ! out=$(go mod download -json "$1" 2>&1); then :; fi
  dir=$(printf '%s\n' "$out" | sed -n -E 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p' | head -n 1)
  if [[ -n "$dir" && -d "$dir" ]]; then echo "$dir"; return 0; fi
  MOD_ERR=$(printf '%s\n' "$out" | sed -n -E 's/^[[:space:]]*"Error": "(.*)",?$/\1/p' | head -n 1)
  [[ -n "$MOD_ERR" ]] || MOD_ERR=$(printf '%s' "$out" | tail -n 3)
  MOD_ERR=${MOD_ERR//\\n/ }
  MOD_ERR=${MOD_ERR//\\t/ }
  MOD_ERR=$(printf '%s' "$MOD_ERR" | sed -E 's#https?://[^ ]*/@v/#(proxy) .../@v/#g; s#https?://[^ :]*#(url)#g')
  printf '%s\n' "$MOD_ERR" > "$BUILD/.mod-err"   # for callers that ran this in a $(...) shell
  return 1
}
last_answer() { cat "$BUILD/.mod-err" 2>/dev/null || true; }
mod_field() {  # mod_field MOD@VER TEMPLATE: a field of the proxy's .info (go list -m -f)
  local out
  if out=$(go list -m -f "$2" "$1" 2>&1); then echo "$out"
  else printf '%s\n' "$out" | tail -n 2 | tr '\n\t' '  ' \
         | sed -E 's#https?://[^ ]*/@v/#(proxy) .../@v/#g; s#https?://[^ :]*#(url)#g' > "$BUILD/.mod-err"; fi
}
mod_commit() { mod_field "$1" '{{with .Origin}}{{.Hash}}{{end}}'; }
mod_time() { mod_field "$1" '{{with .Time}}{{.UTC.Format "20060102150405"}}{{end}}'; }

# first_served MOD CANDIDATE...: print "VERSION DIR" of the first candidate version the proxy serves
first_served() {
  local mod=$1 c dir; shift
  for c in "$@"; do
    [[ -n "$c" ]] || continue
    if dir=$(mod_dir "$mod@$c"); then
      # a commit query resolves to a pseudo-version: ask for the canonical name
      if [[ ! "$c" =~ ^v[0-9] ]]; then c=$(mod_field "$mod@$c" '{{.Version}}'); fi
      echo "$c $dir"; return 0
    fi
    log "  not served: $mod@$c ($(last_answer))"
  done
  return 1
}

# candidates COMMIT TIME MAJOR: the names a proxy may know an untagged commit by
candidates() {
  local h=$1 t=$2 major=$3
  [[ -n "$h" ]] || return 0
  echo "$h"                                                  # the proxy resolves commit queries
  [[ -n "$t" ]] && echo "v${major}.0.0-${t}-${h:0:12}"      # pseudo-version with no earlier tag
  return 0
}

# copy_tree SRC DST: writable copy of a module tree
copy_tree() { rm -rf "$2"; mkdir -p "$(dirname "$2")"; cp -r "$1" "$2"; chmod -R u+w "$2"; }

stamp_ok() { [[ -z "${TOOLS_REBUILD:-}" && -f "$1/.stamp" && "$(cat "$1/.stamp")" == "$2" ]]; }

finish_cache() {  # finish_cache TMPDIR FINALDIR KEY
  printf '%s' "$3" > "$1/.stamp"
  rm -rf "$2"; mv "$1" "$2"
}

install_into_bin() {  # install_into_bin CACHEDIR: link every file of it into .tools/bin
  local f
  for f in "$1"/*; do
    [[ -f "$f" ]] || continue
    link_or_copy "$f" "$BIN/$(basename "$f")"
    chmod +x "$BIN/$(basename "$f")"
  done
}

# drop_local_replaces DIR VERSION: a module zip of the pulumi repo may replace sdk/v3 or pkg/v3
# with a path inside the repo; use the released modules at VERSION instead.
drop_local_replaces() {
  local dir=$1 ver=$2 line old new
  while read -r line; do
    [[ -n "$line" ]] || continue
    old=${line%% *}; new=${line#* }
    case "$old" in
      github.com/pulumi/pulumi/sdk/v3|github.com/pulumi/pulumi/pkg/v3)
        go -C "$dir" mod edit -dropreplace="$old" -require="$old@$ver" ;;
      *) fail "$dir/go.mod replaces $old with the local path $new, which a module zip does not hold" ;;
    esac
  done < <(go -C "$dir" mod edit -json | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    new = r["New"]
    if not new.get("Version"):
        print(r["Old"]["Path"], new["Path"])')
}

# ---------------------------------------------------------------------------------------------
# pinned versions
# ---------------------------------------------------------------------------------------------
[[ -f "$REQS" ]] || fail "no requirements.txt at $REQS"
SDK_VER=$(pin pulumi)
COMMAND_VER=$(pin pulumi-command)
DOCKER_VER=$(pin pulumi-docker)
log "pinned: pulumi $SDK_VER, pulumi-command $COMMAND_VER, pulumi-docker $DOCKER_VER"
for c in ${TOOLS_COMPONENTS:-}; do
  case "$c" in
    cli|python-language-host|command-provider|docker-provider) ;;
    *) STEP="arguments"; fail "unknown component '$c' in TOOLS_COMPONENTS (known: cli python-language-host command-provider docker-provider)" ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# 1. a pulumi already on PATH
# ---------------------------------------------------------------------------------------------
ambient_ok() {
  local p=$1 dir v plugins name
  dir=$(dirname "$p")
  v=$(timeout 30 "$p" version 2>/dev/null | tail -n 1) || return 1
  if ! ver_ge "$v" "$SDK_VER"; then log "  $p is $v, older than $SDK_VER"; return 1; fi
  plugins=$(PULUMI_SKIP_UPDATE_CHECK=true timeout 60 "$p" plugin ls --json 2>/dev/null || echo '[]')
  for name in command:"$COMMAND_VER" docker:"$DOCKER_VER"; do
    if command -v "pulumi-resource-${name%%:*}" >/dev/null 2>&1; then continue; fi
    if printf '%s' "$plugins" | python3 -c '
import json, sys
name, want = sys.argv[1], sys.argv[2]
key = lambda v: [int(x) if x.isdigit() else 0 for x in v.lstrip("v").split("-")[0].split(".")]
ok = any(p.get("kind") == "resource" and p.get("name") == name and key(p.get("version", "0")) >= key(want)
         for p in json.load(sys.stdin) or [])
sys.exit(0 if ok else 1)' "${name%%:*}" "${name#*:}"; then continue; fi
    log "  $p has no resource plugin ${name%%:*} >= ${name#*:}"; return 1
  done
  if [[ ! -x "$dir/pulumi-language-python" ]] && ! command -v pulumi-language-python >/dev/null 2>&1 \
     && ! printf '%s' "$plugins" | grep -q '"name": *"python"'; then
    log "  $p has no pulumi-language-python beside it or on PATH"; return 1
  fi
  echo "$dir"
}

if [[ -z "${TOOLS_SKIP_AMBIENT:-}" ]] && P=$(command -v pulumi 2>/dev/null); then
  step "ambient: checking $P"
  if D=$(ambient_ok "$P"); then
    log "using the pulumi toolchain in $D"
    echo "$D"
    exit 0
  fi
  log "ambient pulumi not usable; going on"
fi

mkdir -p "$BIN" "$CACHE" "$BUILD" "$LOGS"

# ---------------------------------------------------------------------------------------------
# 2. Pulumi's official installer
# ---------------------------------------------------------------------------------------------
try_installer() {
  local root="$TOOLS/official" t=${TOOLS_INSTALLER_TIMEOUT:-15}
  LAST_LOG="$LOGS/installer.log"
  : > "$LAST_LOG"
  if ! timeout "$t" curl -fsSL --connect-timeout 5 --max-time "$t" -o "$TOOLS/install-pulumi.sh" \
        https://get.pulumi.com >> "$LAST_LOG" 2>&1; then
    LAST_LOG=""; log "official installer: its download site did not answer (see $LOGS/installer.log)"; return 1
  fi
  if ! timeout 600 sh "$TOOLS/install-pulumi.sh" --version "$SDK_VER" --install-root "$root" \
        --no-edit-path --silent >> "$LAST_LOG" 2>&1; then
    LAST_LOG=""; log "official installer failed (see $LOGS/installer.log)"; return 1
  fi
  local plugin
  for plugin in "command $COMMAND_VER" "docker $DOCKER_VER"; do
    # shellcheck disable=SC2086
    if ! PULUMI_SKIP_UPDATE_CHECK=true timeout 600 "$root/bin/pulumi" plugin install resource $plugin \
          >> "$LAST_LOG" 2>&1; then
      LAST_LOG=""; log "official installer: 'pulumi plugin install resource $plugin' failed"; return 1
    fi
  done
  LAST_LOG=""
  echo "$root/bin"
}

if [[ -z "${TOOLS_SKIP_INSTALLER:-}" && -x "$TOOLS/official/bin/pulumi" ]] \
   && D=$(ambient_ok "$TOOLS/official/bin/pulumi"); then
  log "using the official pulumi installed before in $D"
  echo "$D"
  exit 0
fi
if [[ -z "${TOOLS_SKIP_INSTALLER:-}" && ! -f "$TOOLS/.installer-unreachable" ]]; then
  step "official installer: trying (bounded to ${TOOLS_INSTALLER_TIMEOUT:-15}s per download)"
  if D=$(try_installer); then
    log "installed the official pulumi $SDK_VER in $D"
    echo "$D"
    exit 0
  fi
  # remember it, so a cached run does not wait on it again (remove the file to retry)
  : > "$TOOLS/.installer-unreachable"
  log "falling back to building from the Go module proxy"
elif [[ -f "$TOOLS/.installer-unreachable" ]]; then
  log "official installer: skipped (unreachable before; rm $TOOLS/.installer-unreachable to retry)"
fi

# ---------------------------------------------------------------------------------------------
# 3. build from the Go module proxy
# ---------------------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || fail "no go command on PATH (Go >= 1.26 is needed to build pulumi)"
command -v python3 >/dev/null 2>&1 || fail "no python3 on PATH"
GO_VERSION=$(go env GOVERSION)

# The resolved versions are remembered, so a cached run asks the proxy nothing.
RESOLVED="$CACHE/resolved.env"
CLI_VER="" LANGHOST_MOD_VER="" COMMAND_MOD="" DOCKER_MOD="" DOCKER_UPSTREAM=""
if [[ -z "${TOOLS_REBUILD:-}" && -f "$RESOLVED" ]] \
   && grep -qx "PINS='$SDK_VER $COMMAND_VER $DOCKER_VER'" "$RESOLVED"; then
  # shellcheck disable=SC1090
  source "$RESOLVED"
fi
save_resolved() {
  {
    echo "PINS='$SDK_VER $COMMAND_VER $DOCKER_VER'"
    echo "CLI_VER='$CLI_VER'"
    echo "LANGHOST_MOD_VER='$LANGHOST_MOD_VER'"
    echo "COMMAND_MOD='$COMMAND_MOD'"
    echo "DOCKER_MOD='$DOCKER_MOD'"
    echo "DOCKER_UPSTREAM='$DOCKER_UPSTREAM'"
  } > "$RESOLVED.tmp"
  mv "$RESOLVED.tmp" "$RESOLVED"
}

# --- the pulumi CLI --------------------------------------------------------------------------
resolve_cli_version() {
  [[ -z "$CLI_VER" ]] || return 0
  step "cli: choosing a version of github.com/pulumi/pulumi/pkg/v3 >= $SDK_VER"
  local v list
  if mod_dir "github.com/pulumi/pulumi/pkg/v3@v$SDK_VER" >/dev/null \
     && mod_dir "github.com/pulumi/pulumi/sdk/v3@v$SDK_VER" >/dev/null; then
    CLI_VER="v$SDK_VER"
  else
    log "  v$SDK_VER is not served ($MOD_ERR); taking the nearest newer release"
    list=$(go list -m -versions github.com/pulumi/pulumi/pkg/v3 2>&1) \
      || fail "cannot list the versions of github.com/pulumi/pulumi/pkg/v3: $list"
    for v in $(printf '%s\n' ${list#* } | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V); do
      ver_ge "$v" "$SDK_VER" || continue
      if mod_dir "github.com/pulumi/pulumi/pkg/v3@$v" >/dev/null \
         && mod_dir "github.com/pulumi/pulumi/sdk/v3@$v" >/dev/null; then
        CLI_VER=$v; break
      fi
      log "  $v not served ($MOD_ERR)"
    done
    # the nearest newer minor release, at its newest patch (v3.274.0 -> v3.274.1)
    if [[ -n "$CLI_VER" ]]; then
      for v in $(printf '%s\n' ${list#* } | grep -E "^${CLI_VER%.*}\.[0-9]+$" | sort -V -r); do
        [[ "$v" != "$CLI_VER" ]] || break
        if mod_dir "github.com/pulumi/pulumi/pkg/v3@$v" >/dev/null \
           && mod_dir "github.com/pulumi/pulumi/sdk/v3@$v" >/dev/null; then
          CLI_VER=$v; break
        fi
      done
    fi
  fi
  [[ -n "$CLI_VER" ]] || fail "the Go module proxy serves no release of pkg/v3 and sdk/v3 >= $SDK_VER"
  log "  cli version: $CLI_VER"
  save_resolved
}

build_cli() {
  resolve_cli_version
  local out="$CACHE/pulumi-$CLI_VER" tmp b pkg sdk
  local key="pulumi $CLI_VER go=$GO_VERSION tags=$GO_TAGS"
  install_python_scripts
  if stamp_ok "$out" "$key"; then log "cli: pulumi $CLI_VER (cached)"; install_into_bin "$out"; return 0; fi
  step "cli: downloading github.com/pulumi/pulumi/{pkg,sdk}/v3@$CLI_VER"
  pkg=$(mod_dir "github.com/pulumi/pulumi/pkg/v3@$CLI_VER") || fail "pkg/v3@$CLI_VER: $MOD_ERR"
  sdk=$(mod_dir "github.com/pulumi/pulumi/sdk/v3@$CLI_VER") || fail "sdk/v3@$CLI_VER: $MOD_ERR"
  step "cli: laying out pkg/ and sdk/ side by side (pkg/go.mod replaces sdk/v3 with ../sdk)"
  b="$BUILD/pulumi-$CLI_VER"
  copy_tree "$pkg" "$b/pkg"
  copy_tree "$sdk" "$b/sdk"
  tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  step "cli: go build ./cmd/pulumi (several minutes on a cold cache; log: $LOGS/cli.log)"
  SECONDS=0
  run cli go -C "$b/pkg" build -trimpath -tags "$GO_TAGS" \
      -ldflags "-X $PULUMI_VERSION_VAR=$CLI_VER" -o "$tmp/pulumi" ./cmd/pulumi
  log "  built pulumi $CLI_VER in ${SECONDS}s"
  step "cli: checking the binary"
  "$tmp/pulumi" version > /dev/null
  finish_cache "$tmp" "$out" "$key"
  install_into_bin "$out"
  rm -rf "$b"        # the sources are in the module cache; a failed build's copy is kept
}

# The Python scripts of sdk/v3 that go beside the language host: pulumi-language-python-exec
# (runs the program), pulumi-resource-pulumi-python (dynamic providers: `python -m pulumi.dynamic`)
# and pulumi-analyzer-policy-python if present. They need no build, and the dynamic-provider one
# also serves Automation API inline programs, which run without pulumi-language-python.
install_python_scripts() {
  local out="$CACHE/pulumi-python-scripts-$CLI_VER" tmp sdk f key="python scripts sdk=$CLI_VER"
  if stamp_ok "$out" "$key"; then install_into_bin "$out"; return 0; fi
  step "cli: copying the Python scripts of sdk/v3@$CLI_VER"
  sdk=$(mod_dir "github.com/pulumi/pulumi/sdk/v3@$CLI_VER") || fail "sdk/v3@$CLI_VER: $MOD_ERR"
  tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  f=$(find "$sdk/python/cmd" -name pulumi-language-python-exec -type f | head -n 1)
  [[ -n "$f" ]] || fail "sdk/v3@$CLI_VER has no python/cmd/**/pulumi-language-python-exec"
  cp "$f" "$tmp/"
  for f in pulumi-resource-pulumi-python pulumi-analyzer-policy-python; do
    if [[ -f "$sdk/python/dist/$f" ]]; then cp "$sdk/python/dist/$f" "$tmp/"; fi
  done
  chmod 0755 "$tmp"/*
  finish_cache "$tmp" "$out" "$key"
  install_into_bin "$out"
}

# --- the Python language host ----------------------------------------------------------------
LANGHOST_MOD="github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
build_langhost() {
  resolve_cli_version
  install_python_scripts   # pulumi-language-python-exec must sit beside the host
  local out="$CACHE/pulumi-language-python-$CLI_VER" tmp b dir found h t key
  if [[ -z "$LANGHOST_MOD_VER" ]]; then
    step "python language host: finding a served version of $LANGHOST_MOD for pkg/v3@$CLI_VER"
    h=$(mod_commit "github.com/pulumi/pulumi/pkg/v3@$CLI_VER")
    t=$(mod_time "github.com/pulumi/pulumi/pkg/v3@$CLI_VER")
    [[ -n "$h" ]] || log "  the proxy's record of pkg/v3@$CLI_VER names no commit (no Origin)"
    # the module has no tags of its own: a pseudo-version of the commit of the pkg tag
    # shellcheck disable=SC2046
    found=$(first_served "$LANGHOST_MOD" "${LANGHOST_MODULE_VERSION:-}" "$CLI_VER" \
              $(candidates "$h" "$t" 3)) \
      || fail "the Go module proxy serves no version of $LANGHOST_MOD for pulumi $CLI_VER (commit ${h:-unknown}); last answer: $(last_answer). Set LANGHOST_MODULE_VERSION to a version it serves."
    LANGHOST_MOD_VER=${found%% *}
    save_resolved
  fi
  key="pulumi-language-python $LANGHOST_MOD_VER sdk=$CLI_VER go=$GO_VERSION tags=$GO_TAGS"
  if stamp_ok "$out" "$key"; then log "python language host: $LANGHOST_MOD_VER (cached)"; install_into_bin "$out"; return 0; fi
  step "python language host: downloading $LANGHOST_MOD@$LANGHOST_MOD_VER"
  dir=$(mod_dir "$LANGHOST_MOD@$LANGHOST_MOD_VER") || fail "$LANGHOST_MOD@$LANGHOST_MOD_VER: $MOD_ERR"
  b="$BUILD/pulumi-language-python-$CLI_VER"
  copy_tree "$dir" "$b"
  drop_local_replaces "$b" "$CLI_VER"
  tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  step "python language host: go build (log: $LOGS/langhost.log)"
  SECONDS=0
  run langhost go -C "$b" build -trimpath -tags "$GO_TAGS" \
      -ldflags "-X $PULUMI_VERSION_VAR=$CLI_VER" -o "$tmp/pulumi-language-python" .
  log "  built pulumi-language-python in ${SECONDS}s"
  # its scripts (pulumi-language-python-exec, ...) come with the cli component: install_python_scripts
  finish_cache "$tmp" "$out" "$key"
  install_into_bin "$out"
}

# --- pulumi-resource-command -----------------------------------------------------------------
COMMAND_PROVIDER_MOD="github.com/pulumi/pulumi-command/provider"
build_command() {
  local out="$CACHE/pulumi-resource-command-$COMMAND_VER" tmp b dir found key h1 t1 h2 t2
  if [[ -z "$COMMAND_MOD" ]]; then
    step "command provider: finding the commit of pulumi-command v$COMMAND_VER"
    # tags: sdk/vX on the sdk module, vX on the repository root; the provider module has none
    h1=$(mod_commit "github.com/pulumi/pulumi-command/sdk@v$COMMAND_VER")
    t1=$(mod_time "github.com/pulumi/pulumi-command/sdk@v$COMMAND_VER")
    h2=$(mod_commit "github.com/pulumi/pulumi-command@v$COMMAND_VER")
    t2=$(mod_time "github.com/pulumi/pulumi-command@v$COMMAND_VER")
    [[ -n "$h1$h2" ]] || fail "the proxy names no commit for pulumi-command v$COMMAND_VER (sdk@v$COMMAND_VER and the root tag)"
    log "  commits: sdk/v$COMMAND_VER=${h1:-?} v$COMMAND_VER=${h2:-?}"
    # shellcheck disable=SC2046
    found=$(first_served "$COMMAND_PROVIDER_MOD" "${COMMAND_PROVIDER_MODULE_VERSION:-}" "v$COMMAND_VER" \
              $(candidates "$h2" "$t2" 0) $(candidates "$h1" "$t1" 0)) \
      || fail "the Go module proxy serves no version of $COMMAND_PROVIDER_MOD for pulumi-command v$COMMAND_VER (commits ${h2:-?} ${h1:-?}); last answer: $(last_answer). Set COMMAND_PROVIDER_MODULE_VERSION to a version it serves."
    COMMAND_MOD="$COMMAND_PROVIDER_MOD@${found%% *}"
    save_resolved
  fi
  key="pulumi-resource-command $COMMAND_MOD go=$GO_VERSION"
  if stamp_ok "$out" "$key"; then log "command provider: $COMMAND_MOD (cached)"; install_into_bin "$out"; return 0; fi
  step "command provider: downloading $COMMAND_MOD"
  dir=$(mod_dir "$COMMAND_MOD") || fail "$COMMAND_MOD: $MOD_ERR"
  b="$BUILD/pulumi-command-$COMMAND_VER/provider"
  copy_tree "$dir" "$b"
  tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  step "command provider: go build ./cmd/pulumi-resource-command (log: $LOGS/command.log)"
  SECONDS=0
  # Makefile: -X $(PROJECT)/$(VERSION_PATH)=$(VERSION_GENERIC), VERSION_PATH=provider/pkg/version.Version
  run command go -C "$b" build -trimpath \
      -ldflags "-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$COMMAND_VER" \
      -o "$tmp/pulumi-resource-command" ./cmd/pulumi-resource-command
  log "  built pulumi-resource-command in ${SECONDS}s"
  finish_cache "$tmp" "$out" "$key"
  install_into_bin "$out"
}

# --- pulumi-resource-docker ------------------------------------------------------------------
# pulumi-docker is a Terraform-bridged provider: provider/go.mod replaces
# github.com/terraform-providers/terraform-provider-docker with ../upstream, a git submodule of
# github.com/kreuzwerker/terraform-provider-docker that the module zip does not hold, and the
# repository applies its root patches/ to it (not in any module zip either). We lay the upstream
# module (from the proxy) beside the provider as upstream/ and reproduce the one patch the build
# needs (see docker_patch_upstream). schema-embed.json is generated from the provider's
# schema.json like the Makefile's `go generate` (generate.go with VERSION set), or with tfgen when
# the module carries no schema.json.
build_docker() {
  local major=${DOCKER_VER%%.*} out="$CACHE/pulumi-resource-docker-$DOCKER_VER" tmp b dir up
  local found key h t path modpath cmd upmod upver upreplace
  if [[ -z "$DOCKER_MOD" ]]; then
    step "docker provider: finding the commit of pulumi-docker v$DOCKER_VER"
    h="" t=""
    for path in "github.com/pulumi/pulumi-docker/sdk/v$major@v$DOCKER_VER" \
                "github.com/pulumi/pulumi-docker@v$DOCKER_VER+incompatible"; do
      h=$(mod_commit "$path"); t=$(mod_time "$path")
      [[ -z "$h" ]] || { log "  $path is commit $h"; break; }
    done
    if [[ -n "${DOCKER_PROVIDER_MODULE:-}" ]]; then
      DOCKER_MOD=$DOCKER_PROVIDER_MODULE
    else
      [[ -n "$h" ]] || fail "the Go module proxy serves neither github.com/pulumi/pulumi-docker/sdk/v$major@v$DOCKER_VER nor the repository tag v$DOCKER_VER, so the commit of pulumi-docker $DOCKER_VER is unknown (last answer: $(last_answer)). Set DOCKER_PROVIDER_MODULE=<module>@<version>."
      for path in "github.com/pulumi/pulumi-docker/provider/v$major" "github.com/pulumi/pulumi-docker/provider/v4"; do
        # shellcheck disable=SC2046
        if found=$(first_served "$path" "v$DOCKER_VER" $(candidates "$h" "$t" "${path##*/v}")); then
          DOCKER_MOD="$path@${found%% *}"; break
        fi
      done
      [[ -n "$DOCKER_MOD" ]] || fail "the Go module proxy serves no pulumi-docker provider module for commit $h (tried provider/v$major and provider/v4); last answer: $(last_answer). Set DOCKER_PROVIDER_MODULE=<module>@<version>."
    fi
    save_resolved
  fi
  step "docker provider: downloading $DOCKER_MOD"
  dir=$(mod_dir "$DOCKER_MOD") || fail "$DOCKER_MOD: $MOD_ERR"
  modpath=$(go -C "$dir" mod edit -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["Module"]["Path"])')
  # the replace of the Terraform provider with a local path (../upstream)
  upreplace=$(go -C "$dir" mod edit -json | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["Old"]["Path"].endswith("terraform-provider-docker") and not r["New"].get("Version"):
        print(r["Old"]["Path"], r["New"]["Path"])')
  if [[ -n "$upreplace" && -z "$DOCKER_UPSTREAM" ]]; then
    step "docker provider: choosing the upstream github.com/kreuzwerker/terraform-provider-docker"
    if [[ -n "${DOCKER_UPSTREAM_VERSION:-}" ]]; then
      DOCKER_UPSTREAM=$DOCKER_UPSTREAM_VERSION
    else
      # The submodule's commit is recorded only in git, not in the module zip: take the
      # proxy's latest (the upstream's default branch), and say so.
      DOCKER_UPSTREAM=$(mod_field github.com/kreuzwerker/terraform-provider-docker@latest '{{.Version}}')
      [[ -n "$DOCKER_UPSTREAM" ]] || fail "the proxy serves no github.com/kreuzwerker/terraform-provider-docker@latest ($(last_answer)); set DOCKER_UPSTREAM_VERSION"
      log "  WARNING: the upstream pin of pulumi-docker $DOCKER_VER is not in its module zip; using the proxy's latest upstream $DOCKER_UPSTREAM (override with DOCKER_UPSTREAM_VERSION)"
    fi
    save_resolved
  fi
  key="pulumi-resource-docker $DOCKER_MOD upstream=${DOCKER_UPSTREAM:-none} go=$GO_VERSION"
  if stamp_ok "$out" "$key"; then log "docker provider: $DOCKER_MOD (cached)"; install_into_bin "$out"; return 0; fi
  b="$BUILD/pulumi-docker-$DOCKER_VER"
  copy_tree "$dir" "$b/provider"
  if [[ -n "$upreplace" ]]; then
    upmod=${upreplace%% *}
    upver=${upreplace#* }
    step "docker provider: downloading upstream github.com/kreuzwerker/terraform-provider-docker@$DOCKER_UPSTREAM"
    up=$(mod_dir "github.com/kreuzwerker/terraform-provider-docker@$DOCKER_UPSTREAM") \
      || fail "github.com/kreuzwerker/terraform-provider-docker@$DOCKER_UPSTREAM: $MOD_ERR"
    step "docker provider: laying out the upstream as provider/$upver"
    upver=$(realpath -m "$b/provider/$upver")
    copy_tree "$up" "$upver"
    # the upstream's go.mod must carry the module path the provider replaces
    go -C "$upver" mod edit -module "$upmod"
    docker_patch_upstream "$b/provider" "$upver" "$upmod"
    # Other local replaces whose directory is not in the module zip (e.g. a shim module of
    # its own): if they are below the upstream's path, the patched upstream holds them.
    local line old new
    while read -r line; do
      [[ -n "$line" ]] || continue
      old=${line%% *}; new=${line#* }
      [[ "$old" != "$upmod" && ! -d "$b/provider/$new" ]] || continue
      if [[ "$old" == "$upmod/"* && -d "$upver/${old#"$upmod"/}" ]]; then
        log "  $new is not in the module zip: $old now comes from the patched upstream"
        go -C "$b/provider" mod edit -dropreplace="$old" -droprequire="$old"
      else
        fail "$DOCKER_MOD replaces $old with $new, which its module zip does not hold"
      fi
    done < <(go -C "$b/provider" mod edit -json | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if not r["New"].get("Version"):
        print(r["Old"]["Path"], r["New"]["Path"])')
  fi
  cmd="$b/provider/cmd/pulumi-resource-docker"
  [[ -d "$cmd" ]] || fail "$DOCKER_MOD has no cmd/pulumi-resource-docker"
  if [[ ! -f "$cmd/schema.json" ]]; then
    step "docker provider: tfgen schema (log: $LOGS/docker-tfgen.log)"
    run docker-tfgen go -C "$b/provider" build -trimpath \
        -ldflags "-X $modpath/pkg/version.Version=$DOCKER_VER" -o "$b/pulumi-tfgen-docker" ./cmd/pulumi-tfgen-docker
    run docker-tfgen-schema env -C "$b/provider" "$b/pulumi-tfgen-docker" schema --out cmd/pulumi-resource-docker
  fi
  step "docker provider: generating schema-embed.json (VERSION=$DOCKER_VER go run generate.go)"
  if [[ -f "$cmd/generate.go" ]]; then
    run docker-generate env -C "$cmd" VERSION="$DOCKER_VER" go run generate.go
  else
    # what generate.go does: the schema with .version set
    python3 - "$cmd/schema.json" "$cmd/schema-embed.json" "$DOCKER_VER" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); s["version"] = sys.argv[3]
json.dump(s, open(sys.argv[2], "w"))
EOF
  fi
  tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  step "docker provider: go build ./cmd/pulumi-resource-docker (log: $LOGS/docker.log)"
  SECONDS=0
  # Makefile: -ldflags "-X $(PROJECT)/$(VERSION_PATH)=$(VERSION)", VERSION_PATH=provider/vN/pkg/version.Version;
  # without it the provider panics at start.
  run docker go -C "$b/provider" build -trimpath \
      -ldflags "-X $modpath/pkg/version.Version=$DOCKER_VER" \
      -o "$tmp/pulumi-resource-docker" ./cmd/pulumi-resource-docker
  log "  built pulumi-resource-docker in ${SECONDS}s"
  finish_cache "$tmp" "$out" "$key"
  install_into_bin "$out"
}

# docker_patch_upstream PROVIDERDIR UPSTREAMDIR UPSTREAMMODULE
# pulumi-docker's patches/ are applied to the upstream before building. Only one is needed to
# compile: "Add shim.NewProvider to expose internal/provider.New" (the bridge cannot import the
# upstream's internal/ package from outside its module). It creates the 10-line file shim/shim.go,
# reproduced here. The others change behaviour or docs only (smarter default Docker host
# resolution, no empty TLS config for registry clients, no service defaults, typo fixes, docs),
# and are not applied: the provider built here behaves like the upstream there.
docker_patch_upstream() {
  local prov=$1 up=$2 upmod=$3
  step "docker provider: patching the upstream (shim package)"
  if [[ ! -d "$up/shim" ]] && grep -rqs --include='*.go' "\"$upmod/shim\"" "$prov"; then
    mkdir -p "$up/shim"
    {
      echo 'package shim'
      echo
      echo 'import ('
      echo '	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"'
      echo "	\"$upmod/internal/provider\""
      echo ')'
      echo
      echo 'func NewProvider() *schema.Provider {'
      echo '	return provider.New("dev")()'
      echo '}'
    } > "$up/shim/shim.go"
    if grep -rqs --include='*.go' 'shim.NewFrameworkProvider' "$prov" \
       && grep -qs 'func NewFrameworkProvider(' "$up"/internal/provider/*.go; then
      {
        echo
        echo '// NewFrameworkProvider exposes the upstream'"'"'s Plugin Framework half (it is muxed with SDKv2).'
        echo 'func NewFrameworkProvider() func() fwprovider.Provider {'
        echo '	return provider.NewFrameworkProvider("dev")'
        echo '}'
      } >> "$up/shim/shim.go"
      sed -i 's#^import (#import (\n\tfwprovider "github.com/hashicorp/terraform-plugin-framework/provider"#' "$up/shim/shim.go"
    fi
    log "  wrote upstream/shim/shim.go"
  fi
}

# ---------------------------------------------------------------------------------------------
# run every component; each in its own shell so one failure does not hide the others
# ---------------------------------------------------------------------------------------------
FAILED=()
component() {  # component NAME FUNCTION
  local name=$1 fn=$2 rc
  ERR_MARK="$BUILD/.failed-$name"
  rm -f "$ERR_MARK"
  trap - ERR
  set +e
  ( set -e; trap 'on_err $? "$BASH_COMMAND"' ERR; "$fn" )
  rc=$?
  set -e
  trap 'on_err $? "$BASH_COMMAND"' ERR
  if [[ $rc -ne 0 ]]; then
    [[ -e "$ERR_MARK" ]] || report_failure "exit status $rc"
    FAILED+=("$name")
  fi
  rm -f "$ERR_MARK"
  ERR_MARK=""
  # the subshell's resolutions are in resolved.env
  if [[ -f "$RESOLVED" ]]; then
    # shellcheck disable=SC1090
    source "$RESOLVED"
  fi
}

TOTAL_START=$(date +%s)
for c in ${TOOLS_COMPONENTS:-cli python-language-host command-provider docker-provider}; do
  case "$c" in
    cli) component cli build_cli ;;
    python-language-host) component python-language-host build_langhost ;;
    command-provider) component command-provider build_command ;;
    docker-provider) component docker-provider build_docker ;;
  esac
done
STEP="done"

if [[ ${#FAILED[@]} -gt 0 ]]; then
  log "toolchain INCOMPLETE after $(( $(date +%s) - TOTAL_START ))s: could not build ${FAILED[*]} (messages above); what was built is in $BIN"
  exit 1
fi
log "toolchain ready (${TOOLS_COMPONENTS:-all components}) in $(( $(date +%s) - TOTAL_START ))s: $BIN"
echo "$BIN"
