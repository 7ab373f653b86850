"""The ping report of a stack that `make up` just stood up, for a person.

    python -m ops.report OUTPUTS_JSON     (from `pulumi stack output --json`)
"""
from __future__ import annotations

import json
import sys

from components.ping import describe


def main() -> int:
    outputs = json.load(open(sys.argv[1]))
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
