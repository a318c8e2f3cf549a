"""The functions `import jixiao` gives: ingest, read, frame, tables.

Each delegates to what the CLI runs (db.ingest, extract + parsers + db.export,
db.session's read-only opening); nothing here parses or stores on its own.
`db` is what `--db` takes (an SQLite file path or an SQLAlchemy URL) or an
SQLAlchemy Engine.
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Union

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

    from db.ingest import IngestSummary

PathLike = Union[str, "os.PathLike[str]"]

# Column types of the views (db/views.py), by column name: the views compute
# some of their columns, so their types are not in the models. Anything not
# named here is text.
VIEW_TYPES = {
    **dict.fromkeys(("fiscal_year", "documents", "staff_authorized", "staff_actual",
                     "target_met", "src_line", "indicator_id", "document_id",
                     "expenditure_id"), "Int64"),
    **dict.fromkeys(("budget", "actual", "execution_rate", "score", "max_score",
                     "target_value", "actual_value", "weight", "amount_yuan"), "float64"),
}


def _paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = [Path(p) for p in paths]
    for p in out:
        if not p.exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
    return out


def ingest(paths: PathLike | Iterable[PathLike], db: "str | PathLike | Engine" = "jixiao.sqlite",
           *, workers: int | None = None, wait: float = 0.0,
           echo: Callable[[str], None] | None = None) -> "IngestSummary":
    """`jixiao ingest PATHS --db DB`: read report files and folders (recursively)
    into the database, created if new; returns the run's summary
    (`.line()` is what the CLI prints, `.quarantined` the files that failed).

    `workers`: processes that parse (default one per core; 1 for one).
    `echo` receives a line per quarantined file (default: none printed).
    """
    from db.ingest import default_workers, ingest_paths
    from db.session import open_db

    files = _paths(paths)
    engine, own = (db, False) if _is_engine(db) else (open_db(str(db)), True)
    try:
        return ingest_paths(engine, files, echo=echo, workers=workers or default_workers(),
                            wait=wait)
    finally:
        if own:
            engine.dispose()


def read(path: PathLike, *, errors: str = "raise") -> list[dict]:
    """The documents in a report file (or every report in a folder), in
    SCHEMA.md's JSON shape, one dict per document, as `jixiao export` gives
    them; parsed in this process, nothing stored anywhere.

    `errors`: "raise" (default) raises extract.errors.InputError for a file
    that cannot be read or parsed; "skip" warns and goes on with the others.
    """
    if errors not in ("raise", "skip"):
        raise ValueError("errors: 'raise' or 'skip'")
    import extract
    import parsers
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import StaticPool

    from db import PIPELINE_VERSION
    from db.export import export_documents
    from db.ingest import collect_paths
    from db.loader import store_file
    from db.models import Base
    from extract.errors import InputError

    (p,) = _paths(path)
    files = collect_paths([p])[0] if p.is_dir() else [p]
    # The rows go through the same store and export as an ingest, in a
    # database in memory that is gone on return: the shape cannot differ.
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            for f in files:
                try:
                    extracted = extract.read_file(f)
                    records = parsers.parse_file(extracted)
                except InputError as exc:
                    if errors == "raise":
                        raise
                    warnings.warn(f"{f}: {exc}", stacklevel=2)
                    continue
                store_file(session, extracted, records, PIPELINE_VERSION)
            return export_documents(session)["documents"]
    finally:
        engine.dispose()


def _is_engine(db) -> bool:
    from sqlalchemy import Engine

    return isinstance(db, Engine)


@contextmanager
def _reading(db) -> Iterator["Engine"]:
    if _is_engine(db):
        yield db
        return
    from db.session import reading

    with reading(str(db)) as engine:
        yield engine


def tables(db: "str | PathLike | Engine") -> list[str]:
    """The views (v_*, the common questions) and then the tables of the database."""
    from sqlalchemy import inspect

    with _reading(db) as engine:
        ins = inspect(engine)
        return sorted(ins.get_view_names()) + sorted(ins.get_table_names())


def _model_types(name: str) -> dict[str, str]:
    from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer

    from db.models import Base

    table = Base.metadata.tables.get(name)
    if table is None:
        return {}
    out = {}
    for col in table.columns:
        t = col.type
        if isinstance(t, Boolean):
            out[col.name] = "boolean"
        elif isinstance(t, (Integer, BigInteger)):
            out[col.name] = "Int64"
        elif isinstance(t, Float):
            out[col.name] = "float64"
        elif isinstance(t, DateTime):
            out[col.name] = "datetime64[ns]"
    return out


def _typed(df: "pd.DataFrame", types: dict[str, str]) -> "pd.DataFrame":
    import pandas as pd

    for col, dtype in types.items():
        if col not in df.columns:
            continue
        if dtype == "datetime64[ns]":
            df[col] = pd.to_datetime(df[col])
        elif dtype == "boolean":
            df[col] = pd.to_numeric(df[col]).astype("boolean")
        else:  # Int64, float64; PostgreSQL's numeric comes as Decimal
            df[col] = pd.to_numeric(df[col]).astype(dtype)
    return df


def frame(db: "str | PathLike | Engine", name: str = "v_department_year") -> "pd.DataFrame":
    """A view (v_department_year, v_indicator_results, v_spending_by_purpose) or
    a table as a pandas DataFrame with typed columns: numbers float64, counts,
    ids and years Int64 (nullable), flags boolean, times datetime64; text as
    str (None where null). Reads only: the database is opened read-only."""
    import pandas as pd
    from sqlalchemy import text

    with _reading(db) as engine:
        from sqlalchemy import inspect

        ins = inspect(engine)
        known = set(ins.get_view_names()) | set(ins.get_table_names())
        if name not in known:
            raise ValueError(f"no table or view {name!r}; the views: "
                             + ", ".join(sorted(v for v in known if v.startswith("v_"))))
        quoted = engine.dialect.identifier_preparer.quote(name)
        with engine.connect() as conn:
            df = pd.read_sql(text(f"SELECT * FROM {quoted}"), conn)
    types = {**VIEW_TYPES} if name.startswith("v_") else _model_types(name)
    return _typed(df, types)
