"""The database in Datasette, read-only: titles, column descriptions and
canned queries generated from the models and db/views.py, and the jixiao
Datasette plugin (analysis/datasette_plugin: money and rates formatted,
codes with their Chinese labels, views first, Chinese full-text search).

Datasette reads SQLite only; the file is opened immutable (`-i`), or
read-only (mode=ro) when a write-ahead log holds transactions not yet in the
file, so nothing a visitor sends can write to it; arbitrary SQL is off, and
canned queries take bound parameters. Like every read command, serve never
writes: the derived tables (regions, concepts, the search index) are what
the last ingest or `jixiao upgrade` built.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from analysis import AnalysisError
from analysis.derive import FTS, has_fts
from db.models import Base
from db.views import VIEW_DOCS

LOOPBACK = ("127.0.0.1", "localhost", "::1")

# The home page lists the views, then the canned queries, then these tables
# in this order; the rest are internal and hidden (one click away).
TABLE_ORDER = ("documents", "finance", "indicators", "expenditures", "tasks", "sections",
               "checks", "search_entries", "org_regions", "indicator_concepts",
               "document_facts", "unclaimed")
INTERNAL = ("files", "runs", "quarantine", "derived_state", "alembic_version")
# How a row of a table is named where another table points at it.
LABEL_COLUMNS = {"documents": "title", "files": "name"}
VIEW_FACETS = {
    "v_department_year": ["province", "county", "fiscal_year"],
    "v_indicator_results": ["county", "fiscal_year", "level1", "target_met"],
    "v_spending_by_purpose": ["county", "fiscal_year"],
}
MONEY_NOTE = " (shown as 45,623,000.00 元; the 万元 figure on hover)"

CANNED = {
    "execution_rate_by_county": {
        "title": "Budget execution rate by county and year",
        "sql": "SELECT province, city, county, fiscal_year, count(*) AS departments, "
               "avg(execution_rate) AS mean_execution_rate FROM v_department_year "
               "WHERE execution_rate IS NOT NULL GROUP BY province, city, county, fiscal_year "
               "ORDER BY province, city, county, fiscal_year",
    },
    "department_year": {
        "title": "One department's budget, execution, score and staff by year",
        "sql": "SELECT * FROM v_department_year WHERE org_name LIKE '%' || :org || '%' "
               "ORDER BY org_name, fiscal_year",
    },
    "indicators_not_met": {
        "title": "Indicators whose target was not met",
        "sql": "SELECT org_name, fiscal_year, name, concept, target_raw, actual_raw, src_file, "
               "src_line FROM v_indicator_results WHERE target_met = 0 "
               "ORDER BY org_name, fiscal_year",
    },
    "concept_across_counties": {
        "title": "One indicator concept across counties (e.g. beneficiary_satisfaction)",
        "sql": "SELECT county, fiscal_year, org_name, name, target_raw, actual_raw, target_met "
               "FROM v_indicator_results WHERE concept = :concept "
               "ORDER BY county, fiscal_year",
    },
    "spending_by_purpose": {
        "title": "Spending by purpose, largest first",
        "sql": "SELECT org_name, fiscal_year, purpose, amount_yuan FROM v_spending_by_purpose "
               "ORDER BY amount_yuan DESC",
    },
    "search_text": {
        "title": "Full-text search of narrative sections and indicator names, with each hit's place",
        "sql": "SELECT f.name AS file, e.src_line AS line, e.src_page AS page, e.src_cell AS cell, "
               "e.kind, e.label, d.org_name, d.fiscal_year, e.text "
               f"FROM {FTS} JOIN search_entries e ON e.id = {FTS}.rowid "
               "JOIN documents d ON d.id = e.document_id "
               "JOIN files f ON f.id = d.file_id AND f.missing_since IS NULL "
               f"WHERE {FTS} MATCH escape_fts(:words) ORDER BY f.name, d.ordinal, e.id",
    },
}


def _describe(col) -> str:
    parts = [str(col.type).lower()]
    for fk in col.foreign_keys:
        parts.append(f"-> {fk.target_fullname}")
    if col.primary_key:
        parts.append("primary key")
    return ", ".join(parts)


def _money_columns(cols: dict) -> dict:
    return {c: d + MONEY_NOTE if c in ("budget", "actual", "amount_yuan") else d
            for c, d in cols.items()}


def metadata(db_name: str, fts: bool = True) -> dict:
    """Datasette metadata: the views first, then the tables of TABLE_ORDER,
    then the rest, INTERNAL ones hidden; the search index on search_entries
    (`fts`: the database has it; without, no search box and no search query)."""
    models = {}
    for table in Base.metadata.sorted_tables:
        model = next(m.class_ for m in Base.registry.mappers if m.local_table is table)
        doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        models[table.name] = {"title": table.name.replace("_", " "),
                              "description": doc or None,
                              "columns": {c.name: _describe(c) for c in table.columns}}
    tables: dict[str, dict] = {}
    for view, (title, cols) in VIEW_DOCS.items():
        tables[view] = {"title": title, "columns": _money_columns(cols)}
        if view in VIEW_FACETS:
            tables[view]["facets"] = VIEW_FACETS[view]
    rest = [t for t in models if t not in TABLE_ORDER and t not in INTERNAL]
    for name in (*TABLE_ORDER, *rest, *INTERNAL):
        if name in models:
            tables[name] = models[name]
    for name in (*INTERNAL, "alembic_version"):
        tables.setdefault(name, {})["hidden"] = True
    for name, col in LABEL_COLUMNS.items():
        tables[name]["label_column"] = col
    queries = dict(CANNED)
    if fts:
        tables["search_entries"].update(
            fts_table=FTS, fts_pk="id",
            description="Narrative sections and indicator names, searchable: type words in "
                        "the search box (Chinese is split into words as the index was built).")
    else:
        queries.pop("search_text")
    return {
        "title": "jixiao: budget-performance reports",
        "description": "Read-only. The views v_* answer the common questions, the canned "
                       "queries below them the usual ones with a parameter; money is in yuan "
                       "(元), rates in percent, codes shown with their Chinese labels.",
        "databases": {db_name: {"tables": tables, "queries": queries}},
    }


def _has_wal(path: str) -> bool:
    try:
        return os.path.getsize(path + "-wal") > 0
    except OSError:
        return False


def datasette_command(engine: Engine, host: str, port: int, metadata_path: Path,
                      open_browser: bool = False) -> list[str]:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise AnalysisError("serve needs an SQLite database file (Datasette reads SQLite only)")
    path = engine.url.database
    # Immutable, unless a write-ahead log holds what immutable would not see.
    files = [path] if _has_wal(path) else ["-i", path]
    # The jixiao plugin registered, then Datasette's own command line.
    cmd = [sys.executable, "-m", "analysis.datasette_plugin", "serve", *files,
           "--metadata", str(metadata_path), "-h", host, "-p", str(port),
           "--setting", "default_allow_sql", "off"]
    return cmd + (["--open"] if open_browser else [])


def _child_env() -> dict:
    """This process's environment, with the directory `analysis` is imported
    from first on the path: `-m analysis.datasette_plugin` finds the same code
    whether jixiao is installed or run from a checkout."""
    root = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 8001,
          open_browser: bool = False, echo=None) -> int:
    """Run Datasette on the engine's SQLite file until stopped; its exit code.

    `host` other than this machine (0.0.0.0, an address) serves everyone who
    can reach it: read-only all the same, and said so through `echo`.
    `open_browser`: open the home page in the web browser once it is up."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise AnalysisError("serve needs an SQLite database file (Datasette reads SQLite only)")
    if host not in LOOPBACK and echo is not None:
        echo(f"serve: listening on {host}: anyone who can reach this machine on port {port} "
             "can read the database (read-only)")
    db_path = engine.url.database or ""
    with engine.connect() as conn:
        fts = has_fts(conn)
    engine.dispose()  # Datasette opens the file itself
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(Path(db_path).stem, fts), ensure_ascii=False),
                        encoding="utf-8")
        cmd = datasette_command(engine, host, port, meta, open_browser)
        child = subprocess.Popen(cmd, env=_child_env())
        # Stopping `serve` (Ctrl-C, kill) stops Datasette too: no orphan server.
        previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
