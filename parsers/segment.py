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


def _add_title_line(span: DocSpan, block: Block) -> None:
    """Titles wrap: an organisation line just above the title belongs to it."""
    if not span.title_lines:
        before = [b for b in span.blocks if b.kind != "table"]
        if before and ORG_ONLY_LINE.match(before[-1].text.strip()) and before[-1] is span.blocks[-1]:
            span.title_lines.append(before[-1])
    elif span.title_lines[-1] is not span.blocks[-1]:
        return  # a second title-like line further down is not part of the title
    span.title_lines.append(block)
