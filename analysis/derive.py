"""Filling the derived tables (org_regions, indicator_concepts, search_entries
and, on SQLite, the FTS5 index search_fts; on PostgreSQL the GIN index the
search uses) from the stored rows.

They depend on the synonym table and the region dataset, which change on
their own schedule; rebuilding from the database takes seconds, a re-ingest
re-parses every file. `refresh` compares a fingerprint of the stored rows and
of both tables with the one recorded in `derived_state` and rebuilds only
when they differ. Only writers call it: every ingest at its end, under its
run lock, and `jixiao upgrade`. The read commands never write (a read-only
file, a role with SELECT rights only): they read what is stored, and
`stale_note` tells them, without writing, when it is out of date.
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
from normalize.words import segmenter

FTS = "search_fts"
# A line break between two CJK characters is where pasted text was wrapped,
# not a word boundary: 加快预算执\n行进度 is 加快预算执行进度.
_WRAP = regex.compile(r"(?<=[\p{Han}\p{P}])[ \t]*\r?\n[ \t]*(?=[\p{Han}\p{P}])")
SCHEME = "3"  # bump when what refresh computes changes


def unwrap(s: str) -> str:
    return _WRAP.sub("", s or "")


@lru_cache(maxsize=65536)  # indicator names recur across reports: tokenised once
def index_tokens(s: str) -> str:
    """Tokens for the index: jieba's search mode, which adds the sub-words of
    long words (知晓率 also as 知晓), so a query's words are found inside them."""
    return " ".join(t for t in segmenter().cut_for_search(unwrap(s)) if t.strip())


def query_tokens(s: str) -> list[str]:
    return [t for t in segmenter().cut(unwrap(s)) if t.strip() and not regex.fullmatch(r"\p{P}+", t)]


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
    so the analysis layer owns it rather than the schema migrations. Writes:
    called from refresh only, never by a read command."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
            "tokens, content='search_entries', content_rowid='id', tokenize='unicode61')"))
    else:  # PostgreSQL: an expression index the search query uses
        session.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_search_entries_tsv ON search_entries "
            "USING gin (to_tsvector('simple', tokens))"))


def has_fts(conn) -> bool:
    """Is there an FTS5 index to search (SQLite)? False elsewhere. `conn`: a
    Connection or a Session."""
    dialect = conn.get_bind().dialect if isinstance(conn, Session) else conn.dialect
    if dialect.name != "sqlite":
        return False
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"),
                        {"n": FTS}).first() is not None


def refresh(engine: Engine, force: bool = False, lock=None) -> bool:
    """Rebuild the derived tables if the data or the tables changed (or the
    SQLite FTS index is missing); True if rebuilt. `lock`: the run's HeldLock
    (db/session.py), checked first in the transaction like every write of a run."""
    with engine.connect() as conn:
        # SQLite: the write lock up front, so two writers queue instead of
        # one failing half-way with "database is locked".
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind=conn) as session, session.begin():
            if lock is not None:
                lock.check(session)
            if engine.dialect.name == "postgresql":  # one rebuild at a time
                session.execute(text(
                    "SELECT pg_advisory_xact_lock(hashtext('jixiao.derive.' || current_schema()))"))
            fp = _fingerprint(session)
            state = session.get(DerivedState, "analysis")
            fresh = state is not None and state.fingerprint == fp
            if fresh and not force and (engine.dialect.name != "sqlite" or has_fts(session)):
                ensure_fts(session)
                return False
            # the tables they are made with unchanged: only the documents stored or removed since
            # are worked on (a nightly run adds a few files to a large database)
            tables = session.get(DerivedState, TABLES_STATE)
            same_tables = tables is not None and tables.fingerprint == _tables_fingerprint() \
                and state is not None and (engine.dialect.name != "sqlite" or has_fts(session))
            if same_tables and not force:
                _update(session)
            else:
                _rebuild(session)
            for name, value in (("analysis", fp), (TABLES_STATE, _tables_fingerprint())):
                row = session.get(DerivedState, name)
                if row is None:
                    session.add(DerivedState(name=name, fingerprint=value))
                else:
                    row.fingerprint = value
    return True


TABLES_STATE = "analysis.tables"


def _tables_fingerprint() -> str:
    """What the derived rows are made with: this code's scheme, the concept table, the regions."""
    return hashlib.sha256("|".join([SCHEME, concepts.table_version(), dataset_version()]).encode()).hexdigest()


def _update(session: Session) -> None:
    """The derived rows of documents removed since the last refresh dropped, of new ones added."""
    session.execute(delete(OrgRegion).where(OrgRegion.document_id.not_in(select(Document.id))))
    session.execute(delete(SearchEntry).where(SearchEntry.document_id.not_in(select(Document.id))))
    session.execute(delete(IndicatorConcept).where(IndicatorConcept.indicator_id.not_in(select(Indicator.id))))
    new = list(session.scalars(select(Document.id).where(Document.id.not_in(select(OrgRegion.document_id)))))
    for k in range(0, len(new), 500):  # a bounded list of ids per query
        _derive(session, new[k:k + 500])
    _index(session)


def stale_note(engine: Engine, hint: str) -> str | None:
    """What is wrong with the derived tables, in one line ending with `hint`
    (how to rebuild them), or None when they are current. Reads only."""
    with Session(engine) as session:
        state = session.get(DerivedState, "analysis")
        if state is None:
            if not session.scalar(select(func.count(Document.id))):
                return None  # nothing stored, nothing to derive
            return ("the derived tables (regions, indicator concepts, search entries) were "
                    "never built in this database: what reads them finds them empty; " + hint)
        if state.fingerprint != _fingerprint(session):
            return ("the derived tables (regions, indicator concepts, search entries) are out "
                    "of date: the stored reports, or this jixiao's region or concept tables, "
                    "changed since they were built; read as they are; " + hint)
        if engine.dialect.name == "sqlite" and not has_fts(session):
            return f"the search index ({FTS}) is missing: search reads without it; " + hint
    return None


def _rebuild(session: Session) -> None:
    for model in (OrgRegion, IndicatorConcept, SearchEntry):
        session.execute(delete(model))
    _derive(session, None)
    _index(session)


def _index(session: Session) -> None:
    ensure_fts(session)
    if session.get_bind().dialect.name == "sqlite":  # from the stored tokens: no jieba here
        session.execute(text(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"))


def _derive(session: Session, documents: list[int] | None) -> None:
    """The derived rows of `documents` (document ids; None: all of them)."""
    def only(query, column):
        return query if documents is None else query.where(column.in_(documents))

    ix = region_index()
    regions = []
    for doc_id, region, org in session.execute(
            only(select(Document.id, Document.org_region, Document.org_name), Document.id)):
        r = ix.lookup(region, org)
        regions.append({"document_id": doc_id, "adcode": r.adcode if r else None,
                        "province": r.province if r else None, "city": r.city if r else None,
                        "county": r.county if r else None,
                        "matched_on": r.matched_on if r else None})
    if regions:
        session.execute(insert(OrgRegion.__table__), regions)  # Core: no ORM bulk bookkeeping

    mapped, entries = [], []
    for ind in session.execute(only(select(Indicator.id, Indicator.document_id, Indicator.name,
                                           Indicator.grp, Indicator.src_file, Indicator.src_line,
                                           Indicator.src_page, Indicator.src_cell), Indicator.document_id)):
        m = concepts.concept_of(ind.name)
        mapped.append({"indicator_id": ind.id, "concept": m.concept, "rule": m.rule})
        entries.append({"document_id": ind.document_id, "kind": "indicator",
                        "label": ind.grp, "text": unwrap(ind.name),
                        "tokens": index_tokens(ind.name), "src_file": ind.src_file,
                        "src_line": ind.src_line, "src_page": ind.src_page,
                        "src_cell": ind.src_cell})
    if mapped:
        session.execute(insert(IndicatorConcept.__table__), mapped)
    for s in session.execute(only(select(Section.document_id, Section.kind, Section.heading,
                                         Section.text, Section.src_file, Section.src_line,
                                         Section.src_page, Section.src_cell), Section.document_id)):
        body = "\n".join(p for p in (s.heading, s.text) if p)
        if not body:
            continue
        entries.append({"document_id": s.document_id, "kind": "section",
                        "label": s.heading or s.kind, "text": unwrap(body),
                        "tokens": index_tokens(body), "src_file": s.src_file,
                        "src_line": s.src_line, "src_page": s.src_page, "src_cell": s.src_cell})
    if entries:
        session.execute(insert(SearchEntry.__table__), entries)
