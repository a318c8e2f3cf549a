"""The small 绩效目标表 the format tests build in DOCX, XLSX and HTML, and what it must parse to.

One expectation for every format: a format reads as well as any other.
"""
from __future__ import annotations

import parsers

EXPECTED_INDICATORS = [
    ("培训人次", "output", "quantity", "≥200人次", ">=", 200.0),
    ("检查次数", "output", "quantity", "=2次", "=", 2.0),
    ("验收合格率", "output", "quality", "≥95%", ">=", 95.0),
    ("政策知晓率", "outcome", "social", "≥90%", ">=", 90.0),
    ("群众满意度", "satisfaction", "satisfaction", "≥95%", ">=", 95.0),
]


def assert_target_table(extracted):
    """Parse the extracted file and check the document and its indicators; return the record."""
    [rec] = parsers.parse_file(extracted)
    assert (rec.doc_type, rec.fiscal_year, rec.org_name) == ("target_table", 2023, "湖南省长沙县财政局")
    got = [(i.name, i.level1, i.level2, i.target.raw, i.target.op, i.target.value) for i in rec.indicators]
    assert got == EXPECTED_INDICATORS
    return rec
