"""What no parser took: every paragraph and table row of a document that no
record was read from is kept as unclaimed text, so nothing disappears silently
between the file and the database.

A table row is claimed when a record was read from it (its provenance names
the row), when it is the header of rows that were read, or when a document
fact (organisation, staffing, verdict) was read from its words. A paragraph is
claimed when it lies in a narrative section, is part of the title, or states a
document fact or an amount that became a record.
"""
from __future__ import annotations

import re

from extract.ir import Block, Provenance
from parsers.records import DocumentRecord
from parsers.tables import is_header_row, row_texts

FACT_WORDS = re.compile(
    r"编制|实有人数|在职|内设|二级机构|下属|得分|总分|等级|等次|评价机构|实施机构|主评人|组长|报告时间|报告日期|"
    r"部门名称|单位名称|项目名称|主管部门|实施单位|联系人|联系电话|填报|签字|签章|意见"
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def unclaimed_text(blocks: list[Block], rec: DocumentRecord, title: str | None) -> list[tuple[str, Provenance]]:
    claimed_rows = {(p.table, p.row) for p in _provenances(rec) if p.table is not None and p.row is not None}
    claimed_lines = {p.line for p in _provenances(rec) if p.table is None and p.line is not None}
    section_text = "\n".join(_squash(s.heading + s.text) for s in rec.sections)
    out: list[tuple[str, Provenance]] = []
    for block in blocks:
        if block.kind == "table":
            out.extend(_unclaimed_rows(block, claimed_rows, section_text))
            continue
        text = block.text.strip()
        if not text or block.kind == "heading" or block.prov.line in claimed_lines:
            continue
        key = _squash(text)
        if (title and key in _squash(title)) or key in section_text or FACT_WORDS.search(text):
            continue
        out.append((text, block.prov))
    return out


def _provenances(rec: DocumentRecord):
    for rows in (rec.finance, rec.indicators, rec.tasks, rec.expenditures, rec.sections):
        for row in rows:
            yield row.prov


def _unclaimed_rows(table: Block, claimed_rows: set, section_text: str) -> list[tuple[str, Provenance]]:
    out = []
    rows = table.rows
    for r, row in enumerate(rows):
        key = (row[0].prov.table, row[0].prov.row) if row else None
        if key in claimed_rows:
            continue
        texts = [t for t in row_texts(row) if t]
        if not texts:
            continue
        following = [(rows[j][0].prov.table, rows[j][0].prov.row) for j in range(r + 1, min(r + 4, len(rows))) if rows[j]]
        if is_header_row(row) and any(k in claimed_rows for k in following):
            continue  # the header of rows that were read
        if FACT_WORDS.search("".join(texts)) or all(_squash(t) in section_text or len(_squash(t)) <= 1 for t in texts):
            continue
        if len(texts) == 1 and len(texts[0]) <= 40 and not re.search(r"\d", texts[0]):
            continue  # a form's part title (二、收支情况): structure, not data
        out.append(("\t".join(texts), row[0].prov))
    return out


def content_units(blocks: list[Block], title: str | None) -> int:
    """How many rows and paragraphs of a document could hold data: the denominator of coverage
    (the paragraphs and table rows unclaimed_text looks at, headings and the title apart)."""
    n = 0
    for block in blocks:
        if block.kind == "table":
            n += sum(1 for row in block.rows if any(t for t in row_texts(row)))
        elif block.kind != "heading" and block.text.strip() and not (title and _squash(block.text) in _squash(title)):
            n += 1
    return n
