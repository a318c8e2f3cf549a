"""db.loader + db.export: hand-built records round-trip to the SCHEMA.md shape."""
from __future__ import annotations

import json
import io

import pytest
from sqlalchemy import func, select, text

from db import PIPELINE_VERSION
from db.export import export_documents, export_json
from db.loader import quarantine_file, store_file
from db.models import (
    Check, Document, Expenditure, File, Finance, Indicator, Quarantine, Section, Task,
    Unclaimed,
)
from db.session import db_url, open_db, session_factory
from extract.ir import ExtractedFile, Provenance
from parsers.records import (
    CheckRow, DocumentRecord, Evaluation, ExpenditureRow, FinanceRow, IndicatorRow,
    SectionRow, Staffing, TaskRow, Value,
)

ROW_MODELS = (Finance, Indicator, Task, Expenditure, Section, Check, Unclaimed)


@pytest.fixture
def engine(tmp_path):
    eng = open_db(str(tmp_path / "t.sqlite"))
    yield eng
    eng.dispose()


@pytest.fixture
def Session(engine):
    return session_factory(engine)


def extracted(name="000_a.txt", path=None, sha="ab" * 32, fmt="txt"):
    return ExtractedFile(path=path or f"/in/{name}", name=name, sha256=sha, format=fmt,
                         blocks=[], encoding="utf-8")


def P(line=None, page=None, table=None, row=None, col=None, file="000_a.txt"):
    return Provenance(file=file, line=line, page=page, table=table, row=row, col=col)


def full_record() -> DocumentRecord:
    return DocumentRecord(
        doc_type="evaluation_report",
        start=P(1), end=P(120),
        title="2022年度部门整体绩效评价报告",
        org_name="孟津区退役军人事务局", org_region="孟津区", org_department="退役军人事务局",
        fiscal_year=2022, scope="department", project=None,
        evaluation=Evaluation(total_score=95.39, max_score=100.0, grade="excellent",
                              grade_raw="优", agency="某咨询公司", lead="陈翠莹",
                              date="2022-12"),
        staffing=Staffing(authorized_admin=12, actual=9, internal_units=5,
                          subordinate_units=2),
        finance=[
            FinanceRow("funds_total", "收入合计", "actual", 133512000.0, P(10)),
            FinanceRow("basic", "基本支出", "actual", 3925200.0, P(page=2, table=1, row=2, col=3),
                       entity="光荣院"),
            FinanceRow("funds_total", "执行率", "rate", 86.0, P(11)),
        ],
        indicators=[
            IndicatorRow("慰问人数", P(20, table=2, row=3, col=4), group="职能1",
                         level1="output", level2="quantity", level1_raw="产出指标",
                         level2_raw="数量指标",
                         target=Value("≥2600人", ">=", 2600.0, "人"),
                         actual=Value("2650人", None, 2650.0, "人"),
                         weight=10.0, score=9.5, deviation=None),
            IndicatorRow("资金支付", P(21), target=Value("正常支付", text="正常支付"),
                         actual=None),
        ],
        tasks=[
            TaskRow("每季度召开一次会议(3分)", P(30), section_no="一",
                    section="领导小组办公室作用发挥", section_points=10.0, item="会议",
                    points=3.0, deadline="2024-12-31", lead="张三", unit="办公室",
                    owner="阿日古那、刘甜"),
            TaskRow("持续推进", P(31), points=1.5, deadline="持续推进"),
        ],
        expenditures=[ExpenditureRow("死亡抚恤", 1882700.0, P(40))],
        sections=[SectionRow("overview", "一、部门概述", "内设机构 5 个。", P(2))],
        checks=[CheckRow("sum_mismatch", "合计与分项之和不符。", P(10))],
        unclaimed=[("无法归类的一行", P(99))],
    )


EXPECTED_DOC = {
    "source": {"file": "000_a.txt", "sha256": "ab" * 32, "format": "txt",
               "start": "line:1", "end": "line:120"},
    "doc_type": "evaluation_report",
    "title": "2022年度部门整体绩效评价报告",
    "org": {"name": "孟津区退役军人事务局", "region": "孟津区", "department": "退役军人事务局"},
    "fiscal_year": 2022,
    "scope": "department",
    "project": None,
    "evaluation": {"total_score": 95.39, "max_score": 100.0, "grade": "excellent",
                   "grade_raw": "优", "agency": "某咨询公司", "lead": "陈翠莹",
                   "date": "2022-12"},
    "staffing": {"authorized": None, "authorized_admin": 12, "authorized_institution": None,
                 "actual": 9, "internal_units": 5, "subordinate_units": 2},
    "finance": [
        {"entity": None, "item": "funds_total", "label": "收入合计", "measure": "actual",
         "value": 133512000.0, "source": {"file": "000_a.txt", "line": 10}},
        {"entity": "光荣院", "item": "basic", "label": "基本支出", "measure": "actual",
         "value": 3925200.0, "source": {"file": "000_a.txt", "page": 2, "cell": "T1R3C4"}},
        {"entity": None, "item": "funds_total", "label": "执行率", "measure": "rate",
         "value": 86.0, "source": {"file": "000_a.txt", "line": 11}},
    ],
    "indicators": [
        {"group": "职能1", "level1": "output", "level2": "quantity",
         "level1_raw": "产出指标", "level2_raw": "数量指标", "name": "慰问人数",
         "target": {"raw": "≥2600人", "op": ">=", "value": 2600, "unit": "人", "text": None},
         "actual": {"raw": "2650人", "op": None, "value": 2650, "unit": "人", "text": None},
         "weight": 10, "score": 9.5, "deviation": None,
         "source": {"file": "000_a.txt", "line": 20, "cell": "T2R4C5"}},
        {"group": None, "level1": None, "level2": None, "level1_raw": None,
         "level2_raw": None, "name": "资金支付",
         "target": {"raw": "正常支付", "op": None, "value": None, "unit": None,
                    "text": "正常支付"},
         "actual": None, "weight": None, "score": None, "deviation": None,
         "source": {"file": "000_a.txt", "line": 21}},
    ],
    "tasks": [
        {"section_no": "一", "section": "领导小组办公室作用发挥", "section_points": 10,
         "item": "会议", "criterion": "每季度召开一次会议(3分)", "points": 3,
         "deadline": "2024-12-31", "lead": "张三", "unit": "办公室", "owner": "阿日古那、刘甜",
         "source": {"file": "000_a.txt", "line": 30}},
        {"section_no": None, "section": None, "section_points": None, "item": None,
         "criterion": "持续推进", "points": 1.5, "deadline": "持续推进", "lead": None,
         "unit": None, "owner": None, "source": {"file": "000_a.txt", "line": 31}},
    ],
    "expenditures": [{"entity": None, "item": "死亡抚恤", "value": 1882700.0,
                      "source": {"file": "000_a.txt", "line": 40}}],
    "sections": [{"kind": "overview", "heading": "一、部门概述", "text": "内设机构 5 个。"}],
    "checks": [{"code": "sum_mismatch", "message": "合计与分项之和不符。",
                "source": {"file": "000_a.txt", "line": 10}}],
}


def store(Session, ext, records):
    with Session() as s, s.begin():
        return store_file(s, ext, records, PIPELINE_VERSION)


def export(Session):
    with Session() as s:
        return export_documents(s)


def counts(Session) -> dict[str, int]:
    with Session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (File, Document, Quarantine, *ROW_MODELS)}


def test_export_has_the_schema_shape(Session):
    store(Session, extracted(), [full_record()])
    out = export(Session)
    assert out == {"documents": [EXPECTED_DOC]}
    # Key order follows SCHEMA.md, so gold-file diffs stay readable.
    assert list(out["documents"][0]) == list(EXPECTED_DOC)


def test_whole_numbers_are_ints_money_stays_float(Session):
    store(Session, extracted(), [full_record()])
    doc = export(Session)["documents"][0]
    ind = doc["indicators"][0]
    assert type(ind["target"]["value"]) is int and type(ind["weight"]) is int
    assert type(ind["score"]) is float
    assert type(doc["tasks"][0]["points"]) is int
    assert type(doc["tasks"][0]["section_points"]) is int
    assert type(doc["tasks"][1]["points"]) is float
    assert type(doc["staffing"]["actual"]) is int
    assert all(type(f["value"]) is float for f in doc["finance"])
    assert type(doc["expenditures"][0]["value"]) is float


def test_money_is_rounded_to_cents(Session):
    rec = DocumentRecord("other", P(1), P(2), finance=[
        FinanceRow("basic", "基本支出", "actual", 96927861.37000001, P(1))])
    store(Session, extracted(), [rec])
    assert export(Session)["documents"][0]["finance"][0]["value"] == 96927861.37


def test_absent_evaluation_and_staffing_export_null(Session):
    bare = DocumentRecord("other", P(1), P(5))
    empty_eval = DocumentRecord("other", P(6), P(9), evaluation=Evaluation())
    store(Session, extracted(), [bare, empty_eval])
    d1, d2 = export(Session)["documents"]
    assert d1["evaluation"] is None and d1["staffing"] is None
    assert d1["finance"] == d1["indicators"] == d1["tasks"] == []
    assert d1["expenditures"] == d1["sections"] == d1["checks"] == []
    # Present but all unknown is not the same as absent.
    assert d2["evaluation"] == {k: None for k in EXPECTED_DOC["evaluation"]}


def test_restoring_a_file_replaces_its_rows(Session):
    ext = extracted()
    store(Session, ext, [full_record(), DocumentRecord("other", P(1), P(2))])
    first = counts(Session)
    store(Session, ext, [full_record(), DocumentRecord("other", P(1), P(2))])
    assert counts(Session) == first
    assert first["files"] == 1 and first["documents"] == 2 and first["finance"] == 3
    # A changed parse replaces, it does not merge.
    store(Session, ext, [DocumentRecord("other", P(1), P(2), title="新")])
    after = counts(Session)
    assert after["documents"] == 1
    assert all(after[m.__tablename__] == 0 for m in ROW_MODELS)
    assert [d["title"] for d in export(Session)["documents"]] == ["新"]


def test_documents_ordered_by_file_name_then_position(Session):
    store(Session, extracted("b.txt"), [DocumentRecord("other", P(1), P(2), title="b1")])
    store(Session, extracted("a.txt"), [DocumentRecord("other", P(1), P(2), title="a1"),
                                        DocumentRecord("other", P(3), P(4), title="a2")])
    titles = [d["title"] for d in export(Session)["documents"]]
    assert titles == ["a1", "a2", "b1"]


def test_quarantine_replaces_earlier_rows_for_the_path(Session):
    ext = extracted()
    store(Session, ext, [full_record()])
    with Session() as s, s.begin():
        quarantine_file(s, ext.path, ext.name, None, "extract", "empty file (0 bytes)")
    with Session() as s, s.begin():
        quarantine_file(s, ext.path, ext.name, None, "extract", "empty file (0 bytes)")
    c = counts(Session)
    assert c["documents"] == 0 and c["quarantine"] == 1 and c["files"] == 1
    assert all(c[m.__tablename__] == 0 for m in ROW_MODELS)
    assert export(Session) == {"documents": []}
    with Session() as s:
        assert s.scalar(select(File.status)) == "quarantined"
    # A later success clears the quarantine record.
    store(Session, ext, [full_record()])
    c = counts(Session)
    assert c["quarantine"] == 0 and c["files"] == 1 and c["documents"] == 1


def test_deleting_a_document_cascades_to_its_rows(Session):
    store(Session, extracted(), [full_record()])
    with Session() as s, s.begin():
        s.execute(text("DELETE FROM documents"))
    assert all(counts(Session)[m.__tablename__] == 0 for m in ROW_MODELS)


def test_export_json_is_readable_utf8(Session):
    store(Session, extracted(), [full_record()])
    buf = io.StringIO()
    with Session() as s:
        export_json(s, buf)
    assert "孟津区" in buf.getvalue()  # ensure_ascii=False
    assert json.loads(buf.getvalue()) == {"documents": [EXPECTED_DOC]}


def test_open_db_urls_and_pragmas(tmp_path, engine):
    assert db_url("x/y.sqlite") == "sqlite:///x/y.sqlite"
    assert db_url("postgresql://u@h/db") == "postgresql://u@h/db"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    # Opening again is harmless: tables are created only when missing.
    open_db(f"sqlite:///{tmp_path / 't.sqlite'}").dispose()
