# needs:
# Shared helpers for the host scripts: what every script needs. How scripts name the libraries
# they need (`# needs:`), and how to run one by hand: README beside this file.
set -eu

fail() { echo "error: $*" >&2; exit 1; }
# note TEXT: something the person running the stack should read (stderr: shown in Pulumi's
# progress; what a script prints on stdout is kept as the command's output, and shown only on failure).
note() { echo "$*" >&2; }

# The label on every container and network the stack makes on a host: the stack's ID (STACK_ID).
STACK_ID_LABEL=multihost.stack-id
