"""Table reconstruction for text: a stream of cells back into the table it was.

Pasted rows rarely keep their alignment: merged cells vanish and shift the
rest left, empty cells are dropped or kept, lines wrap inside cells, a row
may run on into the next. The header does not move, though: it is found by
its vocabulary (normalize.columns), it gives the columns and their order,
and every row after it is re-flowed by what its cells say:

    stream_to_tables(cells) -> [ReflowedTable]
        find_header      a run of header words (two-row headers merged)
        rows             level names set the levels (carried down: merged
                         cells), the next text cell is the name (or the row
                         label of a money table), and the cells after it are
                         aligned to the value columns by type (align), as
                         many as fit best before the next row can start
        table_end        a total row, the form's next part, another header

A re-flowed table comes out as a clean grid with a canonical header row
(`一级指标 | 二级指标 | 三级指标 | 年度指标值 | …`), every row as wide as it,
so the parsers read it like a table from a Word file. Cells keep the line
they were read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.cellstream import StreamCell
from extract.reflow_tasks import TASK_CANONICAL, TASK_SKIP_COST, task_columns, task_fit, task_rows
from extract.celltypes import DEVIATION_WORDS, END_WORDS, FORM_LABEL, cell_type, clean, number_of
from normalize.columns import Column, column_role, fuzzy_column_role, is_exact_header
from normalize.levels import level1_code
from parsers.finance_items import item_code
from normalize.text import fix_ocr_value

INDICATOR_LABEL = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标"}
CANONICAL = {
    "op": "指标性质", "target": "年度指标值", "target_adjusted": "调整指标值", "unit": "度量单位",
    "actual": "实际完成值", "weight": "分值", "score": "得分", "deviation": "偏差原因分析及改进措施",
    "coefficient": "得分系数", "core": "是否核心指标", "explanation": "指标说明",
    "budget_initial": "年初预算数", "budget": "全年预算数", "rate": "执行率", "amount": "金额",
}
MONEY_ACTUAL = "全年执行数"
# How much leaving a column without a cell costs: some are usually blank.
SKIP_COST = {"budget_initial": 0.4, "deviation": 0.2, "explanation": 0.2, "coefficient": 0.3, "core": 0.2,
             "op": 0.5, "unit": 0.5, "target_adjusted": 0.2, "score": 1.0}
MAX_NAME_LEN = 200


@dataclass
class Header:
    start: int
    end: int  # one past the last header cell in the stream
    kind: str  # indicator | money | task
    columns: list[str]  # value roles, in order
    has_levels: bool
    unit: str | None = None
    points: float | None = None  # `预算执行情况(20分)`: the block's weight
    cells: list[StreamCell] = field(default_factory=list)


@dataclass
class Row:
    cells: dict[str, StreamCell]  # role -> cell
    level1: StreamCell | None = None
    level2: StreamCell | None = None
    name: StreamCell | None = None


@dataclass
class ReflowedTable:
    header: Header
    rows: list[Row]
    start: int  # stream index of the first cell (the header)
    end: int  # one past the last cell used

    def grid(self) -> list[list[tuple[str, StreamCell | None]]]:
        """The table as rows of (text, source cell): the header first."""
        h = self.header
        first = h.cells[0] if h.cells else None
        if h.kind == "task":
            out = [[(TASK_CANONICAL[r], first) for r in h.columns]]
            for row in self.rows:
                out.append([(row.cells[r].text if r in row.cells else "", row.cells.get(r)) for r in h.columns])
            return out
        if h.kind == "indicator":
            labels = [INDICATOR_LABEL["level1"], INDICATOR_LABEL["level2"], INDICATOR_LABEL["name"]]
        else:
            labels = ["项目" + (f"({h.unit})" if h.unit else "")]
        labels += [MONEY_ACTUAL if h.kind == "money" and r == "actual" else CANONICAL.get(r, r) for r in h.columns]
        # `预算执行情况(20分)` over a money block with no 分值 column: the points are the total row's weight
        block_weight = h.kind == "money" and "weight" not in h.columns and h.points is not None
        if block_weight:
            labels.append(CANONICAL["weight"])
        out = [[(label, first) for label in labels]]
        for row in self.rows:
            line: list[tuple[str, StreamCell | None]] = []
            if h.kind == "indicator":
                for c in (row.level1, row.level2, row.name):
                    line.append((c.text if c else "", c))
            else:
                line.append((row.name.text if row.name else "", row.name))
            for role in h.columns:
                c = row.cells.get(role)
                text = c.text if c else ""
                if c is not None and role in ("weight", "score") and cell_type(c.text) == "number":
                    text = fix_ocr_value(clean(c.text))  # IO -> 10: the column holds figures
                line.append((text, c))
            if block_weight:
                line.append((f"{h.points:g}" if row is self.rows[0] else "", first))
            out.append(line)
        return out


# --- headers -----------------------------------------------------------------------------------

def _role(cell: StreamCell) -> Column | None:
    if cell.mark or cell.empty:
        return None
    return column_role(cell.text)


def find_header(cells: list[StreamCell], i: int) -> Header | None:
    """A header starting at cells[i]: three or more header words in a row (empties between allowed)."""
    first = _role(cells[i])
    if first is None:
        return None
    j, found, roles = i, [], []
    while j < len(cells):
        c = cells[j]
        if c.empty or c.mark:
            j += 1
            continue
        col = _role(c)
        if col is not None and len(found) >= 3 and c.row != found[-1].row and not is_exact_header(c.text):
            break  # the next row begins with a name holding a header word (项目完成率): the header ended
        if col is None and found and j + 1 < len(cells) and _role(cells[j + 1]) is not None:
            col = fuzzy_column_role(c.text)  # an OCR'd header word between two good ones
            if col is None and item_code(c.text) is not None:
                j += 1  # the first row's label printed in the header line (年度资金总额)
                continue
            if col is None and _header_noise(c):
                j += 1  # a mark between two header words
                continue
        if col is None:
            break
        found.append(c)
        roles.append(col)
        j += 1
    while j > i and (cells[j - 1].empty or cells[j - 1].mark):
        j -= 1
    names = [r.role for r in roles]
    value_roles = [r for r in names if r not in ("level1", "level2", "name", "label", "block", "seq")]
    label_roles = sum(1 for r in ("level1", "level2", "name") if r in names)
    # a target table may have one value column; then the level columns must be there,
    # and a money list one amount column under a labelled row-label column (项目资金(万元) | 金额)
    one_amount = value_roles == ["amount"] and "label" in names
    if not one_amount and (len(found) < 3 or not value_roles or (len(value_roles) < 2 and label_roles < 2)):
        return None
    if "criterion" in names:  # a scoring-rule table (extract.reflow_tasks)
        return Header(start=i, end=j, kind="task", columns=task_columns(names), has_levels=False, cells=found)
    indicator = any(r in names for r in ("level1", "level2", "name", "target", "op", "unit"))
    money = any(r in names for r in ("budget_initial", "budget", "rate", "amount"))
    if not indicator and not money:
        return None
    kind = "indicator" if indicator else "money"
    columns = _merge_two_row_header(names)
    unit = next((r.unit for r in roles if r.unit), None)
    points = next((r.points for r in roles if r.points is not None and r.role in ("block", "label", "score")), None)
    has_levels = any(r in names for r in ("level1", "level2"))
    return Header(start=i, end=j, kind=kind, columns=columns, has_levels=has_levels, unit=unit, points=points,
                  cells=found)


def _cells_delimited(cells: list[StreamCell]) -> bool:
    """Do the cells show where each ends: empty cells or row marks kept, or rows of several
    cells a line? A scoring table's words cannot be re-flowed by their kind alone."""
    if any(c.csv for c in cells):
        return False
    per_row: dict[int, int] = {}
    for c in cells:
        if c.empty or c.mark:
            return True
        per_row[c.row] = per_row.get(c.row, 0) + 1
    return sum(1 for n in per_row.values() if n >= 3) >= 2


def _is_block_label(cell: StreamCell) -> bool:
    col = column_role(cell.text)
    return col is not None and col.role == "block" and len(clean(cell.text)) <= 8


def _header_noise(cell: StreamCell) -> bool:
    s = clean(cell.text)
    return len(s) <= 3 or bool(re.fullmatch(r"[(（][^()（）]{0,6}[)）]", s))


def _merge_two_row_header(names: list[str]) -> list[str]:
    """Value roles in column order; a second header row under a merged parent takes its place.

    `绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 一级指标 | 二级指标 | 三级指标 | 指标性质 |
    指标值 | 度量单位`: the second row (after the label columns) splits 年度指标值 in three.
    """
    value = lambda r: r not in ("level1", "level2", "name", "label", "block", "seq")  # noqa: E731
    first_label = next((k for k, r in enumerate(names) if not value(r) and r not in ("block", "seq")), None)
    if first_label is not None:
        before = [r for r in names[:first_label] if value(r)]
        after = [r for r in names[first_label:] if value(r)]
        if before and after and "target" in before:
            at = before.index("target")
            merged = before[:at] + after + [r for r in before[at + 1:] if r not in after]
            return _dedupe(merged)
    return _dedupe([r for r in names if value(r)])


def _dedupe(roles: list[str]) -> list[str]:
    out: list[str] = []
    for r in roles:
        if r not in out:
            out.append(r)
    return out


# --- alignment of one row's value cells to the columns -------------------------------------------

EXPLANATION_TEXT = re.compile(r"^(?:反映|用于反映|主要反映|考察|衡量)")


def fit(role: str, cell: StreamCell, kind: str) -> float | None:
    """How well a cell fits a column (None: it cannot stand there)."""
    t = "empty" if cell.empty else cell_type(cell.text)
    if t in ("empty", "dash"):
        return 0.6
    if t in ("level1", "level2"):
        return None
    if role == "op":
        return 3.0 if t == "op" else None
    if role == "unit":
        return 3.0 if t == "unit" else None
    if role == "core":
        return 3.0 if t == "core" else None
    if role in ("weight", "score"):
        if t == "number":
            n = number_of(cell.text)
            frac = clean(cell.text).partition(".")[2]
            if n is None or not 0 <= n <= 100 or len(frac) > 2:
                return None
            # points are whole or tenths; `16.00` is money printed to the cent
            return 2.0 if len(frac) <= 1 else (0.5 if frac.endswith("0") else 1.2)
        return None
    if role == "coefficient":
        return 2.5 if t == "percent" else (1.0 if t == "number" else None)
    if role == "target_adjusted":
        return 1.0 if t in ("value", "number", "percent") else None  # usually blank: a figure goes elsewhere first
    if role in ("budget_initial", "budget", "actual", "amount") and kind == "money":
        return 2.0 if t == "number" else None
    if role == "rate":
        return 3.0 if t == "percent" else (0.8 if t == "number" else None)
    if role in ("target", "target_adjusted", "actual"):
        if t in ("value", "number", "percent"):
            return 2.0
        if t in ("op", "unit", "core"):
            return 0.3 if role != "target" or t != "op" else None
        if EXPLANATION_TEXT.match(clean(cell.text)):
            return None  # `反映…情况` explains an indicator: it is no target or result
        return 1.0 if len(clean(cell.text)) <= 60 else None
    if role in ("deviation", "explanation"):
        if t != "text":
            return None
        if role == "explanation" and EXPLANATION_TEXT.match(clean(cell.text)):
            return 2.0
        # a text that says no reason is more likely the next row's name
        return 1.5 if DEVIATION_WORDS.search(clean(cell.text)) else -0.3
    return None


def align(cells: list[StreamCell], roles: list[str], kind: str,
          profile: dict[str, str] | None = None) -> tuple[float, dict[str, StreamCell]] | None:
    """The best monotone assignment of every cell to a column, or None when some cell fits nowhere."""
    n, m = len(cells), len(roles)
    if n > m:
        return None
    neg = float("-inf")
    # best[i][j]: best score placing cells[:i] within roles[:j]
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, bool] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    costs = TASK_SKIP_COST if kind == "task" else SKIP_COST
    for j in range(1, m + 1):
        best[0][j] = best[0][j - 1] - costs.get(roles[j - 1], 1.0)
        back[0][j] = (0, j - 1, False)
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = best[i][j - 1] - costs.get(roles[j - 1], 1.0) if j - 1 >= i else neg
            f = task_fit(roles[j - 1], cells[i - 1]) if kind == "task" else fit(roles[j - 1], cells[i - 1], kind)
            if f is not None and profile and roles[j - 1] in profile and not cells[i - 1].empty:
                # the table's own rows say what this column holds: its usual kind of cell fits
                # better, and the one text a constant column prints (得分系数 100%) best
                usual = profile[roles[j - 1]]
                text = clean(cells[i - 1].text)
                f += 1.5 if usual == "=" + text else 0.8 if cell_type(cells[i - 1].text) == usual.lstrip("=") or \
                    (usual.startswith("=") and cell_type(cells[i - 1].text) == cell_type(usual[1:])) else -0.4
            # ties go to the earlier column: a row cut short ends early
            take = best[i - 1][j - 1] + f - 0.001 * j if f is not None and best[i - 1][j - 1] > neg else neg
            if take >= skip and take > neg:
                best[i][j], back[i][j] = take, (i - 1, j - 1, True)
            elif skip > neg:
                best[i][j], back[i][j] = skip, (i, j - 1, False)
    if best[n][m] == neg:
        return None
    out: dict[str, StreamCell] = {}
    i, j = n, m
    while i > 0 or j > 0:
        step = back[i][j]
        if step is None:
            break
        pi, pj, took = step
        if took:
            out[roles[pj]] = cells[pi]
        i, j = pi, pj
    return best[n][m], out


# --- rows -------------------------------------------------------------------------------------------

def _is_end(cell: StreamCell) -> bool:
    return not cell.empty and not cell.mark and bool(END_WORDS.match(clean(cell.text)))


def _start_bonus(cells: list[StreamCell], k: int, headers: frozenset[int], row_of: int | None = None,
                 wide_rows: frozenset[int] = frozenset()) -> float:
    """How well a row can start at cells[k] (`row_of`: the layout row the current row began in)."""
    if k >= len(cells):
        return 1.0
    c = cells[k]
    if row_of is not None and c.row == row_of and row_of in wide_rows and not c.mark \
            and cell_type(c.text) not in ("level1", "level2"):
        return -1.0  # a row per line (CSV, pipe rows): the line's cells are one row
    if c.mark:
        return 1.5
    if _is_end(c) or k in headers:
        return 1.0
    t = "empty" if c.empty else cell_type(c.text)
    if t in ("level1", "level2"):
        return 1.5
    bonus = 0.4 if c.line_start else 0.0
    if t == "text":
        return 0.5 + bonus
    if t == "empty":
        return 0.0 + bonus
    return -1.5


def _next_is_level2(cells: list[StreamCell], k: int, limit: int) -> bool:
    nxt = next((c for c in cells[k:limit] if not c.empty and not c.mark), None)
    return nxt is not None and cell_type(nxt.text) == "level2"


def _is_label(cell: StreamCell) -> bool:
    return not cell.empty and not cell.mark and cell_type(cell.text) in ("level1", "level2")


def column_profile(rows: list[Row]) -> dict[str, str]:
    """Each column's usual kind of cell in rows already read: (`percent` under 得分系数,
    `number` under 分值), where one kind holds at least two thirds of three or more cells."""
    from collections import Counter

    seen: dict[str, Counter] = {}
    texts: dict[str, set[str]] = {}
    for row in rows:
        for role, c in row.cells.items():
            if not c.empty and cell_type(c.text) not in ("empty", "dash"):
                seen.setdefault(role, Counter())[cell_type(c.text)] += 1
                texts.setdefault(role, set()).add(clean(c.text))
    out = {}
    for role, counts in seen.items():
        kind, n = counts.most_common(1)[0]
        if n >= 3 and n >= 2 * sum(counts.values()) / 3:
            # `=TEXT`: a constant column (every cell prints the same), else the usual kind
            out[role] = "=" + next(iter(texts[role])) if len(texts[role]) == 1 and kind in ("percent", "number") else kind
    return out


def rows_after(cells: list[StreamCell], header: Header, limit: int, headers: frozenset[int],
               profile: dict[str, str] | None = None) -> tuple[list[Row], int]:
    """Re-flow cells[header.end:limit] into rows; returns the rows and where the table ends.

    `headers`: where in the stream a header starts (found once for the whole stream)."""
    if header.kind == "task":
        return task_rows(cells, header, limit, headers, align, Row)
    rows: list[Row] = []
    k = header.end
    level1 = level2 = None
    per_row: dict[int, int] = {}
    for c in cells[header.end:limit]:
        per_row[c.row] = per_row.get(c.row, 0) + 1
    wide_rows = frozenset(r for r, n in per_row.items() if n >= 3)
    starts: list[int] = []  # where each row began: a row given back ends the table there
    since = k  # the first cell after the last row (strays before a row belong to it)
    roles = header.columns
    width = len(roles)
    idle = 0  # label cells in a row that gave no values (a table that has ended)
    while k < limit:
        c = cells[k]
        if c.mark or c.empty:
            k += 1
            continue
        if _is_end(c) or (k > header.end and k in headers):
            break
        t = cell_type(c.text)
        if t == "level2" and level1_code(clean(c.text)) and k + 1 < limit and _next_is_level2(cells, k + 1, limit):
            t = "level1"  # 满意度指标 | 服务对象满意度指标: the first names the first level
        if header.kind == "indicator" and t == "level1":
            level1, level2 = c, None
            k += 1
            continue
        if header.kind == "indicator" and t == "level2":
            level2 = c
            k += 1
            continue
        if t != "text" or header.kind == "indicator" and _is_block_label(c):
            k += 1  # a stray value with no row of its own, or a merged part's label (绩效指标)
            continue
        if len(clean(c.text)) > MAX_NAME_LEN or (header.kind == "indicator" and FORM_LABEL.match(clean(c.text))):
            break
        row_start = since
        name = c
        k += 1
        # an unlabelled second level (项目立项, 资金管理) before the name: two texts, then figures
        if header.kind == "indicator" and header.has_levels and k + 1 < limit and roles \
                and roles[0] in ("weight", "score") and cell_type(cells[k].text) == "text" \
                and not cells[k].empty and fit(roles[0], cells[k + 1], "indicator") is not None \
                and cell_type(cells[k + 1].text) == "number":
            level2, name = c, cells[k]
            k += 1
        best_k = 0
        best_score = _start_bonus(cells, k, headers, name.row, wide_rows) - sum(SKIP_COST.get(r, 1.0) for r in roles)
        best_map: dict[str, StreamCell] = {}
        stop = k
        while stop < limit and stop - k < width and not cells[stop].mark and not _is_label(cells[stop]) \
                and not _is_end(cells[stop]):
            stop += 1
            got = align(cells[k:stop], roles, header.kind, profile)
            if got is None:
                continue
            score = got[0] + _start_bonus(cells, stop, headers, name.row, wide_rows)
            if score > best_score:
                best_k, best_score, best_map = stop - k, score, got[1]
        values = {r: c2 for r, c2 in best_map.items() if not c2.empty and cell_type(c2.text) != "dash" or r == "op"}
        if header.kind == "money" and not any(cell_type(v.text) in ("number", "percent") for v in values.values()):
            idle += 1
            if idle >= 3:
                break
        else:
            idle = 0
        rows.append(Row(cells=best_map, level1=level1, level2=level2, name=name))
        starts.append(row_start)
        k += best_k
        since = k
    if rows and k >= len(cells) and not any(not c.empty and cell_type(c.text) != "dash" for c in rows[-1].cells.values()):
        rows.pop()  # the text was cut inside the last row's name: nothing of it can be read
        k = starts.pop()
    while rows and header.kind == "money" and not any(
            cell_type(v.text) in ("number", "percent") for v in rows[-1].cells.values()):
        rows.pop()  # label rows after the last figures are no part of the money table: give them back
        k = starts.pop()
    return rows, k


def stream_to_tables(cells: list[StreamCell]) -> list[ReflowedTable]:
    found = {j: h for j in range(len(cells)) if (h := find_header(cells, j)) is not None}
    starts = frozenset(found)
    tables: list[ReflowedTable] = []
    i = 0
    while i < len(cells):
        header = found.get(i)
        if header is None:
            i += 1
            continue
        nxt = next((j for j in sorted(starts) if j >= header.end), len(cells))
        if header.kind == "task" and not _cells_delimited(cells[header.end:nxt]):
            # rules one line each with nothing marking a cell's end (parsers/runon_tasks reads them),
            # or CSV rows, whose grid the text reader keeps as printed
            i = header.end
            continue
        rows, end = rows_after(cells, header, nxt, starts)
        profile = column_profile(rows) if len(rows) >= 4 else None
        if profile:
            rows, end = rows_after(cells, header, nxt, starts, profile)  # again, knowing each column's kind
        if rows:
            # a block label before the header (`预算执行情况(20分)`) is part of the table
            tables.append(ReflowedTable(header=header, rows=rows, start=header.start, end=end))
            i = max(end, header.end)
        else:
            i = header.end
    return tables


# --- a run of text lines to blocks ---------------------------------------------------------------

def region_to_blocks(lines: list[str], first_line: int, file_name: str, table_no: int,
                     make_table, line_to_blocks) -> tuple[list, int] | None:
    """Blocks for a run of non-tab lines when a header-led table is found in it, else None.

    Cells no table claims keep their layout: a row of several cells is a
    table row, a cell alone (or a prose line split at single spaces) is a
    paragraph, as the line-based reader would have made it.
    """
    from extract.cellstream import SINGLE_SPACE, lines_to_stream
    from extract.runon_cells import looks_run_on

    if not _header_plausible(lines):
        return None  # no header-led table can be here: the cheap test most prose fails
    # cells split on what separates them; failing that, at single spaces; failing that, by what
    # they say (run-on) — each tried only where the lines could be read so
    passes = [(False, False)]
    if any(SINGLE_SPACE.search(l) for l in lines):
        passes.append((True, False))
    if any(looks_run_on(l) for l in lines):
        passes.append((True, True))
    for single_spaces, run_on in passes:
        cells = lines_to_stream(lines, first_line, single_spaces=single_spaces, run_on=run_on)
        tables = stream_to_tables(cells)
        if tables:
            break
    else:
        return None
    blocks: list = []
    pos = 0
    claimed = {c.row for t in tables for c in cells[t.start:t.end]}
    original = {first_line + k: line.strip() for k, line in enumerate(lines)}
    numbers = iter(range(table_no + 1, table_no + 10_000))  # tables numbered in reading order
    for table in tables:
        blocks.extend(_leftover_blocks(cells[pos:table.start], file_name, make_table, line_to_blocks, numbers,
                                       claimed, original))
        blocks.append(make_table(_grid_cells(table), file_name, next(numbers)))
        pos = table.end
    blocks.extend(_leftover_blocks(cells[pos:], file_name, make_table, line_to_blocks, numbers, claimed, original))
    return blocks, next(numbers) - 1


def _header_plausible(lines: list[str]) -> bool:
    """Three header words in one line, or three short lines that are header words within ten lines."""
    from extract.runon_cells import header_word_count

    recent: list[int] = []
    for k, line in enumerate(lines):
        s = line.strip(" \u3000\t|")
        if not s:
            continue
        if len(s) <= 24 and column_role(s) is not None:
            recent = [j for j in recent if k - j < 10] + [k]
            if len(recent) >= 3:
                return True
        elif header_word_count(s, enough=3) >= (2 if len(s) <= 40 else 3):
            return True  # a short line of two header words may be a money list's (项目资金 | 金额)
    return False


def _grid_cells(table: ReflowedTable) -> list[list]:
    from extract.ir import Cell, Provenance

    out = []
    for row in table.grid():
        line = []
        for text, src in row:
            prov = Provenance(file="", line=src.line, line_end=src.line_end) if src is not None else Provenance(file="")
            line.append(Cell(text=text, prov=prov))
        out.append(line)
    return out


def _leftover_blocks(cells: list[StreamCell], file_name: str, make_table, line_to_blocks, numbers,
                     claimed: set[int], original: dict[int, str]) -> list:
    from extract.ir import Cell, Provenance

    rows: dict[int, list[StreamCell]] = {}
    for c in cells:
        if not c.mark and not c.empty and c.text.strip():
            rows.setdefault(c.row, []).append(c)
    blocks: list = []
    pending: list[list] = []

    def flush() -> None:
        if pending:
            blocks.append(make_table(list(pending), file_name, next(numbers)))
            pending.clear()

    for _, row in sorted(rows.items(), key=lambda kv: (kv[1][0].line, kv[0])):  # reading order
        run_on = all(c.soft and c.joiner == "" for c in row) and len(row) >= 2
        short_figures = run_on and len(original.get(row[0].row, "")) <= 30 \
            and any(cell_type(c.text) in ("number", "percent") for c in row)
        if (len(row) == 1 or all(c.soft for c in row)) and not short_figures:
            flush()
            if row[0].soft and row[0].row not in claimed and row[0].row in original:
                text = original[row[0].row]  # a prose line no table took: as it was printed
            else:
                # what a table left of a line: its pieces as we cut them, a space between
                # (the cut is the reading: `总分 100 95.5`, not the glued `总分10095.5`)
                text = " ".join(c.text for c in row)
            for k, part in enumerate(text.split("\n")):
                if part.strip():
                    blocks.extend(line_to_blocks(part, row[0].line + (k if not row[0].soft else 0), file_name))
            continue
        pending.append([Cell(text=c.text, prov=Provenance(file="", line=c.line, line_end=c.line_end)) for c in row])
    flush()
    return blocks
