"""A document as lines of text with provenance, for the pattern-based parsers.

Paragraphs stay as they are; a table row becomes its cells joined by tabs, a
cell's own line breaks folded into spaces, so `人员编制\t10` reads like prose
`人员编制10人` to the same patterns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract.ir import Block, Provenance


@dataclass(frozen=True)
class TextLine:
    text: str
    prov: Provenance
    in_table: bool = False


def cell_text(text: str) -> str:
    if "\n" not in text:  # most cells
        return text.strip()
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def blocks_to_lines(blocks: list[Block]) -> list[TextLine]:
    lines: list[TextLine] = []
    for block in blocks:
        if block.kind == "table":
            for row in block.rows:
                texts = [cell_text(c.text) for c in row]
                if any(texts):
                    lines.append(TextLine("\t".join(texts), row[0].prov, in_table=True))
        elif block.text.strip():
            text = block.text.strip()
            if lines and not lines[-1].in_table and _is_label(lines[-1].text) and _is_short_value(text):
                # label and value pasted on alternate lines: 人员编制 / 38
                lines[-1] = TextLine(f"{lines[-1].text}\t{text}", lines[-1].prov)
                continue
            lines.append(TextLine(text, block.prov))
    return lines


def _is_label(text: str) -> bool:
    return len(text) <= 16 and "\t" not in text and not re.search(r"[\d。，；：:,;]", text)


def _is_short_value(text: str) -> bool:
    return len(text) <= 12 and (bool(re.match(r"^[\d.%％]+\s*[\u4e00-\u9fa5]{0,2}$", text)) or len(text) <= 3)
