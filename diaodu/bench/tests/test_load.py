"""The load test's own arithmetic (scripts/load_test.py): percentiles, the open-loop schedule,
the mix and the capacity search. No server."""

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "load_test.py"
spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)


def test_percentiles_interpolate_between_ranks():
    values = [5, 1, 4, 2, 3]
    assert load.percentile(values, 0) == 1
    assert load.percentile(values, 50) == 3
    assert load.percentile(values, 100) == 5
    assert load.percentile(values, 95) == pytest.approx(4.8)
    assert load.percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert load.percentile([7], 95) == 7
    assert load.percentile([], 50) is None


def test_the_schedule_is_fixed_whatever_the_answers():
    moments = load.schedule(40, 3)
    assert len(moments) == 120
    assert moments[:3] == [0, 0.025, 0.05]
    assert moments[-1] == pytest.approx(2.975)
    assert load.schedule(0.5, 10) == [0, 2, 4, 6, 8]


def test_the_mix_holds_its_shares_in_every_window():
    kinds = load.interleave(load.MIX, 300)
    weights = dict(load.MIX)
    assert sum(weights.values()) == 100
    for start in (0, 100, 200):
        assert Counter(kinds[start : start + 100]) == weights
    # spread out: no kind of a tenth or less of the mix twice in a row
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False) if weights[a] <= 10)


def summary(p95, errors=0):
    return {"overall": {"p95_ms": p95, "errors": errors}}


def test_the_capacity_is_the_last_rate_that_held():
    figures = {20: summary(80), 40: summary(300), 60: summary(900), 80: summary(1400)}
    tried = []

    def step(rate):
        tried.append(rate)
        return figures[rate]

    held, steps = load.search_capacity(step, load.capacity_rates(20, 20, 8))
    assert held == 60
    assert tried == [20, 40, 60, 80]  # stops at the first step that does not hold
    assert len(steps) == 4


def test_an_error_ends_the_search_whatever_the_latency():
    figures = {20: summary(80), 40: summary(100, errors=1)}
    held, steps = load.search_capacity(figures.__getitem__, [20, 40, 60])
    assert held == 20 and len(steps) == 2
    held, _steps = load.search_capacity(lambda rate: summary(1001), [20, 40])
    assert held is None


def test_a_summary_counts_unexpected_answers_and_timeouts_as_errors():
    samples = [
        load.Sample("fill", 0.040, 200),
        load.Sample("fill", 0.060, 200),
        load.Sample("save", 0.100, 409),
        load.Sample("submit", 0.050, 302),
        load.Sample("ledger", 30.0, None, "ledger: ReadTimeout"),
        load.Sample("dashboard", 0.200, 500),
    ]
    result = load.summarise(samples, seconds=2, offered=3)
    pages, overall = result["pages"], result["overall"]
    assert list(pages) == ["fill", "save", "submit", "ledger", "dashboard"]
    assert pages["fill"] == {
        "requests": 2, "errors": 0, "server_errors": 0, "timeouts": 0,
        "p50_ms": 50.0, "p95_ms": 59.0, "p99_ms": 59.8, "max_ms": 60.0,
    }  # fmt: skip
    assert (overall["requests"], overall["errors"]) == (6, 3)
    assert (overall["server_errors"], overall["timeouts"]) == (1, 1)
    assert overall["achieved_rps"] == 1.5  # three answered as expected, in two seconds
    assert overall["offered_rps"] == 3


def test_the_server_shares_a_cache_and_a_queue_as_in_production(tmp_path):
    env = load.production_env(tmp_path, "postgres://x/diaodu_load", "redis://127.0.0.1:6379/12")
    assert env["DIAODU_CACHE_URL"] == env["DIAODU_BROKER_URL"] == "redis://127.0.0.1:6379/12"
    alone = load.production_env(tmp_path, "postgres://x/diaodu_load", "")
    assert "DIAODU_CACHE_URL" not in alone and "DIAODU_BROKER_URL" not in alone


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379/0", "redis://h/1"]
)
def test_a_production_redis_database_is_never_emptied(url):
    with pytest.raises(SystemExit):
        load.recreate_redis(url)
