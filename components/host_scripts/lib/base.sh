# needs:
# Shared helpers for the host scripts: what every script needs. How scripts name the libraries
# they need (`# needs:`), and how to run one by hand: README beside this file.
set -eu

fail() { echo "error: $*" >&2; exit 1; }
