"""Run-on table text (cells pasted from a PDF with no separator) back into cells.

`产出指标数量指标指标1：培训人次≧200人次` is one row of an indicator table whose
cell borders were lost. What the cells say still separates them: level names,
the `指标N：` prefix, and a value at the end (an operator, a number, a unit).
Lines that read so are turned into a table block the indicator parser reads
like any other; everything else is left as it was.
"""
from __future__ import annotations

import re

from extract.ir import Block, Cell, Provenance
from normalize.text import fix_ocr_value, to_halfwidth

LEVEL_WORDS = (
    "产出指标", "效益指标", "满意度指标", "数量指标", "质量指标", "时效指标", "成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标",
    "社会公众或服务对象满意度指标", "经济效益", "社会效益", "生态效益", "可持续影响",
)
LEVELS = "|".join(sorted(LEVEL_WORDS, key=len, reverse=True))
HEADER_WORDS = ("一级指标", "二级指标", "三级指标", "年度指标值", "指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
DEFAULT_HEADER = ("一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分")
HEADER_LINE = re.compile(r"^(?:%s)+$" % "|".join(sorted(HEADER_WORDS, key=len, reverse=True)))
GROUP = r"(?:职能|目标)\s*\d{1,2}\s*[：:][^指]{0,80}?"
VALUE = r"(?:[≥≤><=]|不低于|不少于|不高于|不超过)?\s*\d+(?:\.\d+)?\s*(?:%|个月|人次|万元|元|[\u4e00-\u9fa5]{1,2})?"
ROW = re.compile(
    rf"^(?P<group>{GROUP})?(?P<levels>(?:{LEVELS})*)(?P<prefix>指标\s*\d{{0,2}}\s*[：:])(?P<name>.+?)"
    rf"(?P<target>{VALUE})(?:\s+(?P<actual>{VALUE}))?(?:\s+(?P<weight>\d+(?:\.\d+)?)\s+(?P<score>\d+(?:\.\d+)?))?$"
)


def split_levels(text: str) -> list[str]:
    return re.findall(LEVELS, text) if text else []


def _line_to_cells(text: str) -> list[str] | None:
    s = fix_ocr_value(to_halfwidth(text.strip())).replace("：", ":")
    if HEADER_LINE.match(s):
        return re.findall("|".join(sorted(HEADER_WORDS, key=len, reverse=True)), s)
    m = ROW.match(s)
    if not m or not re.search(r"\d", m.group("target")):
        return None
    cells = []
    if m.group("group"):
        cells.append(m.group("group"))
    cells += split_levels(m.group("levels"))
    cells += [m.group("prefix") + m.group("name")]
    cells += [m.group(k) or "" for k in ("target", "actual", "weight", "score")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def runon_to_tables(blocks: list[Block]) -> list[Block]:
    """The blocks with each run of ≥2 run-on indicator lines replaced by a table."""
    out: list[Block] = []
    table_no = max((b.prov.table or 0 for b in blocks if b.kind == "table"), default=0) + 100
    pending: list[tuple[Block, list[str]]] = []

    def flush() -> None:
        if len(pending) >= 2:
            first = pending[0][0]
            if not HEADER_LINE.match(to_halfwidth(first.text.strip())):
                pending.insert(0, (first, list(DEFAULT_HEADER)))
            nonlocal table_no
            table_no += 1  # numbered apart from the file's own tables, so cell references stay unique
            rows = [[Cell(text=t, prov=Provenance(file=b.prov.file, line=b.prov.line, line_end=b.prov.line,
                                                  table=table_no, row=r, col=c))
                     for c, t in enumerate(cells)] for r, (b, cells) in enumerate(pending)]
            out.append(Block(kind="table", prov=Provenance(file=first.prov.file, line=first.prov.line,
                                                           line_end=pending[-1][0].prov.line, table=table_no), rows=rows))
        else:
            out.extend(b for b, _ in pending)
        pending.clear()

    for block in blocks:
        cells = _line_to_cells(block.text) if block.kind == "paragraph" and "指标" in block.text else None
        if cells:
            pending.append((block, cells))
            continue
        flush()
        out.append(block)
    flush()
    return out
