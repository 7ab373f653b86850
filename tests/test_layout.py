"""The layout as a rule: what the program is made of (components) below, the tools beside it (ops)
above it, the tooling (scripts) apart; imports only ever point down."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

# What each part of the repository may import of this project's own packages.
MAY_IMPORT = {
    "components": {"components"},
    "ops": {"components", "ops"},
    "scripts": {"components", "ops", "scripts"},
    "__main__": {"components"},
}
OWN_PACKAGES = {"components", "ops", "scripts", "tests", "multihost"}


# Parsed in a fresh interpreter: Python 3.11's parser can refuse ("AST constructor recursion depth
# mismatch") in a process that has run the program under mocks before.
_IMPORTS_OF = """
import ast, json, sys
found = {}
for path in sys.argv[1:]:
    names = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    found[path] = sorted(names)
print(json.dumps(found))
"""


def own_imports_of(paths: list[Path]) -> dict[Path, set[str]]:
    """The top-level names of this project's packages that each file imports."""
    done = subprocess.run([sys.executable, "-c", _IMPORTS_OF, *map(str, paths)], capture_output=True, text=True,
                          check=True)
    return {Path(path): set(names) & OWN_PACKAGES for path, names in json.loads(done.stdout).items()}


def own_imports(path: Path) -> set[str]:
    return own_imports_of([path])[path]


def files_of(part: str) -> list[Path]:
    return [ROOT / "__main__.py"] if part == "__main__" else sorted((ROOT / part).rglob("*.py"))


@pytest.mark.parametrize("part", sorted(MAY_IMPORT))
def test_imports_point_only_down(part):
    wrong = {f"{path.relative_to(ROOT)} imports {name}"
             for path, names in own_imports_of(files_of(part)).items() for name in names - MAY_IMPORT[part]}
    assert not wrong


def test_the_rule_sees_a_wrong_way_import(tmp_path):
    upward = tmp_path / "upward.py"
    upward.write_text("from ops.stack import stack_outputs\nimport scripts.harness\n")
    assert own_imports(upward) - MAY_IMPORT["components"] == {"ops", "scripts"}


def test_the_wiring_imports_on_its_own():
    done = subprocess.run([sys.executable, "-c", "import components.topology"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# Literals of the shared names (components/names.py) and of what has one helper; outside tests
# each stands only where it is defined. The Vagrantfile is Ruby: it spells the stack label itself.
DEFINED_ONCE = {
    'f"probe-{': "components/names.py",
    'f"multihost-{': "components/names.py",
    '"multihost.stack"': "components/names.py",
    '"docker-multihost"': "components/names.py",
    '"stack", "output"': "ops/stack.py",
    "def ping_targets": "components/ping.py",
    "def leftovers": "scripts/harness.py",
    # Configuration keys are read through components.config, or named with PROJECT.
    "docker-multihost:": None,
}


def program_and_tool_files() -> list[Path]:
    return [ROOT / "__main__.py", ROOT / "Makefile",
            *(path for part in ("components", "ops", "scripts", ".ci") for path in sorted((ROOT / part).rglob("*"))
              if path.is_file() and path.suffix in (".py", ".sh", "") and "__pycache__" not in path.parts)]


@pytest.mark.parametrize("literal", sorted(DEFINED_ONCE))
def test_a_shared_name_is_spelled_only_where_it_is_defined(literal):
    places = {str(path.relative_to(ROOT)) for path in program_and_tool_files() if literal in path.read_text(errors="replace")}
    assert places == ({DEFINED_ONCE[literal]} if DEFINED_ONCE[literal] else set())
