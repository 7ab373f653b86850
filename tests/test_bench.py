"""The benchmark's table: medians over rounds, their ranges and the ratio the speed goal reads."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import bench  # noqa: E402


def run(engines: int, first: float, reachable: bool = True, cpu: float | None = None) -> bench.Run:
    return bench.Run(engines=engines, first_up_s=first, second_up_s=first / 4, destroy_s=first / 3,
                     resources=10 * engines, pings=engines * (engines - 1) * 2, all_reachable=reachable,
                     first_up_cpu_s=cpu)


def test_table_gives_medians_ranges_and_the_ratio_of_medians():
    rounds = [[run(2, 20.0), run(8, 40.0)], [run(2, 18.0), run(8, 30.0)], [run(2, 19.0), run(8, 33.0)]]
    text = bench.table(rounds, {})
    assert "Rounds: 3" in text
    assert "| 2 | 19.0 (18.0–20.0) | 4.8 (4.5–5.0) |" in text
    assert "| 8 | 33.0 (30.0–40.0) |" in text
    # 33.0 / 19.0, and each round's own ratio in order.
    assert "is 1.74x the 2-engine one (medians; per round: 2.00x, 1.67x, 1.74x)" in text


def test_one_unreachable_ping_in_any_round_shows():
    rounds = [[run(2, 20.0)], [run(2, 19.0, reachable=False)]]
    text = bench.table(rounds, {})
    assert "| 2 | 19.5 (19.0–20.0) |" in text
    assert text.rstrip().endswith("| NO |")


def test_a_single_round_prints_plain_figures():
    text = bench.table([[run(2, 20.0), run(4, 24.0)]], {})
    assert "| 2 | 20.0 | 5.0 | 6.7 | – | 20 | 4 | yes |" in text  # no CPU figure given
    assert "(medians; per round: 1.20x)" in text


def test_the_cpu_of_the_largest_first_up_over_the_cores_bounds_it():
    rounds = [[run(2, 15.0, cpu=16.0), run(8, 28.0, cpu=46.0)], [run(2, 14.0, cpu=15.0), run(8, 26.0, cpu=44.0)],
              [run(2, 16.0, cpu=17.0), run(8, 27.0, cpu=50.0)]]
    text = bench.table(rounds, {}, cores=2)
    assert "| 8 | 27.0 (26.0–28.0) | 6.8 (6.5–7.0) | 9.0 (8.7–9.3) | 46.0 (44.0–50.0) | 80 | 112 | yes |" in text
    # 46.0 s over 2 cores: 23.0 s, 1.53x the 2-engine median of 15.0 s.
    assert "used 46.0 s of this machine's CPU (median); on 2 cores no overlap of its steps makes it shorter than 23.0 s, 1.53x the 2-engine first `up`." in text
    assert "CPU:" not in bench.table(rounds, {}, cores=None)
