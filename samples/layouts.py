#!/usr/bin/env python3
"""Made-up forms — a project self-evaluation form (项目支出绩效自评表), a project
target table (绩效目标申报表, `build_report(form="target")`) and scoring rules
(考评细则, `form="tasks"`) — rendered in the layouts
real pasted text arrives in, so that a reader can be checked to give the same records
whatever the layout.

    .venv/bin/python samples/layouts.py OUTDIR       # writes OUTDIR/<layout>.txt, OUTDIR/<form>_<layout>.txt

The report (`build_report()`) is invented: 柏溪县水利局's 2023 农村饮水安全维修养护项目,
with a budget block in 万元 and ten indicators. It is held as a title plus a list
of rows of `Cell`s; a cell covered by a vertical merge (the 一级指标 / 二级指标
labels spanning several rows) is a `Cell` with `merged=True` that repeats the
text of the cell above. Each layout decides what a covered cell becomes:
repeated, empty, or dropped (the later cells of the row shift left).

Layouts (`LAYOUTS`, name -> render function), and what each simulates:

- `grid`: the reference. Tab-separated, one row per line, a merged cell repeated
  in every row it spans (a spreadsheet export with merges filled down).
- `tsv_merged_dropped`: tab-separated, a merged cell only in its first row; the
  rows below it are shorter and shifted left (Word table copied as text).
- `cell_per_line`: every cell on its own line, rows separated by a blank line;
  an empty or covered cell is a line holding a single tab (text copied out of a
  web page's table into a plain text box).
- `bars_between`: every cell on its own line followed by a line holding only
  `|`; the last cell of a row is followed by `||||||` instead (PDF converters
  that print cell borders as bars).
- `trailing_bar`: every cell on its own line ending with ` |`, an empty cell a
  line holding only `|`, and no mark at all where a row ends.
- `pipe_rows_no_lead`: `a | b | c |` rows, no leading bar, empty cells kept.
- `pipe_rows_full`: `| a | b | c |` rows (Markdown-like), empty cells kept.
- `pipe_merged_dropped`: `| a | b | c |` rows, a merged cell only in its first row,
  the rows below it shorter and shifted left (a web table's merged cells copied as bars).
- `pipe_wrapped`: like `pipe_rows_full`, but every cell longer than
  `WRAP_AT` characters is broken in its middle onto a second line, whose other
  cells are empty (a narrow-column PDF table converted to pipes).
- `csv`: CSV, every cell quoted; one indicator name holds a line break.
- `spaces`: cells separated by single spaces, one row per line, merged and
  empty cells dropped (PDF text layer with the column gaps collapsed). The
  budget row with an empty 年初预算数 is ambiguous in this layout.
- `runon`: the title on its own line, then the whole table run together on one
  line with no separators at all: each row's cells concatenated, the rows
  concatenated, merged cells once (a PDF preview's text).
- `runon_lines`: like `runon` but one line per row (the usual PDF text layer).
- `runon_ocr`: `runon` after OCR confusions: 元→兀 in 万元, 项→顼 in 项目,
  0→O in one number (3315O人), 1→l once (≥l8公里).
- `chrome`: `grid` inside web-page chrome: a site banner, a breadcrumb, a
  publishing line before the table and `【打印本页】【关闭窗口】` after it.
- `ascii_punct`: `grid` with the full-width punctuation ：，；（） of the cells
  replaced by ASCII :,;().
- `double_spaced`: `pipe_rows_full` with a blank line after every line (a web
  page's rows copied as paragraphs).
- `cell_per_line_double`: `cell_per_line` with a blank line after every line,
  so that rows are apart by three (a table's cells copied as paragraphs).
- `hard_wrapped`: `runon_lines` cut every `WRAP_COLUMNS` display columns, mid-word
  and mid-cell (a fixed-width viewer's text copied with its line ends).
- `traditional`: `grid` converted to traditional Chinese with OpenCC (`s2t`),
  only where the `opencc` module (PyPI `opencc-python-reimplemented`) is
  installed; `available_layouts()` leaves it out otherwise.
- `traditional_runon`: `runon_lines` in traditional characters (the same module):
  the header words that find a run-on table's columns must be read as simplified.

Every layout starts with the title line `2023年度项目支出绩效自评表` and a blank
line (inside the chrome for `chrome`). `build_report(blank=..., filler=...)`
varies the optional cells (see `OPTIONAL`), for property tests.
"""
from __future__ import annotations

import csv
import unicodedata
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

TITLE = "2023年度项目支出绩效自评表"
PROJECT = "农村饮水安全维修养护项目"
ORG = "柏溪县水利局"
DEVIATION = "受村道硬化施工影响，部分管网未能按期更换；已纳入下年度维修计划"
MERGED = "^"  # in ROWS: this cell is covered by the merged cell above it
WRAP_AT = 8  # pipe_wrapped: cells longer than this are wrapped over two lines

BUDGET_HEADER = ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]

# The form, row by row. "^" marks a cell merged with the cell above (its text is
# filled in by build_report). "~" marks a not-applicable cell of a budget sub-row
# (分值 / 执行率 / 得分), rendered with build_report's `filler` ("" by default).
ROWS: list[list[str]] = [
    ["项目名称", PROJECT],
    ["主管部门", ORG, "实施单位", ORG],
    ["填报日期", "2024年2月20日"],
    BUDGET_HEADER,
    ["年度资金总额", "186.40", "212.75", "198.36", "10", "93.24%", "9.3"],
    ["其中：财政拨款", "150.00", "168.25", "160.48", "~", "~", "~"],
    ["上年结转资金", "", "24.50", "21.88", "~", "~", "~"],
    ["其他资金", "36.40", "20.00", "16.00", "~", "~", "~"],
    INDICATOR_HEADER,
    ["产出指标", "数量指标", "维修养护供水工程", "≥42处", "45处", "10", "10", ""],
    ["^", "^", "更换老化管网长度", "≥18公里", "16.5公里", "10", "8.2", DEVIATION],
    ["^", "质量指标", "农村集中供水水质达标率", "≥95%", "96.8%", "10", "10", ""],
    ["^", "^", "维修工程验收合格率", "=100%", "100%", "5", "5", ""],
    ["^", "时效指标", "维修养护完成时限", "12个月", "按时完成", "5", "5", ""],
    ["^", "成本指标", "项目总成本", "≤220万元", "198.36万元", "10", "10", ""],
    ["效益指标", "社会效益指标", "受益农村人口", "≥32000人", "33150人", "10", "10", ""],
    ["^", "^", "农村供水保障水平", "明显提升", "效果明显", "10", "8", ""],
    ["^", "可持续影响指标", "长效管护机制", "=1个", "1个", "10", "10", ""],
    ["满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%", "94.5%", "10", "10", ""],
    ["总分", "100", "95.5"],
    ["自评等级", "优"],
]

# A second made-up form, of another kind and shape: a project's target table (绩效目标申报表)
# with a money list (one amount column) and the target cut into 指标性质 | 指标值 | 度量单位.
TARGET_TITLE = "2024年度项目支出绩效目标申报表"
TARGET_PROJECT = "乡村道路养护补助项目"
TARGET_ORG = "青禾县公路养护中心"
TARGET_ROWS: list[list[str]] = [
    ["项目名称", TARGET_PROJECT],
    ["主管部门", "青禾县交通运输局", "实施单位", TARGET_ORG],
    ["资金来源（万元）", "金额"],
    ["年度资金总额", "320.00"],
    ["其中：财政拨款", "300.00"],
    ["其他资金", "20.00"],
    ["年度总体目标", "完成全县乡道养护一百二十公里，路况优良率保持在九成以上，群众出行更安全便捷。"],
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
    ["产出指标", "数量指标", "乡道养护里程", "≥", "120", "公里"],
    ["^", "^", "桥梁定期检查座数", "≥", "35", "座"],
    ["^", "质量指标", "路况优良率", "≥", "90", "%"],
    ["^", "时效指标", "养护资金拨付时限", "≤", "30", "天"],
    ["^", "成本指标", "每公里养护成本", "≤", "2.5", "万元"],
    ["效益指标", "社会效益指标", "群众出行条件改善", "", "明显改善", ""],
    ["^", "可持续影响指标", "长效养护机制", "=", "1", "项"],
    ["满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "90", "%"],
]
# A third: scoring rules (考评细则) with a numbered task whose points span its rows.
TASK_TITLE = "青禾县2024年度乡村振兴重点工作考评细则"
TASK_ROWS: list[list[str]] = [
    ["序号", "评分任务", "评分内容", "评分标准", "分值", "责任股室"],
    ["一", "人居环境整治（20分）", "村庄保洁", "每月开展一次村庄清洁行动，未开展的每次扣1分。", "10", "农业股"],
    ["^", "^", "厕所改造", "完成年度改厕任务得满分，每少一户扣0.5分。", "10", "农业股"],
    ["二", "产业发展（15分）", "特色种植", "新增特色种植面积达到计划的得满分，未达到的按比例扣分。", "15", "产业股"],
    ["三", "组织保障（5分）", "工作台账", "台账齐全、按时报送的得满分，缺一项扣1分。", "5", "办公室"],
]
FORMS: dict[str, tuple[str, list[list[str]]]] = {
    "selfeval": (TITLE, ROWS), "target": (TARGET_TITLE, TARGET_ROWS), "tasks": (TASK_TITLE, TASK_ROWS)}

# Cells a property test may blank: name -> (row, column) in ROWS.
OPTIONAL: dict[str, tuple[int, int]] = {
    "date": (2, 1),
    "fiscal_initial": (5, 1),
    "carryover_actual": (6, 3),
    "other_initial": (7, 1),
    "other_budget": (7, 2),
    "other_actual": (7, 3),
    "deviation": (10, 7),
    "cost_actual": (14, 4),
    "people_score": (15, 6),
}

# The cell of the csv layout that holds a line break, and where it breaks.
CSV_BREAK = ("农村集中供水水质达标率", 6)


@dataclass(frozen=True)
class Cell:
    text: str
    merged: bool = False  # covered by the merged cell above; text repeats it


@dataclass(frozen=True)
class Report:
    title: str
    rows: tuple[tuple[Cell, ...], ...]


def build_report(blank: Iterable[str] = (), filler: str = "", form: str = "selfeval") -> Report:
    """The form (`FORMS`), with the OPTIONAL cells named in `blank` left empty and the
    not-applicable budget cells holding `filler` ("", "—" or "/"); OPTIONAL cells are
    the self-evaluation form's."""
    blank = set(blank)
    unknown = blank - OPTIONAL.keys()
    if unknown or blank and form != "selfeval":
        raise ValueError(f"no optional cells {sorted(unknown or blank)} in {form}")
    blanked = {OPTIONAL[k] for k in blank}
    title, source = FORMS[form]
    rows: list[tuple[Cell, ...]] = []
    for r, texts in enumerate(source):
        row: list[Cell] = []
        for c, text in enumerate(texts):
            if text == MERGED:
                row.append(Cell(rows[r - 1][c].text, merged=True))
            elif text == "~":
                row.append(Cell(filler))
            else:
                row.append(Cell("" if (r, c) in blanked else text))
        rows.append(tuple(row))
    return Report(title, tuple(rows))


# ---------------------------------------------------------------- helpers

def _repeated(row: tuple[Cell, ...]) -> list[str]:
    return [c.text for c in row]


def _emptied(row: tuple[Cell, ...]) -> list[str]:
    return ["" if c.merged else c.text for c in row]


def _dropped(row: tuple[Cell, ...]) -> list[str]:
    return [c.text for c in row if not c.merged]


def _head(report: Report) -> str:
    return f"{report.title}\n\n"


# ---------------------------------------------------------------- layouts

def render_grid(report: Report) -> str:
    return _head(report) + "".join("\t".join(_repeated(r)) + "\n" for r in report.rows)


def render_tsv_merged_dropped(report: Report) -> str:
    return _head(report) + "".join("\t".join(_dropped(r)) + "\n" for r in report.rows)


def render_cell_per_line(report: Report) -> str:
    rows = ["".join((t if t else "\t") + "\n" for t in _emptied(r)) for r in report.rows]
    return _head(report) + "\n".join(rows)


def render_bars_between(report: Report) -> str:
    out = []
    for r in report.rows:
        cells = _emptied(r)
        for i, t in enumerate(cells):
            out.append(t)
            out.append("||||||" if i == len(cells) - 1 else "|")
    return _head(report) + "\n".join(out) + "\n"


def render_trailing_bar(report: Report) -> str:
    lines = [f"{t} |" if t else "|" for r in report.rows for t in _emptied(r)]
    return _head(report) + "\n".join(lines) + "\n"


def _pipe_line(cells: list[str], lead: bool) -> str:
    """`| a | | c |` (lead) or `a | | c |`; a row of the no-lead kind whose first
    cell is empty starts with ` |`."""
    body = "|".join(f" {t} " if t else " " for t in cells) + "|"
    return ("|" + body) if lead else body[1:] if cells and cells[0] else body


def render_pipe_rows_no_lead(report: Report) -> str:
    return _head(report) + "".join(_pipe_line(_emptied(r), lead=False) + "\n" for r in report.rows)


def render_pipe_rows_full(report: Report) -> str:
    return _head(report) + "".join(_pipe_line(_emptied(r), lead=True) + "\n" for r in report.rows)


def _wrap(text: str) -> tuple[str, str]:
    if len(text) <= WRAP_AT:
        return text, ""
    mid = len(text) // 2
    return text[:mid], text[mid:]


def render_pipe_merged_dropped(report: Report) -> str:
    return _head(report) + "".join("| " + " | ".join(_dropped(r)) + " |\n" for r in report.rows)


def render_pipe_wrapped(report: Report) -> str:
    out = []
    for r in report.rows:
        halves = [_wrap(t) for t in _emptied(r)]
        out.append(_pipe_line([a for a, _ in halves], lead=True))
        if any(b for _, b in halves):
            out.append(_pipe_line([b for _, b in halves], lead=True))
    return _head(report) + "\n".join(out) + "\n"


def render_csv(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    name, at = CSV_BREAK
    for r in report.rows:
        writer.writerow([t[:at] + "\n" + t[at:] if t == name else t for t in _emptied(r)])
    return _head(report) + buf.getvalue()


def render_spaces(report: Report) -> str:
    return _head(report) + "".join(" ".join(t for t in _dropped(r) if t) + "\n" for r in report.rows)


def render_runon_lines(report: Report) -> str:
    return _head(report) + "".join("".join(_dropped(r)) + "\n" for r in report.rows)


def render_runon(report: Report) -> str:
    return _head(report) + "".join("".join(_dropped(r)) for r in report.rows) + "\n"


OCR_CONFUSIONS = [  # (wrong, right, count): count 0 = every occurrence
    ("万兀", "万元", 0),
    ("顼目", "项目", 0),
    ("3315O人", "33150人", 1),
    ("≥l8公里", "≥18公里", 1),
]


def render_runon_ocr(report: Report) -> str:
    text = render_runon(report)
    for wrong, right, count in OCR_CONFUSIONS:
        if right not in text:
            continue  # a blanked optional cell
        text = text.replace(right, wrong) if count == 0 else text.replace(right, wrong, count)
    return text


CHROME_HEAD = [
    "欢迎访问某某县人民政府网站",
    "当前位置：首页 > 信息公开 > 预算绩效",
    "",
    "发布时间：2024-03-05 来源：某某县水利局 浏览次数：12",
    "",
]
CHROME_TAIL = ["", "【打印本页】【关闭窗口】", ""]


def render_chrome(report: Report) -> str:
    return "\n".join(CHROME_HEAD) + "\n" + render_grid(report) + "\n".join(CHROME_TAIL)


ASCII_PUNCT = str.maketrans({"：": ":", "，": ",", "；": ";", "（": "(", "）": ")"})


def render_ascii_punct(report: Report) -> str:
    rows = tuple(tuple(Cell(c.text.translate(ASCII_PUNCT), c.merged) for c in r) for r in report.rows)
    return render_grid(Report(report.title, rows))


def _double_spaced(text: str) -> str:
    return text.replace("\n", "\n\n")


def render_double_spaced(report: Report) -> str:
    return _double_spaced(render_pipe_rows_full(report))


def render_cell_per_line_double(report: Report) -> str:
    return _double_spaced(render_cell_per_line(report))


WRAP_COLUMNS = 40  # a CJK character takes two


def hard_wrap(text: str, columns: int = WRAP_COLUMNS) -> str:
    """Every line cut where the next character would pass `columns` display columns."""
    out = []
    for line in text.split("\n"):
        piece, width = "", 0
        for ch in line:
            w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
            if width + w > columns:
                out.append(piece)
                piece, width = "", 0
            piece, width = piece + ch, width + w
        out.append(piece)
    return "\n".join(out)


def render_hard_wrapped(report: Report) -> str:
    return hard_wrap(render_runon_lines(report))


def opencc_converter() -> Callable[[str], str] | None:
    try:
        from opencc import OpenCC
    except ImportError:
        return None
    return OpenCC("s2t").convert


def render_traditional(report: Report) -> str:
    convert = opencc_converter()
    if convert is None:
        raise RuntimeError("the traditional layout needs the opencc module (pip install opencc-python-reimplemented)")
    return convert(render_grid(report))


def render_traditional_runon(report: Report) -> str:
    convert = opencc_converter()
    if convert is None:
        raise RuntimeError("the traditional layout needs the opencc module (pip install opencc-python-reimplemented)")
    return convert(render_runon_lines(report))


LAYOUTS: dict[str, Callable[[Report], str]] = {
    "grid": render_grid,
    "tsv_merged_dropped": render_tsv_merged_dropped,
    "cell_per_line": render_cell_per_line,
    "bars_between": render_bars_between,
    "trailing_bar": render_trailing_bar,
    "pipe_rows_no_lead": render_pipe_rows_no_lead,
    "pipe_rows_full": render_pipe_rows_full,
    "pipe_merged_dropped": render_pipe_merged_dropped,
    "pipe_wrapped": render_pipe_wrapped,
    "csv": render_csv,
    "spaces": render_spaces,
    "runon": render_runon,
    "runon_lines": render_runon_lines,
    "runon_ocr": render_runon_ocr,
    "chrome": render_chrome,
    "ascii_punct": render_ascii_punct,
    "double_spaced": render_double_spaced,
    "cell_per_line_double": render_cell_per_line_double,
    "hard_wrapped": render_hard_wrapped,
    "traditional": render_traditional,
    "traditional_runon": render_traditional_runon,
}


def available_layouts() -> list[str]:
    """LAYOUTS less those whose optional package is missing."""
    return [n for n in LAYOUTS if not n.startswith("traditional") or opencc_converter() is not None]


def render(layout: str, report: Report | None = None) -> str:
    return LAYOUTS[layout](report or build_report())


def write_layouts(outdir: Path, report: Report | None = None) -> list[Path]:
    """OUTDIR/<layout>.txt for the self-evaluation form (or `report`), and, without a
    `report`, OUTDIR/<form>_<layout>.txt for each other form."""
    outdir.mkdir(parents=True, exist_ok=True)
    reports = {"": report} if report else {"": build_report(), **{
        f"{form}_": build_report(form=form) for form in FORMS if form != "selfeval"}}
    written = []
    for prefix, rep in reports.items():
        for name in available_layouts():
            path = outdir / f"{prefix}{name}.txt"
            path.write_text(render(name, rep), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        print("usage: layouts.py OUTDIR", file=sys.stderr)
        return 2
    for path in write_layouts(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
