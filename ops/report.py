"""The ping report of a stack that `make up` just stood up, for a person.

    python -m ops.report --stack sandbox
"""
from __future__ import annotations

import argparse
import sys

from components.ping import describe
from ops.stack import ToolError, stack_outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
    except ToolError as err:
        print(f"report: {err}", file=sys.stderr)
        return 1
    if "consulUiUrl" in outputs:
        print("Consul UI:", outputs["consulUiUrl"])
    else:
        print("Swarm manager:", outputs.get("swarmManager"))
    print("ping results (pingResults):")
    for result in outputs["pingResults"]:
        print(" ", describe(result))
    print("allReachable:", outputs["allReachable"])
    return 0 if outputs["allReachable"] else 1


if __name__ == "__main__":
    sys.exit(main())
