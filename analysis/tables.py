"""Every table and view of the database as CSV, Parquet (one file each into a
directory) or XLSX (one sheet each). Tables are those of the models, views
those of db/views.py: the FTS index's internal tables are not data."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from analysis.derive import refresh
from db.models import Base
from db.views import VIEWS


def names() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables] + list(VIEWS)


def frames(engine: Engine):
    import pandas as pd

    refresh(engine)
    with engine.connect() as conn:
        for name in names():  # fixed names, quoted
            result = conn.execute(text(f'SELECT * FROM "{name}"'))
            yield name, pd.DataFrame(result.all(), columns=list(result.keys()))


def export_tables(engine: Engine, fmt: str, out: Path) -> list[tuple[str, int]]:
    """Write and return (name, rows) per table/view."""
    done = []
    import pandas as pd

    if fmt == "xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            for name, df in frames(engine):
                df.to_excel(xw, sheet_name=name[:31], index=False)
                done.append((name, len(df)))
        return done
    out.mkdir(parents=True, exist_ok=True)
    for name, df in frames(engine):
        if fmt == "csv":
            df.to_csv(out / f"{name}.csv", index=False, encoding="utf-8")
        else:
            df.to_parquet(out / f"{name}.parquet", index=False)
        done.append((name, len(df)))
    return done
