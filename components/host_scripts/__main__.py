"""Print the command text the program sends for a host script, with the given settings.

    python3 -m components.host_scripts SCRIPT [SCRIPT …] [NAME=VALUE …]

SCRIPT: a script's name (`ensure-engine` for ensure-engine.sh); several are the steps of one
command, in order. NAME=VALUE: a setting. Run from the project's folder; to run the command on a
host, as the program does: `python3 -m components.host_scripts … | ssh root@HOST sh -s`.
"""
from __future__ import annotations

import sys

from components import host_scripts


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv else 2
    scripts = [arg for arg in argv if "=" not in arg]
    settings = dict(arg.split("=", 1) for arg in argv if "=" in arg)
    unknown = [script for script in scripts if not (host_scripts.SCRIPT_DIR / f"{script}.sh").is_file()]
    if unknown or not scripts:
        known = " ".join(sorted(path.stem for path in host_scripts.SCRIPT_DIR.glob("*.sh")))
        problem = f"no script {' '.join(unknown)}" if unknown else "no script named"
        print(f"{problem}; the scripts: {known}", file=sys.stderr)
        return 2
    sys.stdout.write(host_scripts.render(scripts, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
