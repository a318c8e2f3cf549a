"""Scoring-rule tables (考评细则, 任务分解表) re-flowed from a stream of cells.

Their columns hold words, not figures: 序号 | 评分任务 | 评分内容 | 评分标准 | 分值 |
责任股室 …, and a task's 序号 and name are printed once over the rows they span
(merged), so a pasted row may lack its first cells. A row is found by what its
cells are: a 序号 (一, 二, 1) or a task named with its points (`人居环境整治（20分）`)
starts one; the rule (评分标准) is the text that reads as a sentence; the points a
figure of at most 100; a 股室/办/局 cell the responsible office. Each row is
aligned to the header's columns as the other tables are (reflow.align), and the
table comes out as a grid under canonical headers for parsers/tasks.py.
"""
from __future__ import annotations

import re

from extract.celltypes import cell_type, clean
from extract.cellstream import StreamCell

# header role -> the canonical header parsers/tasks.py reads
TASK_CANONICAL = {
    "seq": "序号", "section": "评分任务", "item": "评分内容", "criterion": "评分标准", "weight": "分值",
    "score": "得分", "deadline": "完成时限", "lead": "牵头领导", "office": "责任股室", "owner": "责任人",
    "task_indicator": "考核指标", "task_target": "年度工作目标",
}
# a header word that means another role in a scoring table (项目 is the task, 基本分 its points)
TASK_ROLE_OF = {"label": "section"}
# leaving a column without a cell: merged cells (序号, task) are often dropped, the rule never
TASK_SKIP_COST = {"seq": 0.2, "section": 0.3, "item": 0.4, "criterion": 3.0, "weight": 0.6, "score": 0.2,
                  "deadline": 0.4, "lead": 0.4, "office": 0.4, "owner": 0.4, "task_indicator": 0.4,
                  "task_target": 0.4}
SEQ = re.compile(r"^(?:[一二三四五六七八九十]{1,3}|\d{1,2})[、.．]?$")
POINTS_IN_NAME = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]\s*$")
SENTENCE = re.compile(r"[。，,；;：:]")
OFFICE = re.compile(r"(?:股|室|办|局|中心|科|所|站|队|委|部)$")
DATE_LIKE = re.compile(r"20\d{2}\s*年|\d{1,2}\s*月|年底|年内|全年|长期|持续")
MAX_SHORT = 30


def task_columns(names: list[str]) -> list[str]:
    """The header's roles, in order, as a scoring table reads them (one column per role)."""
    out: list[str] = []
    for r in names:
        r = TASK_ROLE_OF.get(r, r)
        if r in TASK_CANONICAL and r not in out:
            out.append(r)
    return out


def task_fit(role: str, cell: StreamCell) -> float | None:
    """How well a cell fits a scoring table's column (None: it cannot stand there)."""
    if cell.empty:
        return 0.6
    s = clean(cell.text)
    t = cell_type(cell.text)
    short = len(s) <= MAX_SHORT and not SENTENCE.search(s)
    if role == "seq":
        return 3.0 if SEQ.match(s) else None
    if role in ("weight", "score"):
        if t != "number":
            return None
        try:
            return 2.0 if 0 <= float(s) <= 100 else None
        except ValueError:
            return None
    if t in ("number", "percent") and not SEQ.match(s):
        return None  # a figure is only points
    if SEQ.match(s):
        return None
    if role == "section":
        return 2.5 if POINTS_IN_NAME.search(s) and len(s) <= 40 else (0.8 if short else None)
    if role == "criterion":
        return 2.0 if SENTENCE.search(s) or len(s) > 15 else 0.5
    if role == "item":
        return 1.0 if short and not POINTS_IN_NAME.search(s) else (0.3 if len(s) <= 60 else None)
    if role == "deadline":
        return 2.0 if DATE_LIKE.search(s) and len(s) <= 20 else None
    if role == "office":
        return 2.0 if short and OFFICE.search(s) else (0.3 if short else None)
    if role in ("lead", "owner"):
        return 1.2 if short and 2 <= len(s) <= 4 else (0.3 if short else None)
    return 0.5 if short else 0.3


def task_start_bonus(cells: list[StreamCell], k: int, headers: frozenset[int]) -> float:
    """How well a scoring-table row can start at cells[k]."""
    if k >= len(cells) or k in headers:
        return 1.0
    c = cells[k]
    if c.mark:
        return 1.5
    if c.empty:
        return 0.2 + (0.4 if c.line_start else 0.0)
    s = clean(c.text)
    if SEQ.match(s):
        return 2.0
    if cell_type(c.text) in ("number", "percent"):
        return -1.5
    bonus = 0.4 if c.line_start else 0.0
    if POINTS_IN_NAME.search(s) and len(s) <= 40:
        return 1.5 + bonus
    return (0.5 if len(s) <= MAX_SHORT and not SENTENCE.search(s) else -0.5) + bonus


def task_rows(cells: list[StreamCell], header, limit: int, headers: frozenset[int], align, row_type):
    """Rows of a scoring table after its header; returns (rows, where the table ends)."""
    from extract.runon_rules import is_run_on_body, run_on_rule_rows

    if is_run_on_body(cells, header.end, limit):
        # cut by what they say, not where they end: the body is joined again and read knowing the
        # header's columns (an item and its rule are told apart by meaning, extract.runon_rules)
        return run_on_rule_rows(cells, header, limit, headers, row_type)
    roles = header.columns
    width = len(roles)
    rows = []
    k = header.end
    while k < limit:
        c = cells[k]
        if c.mark:
            k += 1
            continue
        if k > header.end and k in headers:
            break
        best_k, best_score, best_map = 0, float("-inf"), {}
        stop = k
        while stop < limit and stop - k < width and (stop == k or not cells[stop].mark) \
                and (stop == k or stop not in headers):
            stop += 1
            got = align(cells[k:stop], roles, "task")
            if got is None:
                continue
            score = got[0] + task_start_bonus(cells, stop, headers)
            if score > best_score:
                best_k, best_score, best_map = stop - k, score, got[1]
        crit = best_map.get("criterion")
        if not best_k or crit is None or crit.empty:
            if all(cells[j].empty for j in range(k, k + max(best_k, 1)) if j < limit):
                k += max(best_k, 1)  # empty cells between rows (a blank row)
                continue
            break  # no rule here: the table has ended
        rows.append(row_type(cells=best_map))
        k += best_k
    return rows, k
