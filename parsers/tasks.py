"""Scoring-rule tables (考评细则 / 任务分解表) to TASK rows.

Columns are found by their header words. A merged cell (a leader, a section,
a responsible office spanning several rows) is pasted once, in its first row;
it applies to every row below it within the same task (序号), and never
reaches into the next task, whose first row restates what it needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract.ir import Block, Cell
from normalize.dates import parse_deadline
from normalize.names import join_person_names, join_units
from normalize.numbers import parse_number
from normalize.text import squash_spaces, to_halfwidth
from parsers.records import TaskRow
from parsers.tables import clean, row_texts

COLUMN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(序号|编号)$"), "section_no"),
    (re.compile(r"评分标准|考核标准|评分细则|考评标准|评分办法|评分方法|计分方法"), "criterion"),
    (re.compile(r"评分内容|考核内容|考评内容|工作内容|任务内容|具体任务|工作任务"), "item"),
    (re.compile(r"评分任务|考核任务|考评任务|考核项目|考评项目|重点任务|任务$|项目$|指标$"), "section"),
    (re.compile(r"完成时限|时限|完成时间|完成期限"), "deadline"),
    (re.compile(r"牵头领导|分管领导|责任领导|牵头$|领导$"), "lead"),
    (re.compile(r"责任股室|责任单位|责任科室|责任部门|牵头股室|牵头单位|股室$|科室$"), "unit"),
    (re.compile(r"责任人|经办人|联系人"), "owner"),
    (re.compile(r"^(分值|分数|标准分|权数|权重|基本分)$"), "points"),
)
POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
# a task's points closing its name: `(20分)`, `20分`, or a bare figure in brackets `(6)`
SECTION_POINTS = re.compile(r"(?:[（(]?\s*(\d+(?:\.\d+)?)\s*分\s*[)）]?|[（(]\s*(\d+(?:\.\d+)?)\s*[)）])\s*$")
# a task that numbers itself (`一、组织领导(6)`): beside it, a 序号 of figures numbers its rows
OWN_NUMBER = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(?=\S)")
INHERITED = ("item", "deadline", "lead", "unit", "owner")


HEADER_HINT = re.compile(r"标准|细则|评分|计分")


def header_columns(texts: list[str]) -> dict[str, int] | None:
    if not any(len(t) <= 30 and HEADER_HINT.search(t) for t in texts):
        return None  # cheap test first: a header names its scoring-rule column
    cols: dict[str, int] = {}
    for k, t in enumerate(texts):
        label = clean(t)
        for pattern, role in COLUMN_RULES:
            if pattern.search(label) and role not in cols:
                cols[role] = k
                break
    return cols if "criterion" in cols and len(cols) >= 3 else None


@dataclass
class _Section:
    number: str | None = None
    name: str | None = None
    points: float | None = None
    numbered: bool = False  # the number stood in the task's own cell (一、…), not under 序号


def tables_to_tasks(tables: list[Block]) -> list[TaskRow]:
    out: list[TaskRow] = []
    for table in tables:
        cols: dict[str, int] | None = None
        header: list[str] = []
        section = _Section()
        carried: dict[str, str | None] = {}
        last_cut, first = False, len(out)
        for row in table.rows:
            texts = row_texts(row)
            found = header_columns(texts)
            if found:
                cols, header = found, [clean(t) for t in texts]
                continue
            if cols is None:
                # a table continued from another file or page: no header, the columns
                # follow from the first row whose scoring-rule cell says "(N分)"
                cols = columns_from_content(texts)
                header = []
            if cols is None or [clean(t) for t in texts] == header:
                continue
            cells = _cells_by_role(texts, cols)
            if not any(cells.values()):
                continue
            own = OWN_NUMBER.match(cells.get("section") or "")
            row_number = section.numbered and re.fullmatch(r"\d{1,3}", clean(cells.get("section_no") or ""))
            if own:
                section = _new_section(own.group(1), cells["section"][own.end():], numbered=True)
                carried = {}
            elif (cells.get("section_no") and not row_number) \
                    or (cells.get("section") and not cells.get("section_no") and section.name is None):
                section = _new_section(cells.get("section_no"), cells.get("section"))
                carried = {}
            elif cells.get("section") and clean(cells["section"]) != section.name:
                section = _new_section(section.number, cells.get("section"))
                carried = {}
            criterion = squash_spaces(cells.get("criterion") or "")
            if not criterion:
                continue
            for role in INHERITED:
                if cells.get(role):
                    carried[role] = cells[role]
            out.append(_task(criterion, cells, carried, section, row, cols))
            last_cut = row is table.rows[-1] and not re.search(r"[。.；;！)）]$", criterion)
        mine = out[first:]
        if cols and "points" in cols and last_cut and mine and mine[-1].points is None \
                and sum(t.points is not None for t in mine) >= 2:
            out.pop()  # the last row cut by the end of the text: its rule half-printed, no points
    return out


CN_SECTION_NO = re.compile(r"^[一二三四五六七八九十]{1,3}$|^\d{1,2}$")


def columns_from_content(texts: list[str]) -> dict[str, int] | None:
    """Columns of a headerless task row, by what its cells say, in the usual order:
    序号 | 任务(N分) | 内容 | 标准 (N分) | 时限 | 牵头领导 | 责任股室 | 责任人."""
    at = next((k for k, t in enumerate(texts) if len(POINTS.findall(to_halfwidth(t))) >= 1 and len(t) >= 12), None)
    if at is None or at < 1 or len(texts) < at + 2:
        return None
    deadline = texts[at + 1].strip()
    if not re.search(r"\d{4}\s*年|持续|按|月底|前|完成|长期|常态", deadline):
        return None  # the cell after the rule must read as a deadline
    cols = {"criterion": at, "deadline": at + 1, "item": at - 1}
    if at >= 2:
        cols["section"] = at - 2
    if at >= 3 and (not texts[at - 3].strip() or CN_SECTION_NO.match(texts[at - 3].strip())):
        cols["section_no"] = at - 3
    for role, k in (("lead", at + 2), ("unit", at + 3), ("owner", at + 4)):
        if k < len(texts):
            cols[role] = k
    return cols


def _cells_by_role(texts: list[str], cols: dict[str, int]) -> dict[str, str]:
    # a short row lost its trailing empty cells (pasted text drops them), or its leading merged
    # ones (序号 and task printed once over their rows): then its points figure anchors it
    shift = _leading_cells_dropped(texts, cols)
    return {role: texts[k - shift].strip() for role, k in cols.items() if 0 <= k - shift < len(texts)}


def _leading_cells_dropped(texts: list[str], cols: dict[str, int]) -> int:
    """How many leading cells a short row lost, told by where its points figure stands."""
    width = max(cols.values()) + 1
    at = cols.get("points")
    if at is None or len(texts) >= width or not texts or not texts[0].strip() \
            or CN_SECTION_NO.match(texts[0].strip()):
        return 0  # an empty first cell was kept, so none was dropped; a 序号 starts a whole row
    figures = [k for k, t in enumerate(texts) if re.fullmatch(r"\d{1,3}(?:\.\d)?", t.strip())]
    if len(figures) != 1 or figures[0] >= at:
        return 0
    return at - figures[0]


def _new_section(number: str | None, raw: str | None, numbered: bool = False) -> _Section:
    name = squash_spaces(raw or "") or None
    points = None
    if name:
        m = SECTION_POINTS.search(to_halfwidth(name))
        if m:
            points = float(m.group(1) or m.group(2))
            name = to_halfwidth(name)[: m.start()].strip() or None
    return _Section(number=squash_spaces(number or "") or None, name=name, points=points, numbered=numbered)


def _task(criterion: str, cells: dict[str, str], carried: dict[str, str | None], section: _Section,
          row: list[Cell], cols: dict[str, int]) -> TaskRow:
    parts = [float(p) for p in POINTS.findall(to_halfwidth(criterion))]
    points = sum(parts) if parts else parse_number(cells.get("points") or "")
    prov = row[cols["criterion"]].prov if cols["criterion"] < len(row) else row[0].prov
    return TaskRow(
        criterion=criterion,
        prov=prov,
        section_no=section.number,
        section=section.name,
        section_points=section.points,
        item=squash_spaces(carried.get("item") or "") or None,
        points=points,
        deadline=parse_deadline(carried.get("deadline")),
        lead=join_person_names(carried.get("lead")),
        unit=join_units(carried.get("unit")),
        owner=join_person_names(carried.get("owner")),
    )
