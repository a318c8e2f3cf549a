"""No pattern run on user text may take super-linear time (issue 12).

A regular expression that backtracks over a long run of the characters it
starts on (digits with no unit after them, say) takes time quadratic in the
run: one pasted line of 300,000 digits then never finishes. Each case feeds
the whole text pipeline (extract.text, then parsers.parse_file) one line of a
repeated unit, at n and 2n characters, and asserts that doubling the input at
most about doubles the time: time(2n) / time(n) < 3, on medians of a few runs.
A ratio, not an absolute time, so the test holds on a slow or busy machine.

A time budget (SIGALRM, which the `re` engine honours mid-match) keeps a
regression from running for minutes.
"""
from __future__ import annotations

import signal
import statistics
import time

import pytest

from extract import text as text_extractor
from parsers import parse_file

N = 100_000  # characters; each case runs at N and 2N
RUNS = 3  # median of this many
FLOOR = 0.05  # s: below this, timer noise (a loaded CI machine) is all a ratio would measure;
# a quadratic pass over 100,000 characters takes seconds, far above it
BUDGET = 30  # s for a whole case; a linear one takes about 6

CASES = [
    pytest.param("1", id="digits"),
    pytest.param("1元", id="amounts-in-yuan"),
    pytest.param("1.5万元，", id="amounts-in-wan"),
    pytest.param("(", id="open-brackets"),
    pytest.param("指标1：", id="indicator-labels"),
    pytest.param("1.1.1.", id="outline-numbers"),
    pytest.param("\t ", id="tabs-and-spaces"),
    pytest.param(" ", id="spaces"),
]


class _OverBudget(Exception):
    pass


def _run_once(text: str) -> float:
    data = text.encode("utf-8")
    t0 = time.perf_counter()
    extracted = text_extractor.extract(data, name="long.txt", path="long.txt", sha256="0" * 64,
                                       fmt="txt")
    parse_file(extracted)
    return time.perf_counter() - t0


def _median_time(unit: str, n: int) -> float:
    text = "2023年度部门整体支出绩效自评报告\n" + unit * (n // len(unit)) + "\n"
    return statistics.median(_run_once(text) for _ in range(RUNS))


def _on_alarm(signum, frame):
    raise _OverBudget()


@pytest.mark.parametrize("unit", CASES)
def test_a_long_line_takes_linear_time(unit):
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(BUDGET)
    try:
        _median_time(unit, N // 10)  # warm up: imports, compiled patterns, jieba
        small = _median_time(unit, N)
        large = _median_time(unit, 2 * N)
    except _OverBudget:
        pytest.fail(f"{unit!r} × {N}..{2 * N}: over {BUDGET} s, far from linear")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    ratio = max(large, FLOOR) / max(small, FLOOR)
    assert ratio < 3, f"{unit!r}: {small:.3f} s at {N}, {large:.3f} s at {2 * N}: ×{ratio:.1f}"


def test_a_line_of_300000_digits_gives_its_amounts_in_linear_time():
    """The issue's input, on the money pattern alone (parsers/prose_money.py)."""
    from extract.ir import Provenance
    from parsers.prose_money import texts_to_money

    prov = Provenance("x.txt", 1)

    def timed(text: str) -> float:
        return statistics.median(_timed_money(texts_to_money, text, prov) for _ in range(RUNS))

    for unit in ("1", "1元", "1.5万元，汉1.5，", "1 "):
        small, large = timed(unit * (150_000 // len(unit))), timed(unit * (300_000 // len(unit)))
        assert max(large, FLOOR) / max(small, FLOOR) < 3, (unit, small, large)
    # and what it finds is unchanged: an amount after digits, a 元 figure given in 万元 too
    facts = texts_to_money([("1" * 1000 + "用于培训12.5万元，培训费125000元，即12.5元", prov)])
    assert [(e.item, e.value) for e in facts.expenditures][:2] == [("培训", 125000), ("培训费", 125000)]
    assert [c.code for c in facts.checks] == ["unit_suspect"] and "即12.5元" in facts.checks[0].message


def _timed_money(fn, text, prov) -> float:
    t0 = time.perf_counter()
    fn([(text, prov)])
    return time.perf_counter() - t0
