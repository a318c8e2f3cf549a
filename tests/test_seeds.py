"""The five real seed reports, end to end, scored fact by fact against the hand-checked gold.

This is the acceptance test of the foundation: ingest the folder into a real
SQLite database, export SCHEMA.md JSON, and score it with shared/score.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import SHARED, f1, ingest_and_export
pytestmark = pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared/seeds is not beside the checkout")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("seeds") / "seeds.sqlite"
    return {"documents": ingest_and_export([SHARED / "seeds"], db)}


def test_seeds_score_against_gold(exported):
    overall, per_category, misses = f1(SHARED / "gold", exported["documents"])
    assert overall >= 0.95, misses[:20]
    assert min(per_category.values()) >= 0.90, per_category


def test_seed_documents_are_split_and_classified(exported):
    by_file: dict[str, list[str]] = {}
    for doc in exported["documents"]:
        by_file.setdefault(doc["source"]["file"][:3], []).append(doc["doc_type"])
    assert by_file == {
        "000": ["evaluation_report"],
        "001": ["self_evaluation_table", "self_evaluation_report"],
        "002": ["target_table"],
        "003": ["task_breakdown"],
        "004": ["self_evaluation_table", "self_evaluation_report"],
    }


def test_unit_contradicted_by_context_is_fixed_and_checked(exported):
    report = [d for d in exported["documents"] if d["source"]["file"].startswith("004")][1]
    three_public = [f for f in report["finance"] if f["item"] == "three_public_total"]
    assert [f["value"] for f in three_public] == [42150.0]
    assert any(c["code"] == "unit_suspect" and "4.2150" in c["message"] for c in report["checks"])


def test_every_row_carries_its_source(exported):
    for doc in exported["documents"]:
        for kind in ("finance", "indicators", "tasks", "expenditures", "checks"):
            for row in doc[kind]:
                assert row["source"]["file"] == doc["source"]["file"]
                assert row["source"].get("line") or row["source"].get("page")
        json.dumps(doc, ensure_ascii=False)


def test_the_seeds_known_inconsistencies_are_found(exported):
    found = {(d["source"]["file"][:3], d["doc_type"], c["code"], c["source"].get("line"))
             for d in exported["documents"] for c in d["checks"]}
    expected = {
        # 001 form: 财政拨款 7547.08 + 其他资金 5834.54 ≠ 合计 13351.2, and 6701.89 + 4734.41 ≠ 11436.27
        ("001", "self_evaluation_table", "sum_mismatch", 47),
        ("001", "self_evaluation_table", "sum_mismatch", 48),
        # 001 form: indicator scores 94 + budget row 8.6 ≠ 总分 98.6
        ("001", "self_evaluation_table", "score_mismatch", 1),
        # 001 report: 工资福利支出 382.07 + 商品和服务支出 39.13 ≠ 基本支出 392.52; 项目支出 11043.76 vs 11043.75
        ("001", "self_evaluation_report", "sum_mismatch", 442),
        ("001", "self_evaluation_report", "sibling_mismatch", 451),
        # 004 form: 局机关 figures printed with an extra digit (基本支出 425.3586876, 公用支出 26.7777876)
        ("004", "self_evaluation_table", "sum_mismatch", 148),
        ("004", "self_evaluation_table", "sum_mismatch", 141),
        # 004 report: “三公”经费为4.2150元 beside 公务接待费4.2150万元; 实有人数 53 vs the form's 52
        ("004", "self_evaluation_report", "unit_suspect", 413),
        ("004", "self_evaluation_report", "sibling_mismatch", 402),
    }
    assert expected <= found, expected - found
    assert not [c for c in found if c[0] in ("000", "002", "003")]  # consistent documents: no checks


def test_document_facts_carry_where_they_were_read(tmp_path):
    """Org, year, verdict and staffing are values too: each is stored with its line."""
    import sqlite3

    db = tmp_path / "facts.sqlite"
    ingest_and_export([SHARED / "seeds" / "000_f22173ecc6795b81.txt"], db)
    rows = dict(((field, (value, line)) for field, value, line in
                 sqlite3.connect(db).execute("SELECT field, value, src_line FROM document_facts")))
    assert rows["evaluation.total_score"] == ("95.39", 30)
    assert rows["evaluation.agency"] == ("河南昭元绩效评价咨询有限公司", 7)
    assert rows["staffing.authorized_admin"] == ("12", 17)
    assert rows["org.name"][0] == "孟津区退役军人事务局" and rows["fiscal_year"] == ("2021", 4)
