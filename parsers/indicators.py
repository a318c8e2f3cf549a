"""Indicator tables (一级/二级/三级指标 with targets and results) to INDICATOR rows.

Pasted rows lose their merged cells and shift left, so a cell is read by what
it says, not where it stands: a level name (产出指标, 时效指标), a group label
(职能1：…), a number prefix (指标1:), the indicator's name, then the values in
the order the header gives them (年度指标值, 实际完成值, 分值, 得分, 偏差…).
Levels carry down until a row names another; a second-level label that does
not belong under the current first level brings its own first level with it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from extract.headings import heading_level
from extract.ir import Block, Cell
from normalize.columns import VALUE_ROLES, column_role
from normalize.levels import LEVEL2_ORDER, level1_code, level1_for_level2, level2_code
from normalize.numbers import parse_number
from normalize.text import fix_ocr_value, squash_spaces, to_halfwidth
from normalize.values import parse_value
from parsers.records import IndicatorRow
from parsers.tables import clean, is_header_row, row_texts

GROUP = re.compile(r"^\s*(职能|目标|任务|项目|功能)\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*[：:、.．]?")
PREFIX_ONLY = re.compile(r"^指标\s*[0-9０-９一二三四五六七八九十]*\s*[：:.．、]?$")
PREFIX = re.compile(r"^指标\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})?\s*[：:.．、]\s*")
SPLIT_NAMES = re.compile(r"\n(?=\s*指标\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[：:.．、])")
NAME_POINTS = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")
END_ROW = re.compile(r"^(总分|合计|总计|综合得分|自评得分|绩效自评综合得分|评价等[级次])")

NAME_HEADERS = re.compile(r"三级指标|指标名称|指标内容|具体指标|绩效指标$")
ROLE_HEADERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"偏差|原因|改进措施|备注"), "deviation"),
    (re.compile(r"指标性质|计算符号|运算符号|^符号$"), "op"),
    (re.compile(r"度量单位|计量单位|^单位$"), "unit"),
    (re.compile(r"实际|完成值|完成情况|完成数|执行情况"), "actual"),
    (re.compile(r"指标值|目标值|预期值|计划值|年度目标|绩效目标|标准值"), "target"),
    (re.compile(r"分值|权重|满分"), "weight"),
    (re.compile(r"得分|评分"), "score"),
)
DEFAULT_ROLES = ["target", "actual", "weight", "score", "deviation"]
# the column roles (normalize.columns) an INDICATOR row keeps
INDICATOR_VALUE_ROLES = ("op", "target", "unit", "actual", "weight", "score", "deviation")
COMPATIBLE = {
    "output": {"quantity", "quality", "timeliness", "cost"},
    "outcome": {"economic", "social", "ecological", "sustainability", "satisfaction"},
    "satisfaction": {"satisfaction"},
    "cost": {"cost"},
    "decision": set(),
    "process": set(),
}


def header_roles(cells: list[str]) -> list[str] | None:
    """The roles of the value columns after the name column, or None if not an indicator header."""
    roles = _header_roles(tuple(cells))
    return None if roles is None else list(roles)


@lru_cache(maxsize=4096)  # asked of every label row; a template's header recurs in every report
def _header_roles(cells: tuple[str, ...]) -> tuple[str, ...] | None:
    labels = [clean(c) for c in cells]
    if not any(re.search(r"一级指标|二级指标|三级指标|指标值|绩效指标|评价内容", l) for l in labels):
        return None
    name_at = next((k for k, l in enumerate(labels) if NAME_HEADERS.search(l)), None)
    if name_at is None:
        name_at = next((k for k, l in enumerate(labels) if "绩效目标" in l or "评价内容" in l), None)
        if name_at is not None and "评价内容" in labels[name_at]:
            name_at = next((k for k in range(name_at + 1, len(labels)) if "绩效目标" in labels[k]), name_at)
    if name_at is None:
        return None
    # one role per column after the name (None where the column holds nothing we keep), so
    # that a column we do not read never shifts the ones after it
    roles: list[str | None] = []
    for l in labels[name_at + 1:]:
        if not l:
            continue  # a merged header cell: pasted rows have no column under it
        col = column_role(l)
        role = col.role if col else next((r for p, r in ROLE_HEADERS if p.search(l)), None)
        if role is None or role not in VALUE_ROLES:
            continue  # a label column (一级指标 after 绩效指标) or a word we do not know
        roles.append(role if role in INDICATOR_VALUE_ROLES and role not in roles else None)
    while roles and roles[-1] is None:
        roles.pop()
    return tuple(roles) or ("target",)


@dataclass
class _Cursor:
    group: str | None = None
    level1: str | None = None
    level1_raw: str | None = None
    level2: str | None = None
    level2_raw: str | None = None
    last_number: int | None = None
    roles: list[str] = field(default_factory=lambda: list(DEFAULT_ROLES))
    layout: dict[str, int] = field(default_factory=dict)  # header columns: level1, level2, name, width


def header_layout(cells: list[str]) -> dict[str, int]:
    """Where the header puts the level and name columns (used only for rows as wide as it)."""
    labels = [clean(c) for c in cells]
    layout = {"width": len(labels)}
    for key, word in (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标")):
        at = next((k for k, l in enumerate(labels) if word in l), None)
        if at is not None:
            layout[key] = at
    return layout


def _group_label(text: str) -> str | None:
    m = GROUP.match(to_halfwidth(text))
    if not m:
        return None
    num = m.group(2)
    n = parse_number(num)
    return f"{m.group(1)}{int(n)}" if n is not None else f"{m.group(1)}{num}"


def _is_level1(text: str) -> bool:
    s = squash_spaces(text)
    return bool(level1_code(s)) and not level2_code(s)


def _level2(text: str) -> str | None:
    return level2_code(squash_spaces(text))


def _number_of(prefix: str) -> int | None:
    m = re.search(r"([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})", prefix)
    if not m:
        return None
    n = parse_number(m.group(1))
    return int(n) if n is not None else None


def tables_to_indicators(tables: list[Block]) -> list[IndicatorRow]:
    out: list[IndicatorRow] = []
    for table in tables:
        cursor: _Cursor | None = None
        for row in table.rows:
            texts = row_texts(row)
            if is_header_row(row):
                roles = header_roles(texts)
                if roles is not None:
                    cursor = _Cursor(roles=roles, layout=header_layout(texts))
                    continue
            if cursor is None and _reads_as_indicator_row(texts):
                cursor = _Cursor()  # no header seen: values in the usual order
            if cursor is None:
                continue
            nonempty = [t for t in texts if t]
            if not nonempty:
                continue
            if END_ROW.match(clean(nonempty[0])) or (len(nonempty) == 1 and heading_level(nonempty[0]) == 1):
                cursor = None  # the total row, or the form's next part
                continue
            out.extend(_row_to_indicators(row, texts, cursor, out))
    return out


def _row_to_indicators(row: list[Cell], texts: list[str], cur: _Cursor, done: list[IndicatorRow]) -> list[IndicatorRow]:
    k, n = 0, len(texts)
    explicit_l1 = False
    level2_here = None
    name_cell: tuple[int, str] | None = None
    number: int | None = None
    while k < n:
        t = texts[k].strip()
        if not t:
            k += 1
            continue
        if name_cell is None and number is None and k == _first_nonempty(texts) and re.fullmatch(r"\d{1,3}", t) \
                and len([x for x in texts if x.strip()]) >= 3:
            k += 1  # a 序号 column
            continue
        group = _group_label(t)
        if group and name_cell is None and level2_here is None:
            if group != cur.group:
                cur.group, cur.last_number = group, None
            k += 1
            continue
        code1 = level1_code(squash_spaces(t)) if name_cell is None and number is None and level2_here is None else None
        # after a second-level label comes the name, even one that reads like a label (群众满意度)
        code2 = _level2(t) if name_cell is None and number is None and level2_here is None else None
        if code1 and (not code2 or _next_is_level2(texts, k)):
            cur.level1, cur.level1_raw = code1, _raw_level(t)
            cur.level2 = cur.level2_raw = None
            cur.last_number = None
            explicit_l1 = True
            k += 1
            continue
        if code2:
            level2_here = code2
            cur.level2, cur.level2_raw = code2, squash_spaces(t)
            cur.last_number = None
            if code1 == "satisfaction" and not explicit_l1:
                # 满意度指标 alone names both levels
                cur.level1, cur.level1_raw, explicit_l1 = code1, _raw_level(t), True
            if not explicit_l1 and (cur.level1 is None or code2 not in COMPATIBLE.get(cur.level1, set())):
                cur.level1, cur.level1_raw = level1_for_level2(code2), None
            k += 1
            continue
        level_column = None
        if name_cell is None and number is None and level2_here is None and not PREFIX.match(to_halfwidth(t)) \
                and not PREFIX_ONLY.match(to_halfwidth(t)) and not _looks_like_value(t):
            level_column = _unnamed_level_column(cur, texts, k)
            if level_column == "level1" and explicit_l1:
                level_column = None
        if level_column == "level1":
            cur.level1, cur.level1_raw = level1_code(squash_spaces(t)), _raw_level(t)  # 决策, 过程
            cur.level2 = cur.level2_raw = None
            cur.last_number, explicit_l1 = None, True
            k += 1
            continue
        if level_column == "level2":
            level2_here = cur.level2 = _level2(t)  # 项目立项, 资金管理: no SCHEMA code, kept as printed
            cur.level2_raw = squash_spaces(t)
            cur.last_number = None
            k += 1
            continue
        if PREFIX_ONLY.match(to_halfwidth(t)) and name_cell is None:
            number = _number_of(t)
            k += 1
            continue
        if name_cell is None:
            if not PREFIX.match(to_halfwidth(t)) and number is None and _looks_like_value(t):
                break  # a row of values only: handled below
            if not PREFIX.match(to_halfwidth(t)) and number is None and k == 0 and len(t) > 20 and _has_label_after(texts, k):
                k += 1  # an unlabelled description cell before the levels (a group's run-on text)
                continue
            name_cell = (k, t)
            k += 1
            break
        k += 1
    values = [texts[j].strip() for j in range(k, n)]
    if name_cell is None:
        # values alone on a row: they belong to the indicator above (a broken row)
        if done and values and any(values):
            _fill_missing(done[-1], values, cur.roles)
        return []
    names = _split_names(name_cell[1])
    if number is None and len(names) == 1:
        number = names[0][1]
    if level2_here is None and number is not None and number == 1 and (cur.last_number or 0) >= 1:
        _advance_level2(cur)  # numbering restarts without a label: the next second level
    if number is not None:
        cur.last_number = number
    rows = []
    for name, _num in names:
        if not name:
            continue
        points = NAME_POINTS.search(to_halfwidth(name))
        if points:
            name = name[:points.start()].rstrip()  # `相关性(5 分)`: a scoring table's points in the name
        ind = IndicatorRow(name=name, prov=row[name_cell[0]].prov, group=cur.group, level1=cur.level1,
                           level2=cur.level2, level1_raw=cur.level1_raw, level2_raw=_raw_level(cur.level2_raw or "") or None)
        _assign_values(ind, values, cur.roles)
        if points and ind.weight is None:
            ind.weight = float(points.group(1))
        rows.append(ind)
    return rows


def _first_nonempty(texts: list[str]) -> int:
    return next((j for j, t in enumerate(texts) if t.strip()), -1)


def _reads_as_indicator_row(texts: list[str]) -> bool:
    """A level label or an 指标N: prefix, and a value: an indicator row without its header."""
    if not any("指标" in t or "效益" in t or "满意度" in t for t in texts):
        return False  # cheap test first: most rows of other tables
    cleaned = [t.strip() for t in texts if t.strip()]
    labelled = any(_level2(t) or _is_level1(t) or PREFIX.match(to_halfwidth(t)) for t in cleaned)
    return labelled and any(_looks_like_value(t) for t in cleaned)


def _unnamed_level_column(cur: _Cursor, texts: list[str], k: int) -> str | None:
    """A cell standing in the header's 一级/二级指标 column of a full-width row, with a name to its right.

    Level names outside the output/outcome/satisfaction vocabulary (决策 → 项目立项)
    are read by position, and only in rows as wide as their header, where
    positions can be trusted.
    """
    layout = cur.layout
    name_at = layout.get("name")
    if name_at is None or len(texts) != layout.get("width") or k >= name_at or not texts[name_at].strip():
        return None
    if PREFIX.match(to_halfwidth(texts[name_at].strip())) or PREFIX_ONLY.match(to_halfwidth(texts[name_at].strip())):
        return None  # the name column holds a prefix: a shifted row, read by content
    for key in ("level1", "level2"):
        if layout.get(key) == k:
            return key
    return None


def _next_is_level2(texts: list[str], k: int) -> bool:
    following = next((t for t in texts[k + 1:] if t.strip()), "")
    return bool(_level2(following))


def _raw_level(text: str) -> str:
    s = squash_spaces(text)
    return re.sub(r"[（(].*$", "", s)


def _has_label_after(texts: list[str], k: int) -> bool:
    return any(_is_level1(t) or _level2(t) or PREFIX_ONLY.match(to_halfwidth(t.strip())) or PREFIX.match(to_halfwidth(t.strip()))
               for t in texts[k + 1:])


def _looks_like_value(text: str) -> bool:
    v = parse_value(text)
    return v is not None and v.value is not None and len(squash_spaces(text)) <= 16


def _split_names(cell: str) -> list[tuple[str, int | None]]:
    """`指标1：A\n指标2：B` holds two indicators; a bare `指标1：` holds none."""
    parts = SPLIT_NAMES.split(cell) if SPLIT_NAMES.search(cell) else [cell]
    out = []
    for part in parts:
        s = to_halfwidth(part.strip())
        m = PREFIX.match(s)
        num = _number_of(m.group(0)) if m and m.group(1) else None
        name = squash_spaces(part.strip()[m.end():] if m else part.strip())
        name = re.sub(r"^[…\.。]+$", "", name)
        out.append((name, num))
    return out


def _advance_level2(cur: _Cursor) -> None:
    order = LEVEL2_ORDER.get(cur.level1 or "", [])
    if cur.level2 in order:
        i = order.index(cur.level2)
        if i + 1 < len(order):
            cur.level2, cur.level2_raw = order[i + 1], None


def _assign_values(ind: IndicatorRow, values: list[str], roles: list[str]) -> None:
    cells = {role: raw.strip() for role, raw in zip(roles, values) if role and raw.strip()}
    op, unit = fix_ocr_value(to_halfwidth(cells.get("op", ""))), cells.get("unit", "")
    op = op if re.fullmatch(r"[≥≤><=]|>=|<=", op) else ""  # 正向/反向 say no operator
    for role, raw in cells.items():
        if role in ("target", "actual"):
            if unit and re.fullmatch(r"[\d.]+", raw):
                raw = raw + unit  # 95 | % in a 度量单位 column
            if op and role == "target" and raw[:1].isdigit():
                raw = op + raw
            setattr(ind, role, parse_value(raw))
    _unit_from_target(ind, cells.get("actual"))
    for role, raw in cells.items():
        if role in ("target", "actual"):
            continue
        elif role in ("weight", "score"):
            setattr(ind, role, parse_number(clean(raw)))
        elif role == "deviation":
            ind.deviation = raw


PRINTED_UNIT = re.compile(r"\d(?:\.\d+)?\s*([^\d\s.]{1,4})$")


def _unit_from_target(ind: IndicatorRow, raw_actual: str | None) -> None:
    """A bare figure in the result column shares the target's unit (`≤90万元` | `90`)."""
    if not raw_actual or ind.actual is None or ind.actual.unit is not None or ind.actual.value is None \
            or ind.target is None or ind.target.unit is None:
        return
    m = PRINTED_UNIT.search(to_halfwidth(ind.target.raw.strip()))
    if m and re.fullmatch(r"[\d.]+", clean(raw_actual)):
        value = parse_value(clean(raw_actual) + m.group(1))
        if value is not None and value.unit == ind.target.unit:
            value.raw = raw_actual
            ind.actual = value


def _fill_missing(ind: IndicatorRow, values: list[str], roles: list[str | None]) -> None:
    # op and unit are no fields of the row: they complete target and actual
    pending = [r for r in roles if r and r not in ("op", "unit") and getattr(ind, r) is None]
    _assign_values(ind, [v for v in values if v], pending)
