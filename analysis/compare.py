"""A chosen measure across regions and years: rows are areas, columns years.

Measures are columns of the view v_department_year, or `concept:NAME` (the
actual value of the indicators mapped to concept NAME, from
v_indicator_results). Only names from these fixed lists ever become SQL;
every value the user gives (years, department filter) is a bound parameter.
Several departments in one area and year are aggregated with --agg.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from analysis import AnalysisError

if TYPE_CHECKING:
    import pandas as pd
from analysis.derive import refresh
from normalize import concepts

MEASURES = {  # name -> (column of v_department_year, description)
    "execution_rate": ("execution_rate", "budget execution rate, %"),
    "budget": ("budget", "全年预算数, yuan"),
    "actual": ("actual", "全年执行数, yuan"),
    "score": ("score", "evaluation total score"),
    "staff_authorized": ("staff_authorized", "编制数"),
    "staff_actual": ("staff_actual", "实有人数"),
}
LEVELS = ("province", "city", "county", "org_name")
AGGS = ("mean", "sum", "min", "max", "count")
UNKNOWN = "(unknown)"


@dataclass
class Comparison:
    measure: str
    by: str
    agg: str
    table: "pd.DataFrame"  # index: area, columns: years

    def title(self) -> str:
        return f"{self.measure} by {self.by} and year ({self.agg})"


def parse_years(spec: str | None) -> tuple[int, int] | None:
    """'2021-2024', '2023' or None."""
    if not spec:
        return None
    try:
        a, _, b = spec.partition("-")
        y0, y1 = int(a), int(b or a)
    except ValueError:
        raise AnalysisError(f"years: want YEAR or FROM-TO, got {spec!r}") from None
    if y0 > y1:
        raise AnalysisError(f"years: {y0} is after {y1}")
    return y0, y1


def compare(engine: Engine, measure: str = "execution_rate", by: str = "county",
            years: str | None = None, agg: str = "mean",
            department: str | None = None) -> Comparison:
    if by not in LEVELS:
        raise AnalysisError(f"--by: one of {', '.join(LEVELS)}")
    if agg not in AGGS:
        raise AnalysisError(f"--agg: one of {', '.join(AGGS)}")
    params: dict = {}
    if measure.startswith("concept:"):
        concept = measure.split(":", 1)[1]
        if concept not in concepts.labels():
            raise AnalysisError(f"unknown concept {concept!r}; known: "
                                + ", ".join(concepts.labels()))
        params["concept"] = concept
        sql = (f"SELECT {by} AS area, fiscal_year, actual_value AS value "
               "FROM v_indicator_results WHERE concept = :concept AND actual_value IS NOT NULL "
               "AND fiscal_year IS NOT NULL")
        dep_col = "org_name"
    elif measure in MEASURES:
        col = MEASURES[measure][0]
        sql = (f"SELECT {by} AS area, fiscal_year, {col} AS value FROM v_department_year "
               f"WHERE {col} IS NOT NULL")
        dep_col = "department"
    else:
        raise AnalysisError(f"unknown measure {measure!r}; one of "
                            + ", ".join([*MEASURES, "concept:NAME"]))
    span = parse_years(years)
    if span:
        sql += " AND fiscal_year BETWEEN :y0 AND :y1"
        params.update(y0=span[0], y1=span[1])
    if department:
        sql += f" AND {dep_col} LIKE :dep"
        params["dep"] = f"%{department}%"
    import pandas as pd

    refresh(engine)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(text(sql), params).all(),
                          columns=["area", "fiscal_year", "value"])
    if df.empty:
        raise AnalysisError(f"no {measure} values for these options")
    df["area"] = df["area"].fillna(UNKNOWN)
    df["value"] = df["value"].astype(float)
    df["fiscal_year"] = df["fiscal_year"].astype(int)
    table = df.pivot_table(index="area", columns="fiscal_year", values="value", aggfunc=agg)
    if span:  # every year asked for is a column, empty where there is no data
        table = table.reindex(columns=range(span[0], span[1] + 1))
    table.index.name, table.columns.name = by, None
    return Comparison(measure, by, agg, table)


def render_text(c: Comparison) -> str:
    t = c.table.copy()
    t.columns = [str(y) for y in t.columns]
    import pandas as pd

    with pd.option_context("display.unicode.east_asian_width", True):  # 孟津县 is 6 columns wide
        body = t.to_string(float_format=lambda v: f"{v:,.2f}", na_rep="-")
    return f"{c.title()}\n{body}"


def write(c: Comparison, fmt: str, out: Path | None, echo) -> None:
    """text/csv to `out` or through echo; xlsx needs a file."""
    if fmt == "xlsx":
        if out is None:
            raise AnalysisError("--format xlsx needs -o FILE.xlsx")
        c.table.to_excel(out, sheet_name=c.measure[:31])
        return
    body = render_text(c) if fmt == "text" else c.table.to_csv()
    if out is None:
        echo(body.rstrip("\n"))
    else:
        out.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")


def chart(c: Comparison, path: Path) -> None:
    """A line per area across the years, as PNG (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(k in f.name for k in ("CJK", "WenQuanYi", "Hei", "Song", "Ming"))]
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk[0], "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    years = [int(y) for y in c.table.columns]
    for area, row in c.table.iterrows():
        ax.plot(years, row.values, marker="o", label=str(area))
    ax.set_xticks(years)
    ax.set_xlabel("fiscal year")
    ax.set_ylabel(c.measure)
    ax.set_title(c.title())
    ax.legend(fontsize="small", loc="best")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
