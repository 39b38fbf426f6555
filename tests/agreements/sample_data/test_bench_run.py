"""bench/run.py's targets and report, on made-up measurements: the pages about one park on the
steady park are held to every target; those on the largest park grow with it by design."""

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

RUN_PY = Path(__file__).resolve().parents[3] / "bench" / "run.py"
MY_AGREEMENTS = "my agreements, park officer"
LARGEST_EXPORT = "export CSV of a park, national official, largest park"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cold(ms, *, session="national official", **extra):
    return {
        "path": "/somewhere/",
        "session": session,
        "status": 200,
        "queries": 6,
        "bytes": None,
        "cold_ms": ms,
        "cold_runs_ms": [ms],
        "ratio_to_floor": round(ms / 10, 2),
        **extra,
    }


def loaded(p50_ms, cold_ms=20):
    return {
        "path": "/somewhere/",
        "rps": 100.0,
        "p50_ms": p50_ms,
        "p99_ms": p50_ms * 2,
        "non_2xx": 0,
        "ratio_to_health": 0.5,
        "queries": 6,
        "cold_ms": cold_ms,
    }


def measured(size, *, largest, largest_ms, export_ms):
    """A run at ``size``: the steady park's pages alike at every size, the largest park's
    ``largest`` agreements long and ``largest_ms`` slow, its export ``export_ms``."""
    return {
        "size": size,
        "steady_park": "syn-park-0",
        "steady_park_agreements": 30,
        "park": f"syn-park-{size}",
        "park_agreements": largest,
        "floor": {"cold_ms": 10.0, "cold_runs_ms": [10.0], "queries": 3, "agreements": 25},
        "pages": {
            "health": loaded(1),
            "agreement list": loaded(5),
            "dashboard, national official": loaded(20),
            # Cold only in bench_pages; here under load too, to see it spared there as well.
            "park with network, largest park": loaded(largest_ms),
        },
        "signed_in": {
            "dashboard, national official": cold(20),
            MY_AGREEMENTS: cold(20, session="park officer"),
            f"{MY_AGREEMENTS}, largest park": cold(largest_ms, session="park officer"),
            "park with network, largest park": cold(largest_ms, session="anonymous"),
            LARGEST_EXPORT: cold(export_ms, rows=largest * 2),
        },
        "not_measured": [],
    }


def targets(rows):
    return {target: met for target, _measured, met in rows}


def test_the_pages_on_the_largest_park_are_held_to_the_floor_but_not_to_the_growth(bench):
    # 28 ms: within 3x the floor, but 1.4x its cost at the smaller size.
    small = measured(300, largest=4, largest_ms=20, export_ms=25)
    large = measured(3000, largest=40, largest_ms=28, export_ms=250)

    signed_in = targets(bench.signed_in_verdicts([small, large]))
    public = targets(bench.verdicts(small, large))

    assert signed_in[f"{MY_AGREEMENTS}: cold at 3,000 <= 1.3x its cost at 300"]
    assert not [target for target in signed_in if "largest park: cold at" in target]
    assert not [target for target in public if "largest park: p50" in target]
    assert not [target for target in public if "largest park: cold (uncached)" in target]
    both = {**signed_in, **public}
    for name in (f"{MY_AGREEMENTS}, largest park", "park with network, largest park"):
        assert both[f"{name}: same query count at both sizes"], name
    assert signed_in[f"{MY_AGREEMENTS}, largest park: cold <= 3x the floor at 3,000"]
    # A public page is page-cached for visitors: the floor is the signed-in pages' target.
    assert "park with network, largest park: cold <= 3x the floor at 3,000" not in signed_in
    # The largest park's export, 25x the floor, is a download: held to no floor.
    assert not [target for target in signed_in if target.startswith(f"{LARGEST_EXPORT}: cold")]
    assert all(signed_in.values())


def test_a_page_on_the_steady_park_that_grows_misses_its_target(bench):
    small = measured(300, largest=4, largest_ms=20, export_ms=25)
    large = measured(3000, largest=40, largest_ms=20, export_ms=250)
    large["signed_in"][MY_AGREEMENTS] = cold(28, session="park officer")

    signed_in = targets(bench.signed_in_verdicts([small, large]))

    assert not signed_in[f"{MY_AGREEMENTS}: cold at 3,000 <= 1.3x its cost at 300"]


def test_the_largest_park_is_still_held_to_the_second(bench):
    small = measured(300, largest=4, largest_ms=20, export_ms=25)
    large = measured(3000, largest=40, largest_ms=20, export_ms=1200)

    rows = bench.signed_in_verdicts([small, large])

    target, measured_text, met = rows[-1]
    assert target == "No page over 1 s at 3,000 (cold, or p99 under load)"
    assert not met and f"{LARGEST_EXPORT}, cold: 1200 ms" in measured_text


def test_the_report_says_which_park_each_page_is_on_and_how_large(bench):
    runs = [
        measured(300, largest=4, largest_ms=20, export_ms=25),
        measured(3000, largest=40, largest_ms=28, export_ms=250),
    ]
    report = {
        "date": "2025-06-30",
        "machine": "2 cores",
        "seconds": 1,
        "connections": 2,
        "cold_runs": 1,
        "runs": runs,
        "verdicts": bench.verdicts(*runs),
        "signed_in_verdicts": bench.signed_in_verdicts(runs),
    }

    text = bench.markdown(report)

    assert "steady park (`syn-park-0`: 30 agreements at 300, 30 at 3,000)" in text
    assert (
        "largest of the other parks (`syn-park-300`: 4 agreements at 300; "
        "`syn-park-3000`: 40 agreements at 3,000)"
    ) in text
    assert "not held to the growth targets" in text
    assert "## 3,000 agreements (steady park `syn-park-0`: 30 agreements; largest park " in text
    # The largest park's export: its rows per second (80 rows in 250 ms).
    assert "**80 rows in 250 ms cold, 320 rows/s**" in text


def test_the_cold_requests_are_taken_in_rounds_with_the_sizes_in_turns(bench, monkeypatch):
    """Each round a bench_cold process per size, the first size first then the last first;
    the whole registry's export read in the last round only; each page's runs of every round
    together, and their median its cost."""
    called = []

    def bench_cold(env, *command, capture, stdin):
        size = env["size"]
        runs = {1000: [10.0, 11.0], 100000: [20.0, 30.0]}[size]
        round_ = sum(1 for each in called if each[0] == size)
        called.append((size, command[command.index("--export-runs") + 1]))
        page = {"status": 200, "queries": 6 + round_, "bytes": 5, "cold_runs_ms": runs}
        measured = {
            "floor": {"queries": 3, "bytes": 9, "agreements": 25, "cold_runs_ms": [5.0 + round_]},
            "pages": {"my agreements": {**page, "cold_ms": runs[0]}},
        }
        if command[command.index("--export-runs") + 1] != "0":
            measured["export"] = {"rows": 7}
        return json.dumps(measured)

    monkeypatch.setattr(bench, "manage", bench_cold)
    prepared = [{"size": size, "env": {"size": size}, "listed": "{}"} for size in (1000, 100000)]
    args = SimpleNamespace(rounds=3, cold_runs=2, export_runs=3)

    cold = bench.cold_rounds(prepared, args)

    assert called == [
        (1000, "0"),
        (100000, "0"),
        (100000, "0"),
        (1000, "0"),
        (1000, "3"),
        (100000, "3"),
    ]
    page = cold[100000]["pages"]["my agreements"]
    assert page["cold_runs_ms"] == [20.0, 30.0] * 3 and page["cold_ms"] == 25.0
    assert page["queries"] == 6  # the first round's first request
    assert cold[1000]["floor"]["cold_runs_ms"] == [5.0, 6.0, 7.0]
    assert cold[1000]["floor"]["cold_ms"] == 6.0
    assert cold[1000]["export"] == cold[100000]["export"] == {"rows": 7}


def test_each_size_has_its_own_database(bench):
    url = "postgres://postgres@127.0.0.1:5432/symbiosis_bench"
    assert bench.database_for(url, 1000) == url + "_1000"
    assert bench.database_for(url, 100000) == url + "_100000"
