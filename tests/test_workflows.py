"""The GitHub workflow and how it is checked: the pull-request preview is fork-safe (the job summary
always, a comment only from this repository), CI runs actionlint on it, and the Makefile describes
every target it declares."""
from __future__ import annotations

import re
import sys

import yaml

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import tools  # noqa: E402

SAME_REPOSITORY = "${{ github.event.pull_request.head.repo.full_name == github.repository }}"


def pulumi_step() -> dict:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "preview.yml").read_text())
    (step,) = [step for job in workflow["jobs"].values() for step in job["steps"]
               if step.get("uses", "").startswith("pulumi/actions@")]
    return step["with"]


def test_the_preview_always_goes_to_the_job_summary():
    assert pulumi_step()["comment-on-summary"] is True


def test_the_preview_comments_on_the_pull_request_only_when_it_comes_from_this_repository():
    assert pulumi_step()["comment-on-pr"] == SAME_REPOSITORY


def test_ci_lints_the_workflows():
    assert "make lint-workflows" in (ROOT / ".ci" / "run").read_text().splitlines()


def test_a_cached_actionlint_is_used_without_building(tmp_path, monkeypatch):
    def build(*args, **kwargs):
        raise AssertionError("built again")
    monkeypatch.setattr(tools, "CACHE", tmp_path)
    monkeypatch.setattr(tools, "go_version", lambda: "go1.26.8")
    monkeypatch.setattr(tools, "run", build)
    cached = tmp_path / f"actionlint-{tools.ACTIONLINT_VERSION}-go1.26.8"
    cached.mkdir()
    (cached / ".done").touch()
    assert tools.actionlint() == cached / "actionlint"


def test_graph_contexts_inventory_and_lint_workflows_are_phony_targets_with_a_description():
    text = (ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.M)[1].split())
    described = {target for target, _ in re.findall(r"^([\w-]+):[^\n#]*##\s*(\S.*)$", text, re.M)}
    assert {"graph", "contexts", "inventory", "lint-workflows"} <= phony & described
