"""Full-text search over narrative sections and indicator names, Chinese-aware.

Texts are segmented with jieba (search mode) into search_entries.tokens; the
query is segmented the same way and every word must match: SQLite through
its FTS5 index (MATCH of quoted words), PostgreSQL through
to_tsvector('simple', tokens) @@ plainto_tsquery('simple', words). Both take
the query as a bound parameter. The words found must then also appear as the
phrase itself in the text with wrapped lines joined, so a phrase broken by a
line break in the report is found and scattered words are not.

Reads only (a read-only database, a role with SELECT rights only): the
entries and the index are built at the end of an ingest (analysis/derive.py).
An SQLite database without its FTS5 index (one never rebuilt since, read
where it cannot be written) is searched by reading every entry: slower, and
the phrase found wherever it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex
from sqlalchemy import Engine, text

from analysis import AnalysisError
from analysis.derive import FTS, has_fts, query_tokens, unwrap

_SPACE = regex.compile(r"\s+")


@dataclass
class Hit:
    file: str
    title: str | None
    org_name: str | None
    fiscal_year: int | None
    kind: str
    label: str | None
    place: str
    snippet: str


def _place(src_file, line, page, cell) -> str:
    where = f"line {line}" if line is not None else (f"page {page}" if page is not None else "")
    return " ".join(p for p in (src_file or "", where, cell or "") if p)


def _snippet(body: str, phrase: str, width: int = 18) -> str:
    flat = _SPACE.sub("", body)
    i = flat.find(phrase)
    if i < 0:
        return flat[: 2 * width]
    a, b = max(0, i - width), min(len(flat), i + len(phrase) + width)
    return ("…" if a else "") + flat[a:i] + "【" + phrase + "】" + flat[i + len(phrase):b] + \
        ("…" if b < len(flat) else "")


def search(engine: Engine, query: str, limit: int = 50) -> list[Hit]:
    words = query_tokens(query)
    phrase = _SPACE.sub("", unwrap(query))
    if not words:
        raise AnalysisError("nothing to search for")
    cols = ("e.text, e.kind, e.label, e.src_file, e.src_line, e.src_page, e.src_cell, "
            "f.name AS file, d.title, d.org_name, d.fiscal_year")
    joins = ("JOIN documents d ON d.id = e.document_id "
             "JOIN files f ON f.id = d.file_id AND f.missing_since IS NULL")
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite" and has_fts(conn):
            match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
            rows = conn.execute(text(
                f"SELECT {cols} FROM {FTS} JOIN search_entries e ON e.id = {FTS}.rowid {joins} "
                f"WHERE {FTS} MATCH :q ORDER BY f.name, d.ordinal, e.id"), {"q": match})
        elif engine.dialect.name == "sqlite":  # no index: the phrase test below does it all
            rows = conn.execute(text(
                f"SELECT {cols} FROM search_entries e {joins} ORDER BY f.name, d.ordinal, e.id"))
        else:
            rows = conn.execute(text(
                f"SELECT {cols} FROM search_entries e {joins} "
                "WHERE to_tsvector('simple', e.tokens) @@ plainto_tsquery('simple', :q) "
                "ORDER BY f.name, d.ordinal, e.id"), {"q": " ".join(words)})
        hits = []
        for r in rows:
            if phrase not in _SPACE.sub("", r.text):
                continue
            hits.append(Hit(r.file, r.title, r.org_name, r.fiscal_year, r.kind, r.label,
                            _place(r.src_file, r.src_line, r.src_page, r.src_cell),
                            _snippet(r.text, phrase)))
            if len(hits) >= limit:
                break
    return hits


def hit_lines(hits: list[Hit]) -> list[str]:
    out = []
    for h in hits:
        doc = " ".join(str(p) for p in (h.org_name, h.fiscal_year, h.title) if p)
        out.append(f"{h.place}  [{h.kind}: {h.label or ''}]  {doc}\n    {h.snippet}")
    out.append(f"{len(hits)} hit{'s' if len(hits) != 1 else ''}")
    return out
