"""Runs the real __main__.py under Pulumi mocks: a fresh event loop and fresh mocks per program run
(per test, or per committed stack for the tests that only read its run), a monitor that records
every registration (type, parent, dependencies), and canned outputs that stand in for what hosts
would print. And stand-in commands for the host scripts run here (`stub_bin`)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Collection, Optional

import pulumi
import pytest
import yaml
from pulumi.runtime import config as pulumi_config
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import source_pb2
import pulumi.runtime.resource
from pulumi.runtime.settings import get_root_resource, reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PING_DATA = ROOT / "tests" / "data" / "ping"
from components.names import PROJECT  # noqa: E402
from ops.reach import SECRET, SPECIAL_SIGNATURE  # noqa: E402


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str
    custom: bool
    secret_outputs: list[str]
    deleted_with: str
    delete_before_replace: bool

    @property
    def parent_type(self) -> str:
        # urn:pulumi:stack::project::<parent types joined by $>$<type>::name
        chain = self.urn.split("::")[2].split("$")
        return chain[-2] if len(chain) > 1 else ""

    def depends_on_type(self, type_token: str) -> bool:
        """True if any dependency is, or is a child of, a resource of type_token."""
        deps = set(self.dependencies) | {d for ds in self.property_dependencies.values() for d in ds}
        return any(f"::{type_token}::" in d or f"{type_token}$" in d for d in deps)


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(Registration(
                type=request.type, name=request.name, urn=response.urn, parent=request.parent,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                provider=request.provider,
                custom=bool(request.custom),
                secret_outputs=list(request.additionalSecretOutputs),
                deleted_with=request.deletedWith,
                delete_before_replace=request.deleteBeforeReplace,
            ))
        return response

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def named(self, name: str) -> Registration:
        (match,) = [r for r in self.registrations if r.name == name]
        return match


def all_dependencies(registration: Registration) -> set[str]:
    """The URNs a registration depends on, as a whole or through any of its inputs."""
    return set(registration.dependencies) | {d for ds in registration.property_dependencies.values() for d in ds}


def dependency_names(registration: Registration) -> set[str]:
    return {d.rsplit("::", 1)[1] for d in all_dependencies(registration)}


# What the swarm manager's init command prints: the workers' join token.
FAKE_JOIN_TOKEN = "SWMTKN-1-0000fake0000token0000-0000worker0000"
# What the sandbox's key commands print (the public key; the private one, as far as tests go).
FAKE_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGR+FuK4P4PLoIhVeF6BMKv2xkynfQQCFODnXu5pdggO multihost-sandbox"
# Another key, for a host that serves a key the stack did not pin.
OTHER_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFrybVKE31uouZhGvlB+RElF6vQZNvhPec46rcwVqb01"


def ping_output(name: str) -> str:
    return (PING_DATA / name).read_text()


def secret_value(value):
    """The plaintext of a secret input (the mocks see Pulumi's secret marker around it); fails if
    the input is not a secret."""
    assert isinstance(value, dict) and value.get(SPECIAL_SIGNATURE) == SECRET, f"not a secret: {value!r:.60}"
    return value["value"]


def plain(value):
    """An input's plaintext, secret or not (a command's stdin is secret when it carries a key)."""
    return value["value"] if isinstance(value, dict) and value.get(SPECIAL_SIGNATURE) == SECRET else value


def fake_outputs(engines: int = 2, control_plane: str = "kv", lost: Collection[tuple[str, str]] = (),
                 tmp_path: Optional[Path] = None) -> dict[str, Any]:
    """A running stack's outputs as the tools read them (`pulumi stack output --json`, and the
    known_hosts `stack_outputs` adds): a keystore (kv) and `engines` engines at the sandbox's
    addresses and ports, their probes pinging each other with every reply, but the (from, to) pairs
    in `lost`, whose pings had none. The key and known_hosts files are under `tmp_path`, if given."""
    from components.ping import parse_ping, ping_targets

    names = (["mh-keystore"] if control_plane == "kv" else []) + [f"mhs-demo{i}" for i in range(engines)]
    addresses = {name: f"172.28.128.{5 + i}" for i, name in enumerate(names)}
    probes = {name: f"10.0.4.{2 + i}" for i, name in enumerate(n for n in names if n != "mh-keystore")}
    state = tmp_path or Path("/state/sandbox")
    access = {name: {"address": "127.0.0.1", "port": 2200 + i, "user": "root", "privateKeyFile": str(state / "id_ed25519"),
                     "hostKey": FAKE_PUBLIC_KEY.rsplit(" ", 1)[0], "name": name,
                     "knownHostsFile": str(state / "known_hosts")}
              for i, name in enumerate(names)}
    results = [parse_ping(ping_output("iputils-no-reply.txt" if (source, destination) in lost else "iputils-full.txt"),
                          source, destination, target)
               for source in probes for destination, target in ping_targets(source, probes)]
    outputs = {
        "controlPlane": control_plane,
        "pingResults": results,
        "allReachable": all(result["reachable"] for result in results),
        "hostAddresses": addresses,
        "probeAddresses": probes,
        "overlayNetwork": {"name": "my-net", "subnet": "10.0.4.0/24", "encrypted": False},
        "hostAccess": access,
    }
    if control_plane == "kv":
        outputs.update(consulUrl="consul://172.28.128.5:8501", consulUiUrl="https://172.28.128.5:8501/ui/", keystoreHost="mh-keystore")
    else:
        outputs["swarmManager"] = "mhs-demo0"
    return outputs


def setting(stdin: str, name: str) -> str:
    """The value of a setting NAME=… at the top of a rendered host command."""
    (value,) = re.findall(rf"^{name}='?([^'\n]*)'?$", stdin, re.M)
    return value


# What a remote command prints on stdout, by the host script whose stdout it returns (its last
# step): a function of the mocks and the command's rendered stdin. Any other script prints "ok".
REMOTE_STDOUT: dict[str, Callable[["HostMocks", str], str]] = {
    "swarm-init": lambda mocks, stdin: f"{FAKE_JOIN_TOKEN}\n",
    "run-probe": lambda mocks, stdin: f"{mocks.probe_address(setting(stdin, 'PROBE'))}\n",
    "create-network": lambda mocks, stdin: f"{setting(stdin, 'NETWORK')}\n",
    "ping-probes": lambda mocks, stdin: mocks.ping_probes_output(stdin),
    "request-certificate": lambda mocks, stdin: FAKE_CERTIFICATE_REQUEST,
}


def vagrant_ssh_config(mocks: "HostMocks", create: str) -> str:
    key = mocks.tmp_path / f"{create.split()[-1]}.key"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n")
    return f"Host x\n  HostName 127.0.0.1\n  User vagrant\n  Port 2222\n  IdentityFile \"{key}\"\n"


# The stack's identity (StackIdentity).
FAKE_STACK_ID = "0123456789ab"

# What a local command prints, by the start of its command line; any other prints FAKE_PUBLIC_KEY.
FAKE_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nFAKE-CERTIFICATE\n-----END CERTIFICATE-----"
"""What every local TLS script prints under the mocks (the CA's, a signed one, the tools')."""
FAKE_CERTIFICATE_REQUEST = "-----BEGIN CERTIFICATE REQUEST-----\nFAKE-REQUEST\n-----END CERTIFICATE REQUEST-----"
"""What a host's request-certificate.sh prints under the mocks."""

LOCAL_STDOUT: dict[str, Callable[["HostMocks", str], str]] = {
    "sh -s # docker-multihost local/": lambda mocks, create: FAKE_CERTIFICATE,
    "vagrant ssh-config ": vagrant_ssh_config,
    "od -An -N6 -tx1 /dev/urandom": lambda mocks, create: f"{FAKE_STACK_ID}\n",
}


def last_script(create: str) -> str:
    """The script whose stdout a remote command returns: the last one its command line names."""
    return create.rsplit(" ", 1)[-1].removesuffix(".sh")


class HostMocks(pulumi.runtime.Mocks):
    """Canned results for what would run on hosts, from the tables above. `ping_outputs` maps one
    ping, named `pings-<source>-to-<destination>-by-<address|name>`, to the text ping printed; the
    rest get a full iputils reply."""

    def __init__(self, tmp_path: Path, ping_outputs: Optional[dict[str, str]] = None):
        self.tmp_path = tmp_path
        self.ping_outputs = ping_outputs or {}
        self.inputs: dict[str, dict] = {}
        self._next_address = 2
        self._host_of_address: dict[str, str] = {}

    def probe_address(self, probe: str) -> str:
        """The next address on the overlay, for the probe named `probe`."""
        address = f"10.0.4.{self._next_address}"
        self._next_address += 1
        self._host_of_address[address] = probe.removeprefix("probe-")
        return address

    def ping_probes_output(self, stdin: str) -> str:
        """What ping-probes.sh prints for its TARGETS: `TARGET <line>` for each line of each ping."""
        source = setting(stdin, "PROBE").removeprefix("probe-")
        text = []
        for target in setting(stdin, "TARGETS").split():
            if target.startswith("probe-"):
                destination, kind = target.removeprefix("probe-"), "name"
            else:
                destination, kind = self._host_of_address[target], "address"
            output = self.ping_outputs.get(f"pings-{source}-to-{destination}-by-{kind}", ping_output("iputils-full.txt"))
            text += [f"{target} {line}" for line in output.splitlines()]
        return "\n".join(text)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        self.inputs[args.name] = dict(args.inputs)
        if args.typ == "command:remote:Command":
            stdout = REMOTE_STDOUT.get(last_script(args.inputs["create"]))
            outputs["stdout"] = stdout(self, plain(args.inputs["stdin"])) if stdout else "ok"
        elif args.typ == "command:local:Command":
            create = args.inputs["create"]
            stdout = next((f for start, f in LOCAL_STDOUT.items() if create.startswith(start)), None)
            outputs["stdout"] = stdout(self, create) if stdout else FAKE_PUBLIC_KEY
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def stack_config(stack: str, **overrides: Any) -> dict[str, Any]:
    """The values of Pulumi.<stack>.yaml (without the namespace), with overrides."""
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    values = {key.split(":", 1)[1]: value for key, value in raw.items()}
    values.update(overrides)
    return values


@dataclass
class ProgramRun:
    monitor: RecordingMonitor
    mocks: HostMocks
    outputs: dict[str, Any] = field(default_factory=dict)


def set_stack_config(values: dict[str, Any]) -> None:
    pulumi_config.set_all_config({
        f"{PROJECT}:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
    })


def no_agent_and_a_passphrase_file_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "/run/secrets/passphrase")


@pytest.fixture(autouse=True)
def no_agent_and_a_passphrase_file(monkeypatch):
    """Every test starts where no ssh-agent runs and the stack's secrets have a passphrase (a file);
    the tests of either set their own environment."""
    no_agent_and_a_passphrase_file_in(monkeypatch)


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs what the SDK hands to an executor (its calls to the mock monitor, which never block) at
    once, on the loop's own thread: handing each to a thread and back cost a tenth of a program run.
    A ThreadPoolExecutor by type only, which asyncio asks of a default executor."""

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # the SDK reads it back from the future, as from a thread
            future.set_exception(error)
        return future


@contextlib.contextmanager
def fresh_event_loop():
    """A new event loop, this thread's current one until the block ends, then closed."""
    loop = asyncio.new_event_loop()
    loop.set_default_executor(InlineExecutor())
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def event_loop_per_test():
    """A fresh event loop for each test, as Pulumi's own SDK tests do."""
    with fresh_event_loop() as loop:
        yield loop


@pytest.fixture
def run_program(tmp_path, event_loop_per_test, monkeypatch) -> Callable[..., ProgramRun]:
    """Run __main__.py once with the given config under fresh mocks; resolve the stack outputs.
    The hosts' sshd is faked too: each serves FAKE_PUBLIC_KEY, or what `served_keys` gives for its
    port (the verification asks, and `asked_keys` records where)."""
    return program_runner(tmp_path, monkeypatch)


def program_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ProgramRun]:
    """run_program's runs, on the current thread's event loop, patching with `monkeypatch`."""
    from components import host_keys

    # The SDK walks the whole call stack (pytest's frames too) for each resource's source position,
    # a quarter of a run's time; the mocks never read it.
    monkeypatch.setattr(pulumi.runtime.resource, "_get_stack_trace", lambda: source_pb2.StackTrace())

    def run(values: dict[str, Any], ping_outputs: Optional[dict[str, str]] = None,
            preview: bool = False, served_keys: Optional[dict[int, str]] = None) -> ProgramRun:
        async def served_key(address: str, port: int) -> Optional[str]:
            run.asked_keys.append((address, port))
            return (served_keys or {}).get(port, host_keys.key_of(FAKE_PUBLIC_KEY))
        monkeypatch.setattr(host_keys, "served_key", served_key)
        run.asked_keys = []
        mocks = HostMocks(tmp_path, ping_outputs)
        monitor = RecordingMonitor(mocks)
        run.monitors.append(monitor)
        # A new root stack per run: set_mocks keeps the previous one, and with it the previous
        # run's exports.
        reset_options(project=PROJECT, stack="test")
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack="test", preview=preview, monitor=monitor)
        images = values.get("images") or {}
        if images.get("loadFrom"):
            # The archives `make images` writes; their contents are not read under mocks.
            archives = tmp_path / "images"
            archives.mkdir(exist_ok=True)
            for name in ("consul.tar", "probe.tar"):
                (archives / name).touch()
            values = {**values, "images": {**images, "loadFrom": str(archives)}}
        set_stack_config(values)
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")))
        result = ProgramRun(monitor=monitor, mocks=mocks)
        for key, value in get_root_resource().outputs.items():
            result.outputs[key] = _sync_await(pulumi.Output.from_input(value).future())
        return result

    run.monitors = []  # every monitor used, also by runs that raised
    return run


def _run_committed(stack: str, tmp_path: Path) -> ProgramRun:
    """The committed stack's run, under fresh mocks and a fresh event loop of this thread's own;
    its record made read-only."""
    with fresh_event_loop(), pytest.MonkeyPatch.context() as monkeypatch:
        no_agent_and_a_passphrase_file_in(monkeypatch)  # whichever test asks first
        done = program_runner(tmp_path, monkeypatch)(stack_config(stack))
    done.monitor.registrations = tuple(done.monitor.registrations)
    done.mocks.inputs = MappingProxyType({name: MappingProxyType(inputs) for name, inputs in done.mocks.inputs.items()})
    done.outputs = MappingProxyType(done.outputs)
    return done


@pytest.fixture(scope="session")
def committed_stack(tmp_path_factory) -> Callable[[str], ProgramRun]:
    """A committed stack (Pulumi.<stack>.yaml as it is) run once per test process, for the tests
    that only read what the program registered for it (most of them: docs/performance.md). It is a
    run of its own, on a thread of its own under fresh mocks and a fresh event loop (no test's loop
    or mocks are touched), and what it recorded is read-only: no test sees another's doing. A test
    that changes the configuration, the mocks' answers or what the program reads runs its own
    (run_program)."""
    runs: dict[str, ProgramRun] = {}

    def run(stack: str) -> ProgramRun:
        if stack not in runs:
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
                runs[stack] = thread.submit(_run_committed, stack, tmp_path_factory.mktemp(stack)).result()
        return runs[stack]
    return run


@dataclass
class StubBin:
    """A folder of stand-in commands, first on the PATH of `env`: a host script run with `env` calls
    them in place of the real ones."""
    path: Path
    calls: Path
    """Where the stand-ins added with `record=True` write one line per call: `NAME ARGS…`."""
    env: dict[str, str]

    def add(self, name: str, body: str, record: bool = False) -> Path:
        """The stand-in command `name`: a sh script with `body`, recording its calls first if asked."""
        stub = self.path / name
        recording = f'echo "{name} $*" >>"{self.calls}"\n' if record else ""
        stub.write_text("#!/bin/sh\n" + recording + body)
        stub.chmod(0o755)
        return stub

    def recorded(self) -> list[str]:
        """The recorded calls, in order (none if no recording stand-in was called)."""
        return self.calls.read_text().splitlines() if self.calls.exists() else []


@pytest.fixture
def stub_bin(tmp_path) -> StubBin:
    """An empty folder of stand-in commands (tmp_path/bin), and the environment that puts it first."""
    path = tmp_path / "bin"
    path.mkdir()
    return StubBin(path=path, calls=tmp_path / "calls", env={**os.environ, "PATH": f"{path}:{os.environ['PATH']}"})
