"""How much of each document the parsers read: a folder with no gold can still be judged.

For every document of every file: the rows and paragraphs that could hold data
(parsers.claims.content_units), how many of them no parser read (the
`unclaimed` text a database keeps too), and the share read. A low share points
at a layout the readers do not know yet; the unread lines say which.

Files are read in this process, nothing is stored: point it at a folder before
ingesting it, or at the files an ingest left thin.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from extract import read_file
from extract.errors import InputError
from parsers import parse_file


@dataclass
class DocumentCoverage:
    file: str
    document: int  # 1-based within the file
    doc_type: str
    units: int  # rows and paragraphs that could hold data
    unread: int  # of them, read by no parser
    records: int  # finance, indicator, task, expenditure and section rows found

    @property
    def share_read(self) -> float | None:
        return None if not self.units else round(1 - self.unread / self.units, 3)


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    return out


def coverage(paths: list[Path]) -> tuple[list[DocumentCoverage], list[tuple[str, str]]]:
    """(one row per document, the files that could not be read with the reason)."""
    rows: list[DocumentCoverage] = []
    failed: list[tuple[str, str]] = []
    for path in _files(paths):
        try:
            records = parse_file(read_file(path))
        except InputError as exc:
            failed.append((path.name, str(exc)))
            continue
        for k, rec in enumerate(records, 1):
            found = sum(len(x) for x in (rec.finance, rec.indicators, rec.tasks, rec.expenditures, rec.sections))
            rows.append(DocumentCoverage(path.name, k, rec.doc_type, rec.content_units, len(rec.unclaimed), found))
    return rows, failed


def total_share(rows: list[DocumentCoverage]) -> float | None:
    units = sum(r.units for r in rows)
    return None if not units else round(1 - sum(r.unread for r in rows) / units, 3)


def format_table(rows: list[DocumentCoverage], failed: list[tuple[str, str]]) -> str:
    lines = [f"{'read':>6}  {'unread':>6}  {'units':>5}  {'records':>7}  document"]
    for r in sorted(rows, key=lambda r: (r.share_read if r.share_read is not None else 2, r.file)):
        share = f"{r.share_read:.0%}" if r.share_read is not None else "-"
        lines.append(f"{share:>6}  {r.unread:>6}  {r.units:>5}  {r.records:>7}  {r.file}#{r.document} ({r.doc_type})")
    share = total_share(rows)
    lines.append(f"{len(rows)} documents, {sum(r.units for r in rows)} rows and paragraphs, "
                 f"{sum(r.unread for r in rows)} read by no parser"
                 + (f": {share:.1%} read" if share is not None else ""))
    lines.extend(f"not read: {name}: {why}" for name, why in failed)
    return "\n".join(lines)


def as_json(rows: list[DocumentCoverage], failed: list[tuple[str, str]]) -> str:
    return json.dumps({"documents": [asdict(r) | {"share_read": r.share_read} for r in rows],
                       "total_share_read": total_share(rows),
                       "not_read": [{"file": n, "reason": w} for n, w in failed]}, ensure_ascii=False)
