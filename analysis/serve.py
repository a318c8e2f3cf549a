"""The database in Datasette, read-only, on 127.0.0.1: titles, column
descriptions and canned queries generated from the models and db/views.py.

Datasette reads SQLite only; the file is opened immutable (`-i`), so nothing
a visitor sends can write to it, and canned queries take bound parameters.
The derived tables are refreshed first, by this process, before Datasette
opens the file.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from analysis import AnalysisError
from analysis.derive import refresh
from db.models import Base
from db.views import VIEW_DOCS

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
}


def _describe(col) -> str:
    parts = [str(col.type).lower()]
    for fk in col.foreign_keys:
        parts.append(f"-> {fk.target_fullname}")
    if col.primary_key:
        parts.append("primary key")
    return ", ".join(parts)


def metadata(db_name: str) -> dict:
    tables = {}
    for table in Base.metadata.sorted_tables:
        model = next(m.class_ for m in Base.registry.mappers if m.local_table is table)
        doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        tables[table.name] = {"title": table.name.replace("_", " "),
                              "description": doc or None,
                              "columns": {c.name: _describe(c) for c in table.columns}}
    for view, (title, cols) in VIEW_DOCS.items():
        tables[view] = {"title": title, "columns": cols}
    return {
        "title": "jixiao: budget-performance reports",
        "description": "Read-only. Views v_* answer the common questions; canned queries below.",
        "databases": {db_name: {"tables": tables, "queries": CANNED}},
    }


def datasette_command(engine: Engine, host: str, port: int, metadata_path: Path) -> list[str]:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise AnalysisError("serve needs an SQLite database file (Datasette reads SQLite only)")
    return [sys.executable, "-m", "datasette", "serve", "-i", engine.url.database,
            "--metadata", str(metadata_path), "-h", host, "-p", str(port),
            "--setting", "default_allow_sql", "off"]


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Refresh the derived tables, then run Datasette until stopped; its exit code."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise AnalysisError("serve listens on this machine only (127.0.0.1)")
    refresh(engine)
    db_path = engine.url.database or ""
    engine.dispose()  # checkpoint the WAL: Datasette opens the file immutable
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(Path(db_path).stem), ensure_ascii=False),
                        encoding="utf-8")
        cmd = datasette_command(engine, host, port, meta)
        child = subprocess.Popen(cmd)
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
