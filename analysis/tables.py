"""The tables and views of the database as CSV or Parquet (one file each into
a directory, or one table into one file) and as the analyst's XLSX workbook
(analysis/workbook.py).

What is exported: the views of db/views.py, then the data tables (documents
and their rows, and the derived org_regions / indicator_concepts); the
pipeline's own bookkeeping (files, runs, quarantine, derived_state, the
search index's entries, unclaimed text) only with `include_internal`
(`--all`). The FTS index's internal tables are never data. Documents of
files that runs found gone are left out, as in the JSON export and the
views, unless `include_missing`.

CSV and Parquet keep the database's column names and values (codes, money
in yuan, rates as percent numbers); CSV is UTF-8 with a BOM by default so
that Excel opens Chinese text right.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Iterator, Sequence

from sqlalchemy import Engine, text

from db import PIPELINE_VERSION
from db.models import Base
from db.views import VIEWS

DATA_TABLES = ("documents", "finance", "indicators", "tasks", "expenditures", "sections",
               "checks", "document_facts", "org_regions", "indicator_concepts")
SUFFIX = {"csv": ".csv", "parquet": ".parquet", "xlsx": ".xlsx"}


class ExportUsage(ValueError):
    """Options that do not make one export (the CLI's usage error, exit 2)."""


def internal_tables() -> list[str]:
    """The pipeline's own tables: every model table that is not data."""
    return [t.name for t in Base.metadata.sorted_tables if t.name not in DATA_TABLES]


def names(include_internal: bool = True) -> list[str]:
    """Views, data tables, then (if asked) the internal tables: the sheet order."""
    return [*VIEWS, *DATA_TABLES, *(internal_tables() if include_internal else [])]


def plan(fmt: str, output: str, tables: Sequence[str] = (),
         include_internal: bool = False) -> tuple[list[str], Path | None, bool]:
    """(tables to export, output path or None for stdout, one file?) for the
    CLI's options; ExportUsage when they do not fit together.

    csv/parquet: `-o DIR` writes one file per table into DIR; `-o NAME.csv`
    one table, named by --table or by the file's stem; `-o -` (stdout) one
    CSV table named by --table. xlsx: `-o FILE.xlsx`, --table limits the sheets.
    """
    known = names(include_internal=True)
    unknown = [t for t in tables if t not in known]
    if unknown:
        raise ExportUsage(f"unknown table {unknown[0]!r}; one of {', '.join(known)}")
    chosen = list(dict.fromkeys(tables)) or names(include_internal)
    if fmt == "xlsx":
        if output == "-":
            raise ExportUsage("--format xlsx needs -o FILE.xlsx")
        return chosen, Path(output), True
    if output == "-":
        if fmt == "csv" and len(tables) == 1:
            return chosen, None, True
        raise ExportUsage(f"--format {fmt} needs -o DIRECTORY (or -o FILE{SUFFIX[fmt]}"
                          + (" or --table NAME for one table on stdout)" if fmt == "csv" else ")"))
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet", ".xlsx", ".json") and suffix != SUFFIX[fmt]:
        raise ExportUsage(f"-o {output}: a {suffix} file, but --format {fmt}")
    if suffix != SUFFIX[fmt]:
        return chosen, path, False
    if len(tables) > 1:
        raise ExportUsage(f"-o {output} is one file: one --table, or -o DIRECTORY for several")
    if not tables:
        if path.stem not in known:
            raise ExportUsage(f"-o {output} is one file: name its table with --table NAME "
                              f"(or -o NAME{SUFFIX[fmt]}); one of {', '.join(known)}")
        chosen = [path.stem]
    return chosen, path, True


# Documents of files still present; ids only, so the same SQL on SQLite and PostgreSQL.
_LIVE = "SELECT d.id FROM documents d JOIN files f ON f.id = d.file_id WHERE f.missing_since IS NULL"


def query(name: str, include_missing: bool = False) -> str:
    """SELECT for one table or view (fixed names only), in a stable order."""
    if name in VIEWS:
        order = {"v_department_year": "org_name, fiscal_year",
                 "v_indicator_results": "document_id, indicator_id",
                 "v_spending_by_purpose": "document_id, expenditure_id"}.get(name)
        return f'SELECT * FROM "{name}"' + (f" ORDER BY {order}" if order else "")
    table = Base.metadata.tables[name]
    cols = set(table.c.keys())
    where = ""
    if name == "documents":
        where = "" if include_missing else f" WHERE id IN ({_LIVE})"
    elif "document_id" in cols and name in DATA_TABLES:
        where = "" if include_missing else f" WHERE document_id IN ({_LIVE})"
    elif name == "indicator_concepts" and not include_missing:
        where = f" WHERE indicator_id IN (SELECT id FROM indicators WHERE document_id IN ({_LIVE}))"
    if {"document_id", "ordinal"} <= cols:
        order = "document_id, ordinal" + (", id" if "id" in cols else "")
    else:
        order = ", ".join(c.name for c in table.primary_key.columns)
    return f'SELECT * FROM "{name}"{where}' + (f" ORDER BY {order}" if order else "")


def _documents_query(include_missing: bool) -> str:
    # The workbook's documents sheet names the file each document is in.
    where = "" if include_missing else " WHERE f.missing_since IS NULL"
    return ("SELECT d.*, f.name AS file_name, f.format AS file_format, f.sha256 AS file_sha256 "
            f"FROM documents d JOIN files f ON f.id = d.file_id{where} ORDER BY d.id")


def rows(engine: Engine, chosen: Sequence[str], include_missing: bool = False,
         workbook: bool = False) -> Iterator[tuple[str, list[str], list[tuple]]]:
    """(name, column names, rows) of each table or view, in `chosen` order."""
    with engine.connect() as conn:
        for name in chosen:
            sql = (_documents_query(include_missing) if workbook and name == "documents"
                   else query(name, include_missing))
            result = conn.execute(text(sql))
            yield name, list(result.keys()), [tuple(r) for r in result.all()]


def frames(engine: Engine, chosen: Sequence[str] | None = None, include_missing: bool = False):
    """(name, DataFrame) of each table or view."""
    import pandas as pd

    for name, cols, data in rows(engine, chosen or names(), include_missing):
        yield name, pd.DataFrame(data, columns=cols)


def _missing_documents(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT COUNT(*) FROM documents d JOIN files f ON f.id = d.file_id "
            "WHERE f.missing_since IS NOT NULL")).scalar_one()


def _db_name(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database).resolve()) if url.database else "(memory)"
    return url.render_as_string(hide_password=True)


def export_tables(engine: Engine, fmt: str, out: Path | None, *,
                  tables: Sequence[str] | None = None, include_internal: bool = False,
                  include_missing: bool = False, bom: bool = True, single: bool = False,
                  stream: IO[bytes] | None = None) -> list[tuple[str, int]]:
    """Write and return (name, rows) per table/view.

    xlsx: the workbook `out`. csv/parquet: one file per table into the
    directory `out`, or, with `single`, the one table into the file `out`
    (or to `stream` when `out` is None, CSV only).
    """
    chosen = list(tables) if tables else names(include_internal)
    # Reads only: the derived tables are built by ingest (analysis.derive.refresh).
    if fmt == "xlsx":
        return _export_workbook(engine, out, chosen, include_missing)
    import pandas as pd

    done = []
    if not single:
        out.mkdir(parents=True, exist_ok=True)
    for name, cols, data in rows(engine, chosen, include_missing):
        df = pd.DataFrame(data, columns=cols)
        target = out if single else out / f"{name}{SUFFIX[fmt]}"
        if fmt == "csv":
            body = df.to_csv(index=False, lineterminator="\n")
            raw = (("\ufeff" if bom else "") + body).encode("utf-8")
            if target is None:
                stream.write(raw)
                stream.flush()
            else:
                target.write_bytes(raw)
        else:
            df.to_parquet(target, index=False)
        done.append((name, len(df)))
    return done


def _export_workbook(engine: Engine, out: Path, chosen: list[str],
                     include_missing: bool) -> list[tuple[str, int]]:
    from analysis import workbook

    internal = set(internal_tables())
    sheets = [workbook.prepare(name, cols, data, internal=name in internal)
              for name, cols, data in rows(engine, chosen, include_missing, workbook=True)]
    missing = 0 if include_missing else _missing_documents(engine)
    info = {
        "生成时间": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "数据库": _db_name(engine),
        "流水线版本": PIPELINE_VERSION,
        "文档数": next((len(s.rows) for s in sheets if s.name == "documents"), None),
        "未导出的文档": (f"{missing} 份 (其文件已从文件夹中消失; --include-missing 可包含)"
                   if missing else None),
        "内部表": ("已包含, 在最后" if any(s.internal for s in sheets)
                else "未导出 (--all 可包含)"),
    }
    workbook.write_workbook(out, sheets, {k: v for k, v in info.items() if v is not None})
    return [(s.name, len(s.rows)) for s in sheets]
