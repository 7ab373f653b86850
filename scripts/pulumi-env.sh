# scripts/pulumi-env.sh - source me (bash or zsh):  . scripts/pulumi-env.sh
# Puts the repo's Pulumi toolchain (.tools/bin, made by scripts/tools.sh) first on PATH and sets
# the environment for a local, offline Pulumi: no update check, no automatic plugin downloads,
# a file:// backend in <repo>/.state unless PULUMI_BACKEND_URL is already set, and an empty
# passphrase for its secrets unless PULUMI_CONFIG_PASSPHRASE(_FILE) is already set.
# It builds nothing: run `bash scripts/tools.sh` first.

if [ -n "${BASH_SOURCE:-}" ]; then
  _pulumi_env_src="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
  # shellcheck disable=SC2296
  _pulumi_env_src="${(%):-%x}"
else
  _pulumi_env_src="$0"
fi
PULUMI_REPO_ROOT="$(cd "$(dirname "$_pulumi_env_src")/.." && pwd)"
unset _pulumi_env_src
export PULUMI_REPO_ROOT

# tools.sh put the toolchain either in .tools/official (Pulumi's installer) or .tools/bin (built).
_pulumi_env_bin="${PULUMI_TOOLS_DIR:-$PULUMI_REPO_ROOT/.tools}/official/bin"
[ -x "$_pulumi_env_bin/pulumi" ] || _pulumi_env_bin="${PULUMI_TOOLS_DIR:-$PULUMI_REPO_ROOT/.tools}/bin"
case ":$PATH:" in
  ":$_pulumi_env_bin:"*) ;;                                  # already first
  *) PATH="$_pulumi_env_bin:$(printf '%s' ":$PATH:" | sed "s#:$_pulumi_env_bin:#:#g; s#^:##; s#:\$##")" ;;
esac
export PATH
if [ ! -x "$_pulumi_env_bin/pulumi" ]; then
  echo "pulumi-env.sh: no $_pulumi_env_bin/pulumi yet; run: bash scripts/tools.sh" >&2
fi
unset _pulumi_env_bin

export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
if [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-}"
fi
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  mkdir -p "$PULUMI_REPO_ROOT/.state"
  export PULUMI_BACKEND_URL="file://$PULUMI_REPO_ROOT/.state"
fi
