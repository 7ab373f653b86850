"""make tools: a Pulumi toolchain for this repo, found, installed or built from upstream sources.

Prints progress on stderr and, as the last line of stdout, the folder to put first on PATH
(the Makefile does that). In order:

  1. a `pulumi` already on PATH, recent enough, with the command and docker plugins installed;
  2. Pulumi's official installer (needs Pulumi's download site; bounded by a short timeout);
  3. built here: the CLI from the Go module proxy, and the Python language host and the command
     and docker resource plugins from the unmodified upstream source archives in UPSTREAM_SOURCES
     (the Go module proxy refuses those three modules). The resource plugins are then installed
     into Pulumi's plugin cache, at the versions the Python SDKs ask for.

Every build is cached by version (and archive digest) in TOOLS_CACHE_DIR, outside the checkout,
so a second run from a fresh clone takes seconds.

`scripts/tools.py actionlint` builds actionlint (the workflows' checker) the same way, from the Go
module proxy, and prints the path of the binary.

Settings (environment): UPSTREAM_SOURCES (folder of the archives; default ../shared/upstream
beside the checkout, or beside the local checkout it was cloned from), TOOLS_CACHE_DIR (default ~/.cache/docker-multihost/tools),
TOOLS_SKIP_AMBIENT=1, TOOLS_SKIP_INSTALLER=1.

Written in Python rather than bash: it is a sequence of named steps with versions, digests and
error messages, which reads better here than as hundreds of lines of shell.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from components.names import PROJECT  # noqa: E402

TOOLS_BIN = REPO / ".tools" / "bin"
OFFICIAL_ROOT = REPO / ".tools" / "official"
LOGS = REPO / ".tools" / "logs"
CACHE = Path(os.environ.get("TOOLS_CACHE_DIR") or Path.home() / ".cache" / PROJECT / "tools")


def default_sources(repo: Path) -> Path:
    """../shared/upstream beside the checkout or, for a clone of a checkout on this machine (`git
    clone . /tmp/x/c`, as a clean-clone CI run does), beside the checkout it was cloned from."""
    beside = repo.parent / "shared" / "upstream"
    origin = subprocess.run(["git", "-C", str(repo), "remote", "get-url", "origin"],
                            capture_output=True, text=True).stdout.strip()
    if not beside.is_dir() and origin and Path(origin).is_dir():
        cloned_from = Path(origin).resolve().parent / "shared" / "upstream"
        if cloned_from.is_dir():
            return cloned_from
    return beside


SOURCES = Path(os.environ.get("UPSTREAM_SOURCES") or default_sources(REPO))

# The CLI the proxy serves closest above the Python SDK pin (3.272.0 itself is refused there).
CLI_VERSION = "3.274.1"
VERSION_VAR = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
GO_ENV = {"CGO_ENABLED": "0", "GOWORK": "off", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod -buildvcs=false"}


# Set by every step that built or installed something: a run that only found everything in place
# prints nothing but the folder.
WORK_DONE = False


class ToolsError(Exception):
    """One clear message, no traceback."""


def log(message: str) -> None:
    print(f"tools: {message}", file=sys.stderr, flush=True)


def pins() -> dict[str, str]:
    """Versions pinned in requirements.txt (`name==version`)."""
    found = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (REPO / "requirements.txt").read_text(), re.M))
    for name in ("pulumi", "pulumi-command", "pulumi-docker"):
        if name not in found:
            raise ToolsError(f"requirements.txt has no line '{name}==<version>'")
    return found


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text.split("-")[0])[:3])


def run(log_name: str, args: list[str], cwd: Path | None = None, env: dict | None = None) -> str:
    """Run a build command with its output in .tools/logs/<log_name>.log; fail naming the log."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log_file = LOGS / f"{log_name}.log"
    with log_file.open("a") as out:
        out.write(f"+ {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(args, cwd=cwd, env={**os.environ, **GO_ENV, **(env or {})},
                              stdout=subprocess.PIPE, stderr=out, text=True)
    if done.returncode != 0:
        tail = "".join(log_file.read_text().splitlines(keepends=True)[-15:])
        raise ToolsError(f"`{' '.join(args)[:150]}` failed (exit {done.returncode}); last lines of {log_file}:\n{tail}")
    return done.stdout


# --- 1. an installed pulumi ----------------------------------------------------------------------

def installed_plugins(pulumi: str) -> set[tuple[str, str]]:
    out = subprocess.run([pulumi, "plugin", "ls", "--json"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"})
    if out.returncode != 0:
        return set()
    return {(p.get("name"), p.get("version", "").lstrip("v")) for p in json.loads(out.stdout or "[]") or []
            if p.get("kind") == "resource"}


def usable(pulumi: str, want: dict[str, str]) -> bool:
    """Recent enough, with both resource plugins at the pinned versions and the Python hosts beside it."""
    try:
        version = subprocess.run([pulumi, "version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return False
    if version_key(version) < version_key(want["pulumi"]):
        log(f"{pulumi} is {version or 'unknown'}, older than the SDK pin {want['pulumi']}")
        return False
    plugins = installed_plugins(pulumi)
    missing = [f"{name} {want[f'pulumi-{name}']}" for name in ("command", "docker")
               if (name, want[f"pulumi-{name}"]) not in plugins]
    if missing:
        log(f"{pulumi} lacks the resource plugins {', '.join(missing)}")
        return False
    # The language host, and the dynamic-provider host the program's HostWatch runs in.
    return all((Path(pulumi).parent / name).exists() or bool(shutil.which(name))
               for name in ("pulumi-language-python", "pulumi-resource-pulumi-python"))


def find_installed(want: dict[str, str]) -> Path | None:
    # This repo's own .tools/bin is not a candidate: build_from_sources checks its cache by version.
    candidates = [str(OFFICIAL_ROOT / "bin" / "pulumi")]
    ambient = shutil.which("pulumi")
    if not os.environ.get("TOOLS_SKIP_AMBIENT") and ambient and Path(ambient).parent != TOOLS_BIN:
        candidates.insert(0, ambient)
    for pulumi in candidates:
        if Path(pulumi).exists() and usable(pulumi, want):
            return Path(pulumi).parent
    return None


# --- 2. Pulumi's official installer --------------------------------------------------------------

def try_official_installer(want: dict[str, str]) -> Path | None:
    marker = REPO / ".tools" / ".installer-unreachable"
    if os.environ.get("TOOLS_SKIP_INSTALLER") or marker.exists():
        return None
    log("trying Pulumi's official installer (15 s bound)")
    script = REPO / ".tools" / "install-pulumi.sh"
    script.parent.mkdir(parents=True, exist_ok=True)
    fetched = subprocess.run(["curl", "-fsSL", "--max-time", "15", "-o", str(script), "https://get.pulumi.com"],
                             capture_output=True)
    if fetched.returncode != 0:
        marker.touch()  # remembered, so later runs do not wait on it again (delete the file to retry)
        log("the official installer's site did not answer; building from sources instead")
        return None
    try:
        run("installer", ["sh", str(script), "--version", want["pulumi"], "--install-root", str(OFFICIAL_ROOT),
                          "--no-edit-path", "--silent"])
        for name in ("command", "docker"):
            run("installer", [str(OFFICIAL_ROOT / "bin" / "pulumi"), "plugin", "install", "resource", name,
                              want[f"pulumi-{name}"]])
    except ToolsError as error:
        marker.touch()
        log(f"the official installer failed, building from sources instead: {error}")
        return None
    return OFFICIAL_ROOT / "bin"


# --- 3. built from sources -----------------------------------------------------------------------

@dataclass
class Build:
    """One binary (or set of files) cached in CACHE/<name>-<key>/."""

    name: str
    key: str
    started: float = 0.0

    @property
    def folder(self) -> Path:
        return CACHE / f"{self.name}-{self.key}"

    def cached(self) -> bool:
        return (self.folder / ".done").exists()

    def begin(self, what: str) -> Path:
        """Log the start; a fresh folder for the files, which finish() moves into the cache."""
        log(f"building {what}")
        self.started = time.monotonic()
        return Path(tempfile.mkdtemp(dir=CACHE))

    def finish(self, files: Path) -> None:
        global WORK_DONE
        WORK_DONE = True
        (files / ".done").touch()
        shutil.rmtree(self.folder, ignore_errors=True)
        files.rename(self.folder)
        log(f"built {self.name} in {time.monotonic() - self.started:.0f} s")


def archive(prefix: str) -> Path:
    """The one upstream archive whose name starts with prefix."""
    if not SOURCES.is_dir():
        raise ToolsError(f"no upstream source folder at {SOURCES}: set UPSTREAM_SOURCES to the folder that holds "
                         f"{prefix}*.tar.gz (the archives in shared/upstream)")
    found = sorted(SOURCES.glob(f"{prefix}*.tar.gz"))
    if len(found) != 1:
        raise ToolsError(f"expected one {prefix}*.tar.gz in UPSTREAM_SOURCES={SOURCES}, found {len(found)}")
    return found[0]


def digest(*paths: Path) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def go_version() -> str:
    if not shutil.which("go"):
        raise ToolsError("no `go` on PATH: Go is needed to build the Pulumi toolchain from sources")
    return subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout.strip()


def unpack(archive_path: Path, into: Path) -> Path:
    with tarfile.open(archive_path) as tar:
        tar.extractall(into, filter="tar")
    return into


def module_dir(module: str) -> Path:
    """Download a module from the Go module proxy; its (read-only) folder in the module cache."""
    info = json.loads(run("go-mod-download", ["go", "mod", "download", "-json", module]))
    return Path(info["Dir"])


def build_cli(work: Path, go: str) -> Build:
    build = Build("pulumi-cli", f"v{CLI_VERSION}-{go}")
    if build.cached():
        return build
    files = build.begin(f"the pulumi CLI v{CLI_VERSION} from the Go module proxy (several minutes cold)")
    # pkg/go.mod replaces sdk/v3 with ../sdk: lay the two modules side by side.
    for part in ("pkg", "sdk"):
        shutil.copytree(module_dir(f"github.com/pulumi/pulumi/{part}/v3@v{CLI_VERSION}"), work / part)
        subprocess.run(["chmod", "-R", "u+w", str(work / part)], check=True)
    run("cli", ["go", "build", "-trimpath", "-ldflags", f"-X {VERSION_VAR}=v{CLI_VERSION}",
                "-o", str(files / "pulumi"), "./cmd/pulumi"], cwd=work / "pkg")
    # The language host runs the program through these scripts of the same SDK release.
    shutil.copy(work / "sdk" / "python" / "cmd" / "pulumi-language-python-exec", files)
    shutil.copy(work / "sdk" / "python" / "dist" / "pulumi-resource-pulumi-python", files)
    build.finish(files)
    return build


def build_language_host(work: Path, go: str) -> Build:
    source = archive("pulumi-language-python-")
    build = Build("pulumi-language-python", f"{digest(source)}-v{CLI_VERSION}-{go}")
    if build.cached():
        return build
    files = build.begin(f"pulumi-language-python from {source.name}")
    module = unpack(source, work) / "pulumi-language-python" / "sdk" / "python" / "cmd" / "pulumi-language-python"
    # Its go.mod replaces pkg/v3 and sdk/v3 with folders of the pulumi repository that the
    # archive does not hold: use the released modules of the CLI's version instead.
    edits = [f"-dropreplace=github.com/pulumi/pulumi/{p}/v3" for p in ("pkg", "sdk")]
    edits += [f"-require=github.com/pulumi/pulumi/{p}/v3@v{CLI_VERSION}" for p in ("pkg", "sdk")]
    run("language-host", ["go", "mod", "edit", *edits], cwd=module)
    run("language-host", ["go", "mod", "tidy"], cwd=module)
    run("language-host", ["go", "build", "-trimpath", "-ldflags", f"-X {VERSION_VAR}=v{CLI_VERSION}",
                          "-o", str(files / "pulumi-language-python"), "."], cwd=module)
    build.finish(files)
    return build


def build_command_provider(work: Path, go: str, version: str) -> Build:
    source = archive("pulumi-command-")
    if f"v{version}" not in source.name:
        raise ToolsError(f"{source.name} in UPSTREAM_SOURCES does not match the pin pulumi-command=={version}")
    build = Build("pulumi-resource-command", f"{version}-{digest(source)}-{go}")
    if build.cached():
        return build
    files = build.begin(f"pulumi-resource-command {version} from {source.name}")
    provider = unpack(source, work) / "pulumi-command" / "provider"
    run("command-provider", ["go", "build", "-trimpath", "-ldflags",
                             f"-X github.com/pulumi/pulumi-command/provider/pkg/version.Version={version}",
                             "-o", str(files / "pulumi-resource-command"), "./cmd/pulumi-resource-command"],
        cwd=provider)
    build.finish(files)
    return build


def build_docker_provider(work: Path, go: str, version: str) -> Build:
    source, upstream = archive("pulumi-docker-"), archive("terraform-provider-docker-")
    build = Build("pulumi-resource-docker", f"{version}-{digest(source, upstream)}-{go}")
    if build.cached():
        return build
    files = build.begin(f"pulumi-resource-docker {version} from {source.name} and {upstream.name} (several minutes cold)")
    root = unpack(source, work) / "pulumi-docker"
    # provider/go.mod replaces the Terraform provider with ../upstream, a patched git submodule.
    unpack(upstream, work)
    (work / "terraform-provider-docker").rename(root / "upstream")
    for patch in sorted((root / "patches").glob("*.patch")):
        run("docker-provider", ["patch", "-p1", "--forward", "--quiet", "-i", str(patch)], cwd=root / "upstream")
    provider = root / "provider"
    run("docker-provider", ["go", "generate", "cmd/pulumi-resource-docker/main.go"], cwd=provider,
        env={"VERSION": version})  # writes schema-embed.json from the committed schema.json
    run("docker-provider", ["go", "build", "-tags", "no_compose", "-trimpath", "-ldflags",
                            f"-X github.com/pulumi/pulumi-docker/provider/v5/pkg/version.Version={version} -s -w",
                            "-o", str(files / "pulumi-resource-docker"), "./cmd/pulumi-resource-docker"],
        cwd=provider)
    build.finish(files)
    return build


def link_into_bin(build: Build) -> None:
    TOOLS_BIN.mkdir(parents=True, exist_ok=True)
    for file in build.folder.iterdir():
        if file.name.startswith("."):
            continue
        target = TOOLS_BIN / file.name
        target.unlink(missing_ok=True)
        try:
            os.link(file, target)
        except OSError:  # the cache is on another file system
            shutil.copy2(file, target)
        target.chmod(0o755)


def install_plugin(pulumi: Path, build: Build, name: str, version: str) -> None:
    """Into Pulumi's plugin cache, so the CLI uses it at the version the SDK asks for, silently."""
    if (name, version) in installed_plugins(str(pulumi)):
        return
    global WORK_DONE
    WORK_DONE = True
    log(f"installing the resource plugin {name} {version} into Pulumi's plugin cache")
    run("plugins", [str(pulumi), "plugin", "install", "resource", name, version,
                    "--file", str(build.folder / f"pulumi-resource-{name}")],
        env={"PULUMI_SKIP_UPDATE_CHECK": "true"})


def build_from_sources(want: dict[str, str]) -> Path:
    go = go_version()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="multihost-tools-") as scratch:
        def workspace(name: str) -> Path:
            (Path(scratch) / name).mkdir()
            return Path(scratch) / name

        cli = build_cli(workspace("cli"), go)
        host = build_language_host(workspace("language-host"), go)
        command = build_command_provider(workspace("command"), go, want["pulumi-command"])
        docker = build_docker_provider(workspace("docker"), go, want["pulumi-docker"])
    for build in (cli, host):
        link_into_bin(build)
    install_plugin(TOOLS_BIN / "pulumi", command, "command", want["pulumi-command"])
    install_plugin(TOOLS_BIN / "pulumi", docker, "docker", want["pulumi-docker"])
    return TOOLS_BIN


# --- actionlint, the workflows' checker (make lint-workflows) ------------------------------------

# The release the Go module proxy serves; built with this machine's Go like the CLI.
ACTIONLINT_VERSION = "v1.7.12"
ACTIONLINT_PACKAGE = "github.com/rhysd/actionlint/cmd/actionlint"


def actionlint() -> Path:
    """The actionlint binary, built once per version and Go release into the cache."""
    build = Build("actionlint", f"{ACTIONLINT_VERSION}-{go_version()}")
    if not build.cached():
        CACHE.mkdir(parents=True, exist_ok=True)
        files = build.begin(f"actionlint {ACTIONLINT_VERSION} from the Go module proxy (about 20 s cold)")
        run("actionlint", ["go", "install", f"{ACTIONLINT_PACKAGE}@{ACTIONLINT_VERSION}"], env={"GOBIN": str(files)})
        build.finish(files)
    return build.folder / "actionlint"


def main(argv: list[str]) -> int:
    """No argument: the toolchain's folder; `actionlint`: that binary's path."""
    started = time.monotonic()
    try:
        if argv == ["actionlint"]:
            print(actionlint())
            return 0
        if argv:
            raise ToolsError(f"unknown argument {' '.join(argv)!r}: give none (the Pulumi toolchain) or 'actionlint'")
        want = pins()
        where = find_installed(want) or try_official_installer(want) or build_from_sources(want)
    except ToolsError as error:
        print(f"tools: FAILED: {error}", file=sys.stderr)
        return 1
    if WORK_DONE:
        log(f"toolchain ready in {time.monotonic() - started:.1f} s: {where}")
    print(where)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
