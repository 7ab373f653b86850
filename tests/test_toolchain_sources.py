"""Where `make tools` looks for the upstream source archives by default."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import tools  # noqa: E402


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def checkout(parent: Path, with_shared: bool) -> Path:
    repo = parent / "checkout"
    repo.mkdir(parents=True)
    git("init", "-q", str(repo))
    git("-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    if with_shared:
        (parent / "shared" / "upstream").mkdir(parents=True)
    return repo


def test_the_folder_beside_the_checkout(tmp_path):
    repo = checkout(tmp_path, with_shared=True)
    assert tools.default_sources(repo) == tmp_path / "shared" / "upstream"


def test_a_clone_of_a_checkout_here_uses_the_folder_beside_that_checkout(tmp_path):
    # `git clone . "$(mktemp -d)/c"`: nothing beside the clone, the archives beside its origin.
    origin = checkout(tmp_path / "work", with_shared=True)
    git("clone", "-q", str(origin), str(tmp_path / "elsewhere" / "c"))
    assert tools.default_sources(tmp_path / "elsewhere" / "c") == tmp_path / "work" / "shared" / "upstream"


def test_without_either_the_folder_beside_the_checkout_is_named(tmp_path):
    origin = checkout(tmp_path / "work", with_shared=False)
    git("clone", "-q", str(origin), str(tmp_path / "elsewhere" / "c"))
    # Named in the error that asks for UPSTREAM_SOURCES.
    assert tools.default_sources(tmp_path / "elsewhere" / "c") == tmp_path / "elsewhere" / "shared" / "upstream"
