"""Money tables to FINANCE rows.

Two layouts are common, and a table's header says which one it is:
- measures across (项目 | 全年预算数 | 全年执行数 | 执行率 | 分值 | 得分), items down;
- items across (机构名称 | 收入合计 | 上年结转 | 财政拨款 …), sub-units down.
Figures are in the unit the table announces (`（万元）`, `单位：万元`), which
carries on to the next table of the same document until another is named.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.ir import Block, Cell
from normalize.money import to_yuan
from normalize.text import squash_spaces, to_halfwidth
from parsers.finance_items import clean_label, item_code, measure_code
from parsers.records import FinanceRow
from parsers.tables import clean, column_labels, is_dash, is_header_row, is_number, row_texts

AMOUNT_HEADER = re.compile(r"^(?:金额|资金|数额)(?:[（(](?:万元|元|亿元)[)）])?$")
UNIT_MARK = re.compile(r"(?:单位[：:]\s*)?[（(]?\s*(万元|元|千元|亿元)\s*[)）]?")
INDICATOR_HEADER = re.compile(r"指标|评分|考核|序号|姓名|职务")
WHOLE_DEPARTMENT = re.compile(r"汇总|合计|总计|全部|部门整体|本部门")
GROUP_LABELS = {"资金来源": "funds_total", "资金结构": "expenditure_total", "收入": "funds_total", "支出": "expenditure_total"}


@dataclass
class _Layout:
    labels: list[str]  # per column
    measures: list[str | None]  # measures across
    items: list[str | None]  # items across
    width: int

    @property
    def across(self) -> str | None:
        if sum(1 for m in self.measures if m in ("budget", "budget_initial", "actual")) >= 1:
            return "measures"
        if sum(1 for i in self.items if i) >= 2:
            return "items"
        return None


@dataclass
class _State:
    unit: str = "元"
    header_rows: list[list[Cell]] = field(default_factory=list)
    layout: _Layout | None = None
    group: str | None = None  # 资金来源 / 资金结构: a merged cell down the left


def tables_to_finance(tables: list[Block], pairs_measure: str = "actual") -> list[FinanceRow]:
    """`pairs_measure`: what a bare `年度资金总额 | 680` pair is (budget in a target table)."""
    rows_out: list[FinanceRow] = []
    state = _State()
    for table in tables:
        for row in table.rows:
            texts = row_texts(row)
            unit = _unit_in(texts)
            if unit:
                state.unit = unit
            numbers = [t for t in texts if is_number(t)]
            if not numbers:
                if is_header_row(row):
                    if state.layout is not None:
                        state.header_rows, state.layout = [], None
                    state.header_rows.append(row)
                elif sum(1 for t in texts if t) <= 1:
                    state.header_rows, state.layout, state.group = [], None, None
                continue
            if state.header_rows:
                labels = column_labels(state.header_rows, len(row))
                # a bare 金额 column holds what the document is about: a target table's budget
                measures = [measure_code(l) if l else None for l in labels]
                measures = [pairs_measure if m is None and l and AMOUNT_HEADER.match(l) else m
                            for m, l in zip(measures, labels)]
                state.layout = _Layout(labels, measures, [item_code(l) if l else None for l in labels], len(row))
                state.header_rows = []
            layout = state.layout
            if layout is None or layout.across is None:
                rows_out.extend(_pairs_to_finance(row, texts, state, pairs_measure))
                continue
            if any(INDICATOR_HEADER.search(l) for l in layout.labels if l):
                continue
            rows_out.extend(_row_to_finance(row, texts, layout, state))
    return rows_out


def _unit_in(texts: list[str]) -> str | None:
    for t in texts:
        s = squash_spaces(t)
        if len(s) <= 40 and ("万元" in s or "元" in s) and ("（" in s or "(" in s or "单位" in s):
            m = UNIT_MARK.search(s)
            if m:
                return m.group(1)
    return None


def _first_value_col(layout: _Layout) -> int:
    roles = layout.measures if layout.across == "measures" else layout.items
    return next((k for k, r in enumerate(roles) if r), layout.width)


def _row_to_finance(row: list[Cell], texts: list[str], layout: _Layout, state: _State) -> list[FinanceRow]:
    start = _first_value_col(layout)
    label_cells = [(k, clean(t)) for k, t in enumerate(texts[:start]) if clean(t)]
    out: list[FinanceRow] = []
    if layout.across == "measures":
        # the leftmost of several label cells is a group merged down the rows
        if len(label_cells) >= 2:
            state.group = label_cells[0][1]
        label = label_cells[-1][1] if label_cells else ""
        if not label:
            return out
        shown = label
        code = item_code(label)
        if re.match(r"^(合计|小计|总计)$", label) and state.group:
            shown = state.group + label
            code = GROUP_LABELS.get(clean_label(state.group)) or item_code(shown)
        if code == "goods_services":
            code = "public_use"
        if code is None:
            return out
        for k in range(start, min(len(texts), layout.width)):
            measure = layout.measures[k]
            if measure is None or not is_number(texts[k]):
                continue
            out.append(FinanceRow(item=code, label=shown, measure=measure,
                                  value=_value(texts[k], measure, state.unit), prov=row[k].prov))
        return out
    entity_text = "".join(t for _, t in label_cells)
    entity = None if not entity_text or WHOLE_DEPARTMENT.search(entity_text) else clean_label(entity_text)
    for k in range(start, min(len(texts), layout.width)):
        code = layout.items[k]
        if code == "goods_services":
            code = "public_use"
        if code is None or not is_number(texts[k]) or is_dash(texts[k]):
            continue
        out.append(FinanceRow(item=code, label=clean_label(layout.labels[k]), measure=_measure_for(layout.labels[k]),
                              value=to_yuan(clean(texts[k]).replace(",", "").replace("，", ""), state.unit),
                              prov=row[k].prov, entity=entity))
    return out


def _pairs_to_finance(row: list[Cell], texts: list[str], state: _State, measure: str) -> list[FinanceRow]:
    """Label and amount side by side, no header: 年度资金总额 | 680 | 其中：财政拨款 | 680."""
    out = []
    for k in range(len(texts) - 1):
        label, value = texts[k], texts[k + 1]
        if not label or is_number(label) or not is_number(value) or clean(value).endswith("%"):
            continue
        code = item_code(label)
        if code is None or code == "goods_services":
            continue
        out.append(FinanceRow(item=code, label=clean_label(label), measure=_measure_for(label) if measure_code(label) else measure,
                              value=to_yuan(clean(value).replace(",", ""), state.unit), prov=row[k + 1].prov))
    return out


def _measure_for(label: str) -> str:
    m = measure_code(label)
    return m if m in ("budget", "budget_initial", "actual") else "actual"


def _value(text: str, measure: str, unit: str) -> float:
    s = to_halfwidth(clean(text)).replace(",", "").replace("，", "")
    if measure in ("rate", "weight", "score"):
        return float(s.rstrip("%"))
    return to_yuan(s.rstrip("%"), unit)
