"""make up's summary (ops/report.py) on a stack's outputs, faked: the hosts, the control plane, the
overlay network, the ping matrix and allReachable, on one screen."""
from __future__ import annotations

import re
from types import SimpleNamespace

from components import topology
from components.config import parse_settings
from conftest import ROOT, fake_outputs, stack_config
from ops import report
from ops.stack import ToolError

CORNER = "from \\ to"


def lines_of(outputs: dict, stack: str = "sandbox") -> list[str]:
    return report.summary(stack, outputs)


def matrix(lines: list[str]) -> dict[tuple[str, str], str]:
    """The ping matrix's cells by (row, column): its columns are two spaces or more apart."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(CORNER))
    columns = re.split(r"\s{2,}", lines[start].strip())[1:]
    cells = {}
    for line in lines[start + 1:start + 1 + len(columns)]:
        row, *texts = re.split(r"\s{2,}", line.strip())
        cells.update({(row, column): text for column, text in zip(columns, texts)})
    return cells


def host_rows(lines: list[str]) -> list[list[str]]:
    """The words of each line under `Hosts (N):`."""
    start = next(i for i, line in enumerate(lines) if line.startswith("Hosts ("))
    count = int(lines[start].split("(")[1].split(")")[0])
    return [line.split() for line in lines[start + 1:start + 1 + count]]


def test_each_host_is_listed_with_its_address_and_role():
    assert [host[:3] for host in host_rows(lines_of(fake_outputs()))] == [["mh-keystore", "172.28.128.5", "keystore"],
                                            ["mhs-demo0", "172.28.128.6", "engine"],
                                            ["mhs-demo1", "172.28.128.7", "engine"]]


def test_a_swarm_stacks_hosts_are_its_manager_and_workers():
    assert [host[2] for host in host_rows(lines_of(fake_outputs(3, "swarm")))] == ["manager", "worker", "worker"]


def test_a_kv_report_gives_the_consul_ui_url():
    assert "Consul UI: https://172.28.128.5:8501/ui/ (client certificate), or `make consul-ui` (SSH tunnel)" in \
        lines_of(fake_outputs())


def test_a_swarm_report_names_the_manager_and_its_address():
    assert "Swarm manager: mhs-demo0 (172.28.128.5)" in lines_of(fake_outputs(2, "swarm"))


def test_the_report_names_the_overlay_network_and_its_subnet():
    assert "Overlay network: my-net 10.0.4.0/24" in lines_of(fake_outputs())


def test_a_stack_made_before_the_overlay_output_is_reported_without_it():
    outputs = fake_outputs()
    del outputs["overlayNetwork"]
    assert not any(line.startswith("Overlay") for line in lines_of(outputs))


def test_the_matrix_has_a_row_and_a_column_for_each_engine():
    cells = matrix(lines_of(fake_outputs(3)))
    engines = ["mhs-demo0", "mhs-demo1", "mhs-demo2"]
    assert sorted(cells) == sorted((row, column) for row in engines for column in engines)


def test_the_matrix_marks_its_diagonal_with_a_dot():
    cells = matrix(lines_of(fake_outputs(3)))
    assert {cells[(name, name)] for name in ("mhs-demo0", "mhs-demo1", "mhs-demo2")} == {"·"}


def test_a_pair_whose_pings_all_replied_is_a_check_with_the_average_rtt_in_ms():
    # tests/data/ping/iputils-full.txt: rtt min/avg/max/mdev = 0.074/0.104/0.161/0.040 ms
    assert matrix(lines_of(fake_outputs()))[("mhs-demo0", "mhs-demo1")] == "✓ 0.10"


def test_a_pair_whose_pings_lost_packets_is_a_cross_with_the_loss():
    cells = matrix(lines_of(fake_outputs(lost={("mhs-demo1", "mhs-demo0")})))
    assert (cells[("mhs-demo1", "mhs-demo0")], cells[("mhs-demo0", "mhs-demo1")]) == ("✗ 100%", "✓ 0.10")


def test_a_pair_whose_ping_by_name_alone_failed_is_a_cross():
    outputs = fake_outputs()
    by_name = next(r for r in outputs["pingResults"] if r["from"] == "mhs-demo0" and r["target"] == "probe-mhs-demo1")
    by_name.update(transmitted=0, received=0, loss_pct=100.0, rtt_min_ms=None, rtt_avg_ms=None, rtt_max_ms=None,
                   reachable=False, error="ping: bad address 'probe-mhs-demo1'")
    assert matrix(lines_of(outputs))[("mhs-demo0", "mhs-demo1")] == "✗ 100%"


def test_the_report_ends_with_all_reachable():
    assert lines_of(fake_outputs())[-1] == "allReachable: true"


def test_a_report_with_loss_ends_with_all_reachable_false():
    assert lines_of(fake_outputs(lost={("mhs-demo0", "mhs-demo1")}))[-1] == "allReachable: false"


def test_a_failed_ping_is_spelled_out_under_the_matrix():
    lines = lines_of(fake_outputs(lost={("mhs-demo0", "mhs-demo1")}))
    assert any("mhs-demo0 -> mhs-demo1" in line and "probe-mhs-demo1" in line and "100% loss" in line for line in lines)


def test_beyond_ten_failed_pings_the_rest_are_counted_and_make_check_named():
    lines = lines_of(fake_outputs(4, lost={(f"mhs-demo{i}", f"mhs-demo{j}") for i in range(4) for j in range(4)}))
    assert "  … and 14 more: make check STACK=sandbox" in lines


def test_eight_engines_whose_pings_all_failed_fit_in_sixty_lines():
    everything_lost = {(f"mhs-demo{i}", f"mhs-demo{j}") for i in range(8) for j in range(8)}
    assert len(lines_of(fake_outputs(8, lost=everything_lost))) <= 60


def test_the_report_exits_1_when_not_every_probe_is_reachable(monkeypatch, capsys):
    monkeypatch.setattr(report, "stack_outputs", lambda stack: fake_outputs(lost={("mhs-demo0", "mhs-demo1")}))
    assert report.main(["--stack", "sandbox"]) == 1


def test_a_stack_that_cannot_be_read_is_one_line_on_stderr(monkeypatch, capsys):
    def unreadable(stack):
        raise ToolError(f"stack {stack!r} has no outputs: it is not up (make up STACK={stack})")
    monkeypatch.setattr(report, "stack_outputs", unreadable)
    report.main(["--stack", "st"])
    assert capsys.readouterr().err == "report: stack 'st' has no outputs: it is not up (make up STACK=st)\n"


def test_make_up_keeps_pulumi_from_printing_every_output():
    up = next(line for line in (ROOT / "scripts" / "up.sh").read_text().splitlines() if line.startswith("up=(pulumi up "))
    assert "--suppress-outputs" in up.rstrip(")").split()


def test_the_overlay_network_output_is_the_configured_network():
    network = {"name": "other-net", "subnet": "10.9.0.0/24"}
    settings = parse_settings(stack_config("dev", network=network), str(ROOT), "dev")
    outputs = topology.stack_outputs(settings, [], SimpleNamespace(outputs={}), [],
                                     SimpleNamespace(results=[], all_reachable=True))
    assert outputs["overlayNetwork"] == {**network, "encrypted": False}
