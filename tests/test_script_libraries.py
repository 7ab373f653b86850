"""The host scripts' libraries (components/host_scripts/lib/): the `# needs:` line of every script and
library, checked against what the files call (the renderer reads only those lines; these tests read
the code), and the commands the program sends."""
from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys

import pytest

from components import host_scripts
from conftest import ROOT, stack_config

LIBRARIES = sorted(path.stem for path in (host_scripts.SCRIPT_DIR / "lib").glob("*.sh"))
SCRIPTS = sorted(path.stem for path in host_scripts.SCRIPT_DIR.glob("*.sh"))
# Every file that has a `# needs:` line, by its name for host_scripts.needs.
FILES = [*SCRIPTS, *(f"lib/{library}" for library in LIBRARIES)]

# A function definition (`name() {`), and a library's own top-level variable (`SERF_PORT=7946`).
_DEFINITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\(\) \{", re.M)
_VARIABLE = re.compile(r"^([A-Z_][A-Z0-9_]*)=", re.M)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def code(name: str) -> str:
    """A script's or library's text without comments (whole-line or trailing)."""
    text = (host_scripts.SCRIPT_DIR / f"{name}.sh").read_text()
    return "\n".join(re.sub(r"(^|\s)#\s.*$", "", line) for line in text.splitlines()
                     if not line.lstrip().startswith("#"))


def defined(name: str) -> set[str]:
    """The functions, and for a library its top-level variables, that a file defines."""
    text = code(name)
    names = set(_DEFINITION.findall(text))
    return names | set(_VARIABLE.findall(text)) if name.startswith("lib/") else names


LIBRARY_NAMES = {library: defined(f"lib/{library}") for library in LIBRARIES}
ALL_LIBRARY_NAMES = set().union(*LIBRARY_NAMES.values())


def test_the_libraries_define_each_name_once():
    seen: dict[str, str] = {}
    for library, names in LIBRARY_NAMES.items():
        for name in names:
            assert name not in seen, f"{name} is in both {seen[name]}.sh and {library}.sh"
            seen[name] = library
    # Nor does a script define again what a library defines.
    for script in SCRIPTS:
        assert not defined(script) & ALL_LIBRARY_NAMES, script


@pytest.mark.parametrize("name", FILES)
def test_the_first_line_names_only_existing_libraries_each_once(name):
    listed = host_scripts.needs(name)
    assert not set(listed) - set(LIBRARIES), f"{name}.sh needs libraries that lib/ does not have"
    assert len(listed) == len(set(listed)), f"{name}.sh names a library twice"
    assert name.removeprefix("lib/") not in listed, f"{name}.sh names itself"


@pytest.mark.parametrize("name", FILES)
def test_every_library_a_listed_library_needs_is_listed_before_it(name):
    listed = host_scripts.needs(name)
    for position, library in enumerate(listed):
        missing = [need for need in host_scripts.needs(f"lib/{library}") if need not in listed[:position]]
        assert not missing, f"{name}.sh: {library} needs {missing}, to be listed before it"


@pytest.mark.parametrize("name", FILES)
def test_every_shared_function_a_file_calls_is_defined_by_a_library_it_names(name):
    provided = defined(name).union(*(LIBRARY_NAMES[library] for library in host_scripts.needs(name)))
    used = set(_WORD.findall(code(name))) & ALL_LIBRARY_NAMES
    assert not used - provided, f"{name}.sh uses {sorted(used - provided)} without naming their libraries"


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_names_base_first(script):
    """base.sh has `set -eu`, which every script runs under."""
    assert host_scripts.needs(script)[:1] == ["base"], script


@pytest.mark.parametrize("name", FILES)
def test_a_file_names_no_library_it_does_not_use(name):
    """Each library named (but base, for its `set -eu`) is used by the file, or needed by a library
    the file uses: a command carries no library for nothing."""
    listed = host_scripts.needs(name)
    used = {library for library in listed if set(_WORD.findall(code(name))) & LIBRARY_NAMES[library]} | {"base"}
    wanted = set(used)
    for library in used:
        wanted |= set(host_scripts.needs(f"lib/{library}"))
    assert set(listed) <= wanted, f"{name}.sh names {sorted(set(listed) - wanted)}, which it does not use"


def test_the_engine_library_does_not_depend_on_the_join_library():
    assert host_scripts.needs("lib/engine") == ["waits", "engine-api"]


def test_a_file_without_its_needs_line_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(host_scripts, "SCRIPT_DIR", tmp_path)
    (tmp_path / "bare.sh").write_text("echo no first line\n")
    with pytest.raises(ValueError, match=r"bare.sh: the first line must name the libraries it needs"):
        host_scripts.render("bare")


def test_a_command_carries_every_library_its_script_names_whole():
    """Whole libraries, not the functions a script calls: wait-gossip.sh calls gossip_members, and
    its command also carries gossip_met_another of the same library."""
    text = host_scripts.render("wait-gossip", {"ENGINES": "a b"})
    assert "gossip_members() {" in text and "gossip_met_another() {" in text
    assert "join_store() {" not in text and "run_container() {" not in text


# Every wait's bound is a setting, `<WHAT>_WAIT_S`, whose default is the bound the wait always had.
WAIT_DEFAULTS = {
    "ENGINE_START_WAIT_S": "60", "ENGINE_EXIT_WAIT_S": "30", "FIRST_ENGINE_WAIT_S": "120",
    "STORE_RELOAD_WAIT_S": "10", "CONSUL_LEADER_WAIT_S": "60", "ENGINE_REGISTER_WAIT_S": "60",
    "SERF_LISTEN_WAIT_S": "30", "GOSSIP_JOIN_WAIT_S": "30", "GOSSIP_WAIT_S": "10", "GOSSIP_RESTART_WAIT_S": "30",
    "NETWORK_PEERS_WAIT_S": "90", "NETWORK_VISIBLE_WAIT_S": "60", "NODE_READY_WAIT_S": "60", "STRAY_THREAD_WAIT_S": "2",
}
_WAIT_CALL = re.compile(r"\bwait_(?:until|for_key) (\S+)")
_WAIT_BOUND = re.compile(r'"\$\{([A-Z_]+_WAIT_S):-([0-9]+)\}"')
_WAIT_SETTING = re.compile(r"\b[A-Z_]+_WAIT_S\b")


def test_every_wait_bound_is_a_setting_with_its_default():
    bounds: dict[str, str] = {}
    for name in FILES:
        for bound in _WAIT_CALL.findall(code(name)):
            match = _WAIT_BOUND.fullmatch(bound)
            assert match, f"{name}.sh: the bound {bound} is not a setting `\"${{<WHAT>_WAIT_S:-N}}\"`"
            assert match.group(1) not in bounds, f"{match.group(1)} bounds two waits"
            bounds[match.group(1)] = match.group(2)
    assert bounds == WAIT_DEFAULTS


def functions(name: str) -> dict[str, str]:
    """A library's functions by name: `name() {` on one line, or up to a line `}`."""
    bodies: dict[str, str] = {}
    inside = None
    for line in code(name).splitlines():
        if inside is not None:
            bodies[inside] += line + "\n"
            inside = None if line.rstrip() == "}" else inside
        elif match := _DEFINITION.match(line):
            bodies[match.group(1)] = line + "\n"
            inside = match.group(1) if line.rstrip().endswith("{") else None
    return bodies


def reachable(script: str) -> str:
    """The script's code and the library functions it calls, and those they call in turn."""
    library_functions = {name: body for library in host_scripts.needs(script)
                         for name, body in functions(f"lib/{library}").items()}
    text, wanted = code(script), set()
    pending = set(_WORD.findall(text)) & library_functions.keys()
    while pending:
        name = pending.pop()
        wanted.add(name)
        pending |= (set(_WORD.findall(library_functions[name])) & library_functions.keys()) - wanted
    return text + "".join(library_functions[name] for name in wanted)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_scripts_settings_comment_lists_every_wait_it_reads(script):
    lines = (host_scripts.SCRIPT_DIR / f"{script}.sh").read_text().splitlines()
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
    listed = set(_WAIT_SETTING.findall(header.partition("Settings:")[2]))
    read = set(_WAIT_SETTING.findall(reachable(script)))
    assert listed == read, f"{script}.sh reads the waits {sorted(read)}; its Settings: comment lists {sorted(listed)}"


# The steps of the commands the components send (components/*.py).
COMPONENT_STEPS = [
    ["ensure-engine", "configure-engine", "wait-engine-joined"],
    ["ensure-engine", "load-image", "run-consul", "wait-consul-leader"],
    ["load-image", "wait-gossip", "wait-network-visible", "run-probe"],
    ["load-image", "wait-network-visible", "run-probe"],
    ["load-image", "run-probe"],
]


@pytest.mark.parametrize("steps", COMPONENT_STEPS, ids=" ".join)
def test_the_steps_of_a_command_carry_their_libraries_once_in_the_order_first_named(steps):
    first_named: list[str] = []
    for step in steps:
        first_named += [library for library in host_scripts.needs(step) if library not in first_named]
    assert host_scripts.libraries(steps) == first_named
    # That order has every library after those it needs.
    for position, library in enumerate(first_named):
        assert set(host_scripts.needs(f"lib/{library}")) <= set(first_named[:position]), library
    # Each library's code once, in that order, before the first step.
    text = host_scripts.render(steps)
    positions = [text.index(host_scripts._code(f"lib/{library}")) for library in first_named]
    assert positions == sorted(positions)
    for library in first_named:
        assert text.count(host_scripts._code(f"lib/{library}")) == 1, library
    assert positions[-1] < text.index(f"# {steps[0]}.sh\n(\n")


def test_the_union_keeps_the_first_steps_order():
    assert host_scripts.libraries(["ensure-engine", "load-image", "run-consul"]) == [
        "base", "record", "waits", "engine-api", "engine", "versions", "firewall", "keys", "tls", "kv-join", "containers"]
    assert host_scripts.libraries(["load-image", "wait-gossip", "run-probe"]) == [
        "base", "engine-api", "waits", "engine", "gossip", "containers"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_alone_passes_sh_n(script):
    assert subprocess.run(["sh", "-n", "-c", host_scripts.render(script)]).returncode == 0, script


@pytest.mark.parametrize("stack", ["sandbox", "sandbox-swarm"])
def test_every_command_the_program_sends_passes_sh_n(run_program, stack):
    run = run_program(stack_config(stack))
    texts = {}
    for name, inputs in run.mocks.inputs.items():
        if "stdin" in inputs and "sh -s # docker-multihost" in inputs.get("create", ""):
            stdin = inputs["stdin"]
            # A secret setting (the swarm's join token) makes the whole text a secret.
            texts[f"{name} (create)"] = stdin["value"] if isinstance(stdin, dict) else stdin
        if "sh -c" in (inputs.get("delete") or ""):
            texts[f"{name} (delete)"] = shlex.split(inputs["delete"])[-1]
    assert any("(delete)" in name for name in texts) and len(texts) > 5, sorted(texts)
    for name, text in texts.items():
        done = subprocess.run(["sh", "-n", "-c", text], capture_output=True, text=True)
        assert done.returncode == 0, f"{name}: {done.stderr}"


def test_the_command_line_prints_what_the_program_sends():
    settings = {"NETWORK": "my-net", "SCOPE": "global", "ENGINES": "a b"}
    done = subprocess.run(
        [sys.executable, "-m", "components.host_scripts", "wait-gossip", "wait-network-visible",
         *(f"{name}={value}" for name, value in settings.items())],
        capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == host_scripts.render(["wait-gossip", "wait-network-visible"], settings)


def test_the_command_line_names_the_scripts_when_it_does_not_know_one():
    done = subprocess.run([sys.executable, "-m", "components.host_scripts", "no-such-script"],
                          capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert done.returncode == 2 and done.stdout == ""
    assert "no script no-such-script" in done.stderr and "ensure-engine" in done.stderr
