"""The narrative parts of a document to SECTION rows.

In prose, a section runs from its heading to the next heading of the same or
a higher level; a sub-heading is a section of its own only when it opens a
part of an overview (主要职能, 总体目标 under 部门概况). In forms, a narrative
cell is a section named by the label beside it or the header above it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extract.headings import looks_like_title, numbering, plain_heading_candidate
from extract.ir import Block
from parsers.records import SectionRow
from parsers.tables import clean, row_texts

KIND_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"问题|不足之处", "problems"),
    (r"建议|改进措施|改进意见|整改措施|下一步", "suggestions"),
    (r"经验|做法", "experience"),
    (r"自评(?:工作)?开展", "implementation"),  # how the department ran its own evaluation
    (r"评价工作|自评工作|评价过程|评价方法|评价依据|评价目的|评价范围|评价对象", "other"),
    (r"结论|绩效情况$|评价结果|实际完成|自评结果|总体评价|评价意见|目标完成情况|实现情况|完成情况分析|得分情况", "conclusion"),
    (r"职能|职责", "functions"),
    (r"目标|工作内容", "goals"),
    (r"支出|资金使用|使用情况|收支|资金情况|资金来源|资金投入|预算执行情况", "spending"),
    (r"组织实施|实施情况|运行情况|取得的成绩|工作开展|组织情况|工作成效|主要成效|履职|实施内容|实施过程|过程概述", "implementation"),
    (r"概况|概述|基本情况|简介", "overview"),
))
# A sub-part of these kinds is a section of its own under any part (资金投入情况 under 目标完成情况).
OWN_KIND_PARTS = frozenset({"spending", "functions", "problems", "suggestions", "experience"})
LONG_TEXT = 20
HAN = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=8192)
def section_kind(heading: str) -> str:
    s = clean(heading)
    s = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]?", "", s)
    for pattern, kind in KIND_RULES:
        if pattern.search(s):
            return kind
    return "other"


def prose_sections(blocks: list[Block], title: str | None) -> list[SectionRow]:
    paragraphs = [b for b in blocks if b.kind != "table"]
    heads: list[tuple[int, int, str]] = []  # (index, level, kind)
    for i, b in enumerate(paragraphs):
        level = b.level if b.kind == "heading" else None
        if level == 0:
            continue
        if level is None and plain_heading_candidate(b.text):
            kind = section_kind(b.text)
            if clean(b.text).endswith("表"):
                continue  # a table's caption (…绩效评价得分表), not a part of the text
            nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
            if nxt is not None and nxt.kind == "heading" and numbering(nxt.text) is not None:
                continue  # a form's group label over numbered parts (项目基本情况 over 1.… 2.…)
            prev = paragraphs[i - 1] if i else None
            if any(p is not None and p.kind != "heading" and looks_like_title(t) for p, t in
                   ((nxt, b.text.strip() + (nxt.text.strip() if nxt else "")),
                    (prev, (prev.text.strip() if prev else "") + b.text.strip()))) or _is_title_part(b.text, title):
                continue  # a title printed over two lines (…部门整体支出 / 绩效评价自评报告)
            if kind != "other" and not _is_title_part(b.text, title):
                heads.append((i, 1, kind))
            continue
        if level is not None:
            heads.append((i, level, section_kind(b.text)))
    numbered = [lv for i, lv, _ in heads if paragraphs[i].kind == "heading"]
    if numbered and min(numbered) > 1:  # an excerpt whose top headings are `1.` or `(一)`: they are its parts
        shift = min(numbered) - 1
        heads = [(i, lv - shift if paragraphs[i].kind == "heading" else lv, k) for i, lv, k in heads]
        # but a numbered list item (`(六)负责…工作。`) is no part: it still ends the one before
        items = {i for i, lv, k in heads if lv == 1 and paragraphs[i].kind == "heading"
                 and (k == "other" or not _heading_like(paragraphs[i].text))}
    else:
        items = set()
    out: list[SectionRow] = []
    preamble = paragraphs[: heads[0][0]] if heads else paragraphs
    body = [b.text for b in preamble if len(b.text) >= 40 and ("。" in b.text or "，" in b.text)]
    if body and title is not None:
        text = "\n".join(b.text for b in preamble if b.text.strip() and not _is_title_part(b.text, title))
        out.append(SectionRow("other", title, text, preamble[0].prov))
    parent_kind: str | None = None
    for n, (i, level, kind) in enumerate(heads):
        end = next((j for j, lv, _ in heads[n + 1:] if lv <= level), len(paragraphs))
        if level == 1:
            parent_kind = kind
        elif not (parent_kind == "overview" and kind not in ("other", "overview")) \
                and not (kind in OWN_KIND_PARTS and kind != parent_kind):
            continue
        if level == 1 and kind == "other" and numbering(paragraphs[i].text) is None or i in items:
            continue
        text = "\n".join(p.text for p in paragraphs[i + 1:end] if not _is_prompt(p.text))
        if not _has_content(text):
            continue  # a blank form's part: only its instruction, or 无
        out.append(SectionRow(kind, paragraphs[i].text.strip(), text, paragraphs[i].prov))
    return out


def _heading_like(text: str) -> bool:
    s = clean(text)
    return len(s) <= 30 and not re.search(r"[。；;，,]", s.rstrip("。.")) and not s.endswith(("。", "；", ";"))


def form_sections(blocks: list[Block]) -> list[SectionRow]:
    """Narratives in a form whose labels stand apart from them (cell per line, run-on rows).

    A run of label cells followed by a run of narrative cells pairs them from
    the right: `年度总体目标 | 预期目标 | 实际完成情况 | text | text` gives the
    target text to 预期目标 and the result text to 实际完成情况; a label left
    over on the left is the group's merged label.
    """
    cells: list[tuple[str, object]] = []
    for b in blocks:
        if b.kind == "table":
            cells.extend((c.text.strip(), c.prov) for row in b.rows for c in row if c.text.strip())
        elif b.text.strip():
            cells.append((b.text.strip(), b.prov))
    out: list[SectionRow] = []
    seen: set[str] = set()
    said: set[str] = set()
    k = 0
    while k < len(cells):
        labels = []
        while k < len(cells) and _is_form_label(cells[k][0]):
            labels.append(cells[k])
            k += 1
        texts = []  # a template's prompt holds the place of the cell it asks to fill
        while k < len(cells) and (_is_narrative(cells[k][0]) or _is_prompt(cells[k][0])):
            texts.append(cells[k])
            k += 1
        if not labels or not texts:
            k += 0 if labels or texts else 1
            continue
        paired = list(zip(reversed(labels), reversed(texts[: len(labels)])))[::-1]  # right-aligned, read left to right
        for (label, _), (text, prov) in paired:
            kind = section_kind(label)
            if kind in ("other",) or kind in seen or clean(text) in said or _is_prompt(text):
                continue  # a result cell that repeats the target's text says nothing new
            seen.add(kind)
            said.add(clean(text))
            out.append(SectionRow(kind, clean(label), text, prov))
    return sorted(out, key=lambda r: (r.prov.line or 0))


@lru_cache(maxsize=16384)
def _is_form_label(text: str) -> bool:
    s = clean(text)
    return 2 <= len(s) <= 16 and not re.search(r"\d", s) and section_kind(s) != "other" and not _is_narrative(text)


EMPTY_LABEL = re.compile(r"^(?:[^，。,；;]{1,12}[：:]\s*)+$")  # `项目负责人: 财务负责人:` with nothing filled in


def _has_content(text: str) -> bool:
    kept = [line for line in text.split("\n")
            if not TEMPLATE_PROMPT.search(clean(line)) and not EMPTY_LABEL.match(clean(line))]
    # a sentence somewhere, not only a table's leftover words one per line (其他资金 / 合计)
    return len(HAN.findall("".join(kept))) >= 6 and any(len(HAN.findall(line)) >= 6 for line in kept)


def _is_title_part(text: str, title: str | None) -> bool:
    return bool(title) and re.sub(r"\s", "", text) in re.sub(r"\s", "", title or "")


def table_sections(tables: list[Block]) -> list[SectionRow]:
    out: list[SectionRow] = []
    for table in tables:
        previous: list[str] = []
        for row in table.rows:
            texts = row_texts(row)
            for k, text in enumerate(texts):
                if not _is_narrative(text):
                    continue
                if k >= 2 and k + 1 < len(texts) and _is_narrative(texts[k + 1]) \
                        and _is_form_label(texts[k - 1]) and _is_form_label(texts[k - 2]):
                    break  # labels then texts in one row (目标 | 预期 | 实际 | text | text): paired in form_sections
                label = _label_left(texts, k) or _label_above(previous, texts, k)
                if not label:
                    continue
                kind = section_kind(label)
                if kind != "other" and all(clean(r.text) != clean(text) for r in out):
                    out.append(SectionRow(kind, clean(label), text, row[k].prov))  # a repeated text once
            previous = texts
    return out


# A blank form's instruction in the cell to fill: "说明…的完成情况（100字以内）".
TEMPLATE_PROMPT = re.compile(r"[（(]\s*\d+\s*字以内\s*[)）]|^(?:请|应|须)?(?:结合|对照|针对|简要|简述|说明|填写|概述)[^。]{0,60}(?:情况|原因|建议|成效|成果)[。.]?$")


@lru_cache(maxsize=16384)
def _is_narrative(text: str) -> bool:
    if len(text) < LONG_TEXT:
        return False
    s = clean(text)
    return len(s) >= LONG_TEXT and len(HAN.findall(s)) >= 10 and not TEMPLATE_PROMPT.search(s)


def _label_above(previous: list[str], texts: list[str], k: int) -> str:
    """The label over cell k; a shorter row under a row of labels sits under its last labels
    (`项目基本情况 | 1.年度目标完成情况 | 项目年度目标 | 年度目标完成情况` over `text | 完成`)."""
    width, above = _filled_width(texts), _filled_width(previous)
    if 2 <= width < above and not any(_is_narrative(t) for t in previous):
        k += above - width  # (a grid pads the short row with empty cells: its filled width counts)
    return previous[k] if k < len(previous) and not _is_narrative(previous[k]) else ""


def _filled_width(texts: list[str]) -> int:
    return next((k + 1 for k in range(len(texts) - 1, -1, -1) if texts[k].strip()), 0)


@lru_cache(maxsize=16384)
def _is_prompt(text: str) -> bool:
    return bool(TEMPLATE_PROMPT.search(clean(text)))


def _label_left(texts: list[str], k: int) -> str:
    for j in range(k - 1, -1, -1):
        t = texts[j].strip()
        if t:
            return t if len(clean(t)) <= 30 else ""
    return ""



# A part named inside a paragraph by a label and a colon: `…自评得分90分，存在的问题：一是…。
# 下一步改进措施：一是…`. Only the parts a report closes with are named so in running text.
RUNIN_LABEL = re.compile(
    r"(?:^|(?<=[。.；;，,\s]))(?:[一二三四五六七八九十]{1,2}[、是]|[（(][一二三四五六七八九十\d]{1,2}[)）])?"
    r"(?P<label>存在的主要问题|存在的问题|存在问题|主要问题|问题及原因|下一步改进措施|改进措施|改进建议|整改措施|"
    r"有关建议|意见建议|下一步工作计划|下一步工作打算|主要经验及做法|经验做法|主要做法)[:：]")


def runin_sections(blocks: list[Block]) -> list[SectionRow]:
    """Parts named by a run-in label in a paragraph; each runs to the next such label."""
    out: list[SectionRow] = []
    for b in blocks:
        if b.kind == "table" or "：" not in b.text and ":" not in b.text:
            continue
        marks = list(RUNIN_LABEL.finditer(b.text))
        for n, m in enumerate(marks):
            end = marks[n + 1].start() if n + 1 < len(marks) else len(b.text)
            text = b.text[m.end():end].strip()
            if _has_content(text):
                out.append(SectionRow(section_kind(m.group("label")), m.group("label"), text, b.prov))
    return out
