"""make consul-ui: the Consul UI of a kv stack, for a person, through an SSH tunnel to the keystore
host, where Consul answers plain HTTP on its loopback only (no client certificate needed: SSH with
the stack's pinned host key is the way in). Ctrl-C closes it.

    python -m ops.consul_ui --stack sandbox
"""
from __future__ import annotations

import argparse
import signal
import sys

from components.consul_keystore import CONSUL_LOCAL_PORT
from ops.stack import ToolError, stack_outputs, tunnel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
        if "keystoreHost" not in outputs:
            raise ToolError(f"stack {args.stack!r} runs no Consul (controlPlane {outputs.get('controlPlane')})")
        keystore = outputs["keystoreHost"]
        with tunnel(outputs["hostAccess"][keystore], "127.0.0.1", CONSUL_LOCAL_PORT) as port:
            print(f"Consul UI of stack {args.stack}: http://127.0.0.1:{port}/ui/ (through SSH to {keystore}; Ctrl-C closes it)",
                  flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
    except ToolError as err:
        print(f"consul-ui: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
