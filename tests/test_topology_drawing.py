"""make graph (ops/graph.py): the DOT text of a stack's topology from its outputs, faked, and the
pictures graphviz's `dot` draws from it where it is installed."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import fake_outputs
from ops import graph, stack as ops_stack
from ops.graph import GREEN, RED, dot
from ops.stack import ToolError

needs_dot = pytest.mark.skipif(not shutil.which("dot"), reason="graphviz's dot is not installed")


def statements(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def attrs(statement: str) -> dict[str, str]:
    """The attributes of one node or edge statement, unquoted."""
    return {key: value.replace('\\"', '"') for key, value in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"',
                                                                         statement.split("[", 1)[1])}


def edge(text: str, tail: str, head: str) -> dict[str, str]:
    (found,) = [s for s in statements(text) if s.startswith(f'"{tail}" -> "{head}" [')]
    return attrs(found)


def node(text: str, name: str) -> dict[str, str]:
    (found,) = [s for s in statements(text) if s.startswith(f'"{name}" [')]
    return attrs(found)


def cluster_label(text: str, name: str) -> str:
    lines = statements(text)
    start = lines.index(f'subgraph "cluster {name}" {{')
    return attrs(lines[start + 1])["label"]


def test_each_host_is_a_box_labelled_with_its_name_and_address():
    text = dot("sandbox", fake_outputs())
    assert [cluster_label(text, f"host {name}") for name in ("mh-keystore", "mhs-demo0", "mhs-demo1")] == \
        ["mh-keystore\\n172.28.128.5", "mhs-demo0\\n172.28.128.6", "mhs-demo1\\n172.28.128.7"]


def test_the_keystore_host_holds_consul_with_its_url():
    assert node(dot("sandbox", fake_outputs()), "keystore")["label"] == "Consul (keystore)\\nconsul://172.28.128.5:8501"


def test_every_engine_points_at_the_keystore_as_its_cluster_store():
    text = dot("sandbox", fake_outputs())
    assert {edge(text, "keystore", f"engine mhs-demo{i}")["label"] for i in (0, 1)} == {"cluster-store"}


def test_a_cluster_store_edge_runs_between_the_host_boxes_clear_of_their_labels():
    text = dot("sandbox", fake_outputs())
    found = edge(text, "keystore", "engine mhs-demo1")
    # dot clips at a cluster's border only in a compound graph.
    assert (found["ltail"], found["lhead"], 'compound="true"' in text.splitlines()[1]) == \
        ("cluster host mh-keystore", "cluster host mhs-demo1", True)


def test_a_swarm_has_no_keystore():
    assert '"keystore"' not in dot("sandbox-swarm", fake_outputs(3, "swarm"))


def test_every_worker_points_at_the_swarm_manager():
    text = dot("sandbox-swarm", fake_outputs(3, "swarm"))
    assert {edge(text, "engine mhs-demo0", f"engine mhs-demo{i}")["label"] for i in (1, 2)} == {"joins"}


def test_a_swarm_engine_says_whether_it_is_the_manager_or_a_worker():
    text = dot("sandbox-swarm", fake_outputs(2, "swarm"))
    assert [node(text, f"engine mhs-demo{i}")["label"] for i in (0, 1)] == \
        ["Docker engine\\nswarm manager", "Docker engine\\nswarm worker"]


def test_the_overlay_is_a_box_named_with_its_subnet():
    assert cluster_label(dot("sandbox", fake_outputs()), "overlay") == "overlay my-net 10.0.4.0/24"


def test_each_probe_is_named_with_its_overlay_address():
    assert node(dot("sandbox", fake_outputs()), "probe mhs-demo1")["label"] == "probe-mhs-demo1\\n10.0.4.3"


def test_each_engine_runs_its_probe():
    text = dot("sandbox", fake_outputs())
    assert {edge(text, f"engine mhs-demo{i}", f"probe mhs-demo{i}")["label"] for i in (0, 1)} == {"runs"}


def test_two_probes_whose_pings_all_replied_both_ways_are_one_green_edge_with_two_arrowheads():
    found = edge(dot("sandbox", fake_outputs()), "probe mhs-demo0", "probe mhs-demo1")
    assert (found["color"], found["dir"]) == (GREEN, "both")


def test_each_pair_of_probes_is_one_edge():
    text = dot("sandbox", fake_outputs(4))
    assert len([s for s in statements(text) if s.startswith('"probe ') and "constraint" in s]) == 4 * 3 // 2


def test_the_half_of_an_edge_at_a_probe_is_red_when_the_pings_to_it_lost_replies():
    # From mhs-demo0 (left) to mhs-demo1 (right) lost: the half at mhs-demo1, the head, is red.
    found = edge(dot("sandbox", fake_outputs(lost={("mhs-demo0", "mhs-demo1")})), "probe mhs-demo0", "probe mhs-demo1")
    assert found["color"] == f"{GREEN};0.5:{RED}"


def test_the_label_of_an_edge_with_loss_gives_each_ways_result_with_its_arrow():
    found = edge(dot("sandbox", fake_outputs(lost={("mhs-demo1", "mhs-demo0")})), "probe mhs-demo0", "probe mhs-demo1")
    assert found["label"] == "→ 0.10 ms\\n← 100% loss"


def test_above_four_engines_only_losses_are_labelled():
    text = dot("sandbox", fake_outputs(5, lost={("mhs-demo3", "mhs-demo4")}))
    assert (edge(text, "probe mhs-demo0", "probe mhs-demo1")["label"],
            edge(text, "probe mhs-demo3", "probe mhs-demo4")["label"]) == ("", "→ 100% loss")


def test_the_probes_are_one_row_in_the_hosts_order():
    rows = [s for s in statements(dot("sandbox", fake_outputs(3))) if s.startswith("{ rank=same;")]
    assert rows == ['{ rank=same; "probe mhs-demo0" -> "probe mhs-demo1" -> "probe mhs-demo2" [style=invis]; }']


def test_quotes_and_backslashes_in_a_name_stay_inside_their_dot_string():
    assert graph.quoted('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_without_dot_the_tool_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    with pytest.raises(ToolError, match=r"no `dot` on PATH .*apt-get install graphviz"):
        graph.render(dot("sandbox", fake_outputs()), tmp_path)


@needs_dot
def test_dot_draws_the_topology_as_svg_and_png(tmp_path):
    svg, png = graph.render(dot("sandbox", fake_outputs(lost={("mhs-demo1", "mhs-demo0")})), tmp_path)
    assert "<svg" in svg.read_text() and png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@needs_dot
def test_make_graph_writes_the_pictures_into_the_stacks_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ops_stack, "STATE_DIR", tmp_path)
    monkeypatch.setattr(graph, "stack_outputs", lambda stack: fake_outputs())
    assert graph.main(["--stack", "st"]) == 0
    assert sorted(path.name for path in (tmp_path / "st").iterdir()) == ["topology.dot", "topology.png", "topology.svg"]
