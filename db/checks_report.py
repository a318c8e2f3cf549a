"""What `jixiao checks` prints: the consistency checks stored for every document,
and how much text no parser claimed, document by document.
"""
from __future__ import annotations

import re
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Check, Document, File, Unclaimed


def check_lines(session: Session, code: str | None = None, with_unclaimed: bool = True) -> list[str]:
    """One line per check (file, place, code, message), then the unclaimed-text counts."""
    query = (select(File.path, Document.ordinal, Document.org_name, Document.fiscal_year, Check.code,
                    Check.message, Check.src_line, Check.src_page, Check.src_cell)
             .join(Document, Check.document_id == Document.id)
             .join(File, Document.file_id == File.id)
             .where(File.missing_since.is_(None))
             .order_by(File.name, File.path, Document.ordinal, Check.ordinal))
    if code:
        query = query.where(Check.code == code)  # a bound parameter, never SQL text
    lines = []
    label = file_labels(session)
    for path, ordinal, org, year, check_code, message, line, page, cell in session.execute(query):
        name = label.get(path, path)
        where = f"page {page}" if page else f"line {line}" if line else "document"
        if cell:
            where += f" {cell}"
        who = " ".join(str(x) for x in (org, year) if x)
        lines.append(f"{name}#{ordinal + 1} {where} [{check_code}] {who}: {message}")
    lines.append(f"{len(lines)} check{'s' if len(lines) != 1 else ''}")
    if with_unclaimed:
        counts = _unclaimed_counts(session)
        if counts:
            lines.append("unclaimed text (rows or paragraphs no parser read, kept in the `unclaimed` table):")
            lines.extend(f"  {label.get(path, path)}#{ordinal + 1}: {n}" for path, ordinal, n in counts)
    return lines


# ------------------------------------------------------------ codes, messages, --json

# Every code the parsers write (parsers/checks.py, parsers/prose_money.py);
# tests/test_cli_habits.py keeps this list equal to what their source emits.
CHECK_CODES = ("org_unknown", "rate_mismatch", "score_above_weight", "score_mismatch",
               "sibling_mismatch", "staff_over_establishment", "sum_mismatch", "unit_suspect",
               "year_mismatch")

_LINE_NONE = re.compile(r"\s*\((?:line|page) None\)")
_DOUBLE_PERCENT = re.compile(r"%%(?!EOF)")  # %%EOF is PDF's own end marker


def clean_message(text: str) -> str:
    """A stored message as it should read: no `(line None)` (a place that has
    no line, e.g. a PDF page) and no doubled `%%` (a format string's escape)."""
    return _DOUBLE_PERCENT.sub("%", _LINE_NONE.sub("", text))


def known_codes(session: Session) -> list[str]:
    """The codes `checks --code` accepts: the parsers' and any stored."""
    stored = session.scalars(select(Check.code).distinct()).all()
    return sorted(set(CHECK_CODES) | set(stored))


def checks_json(session: Session, code: str | None = None) -> dict:
    """What check_lines says, as one JSON object (`jixiao checks --json`)."""
    query = (select(File.path, Document.ordinal, Document.org_name, Document.fiscal_year,
                    Check.code, Check.message, Check.src_line, Check.src_page, Check.src_cell)
             .join(Document, Check.document_id == Document.id)
             .join(File, Document.file_id == File.id)
             .where(File.missing_since.is_(None))
             .order_by(File.name, File.path, Document.ordinal, Check.ordinal))
    if code:
        query = query.where(Check.code == code)
    label = file_labels(session)
    checks = [{"file": label.get(path, path), "document": ordinal + 1, "org_name": org, "fiscal_year": year,
               "code": c, "message": clean_message(message),
               "source": {k: v for k, v in (("line", line), ("page", page), ("cell", cell))
                          if v is not None}}
              for path, ordinal, org, year, c, message, line, page, cell in session.execute(query)]
    unclaimed = _unclaimed_counts(session)
    return {"checks": checks, "count": len(checks),
            "unclaimed": [{"file": label.get(path, path), "document": ordinal + 1, "rows": n}
                          for path, ordinal, n in unclaimed]}


def _unclaimed_counts(session):
    """(file path, document ordinal, rows no parser read) of the files still present."""
    return session.execute(
        select(File.path, Document.ordinal, func.count(Unclaimed.id))
        .join(Document, Unclaimed.document_id == Document.id)
        .join(File, Document.file_id == File.id)
        .where(File.missing_since.is_(None))
        .group_by(File.path, File.name, Document.ordinal)
        .order_by(File.name, File.path, Document.ordinal)).all()


def file_labels(session: Session) -> dict[str, str]:
    """A short label per stored path: its file name, or where two files share
    a name (pdf/a.pdf and pdf-scanned/a.pdf) as many of its last folders as
    tell them apart."""
    paths = session.scalars(select(File.path).where(File.missing_since.is_(None))).all()
    return short_labels(paths)


def short_labels(paths) -> dict[str, str]:
    parts = {p: PurePath(p).parts for p in paths}
    labels: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for p, ps in parts.items():
        groups.setdefault(ps[-1] if ps else p, []).append(p)
    for name, group in groups.items():
        if len(group) == 1:
            labels[group[0]] = name
            continue
        tails = {p: p for p in group}
        for depth in range(2, max(len(parts[p]) for p in group) + 1):
            tails = {p: "/".join(parts[p][-depth:]) for p in group}
            if len(set(tails.values())) == len(group):
                break
        labels.update(tails)
    return labels
