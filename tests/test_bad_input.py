"""Bad input never hurts: each bad file is quarantined with a one-line reason, the rest is stored.

The corpus is built by tests/bad_inputs.py; a property-based test then feeds
random bytes and mutated seed text to the extractors: they either succeed or
raise the project's own InputError, within a time limit, never anything else.
"""
from __future__ import annotations

import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_inputs import GOOD_REPORT, build, make_huge_sparse
from db.export import export_documents
from db.ingest import ingest_paths
from db.session import open_db, session_factory
from extract import read_file
from extract.errors import InputError
from parsers import parse_file

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_bad_files_are_quarantined_and_the_good_one_is_stored(tmp_path):
    folder = tmp_path / "in"
    expected = build(folder)
    make_huge_sparse(folder / "huge.txt")
    expected["huge.txt"] = "too large"
    engine = open_db(f"sqlite:///{tmp_path / 'db.sqlite'}")
    summary = ingest_paths(engine, [folder])
    failures = {Path(f.path).name: f for f in summary.quarantined}
    for name, fragment in expected.items():
        if name == "report.sjis.txt" and name not in failures:
            continue  # decoded as GB18030 text: allowed, it is not a crash
        assert name in failures, f"{name} was not quarantined"
        failure = failures[name]
        assert fragment.lower() in failure.error.lower(), (name, failure.error)
        assert "\n" not in failure.error and len(failure.error) < 300
        assert failure.stage in ("extract", "parse")
    with session_factory(engine)() as session:
        docs = export_documents(session)["documents"]
    assert [d["source"]["file"] for d in docs if d["source"]["file"] == "good.txt"] == ["good.txt"]
    good = next(d for d in docs if d["source"]["file"] == "good.txt")
    assert good["org"]["name"] == "铜鼓县文化广电旅游局" and good["indicators"][0]["target"]["value"] == 60
    engine.dispose()


class _Timeout(Exception):
    pass


def _with_time_limit(seconds: int, fn, *args):
    def on_alarm(signum, frame):
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        return fn(*args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _read_and_parse(path: Path) -> None:
    try:
        parse_file(read_file(path))
    except InputError:
        pass  # the project's own error for bad input: fine


SUFFIXES = [".txt", ".pdf", ".docx", ".xlsx", ".html", ""]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_never_crash(tmp_path, data, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    _with_time_limit(10, _read_and_parse, path)


def _seed_texts() -> list[str]:
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else sorted(SAMPLES.glob("*.txt"))
    return [f.read_bytes().decode("utf-8", errors="replace")[:6000] for f in files[:5]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(min_value=0, max_value=4), cuts=st.lists(st.integers(min_value=0, max_value=5999), max_size=6),
       junk=st.text(max_size=40))
def test_mutated_report_text_never_crashes(tmp_path, which, cuts, junk):
    texts = _seed_texts()
    text = texts[which % len(texts)]
    for cut in sorted(cuts, reverse=True):  # delete a slice, insert junk: broken rows, lost tabs
        cut = cut % max(1, len(text))
        text = text[:cut] + junk + text[cut + len(junk) * 3:]
    path = tmp_path / "mutated.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _with_time_limit(10, _read_and_parse, path)


def test_a_link_out_of_the_ingest_folder_is_refused(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("2023年度部门整体支出绩效目标表\n部门名称\t不该读到的局\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    (folder / "good.txt").write_bytes(GOOD_REPORT)
    engine = open_db(f"sqlite:///{tmp_path / 'db.sqlite'}")
    summary = ingest_paths(engine, [folder])
    [failure] = summary.quarantined
    assert Path(failure.path).name == "link.txt" and "out of the ingest folder" in failure.error
    with session_factory(engine)() as session:
        names = [d["source"]["file"] for d in export_documents(session)["documents"]]
    assert names == ["good.txt"]
    engine.dispose()


def test_a_web_page_as_deep_as_the_parser_builds_is_read_one_level_deeper_is_refused():
    from bad_inputs import deep_html
    from extract import html

    # html and body are two of the 256 levels the parser builds
    read = html.extract(deep_html(html.MAX_DEPTH - 2), "deep.html", "deep.html", "0")
    assert [b.text for b in read.blocks] == ["2023年度部门整体支出绩效自评报告"]
    with pytest.raises(InputError, match=r"^the web page is nested deeper than 256 levels "
                                         r"\(the HTML parser's limit\): it cannot be read whole$"):
        html.extract(deep_html(html.MAX_DEPTH - 1), "deep.html", "deep.html", "0")
