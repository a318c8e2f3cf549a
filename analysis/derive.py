"""Filling the derived tables (org_regions, indicator_concepts, search_entries
and, on SQLite, the FTS5 index search_fts) from the stored rows.

Why here and not at ingest: they depend on the synonym table and the region
dataset, which change on their own schedule; rebuilding from the database
takes seconds, a re-ingest re-parses every file. `refresh` compares a
fingerprint of the stored rows and of both tables with the one recorded in
`derived_state` and rebuilds only when they differ; every analysis command
calls it first (serve before it opens the database read-only).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import regex
from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session

from analysis.regions import dataset_version, region_index
from db.models import (
    DerivedState, Document, File, Indicator, IndicatorConcept, OrgRegion, SearchEntry, Section,
)
from normalize import concepts

FTS = "search_fts"
# A line break between two CJK characters is where pasted text was wrapped,
# not a word boundary: 加快预算执\n行进度 is 加快预算执行进度.
_WRAP = regex.compile(r"(?<=[\p{Han}\p{P}])[ \t]*\r?\n[ \t]*(?=[\p{Han}\p{P}])")
SCHEME = "3"  # bump when what refresh computes changes


def unwrap(s: str) -> str:
    return _WRAP.sub("", s or "")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def index_tokens(s: str) -> str:
    """Tokens for the index: jieba's search mode, which adds the sub-words of
    long words (知晓率 also as 知晓), so a query's words are found inside them."""
    return " ".join(t for t in _jieba().cut_for_search(unwrap(s)) if t.strip())


def query_tokens(s: str) -> list[str]:
    return [t for t in _jieba().cut(unwrap(s)) if t.strip() and not regex.fullmatch(r"\p{P}+", t)]


def _fingerprint(session: Session) -> str:
    parts = [SCHEME, concepts.table_version(), dataset_version()]
    for q in (
        select(func.count(File.id), func.max(File.ingested_at), func.count(File.missing_since)),
        select(func.count(Document.id), func.sum(Document.id)),
        select(func.count(Indicator.id), func.sum(Indicator.id)),
        select(func.count(Section.id), func.sum(Section.id)),
    ):
        parts.append(repr(tuple(session.execute(q).one())))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def ensure_fts(session: Session) -> None:
    """The FTS5 index over search_entries.tokens (SQLite); a rebuildable cache,
    so the analysis layer owns it rather than the schema migrations."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
            "tokens, content='search_entries', content_rowid='id', tokenize='unicode61')"))
    else:  # PostgreSQL: an expression index the search query uses
        session.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_search_entries_tsv ON search_entries "
            "USING gin (to_tsvector('simple', tokens))"))


def refresh(engine: Engine, force: bool = False) -> bool:
    """Rebuild the derived tables if the data or the tables changed; True if rebuilt."""
    with Session(engine) as session, session.begin():
        fp = _fingerprint(session)
        state = session.get(DerivedState, "analysis")
        if state is not None and state.fingerprint == fp and not force:
            ensure_fts(session)
            return False
        _rebuild(session)
        if state is None:
            session.add(DerivedState(name="analysis", fingerprint=fp))
        else:
            state.fingerprint = fp
    return True


def _rebuild(session: Session) -> None:
    for model in (OrgRegion, IndicatorConcept, SearchEntry):
        session.execute(delete(model))
    ix = region_index()
    regions = []
    for doc_id, region, org in session.execute(
            select(Document.id, Document.org_region, Document.org_name)):
        r = ix.lookup(region, org)
        regions.append({"document_id": doc_id, "adcode": r.adcode if r else None,
                        "province": r.province if r else None, "city": r.city if r else None,
                        "county": r.county if r else None,
                        "matched_on": r.matched_on if r else None})
    if regions:
        session.execute(insert(OrgRegion), regions)

    mapped, entries = [], []
    for ind in session.execute(select(Indicator.id, Indicator.document_id, Indicator.name,
                                      Indicator.grp, Indicator.src_file, Indicator.src_line,
                                      Indicator.src_page, Indicator.src_cell)):
        m = concepts.concept_of(ind.name)
        mapped.append({"indicator_id": ind.id, "concept": m.concept, "rule": m.rule})
        entries.append({"document_id": ind.document_id, "kind": "indicator",
                        "label": ind.grp, "text": unwrap(ind.name),
                        "tokens": index_tokens(ind.name), "src_file": ind.src_file,
                        "src_line": ind.src_line, "src_page": ind.src_page,
                        "src_cell": ind.src_cell})
    if mapped:
        session.execute(insert(IndicatorConcept), mapped)
    for s in session.execute(select(Section.document_id, Section.kind, Section.heading,
                                    Section.text, Section.src_file, Section.src_line,
                                    Section.src_page, Section.src_cell)):
        body = "\n".join(p for p in (s.heading, s.text) if p)
        if not body:
            continue
        entries.append({"document_id": s.document_id, "kind": "section",
                        "label": s.heading or s.kind, "text": unwrap(body),
                        "tokens": index_tokens(body), "src_file": s.src_file,
                        "src_line": s.src_line, "src_page": s.src_page, "src_cell": s.src_cell})
    if entries:
        session.execute(insert(SearchEntry), entries)
    ensure_fts(session)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"))
