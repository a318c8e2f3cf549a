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

    with engine.connect() as conn:  # reads only: the derived tables are built by ingest
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
        _format_xlsx(c, out)
        return
    body = render_text(c) if fmt == "text" else c.table.to_csv()
    if out is None:
        echo(body.rstrip("\n"))
    else:  # a CSV file gets the BOM Excel needs to read UTF-8 (as `export` writes it)
        out.write_text(("\ufeff" if fmt == "csv" else "") + body
                       + ("" if body.endswith("\n") else "\n"), encoding="utf-8")


def _format_xlsx(c: Comparison, out: Path) -> None:
    """The values as numbers with separators (the same numbers as text/csv:
    percent numbers for rates, yuan for money), the header frozen, widths."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = min(60, max(
        [12, *(2 * len(str(a)) + 2 for a in c.table.index)]))
    for j in range(2, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16
    wb.save(out)


# Charts are drawn in Noto Sans SC, a Simplified-Chinese sans face (SIL OFL 1.1), shipped
# as a file inside the pylopdf-fonts-zh-cn wheel (data only; nothing is downloaded at run
# time). It is used by its path, never looked up by name in matplotlib's or the system's
# font cache: a machine without CJK fonts draws the same chart as one with a Japanese serif.
CHART_FONT_PACKAGE = "pylopdf-fonts-zh-cn"
MEASURE_LABELS = {  # measure -> (Chinese axis label, unit)
    "execution_rate": ("预算执行率", "%"),
    "budget": ("全年预算数", "元"),
    "actual": ("全年执行数", "元"),
    "score": ("评价得分", "分"),
    "staff_authorized": ("编制数", "人"),
    "staff_actual": ("实有人数", "人"),
}
BY_LABELS = {"province": "省", "city": "市", "county": "县(区)", "org_name": "单位"}
AGG_LABELS = {"mean": "平均", "sum": "合计", "min": "最小值", "max": "最大值", "count": "个数"}
UNKNOWN_LABEL = "(地区未知)"


def chart_font() -> Path:
    """The font file charts are drawn in (Noto Sans SC Regular)."""
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        raise AnalysisError(f"charts need the font package {CHART_FONT_PACKAGE}, a dependency "
                            f"of jixiao: pip install {CHART_FONT_PACKAGE}") from None
    path = Path(sans_path())
    if not path.is_file():
        raise AnalysisError(f"the chart font {path} is missing: reinstall {CHART_FONT_PACKAGE}")
    return path


def chart_labels(c: Comparison) -> dict[str, str]:
    """Title, axis labels and unit of a chart, in Chinese."""
    if c.measure.startswith("concept:"):
        concept = c.measure.split(":", 1)[1]
        name, unit = f"{concepts.labels().get(concept, concept)} (实际值)", ""
    else:
        name, unit = MEASURE_LABELS.get(c.measure, (c.measure, ""))
    if c.agg == "count":
        name, unit = f"{name} 数据个数", ""
    scale = 1.0
    if unit == "元" and c.table.abs().max().max() >= 1e5:  # reports count money in 万元
        scale, unit = 1e4, "万元"
    ylabel = f"{name}({unit})" if unit else name
    title = f"{name}：按{BY_LABELS.get(c.by, c.by)}与年度（{AGG_LABELS.get(c.agg, c.agg)}）"
    return {"title": title, "ylabel": ylabel, "xlabel": "财政年度", "unit": unit,
            "scale": scale, "note": f"jixiao compare {c.measure} --by {c.by} --agg {c.agg}"}


def figure(c: Comparison, font: Path | None = None):
    """The chart as a matplotlib Figure (no pyplot, no global state): a line
    per area across the years, every text in the shipped CJK font."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    font = font or chart_font()
    prop = FontProperties(fname=str(font), size=10)
    small = FontProperties(fname=str(font), size=8)
    big = FontProperties(fname=str(font), size=13)
    labels = chart_labels(c)
    n = len(c.table.index)
    fig = Figure(figsize=(9 if n > 6 else 8, 4.8), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    years = [int(y) for y in c.table.columns]
    for area, row in c.table.iterrows():
        name = UNKNOWN_LABEL if area == UNKNOWN else str(area)
        ax.plot(years, row.values / labels["scale"], marker="o", label=name)
    ax.set_xticks(years)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    if labels["unit"] in ("元", "万元"):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(labels["title"], fontproperties=big)
    ax.set_xlabel(labels["xlabel"], fontproperties=prop)
    ax.set_ylabel(labels["ylabel"], fontproperties=prop)
    for tick in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        tick.set_fontproperties(prop)
    if n > 6:  # many areas: the legend beside the plot, not over the lines
        ax.legend(prop=small, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  ncol=1 if n <= 18 else 2, frameon=False)
    else:
        ax.legend(prop=small, loc="best")
    fig.text(0.995, 0.005, labels["note"], ha="right", va="bottom", color="0.5",
             fontproperties=small)
    return fig


def chart(c: Comparison, path: Path) -> Path:
    """The chart as PNG into `path`; returns the font file it was drawn in."""
    font = chart_font()
    figure(c, font).savefig(path, format="png")
    return font
