"""The ping report: the parser on real captured outputs, and the stack outputs built from it."""
from __future__ import annotations

import pytest

from conftest import PING_DATA, ping_output, stack_config
from components.ping import (describe, no_result, pair_summaries, parse_ping, parse_with_pingparsing, passed, read_summary,
                             split_outputs)

FIELDS = {"from", "to", "target", "transmitted", "received", "loss_pct",
          "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "reachable", "error"}


# `quiet-`: what `ping -q` prints (the summary only), as ping-probes.sh runs it.
TOOLS = ["iputils", "busybox", "iputils-quiet", "busybox-quiet"]


@pytest.mark.parametrize("tool", TOOLS)
def test_full_reply(tool):
    r = parse_ping(ping_output(f"{tool}-full.txt"), "a", "b", "10.0.4.3")
    assert set(r) == FIELDS
    assert (r["from"], r["to"], r["target"]) == ("a", "b", "10.0.4.3")
    assert r["transmitted"] == r["received"] == 3
    assert r["loss_pct"] == 0 and r["reachable"] and r["error"] is None
    assert 0 < r["rtt_min_ms"] <= r["rtt_avg_ms"] <= r["rtt_max_ms"]


@pytest.mark.parametrize("tool", TOOLS)
def test_partial_loss(tool):
    r = parse_ping(ping_output(f"{tool}-partial.txt"), "a", "b", "x")
    assert 0 < r["received"] < r["transmitted"]
    assert 0 < r["loss_pct"] < 100
    assert r["loss_pct"] == pytest.approx(100 * (r["transmitted"] - r["received"]) / r["transmitted"], abs=0.1)
    assert r["reachable"] and r["rtt_avg_ms"] is not None


@pytest.mark.parametrize("tool", TOOLS)
def test_no_reply(tool):
    r = parse_ping(ping_output(f"{tool}-no-reply.txt"), "a", "b", "x")
    assert r["transmitted"] > 0 and r["received"] == 0
    assert r["loss_pct"] == 100 and not r["reachable"]
    assert r["rtt_avg_ms"] is None and r["error"] is None


@pytest.mark.parametrize("tool", ["iputils", "busybox"])
def test_unknown_host_is_a_result(tool):
    text = ping_output(f"{tool}-unknown-host.txt")
    r = parse_ping(text, "a", "b", "probe-nowhere")
    assert (r["transmitted"], r["received"], r["loss_pct"], r["reachable"]) == (0, 0, 100.0, False)
    assert r["error"] and r["error"] in text


def test_no_output_at_all_is_a_result():
    r = parse_ping("", "a", "b", "x")
    assert not r["reachable"] and r["error"] == "ping printed nothing"


CAPTURED = sorted(p.name for p in PING_DATA.glob("*.txt"))


@pytest.mark.parametrize("name", CAPTURED)
def test_the_summary_read_here_is_what_pingparsing_reads(name):
    # read_summary stands in for pingparsing on the outputs ping-probes.sh gets (for speed): on
    # every captured output it must read what pingparsing reads, and it must be the one that reads
    # every output that has statistics, or the report would still wait for pingparsing.
    text = ping_output(name)
    expected = parse_with_pingparsing(text)
    assert read_summary(text) == expected
    assert (expected is None) == ("unknown-host" in name)


def test_an_output_of_another_shape_goes_to_pingparsing():
    # iputils with a duplicate reply, a summary line read_summary does not take.
    text = ("PING t (10.0.4.3) 56(84) bytes of data.\n\n--- t ping statistics ---\n"
            "4 packets transmitted, 3 received, +1 duplicates, 25% packet loss, time 3004ms\n"
            "rtt min/avg/max/mdev = 0.074/0.104/0.161/0.040 ms\n")
    assert read_summary(text) is None
    r = parse_ping(text, "a", "b", "t")
    assert (r["transmitted"], r["received"], r["loss_pct"], r["rtt_max_ms"]) == (4, 3, 25.0, 0.161)


def test_ping_report_outputs_every_ordered_pair_by_address_and_by_name(committed_stack):
    run = committed_stack("sandbox")
    results = run.outputs["pingResults"]
    assert {(r["from"], r["to"]) for r in results} == {("mhs-demo0", "mhs-demo1"), ("mhs-demo1", "mhs-demo0")}
    probe_addresses = run.outputs["probeAddresses"]
    assert set(probe_addresses) == {"mhs-demo0", "mhs-demo1"}
    targets = {(r["from"], r["target"]) for r in results}
    assert targets == {("mhs-demo0", probe_addresses["mhs-demo1"]), ("mhs-demo0", "probe-mhs-demo1"),
                       ("mhs-demo1", probe_addresses["mhs-demo0"]), ("mhs-demo1", "probe-mhs-demo0")}
    assert all(set(r) == FIELDS for r in results)
    assert run.outputs["allReachable"] is True
    assert run.outputs["hostAddresses"] == {"mh-keystore": "172.28.128.5", "mhs-demo0": "172.28.128.6", "mhs-demo1": "172.28.128.7"}


def test_one_failed_ping_makes_all_reachable_false(run_program):
    failing = {"pings-mhs-demo1-to-mhs-demo0-by-name": ping_output("busybox-unknown-host.txt"),
               "pings-mhs-demo0-to-mhs-demo1-by-address": ping_output("iputils-partial.txt")}
    run = run_program(stack_config("sandbox"), ping_outputs=failing)
    by_key = {(r["from"], r["to"], r["target"].startswith("probe-")): r for r in run.outputs["pingResults"]}
    assert not by_key[("mhs-demo1", "mhs-demo0", True)]["reachable"]
    assert 0 < by_key[("mhs-demo0", "mhs-demo1", False)]["loss_pct"] < 100
    assert run.outputs["allReachable"] is False


def test_describe_names_the_pair_the_replies_and_the_times_or_the_error():
    full = describe(parse_ping(ping_output("iputils-full.txt"), "mhs-demo0", "mhs-demo1", "10.0.4.3"))
    assert "mhs-demo0 -> mhs-demo1" in full and "10.0.4.3" in full and "3/3 received, 0% loss, rtt min/avg/max" in full
    unknown = describe(parse_ping(ping_output("busybox-unknown-host.txt"), "a", "b", "no-such-host"))
    assert "0/0 received, 100% loss, ping: bad address 'no-such-host'" in unknown


def prefixed(target: str, text: str) -> list[str]:
    return [f"{target} {line}" for line in text.splitlines()]


def test_the_output_of_ping_probes_splits_per_target():
    full, unknown = prefixed("10.0.4.3", ping_output("busybox-full.txt")), prefixed("no-such-host", ping_output("busybox-unknown-host.txt"))
    interleaved = [line for pair in zip(full, unknown + [""] * len(full)) for line in pair if line]
    outputs = split_outputs("\n".join(interleaved))
    assert set(outputs) == {"10.0.4.3", "no-such-host"}
    assert outputs["10.0.4.3"] == ping_output("busybox-full.txt").rstrip("\n")
    assert parse_ping(outputs["10.0.4.3"], "a", "b", "10.0.4.3")["received"] == 3
    assert parse_ping(outputs["no-such-host"], "a", "b", "no-such-host")["error"] == "ping: bad address 'no-such-host'"
    assert split_outputs("") == {}


def test_ping_probes_reports_every_target_even_when_pings_fail(stub_bin):
    """The real host script with stand-in `docker` and `ping` (the rest is real: sh, sed): the warm-up
    echo to one target fails and the counted ping to another loses everything; every target still
    gets its lines."""
    import subprocess
    from components import host_scripts
    # `docker exec -e K=V ... PROBE CMD...` runs CMD here.
    stub_bin.add("docker", 'shift\nwhile [ "$1" = -e ]; do export "$2"; shift 2; done\nshift\nexec "$@"\n')
    stub_bin.add("sleep", "")  # the second between two asks, not waited here
    # The counted ping must ask for the summary only (-q); the warm-up echo prints nothing anyway.
    stub_bin.add("ping", "case \"$*\" in '-c 1 '*|'-q '*) ;; *) echo \"no -q: $*\"; exit 2 ;; esac\n"
                         "case \"$*\" in\n"
                         "  *'-c 1 '*slow) exit 1 ;;\n"
                         f"  *lost) cat {PING_DATA / 'busybox-quiet-no-reply.txt'}; exit 1 ;;\n"
                         f"  *) cat {PING_DATA / 'busybox-quiet-full.txt'} ;;\nesac\n")
    script = host_scripts.render("ping-probes", {"PROBE": "probe-a", "COUNT": "3", "INTERVAL": "0.2",
                                                 "TARGETS": "slow lost fine"})
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=30, env=stub_bin.env)
    assert done.returncode == 0, done.stderr
    outputs = split_outputs(done.stdout)
    assert set(outputs) == {"slow", "lost", "fine"}
    assert parse_ping(outputs["slow"], "a", "b", "slow")["received"] == 3
    assert parse_ping(outputs["lost"], "a", "b", "lost")["loss_pct"] == 100


def test_ping_probes_asks_again_for_a_name_the_engine_does_not_know_yet(stub_bin, tmp_path):
    """The real host script, with stand-ins: `late` is a bad address to the first warm-up echo (as
    to a swarm manager before the gossip names a new worker's probe), then answers."""
    import subprocess
    from components import host_scripts
    asked = tmp_path / "asked"
    stub_bin.add("docker", 'shift\nwhile [ "$1" = -e ]; do export "$2"; shift 2; done\nshift\nexec "$@"\n')
    stub_bin.add("sleep", "")  # the second between two asks, not waited here
    stub_bin.add("ping", f"case \"$*\" in\n"
                         f"  '-c 1 '*) echo x >>{asked}; [ $(wc -l <{asked}) -gt 1 ] || echo \"ping: bad address 'late'\" ;;\n"
                         f"  *) cat {PING_DATA / 'busybox-quiet-full.txt'} ;;\nesac\n")
    script = host_scripts.render("ping-probes", {"PROBE": "probe-a", "COUNT": "3", "INTERVAL": "0.2", "TARGETS": "late"})
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=30, env=stub_bin.env)
    assert parse_ping(split_outputs(done.stdout)["late"], "a", "b", "late")["received"] == 3 and asked.read_text().count("x") == 2


# The pairs of the report (make up's matrix, make graph's edges): a pair's pings by address and by name.

def test_a_ping_passes_only_with_every_reply():
    assert [passed(parse_ping(ping_output(f"iputils-{kind}.txt"), "a", "b", "t")) for kind in ("full", "partial")] == \
        [True, False]


def test_a_ping_that_sent_nothing_does_not_pass():
    assert not passed(no_result("a", "b", "t", "ping: bad address 't'"))


def test_a_pair_passes_only_when_its_pings_by_address_and_by_name_both_pass():
    by_address = parse_ping(ping_output("iputils-full.txt"), "a", "b", "10.0.4.3")
    by_name = no_result("a", "b", "probe-b", "ping: bad address 'probe-b'")
    assert pair_summaries([by_address, by_name])[("a", "b")].passed is False


def test_a_pairs_round_trip_time_is_the_mean_of_its_pings_averages():
    full = parse_ping(ping_output("iputils-full.txt"), "a", "b", "10.0.4.3")
    slower = {**full, "target": "probe-b", "rtt_avg_ms": 0.304}
    assert pair_summaries([full, slower])[("a", "b")].rtt_avg_ms == 0.204


def test_a_pairs_loss_is_the_worst_of_its_pings():
    partial = parse_ping(ping_output("iputils-partial.txt"), "a", "b", "10.0.4.3")
    full = parse_ping(ping_output("iputils-full.txt"), "a", "b", "probe-b")
    assert pair_summaries([full, partial])[("a", "b")].loss_pct == partial["loss_pct"] > 0


def test_pairs_are_ordered_from_then_to():
    results = [no_result(source, destination, "t", "x") for source, destination in (("a", "b"), ("b", "a"))]
    assert list(pair_summaries(results)) == [("a", "b"), ("b", "a")]
