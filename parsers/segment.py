"""A file's blocks to its documents: where one report ends and the next begins.

A new document starts at a line that names a report or form (a title) once
the current document has content of its own. A title announced as an
attachment (`附件：…` before, or a lone `附件` line just above) continues the
document that announced it: a notice and its attached table are one 公文.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.headings import looks_like_title
from extract.ir import Block

ATTACHMENT = re.compile(r"^附\s*件\s*\d*\s*[：:]?\s*(.*)$")
ORG_ONLY_LINE = re.compile(r"^[\u4e00-\u9fa5（）()]{4,30}(局|委员会|委|办公室|中心|院|所|厅|办|署|站|馆|会|政府)$")


@dataclass
class DocSpan:
    blocks: list[Block] = field(default_factory=list)
    title_lines: list[Block] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # titles announced as 附件

    @property
    def title(self) -> str | None:
        if not self.title_lines:
            return None
        return "".join(b.text.strip() for b in self.title_lines)

    def has_content(self) -> bool:
        for b in self.blocks:
            if b.kind == "table":
                return True
            if b in self.title_lines:
                continue
            if len(b.text) > 40 or b.kind == "heading" and (b.level or 0) >= 1:
                return True
        return False


def _is_title_block(block: Block) -> bool:
    if block.kind == "table":
        return False
    return block.kind == "heading" and block.level == 0 or looks_like_title(block.text)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def blocks_to_spans(blocks: list[Block]) -> list[DocSpan]:
    spans: list[DocSpan] = [DocSpan()]
    previous_text = ""
    for block in blocks:
        span = spans[-1]
        if _is_title_block(block):
            announced = any(_key(block.text) in a or a in _key(block.text) for a in span.attachments if a)
            after_attachment_line = bool(ATTACHMENT.match(previous_text)) and not ATTACHMENT.match(previous_text).group(1)
            repeated = span.title is not None and _key(block.text) in _key(span.title)
            if repeated:
                span.blocks.append(block)  # a running title repeated on each page: same document
                previous_text = block.text.strip()
                continue
            if span.has_content() and not (announced or after_attachment_line):
                span = DocSpan()
                spans.append(span)
            if not span.has_content() or not span.title_lines:
                _add_title_line(span, block)
            elif announced or after_attachment_line:
                # the attached form's own title names the document better than the notice
                span.title_lines = [block]
        else:
            m = ATTACHMENT.match(block.text) if block.kind != "table" else None
            if m and m.group(1):
                span.attachments.append(_key(m.group(1)))
        span.blocks.append(block)
        previous_text = block.text.strip() if block.kind != "table" else ""
    return [s for s in spans if s.blocks]


# The first line of a title printed over two: `关于上报…项目` / `岳阳市2018年度部门整体支出`.
TITLE_HEAD = re.compile(r"^(?:关于|[\u4e00-\u9fa5（）()]{2,20}20\d{2}\s*年度?)[^。，,：:；;！？]{2,40}$")


def _title_head(text: str) -> bool:
    return bool(ORG_ONLY_LINE.match(text) or TITLE_HEAD.match(text) and not looks_like_title(text))


def _add_title_line(span: DocSpan, block: Block) -> None:
    """Titles wrap: an organisation line just above the title belongs to it."""
    if not span.title_lines:
        before = [b for b in span.blocks if b.kind != "table"]
        if before and before[-1] is span.blocks[-1] and _title_head(before[-1].text.strip()):
            span.title_lines.append(before[-1])
    elif span.title_lines[-1] is not span.blocks[-1]:
        return  # a second title-like line further down is not part of the title
    span.title_lines.append(block)


# --- the document's own title --------------------------------------------------------------------

FORM_TITLE_WORDS = (r"(?:绩效自评表|自评表|绩效目标表|目标表|申报表|批复表|评价表|考评细则|考核细则|评分细则|任务分解表"
                    r"|自评报告|评价报告)")
YEAR_PAREN = r"(?:\s*[(（]\s*20\d{2}\s*年度?\s*[)）])?"
# A form's title inside a run-on line: `附件: 项目支出绩效自评表 (2022年度) 项目名称 …`.
EMBEDDED_TITLE = re.compile(rf"(?:^|(?<=[\s:：、]))(?P<t>[^\s:：、|，。,;；]{{0,40}}?{FORM_TITLE_WORDS}{YEAR_PAREN})")
TITLE_CUT = re.compile(r"\s*[|\t].*$", re.S)


def clean_title(title: str | None) -> str | None:
    """A title as printed, without the cells pasted after it (`… 自评表 | 部门:… |`)."""
    if not title:
        return None
    t = TITLE_CUT.sub("", title.strip()).strip()
    return t or None


def _head_texts(span: DocSpan, n: int = 4) -> list[str]:
    out = []
    for b in span.blocks[:n]:
        if b.kind == "table":
            out += [c.text for row in b.rows[:2] for c in row[:2] if c.text.strip()]
        elif b.text.strip():
            out.append(b.text)
    return out


def span_title(span: DocSpan, hints=None, first: bool = True) -> str | None:
    """The document's own title: its title line; else a form title inside its run-on head
    (the file's own name where the text prints it); else, for the file's first document,
    the web page's title or the file name when they name a report or form."""
    title = clean_title(span.title)
    if title:
        return title
    file_titles = list(getattr(hints, "file_titles", []) or []) if hints is not None else []
    page_titles = list(getattr(hints, "article_titles", []) or []) + file_titles if first else []
    heads = _head_texts(span)
    if heads and any(_key(heads[0]) == _key(t) for t in page_titles):
        return clean_title(heads[0])  # the first line is the title the page gives the file
    for text in heads:
        head = text[:800]
        for name in file_titles:
            found = re.search(r"\s*".join(map(re.escape, name)) + YEAR_PAREN, head)
            if found and re.search(FORM_TITLE_WORDS + "|报告|目标|细则", name):
                return re.sub(r"\s+", "", found.group(0))  # the file's name, as the text prints it
        m = EMBEDDED_TITLE.search(head)
        if m:
            return re.sub(r"\s+", "", m.group("t"))
    for name in page_titles:
        if looks_like_title(name) or re.search(FORM_TITLE_WORDS + "|报告|细则|说明", name):
            return clean_title(name)
    return None
