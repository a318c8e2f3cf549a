"""A scoring-rule table (考评细则) whose cells ran together into prose: its numbered rows.

    一、组织领导坚强有力(6)1双拥工作纳入…工作内容。(2011)2每做到一项得0.5分。2党委议军会议…

What survives the lost borders is the order of the columns the header named
(序号 考评内容 分值 评分标准), the task headings (`一、名称(6)`) and the row
numbers, which count up by one through the table. A row starts where the next
number stands after a sentence's end; inside it the points are the figure that
follows the content's last full stop or bracket, and the criterion is the rest.
"""
from __future__ import annotations

import re

from extract.ir import Block
from normalize.text import squash_spaces, to_halfwidth
from parsers.records import TaskRow

HEADER = re.compile(r"(?:考评|考核|评分)内容.{0,6}?分值.{0,6}?(?:评分|考核|考评)标准(?:.{0,4}?得分)?")
SECTION = re.compile(r"(?P<no>[一二三四五六七八九十]{1,3})、(?P<name>[^()（）\d、。]{2,30}?)[(（]\s*(?P<pts>\d+(?:\.\d+)?)\s*分?\s*[)）]")
ROW_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?=[\u4e00-\u9fff])")
POINTS = re.compile(r"[。)）;；]\s*(\d+(?:\.\d+)?)(?=[\u4e00-\u9fff])")
SENTENCE_END = "。；;)）"


def runon_tasks(blocks: list[Block]) -> list[TaskRow]:
    text, prov = _joined(blocks)
    if not text:
        return []
    head = HEADER.search(text)
    if not head:
        return []
    body = text[head.end():]
    sections = list(SECTION.finditer(body))
    out: list[TaskRow] = []
    expected = 1
    for k, sec in enumerate(sections):
        part = body[sec.end(): sections[k + 1].start() if k + 1 < len(sections) else len(body)]
        rows, expected = _rows(part, expected)
        for content, points, criterion in rows:
            out.append(TaskRow(criterion=criterion, prov=prov, section_no=sec.group("no"), section=sec.group("name"),
                               section_points=float(sec.group("pts")), item=content, points=points))
    return out


def _joined(blocks: list[Block]):
    """The paragraphs as one text: a paragraph that does not end a sentence goes on in the next
    (a preview's page break cuts a row in two)."""
    parts, prov = [], None
    for b in blocks:
        if b.kind == "table" or not b.text.strip():
            continue
        prov = prov or b.prov
        parts.append(squash_spaces(to_halfwidth(b.text)))
    return "".join(parts), prov


def _rows(part: str, expected: int) -> tuple[list[tuple[str, float, str]], int]:
    starts: list[tuple[int, int]] = []  # (where the number stands, where the row's text begins)
    for m in ROW_NUMBER.finditer(part):
        if int(m.group(1)) != expected:
            continue
        if not starts:
            if m.start() == 0 or part[m.start() - 1] in SENTENCE_END:
                starts.append((m.start(), m.end()))
                expected += 1
            continue
        # the next row begins after a sentence, once the row before has its points and criterion
        # (`…领导。2未成立的不得分。2每月…`: the first 2 is row 1's points, the second row 2)
        before = part[starts[-1][1]:m.start()]
        if part[m.start() - 1] in "。；;" and any(before[p.end():].strip() for p in POINTS.finditer(before)):
            starts.append((m.start(), m.end()))
            expected += 1
    rows = []
    for i, (_, begin) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(part)
        row = part[begin:end]
        cut = list(POINTS.finditer(row))
        if not cut:
            continue  # a row the excerpt cut before its points: nothing certain to read
        last = cut[-1]
        content, criterion = row[:last.start() + 1], row[last.end():]
        if not criterion or not content:
            continue
        rows.append((content, float(last.group(1)), criterion))
    return rows, expected


# --- a scoring-rule table pasted one cell per line -----------------------------------------------

SECTION_LABEL = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,12})\s*[(（](?P<pts>[^()（）]{0,20}?)分[)）]$")
ITEM_POINTS = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
TABLE_END = re.compile(r"^(?:备注|说明|合计|总计|总分)")


def cell_per_line_tasks(blocks: list[Block]) -> list[TaskRow]:
    """`项目 / 评分标准 / 基本分 …` one per line, then per task its label (`党管武装(10分)`, a
    label printed one character per line already joined), its criteria lines, a figure.

    The criteria of a task are one cell: one TASK row, unless a line carries its own points
    (`…(15分)`), which makes it a row of its own.
    """
    texts = [(b.text.strip(), b.prov) for b in blocks if b.kind != "table" and b.text.strip()]
    start = _header_end(texts)
    if start is None:
        return []
    out: list[TaskRow] = []
    section, points, items = None, None, []

    def close() -> None:
        whole = [t for t in items if not ITEM_POINTS.search(t[0])]
        if whole:
            out.append(TaskRow(criterion="".join(t for t, _ in whole), prov=whole[0][1], section=section,
                               section_points=points))
        for text, prov in items:
            m = ITEM_POINTS.search(text)
            if m:
                criterion = (text[:m.start()] + text[m.end():]).strip()
                out.append(TaskRow(criterion=criterion, prov=prov, section=section, section_points=points,
                                   points=float(m.group(1))))
        items.clear()

    for text, prov in texts[start:]:
        s = squash_spaces(to_halfwidth(text))
        label = SECTION_LABEL.match(s)
        if label:
            close()
            section = label.group("name")
            pts = label.group("pts")
            points = float(pts) if re.fullmatch(r"\d+(?:\.\d+)?", pts) else None
            continue
        if TABLE_END.match(s):
            break
        if re.fullmatch(r"\d+(?:\.\d+)?", s):
            close()  # the 基本分 column's figure ends the task's cell
            continue
        if section is not None:
            items.append((text, prov))
    close()
    return out


def _header_end(texts) -> int | None:
    from normalize.columns import column_role

    run = 0
    for k, (text, _) in enumerate(texts):
        col = column_role(text) if len(text) <= 12 else None
        if col is not None and col.role in ("label", "section", "criterion", "weight", "score", "item"):
            run = run + 1 if col.role != "criterion" or run else 1
            roles = [column_role(t).role for t, _ in texts[k - run + 1:k + 1]]
            if run >= 3 and "criterion" in roles and k + 1 < len(texts) \
                    and (column_role(texts[k + 1][0]) is None if len(texts[k + 1][0]) <= 12 else True):
                return k + 1
        else:
            run = 0
    return None
