"""A government web page to blocks: the article, not the site around it.

The page is decoded by what it declares (BOM, <meta charset>, http-equiv
Content-Type), else by extract.decode. Scripts, styles, forms' widgets and
the page furniture (nav, header, footer, aside, and elements whose id or
class says nav, menu, footer, header, breadcrumb, share or sidebar) are
dropped. If some element's id or class says content, article, zoom,
TRS_Editor or main (the article containers of the common CMSs), the largest
such is the article; else the whole body is.

Inside it, h1-h6 are headings, and so is a p/div whose text is a numbered
heading (extract.headings) or names a report or form (level 0); other text
becomes one paragraph per block element, <br> splitting lines. Tables are
read as their grid (extract.grid), rowspan and colspan spanned as for DOCX:
text once in the top-left slot, empty cells elsewhere. A nested table is
flattened into its cell's text; a one-column table is layout and is read as
flow. The article's title often stands outside the article container (an h1
above it): when the article has no title of its own, that one is put first.

Provenance: `line` is the source line of the element a block or row starts
at; table cells have table (1-based), row and col.

Guards, each with its own reason: a page over JIXIAO_MAX_HTML_MB (10) is
refused before it is parsed (time and memory grow with the page, about
2 s and 50 MB per MB); a page nested deeper than the parser builds
(MAX_DEPTH) is refused, since what lies deeper would be lost unseen.
"""
from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml import html as lxml_html

from extract import limits
from extract.decode import decode_bytes
from extract.errors import InputError
from extract.grid import TITLE_MAX_CHARS, classify_text, grid_to_blocks, spans_to_grid
from extract.headings import heading_level, looks_like_title
from extract.ir import Block, ExtractedFile, Provenance

DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "select",
             "button", "input", "textarea", "option", "nav", "header", "footer", "aside", "head", "map", "audio",
             "video"}
BOILERPLATE = ("nav", "menu", "footer", "header", "breadcrumb", "share", "sidebar")
ARTICLE = ("content", "article", "zoom", "trs_editor", "main")
TABLE_PARTS = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"}
HEADINGS = {f"h{i}": i for i in range(1, 7)}
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
              "center", "form", "fieldset", "address", "figure", "figcaption", "hr", "body", "html", "caption",
              "details", "summary"} | set(HEADINGS) | TABLE_PARTS
META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
SPACES = re.compile(r"[ \t\r\n\f\v\u200b]+")
BR = "\u2028"  # a <br> inside collected text
GB_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "cp936", "ms936", "euc-cn"}
TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--|——|\s-\s)\s*")
# libxml2 (without XML_PARSE_HUGE) builds elements this deep and silently
# drops everything nested deeper; real pages are a few dozen levels deep.
MAX_DEPTH = 256


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "html") -> ExtractedFile:
    """The registry's entry point (extract.FORMATS)."""
    cap = limits.LIMITS.max_html_bytes
    if len(data) > cap:
        raise InputError(f"web page too large ({len(data)} bytes; the limit is "
                         f"{limits.show_bytes(cap)}, JIXIAO_MAX_HTML_MB)")
    text, encoding = decode_html(data)
    text = XML_DECL.sub("", text)
    if not text.strip():
        raise InputError("empty web page")
    if not re.search(r"<\s*[A-Za-z!]", text[:65536]):
        raise InputError("not a web page: no markup in the file")
    parser = lxml_html.HTMLParser()
    try:
        doc = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"unreadable web page: {' '.join(str(exc).split())[:200]}") from exc
    _refuse_what_the_parser_cut(parser)
    titles = _title_candidates(doc)
    _drop_furniture(doc)
    root = _article_root(doc)
    _drop_boilerplate(root)
    reader = _Reader(name)
    reader.walk(root)
    reader.flush()
    blocks = reader.blocks
    body = doc.find("body")
    if not blocks and body is not None and root is not body:
        reader = _Reader(name)
        reader.walk(body)
        reader.flush()
        blocks = reader.blocks
    if not blocks:
        raise InputError("the web page has no text")
    blocks = _with_title(blocks, titles, name)
    return ExtractedFile(path=path, name=name, sha256=sha256, format=fmt, blocks=blocks, encoding=encoding)


def _refuse_what_the_parser_cut(parser) -> None:
    """libxml2 does not fail on a limit: it logs it and drops the rest."""
    for entry in parser.error_log:
        if entry.type != etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            continue
        if "depth" in entry.message.lower():
            raise InputError(f"the web page is nested deeper than {MAX_DEPTH} levels "
                             "(the HTML parser's limit): it cannot be read whole")
        raise InputError("the web page is beyond the HTML parser's limits: "
                         f"{' '.join(entry.message.split())[:200]}")


# --- decoding ----------------------------------------------------------------------------------------

def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in GB_ALIASES or label == "gb18030":
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM, else the declared charset, else extract.decode's guess."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    m = META_CHARSET.search(data[:8192])
    if m:
        enc = _codec(m.group(1).decode("ascii", "replace"))
        if enc and not enc.startswith("utf-16"):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass  # the page lies about its charset: guess
    return decode_bytes(data)


# --- cleaning -----------------------------------------------------------------------------------------

def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _marks(el) -> str:
    return f"{el.get('id', '')} {el.get('class', '')}".lower()


def _remove(el) -> None:
    """Remove an element, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _text_len(el) -> int:
    return len(SPACES.sub("", el.text_content() or ""))


def _clean_text(s: str) -> str:
    return SPACES.sub(" ", s.replace("\xa0", " ")).strip(" \u3000")


def _title_candidates(doc) -> list[tuple[str, int | None]]:
    """Texts that may be the article's title: h1/h2 and *title* elements, then <title>."""
    out = []
    for el in doc.iter():
        tag = _tag(el)
        if tag in ("h1", "h2") or (tag not in ("title", "head", "html", "body") and "title" in _marks(el)
                                   and len(el) <= 3):
            text = _clean_text(el.text_content() or "")
            if 4 <= len(text) <= TITLE_MAX_CHARS:
                out.append((text, el.sourceline))
    head_title = doc.find(".//title")
    if head_title is not None and head_title.text:
        first = TITLE_SPLIT.split(_clean_text(head_title.text))[0]
        if first:
            out.append((first, None))
    return out


def _drop_furniture(doc) -> None:
    for el in list(doc.iter()):
        if not isinstance(el.tag, str):
            if isinstance(el, (etree._Comment, etree._ProcessingInstruction)):
                _remove(el)
            continue
        if _tag(el) in DROP_TAGS and el.getparent() is not None:
            _remove(el)


def _in_table(el) -> bool:
    return any(_tag(a) in TABLE_PARTS for a in el.iterancestors())


def _article_root(doc):
    body = doc.find("body")
    if body is None:
        body = doc
    best, best_len = None, 0
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        marks = _marks(el)
        if not marks.strip() or not any(a in marks for a in ARTICLE) or any(b in marks for b in BOILERPLATE):
            continue
        n = _text_len(el)
        if n > best_len:
            best, best_len = el, n
    return best if best is not None and best_len > 0 else body


def _drop_boilerplate(root) -> None:
    total = max(1, _text_len(root))
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marks = _marks(el)
        if not marks.strip() or not any(b in marks for b in BOILERPLATE):
            continue
        if _tag(el) in TABLE_PARTS or _in_table(el) or el.find(".//table") is not None:
            continue  # never break a table's grid
        if _text_len(el) > total * 0.5:
            continue  # a wrapper named after its sidebar, not the sidebar
        if any(a is root for a in el.iterancestors()):
            _remove(el)


# --- reading -----------------------------------------------------------------------------------------

def _span(value: str | None) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 1


def _own_rows(table) -> list:
    return [tr for tr in table.iter("tr") if next((a for a in tr.iterancestors("table")), None) is table]


def _own_cells(tr) -> list:
    return [c for c in tr if _tag(c) in ("td", "th")]


class _Lines:
    """Collects text into lines: block elements and <br> end a line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf.clear()
        for part in text.split(BR):
            s = _clean_text(part)
            if s:
                self.lines.append(s)

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag == "br":
            self.buf.append(BR)
            return
        if tag == "table":
            self.flush()
            for tr in _own_rows(el):
                cells = [" ".join(cell_text(td).split("\n")) for td in _own_cells(tr)]
                if any(cells):
                    self.lines.append("\t".join(cells))
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        if el.text and tag:
            self.buf.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.flush()


def cell_text(td) -> str:
    """A cell's text, its lines joined by newlines; a nested table flattened (rows on lines, tab between cells)."""
    lines = _Lines()
    if td.text:
        lines.buf.append(td.text)
    for child in td:
        if isinstance(child.tag, str):
            lines.walk(child)
        if child.tail:
            lines.buf.append(child.tail)
    lines.flush()
    return "\n".join(lines.lines)


class _Reader:
    def __init__(self, file_name: str):
        self.file = file_name
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.table_no = 0

    def add(self, text: str | None, line: int | None) -> None:
        if not text:
            return
        if self.buf_line is None and text.strip():
            self.buf_line = line
        self.buf.append(text)

    def flush(self, heading: int | None = None) -> None:
        text, line = "".join(self.buf), self.buf_line
        self.buf.clear()
        self.buf_line = None
        for part in text.split(BR):
            s = _clean_text(part)
            if not s:
                continue
            prov = Provenance(file=self.file, line=line, line_end=line)
            block = classify_text(s, prov)
            if heading is not None and block.kind == "paragraph" and len(s) <= TITLE_MAX_CHARS:
                block = Block(kind="heading", prov=prov, text=s, level=heading)
            self.blocks.append(block)

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag == "br":
            self.add(BR, el.sourceline)
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag in HEADINGS:
            self.flush()
            self.add(el.text_content(), el.sourceline)
            self.flush(heading=HEADINGS[tag])
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        self.add(el.text, el.sourceline)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child)
            self.add(child.tail, child.sourceline)
        if block:
            self.flush()

    def table(self, table) -> None:
        self.table_no += 1
        t = self.table_no
        caption = table.find("caption")
        if caption is not None:
            self.add(caption.text_content(), caption.sourceline)
            self.flush()
        trs = _own_rows(table)
        rows = [[(cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan"))) for td in _own_cells(tr)]
                for tr in trs]
        grid = spans_to_grid(rows)
        width = len(grid[0]) if grid else 0
        if width <= 1:
            # a layout box: read its cells as flow
            for tr in trs:
                for td in _own_cells(tr):
                    self.walk(td)
                    self.flush()
            return
        lines = [tr.sourceline for tr in trs]
        self.blocks.extend(grid_to_blocks(grid, self.file, t, row_lines=lines))


def _with_title(blocks: list[Block], titles: list[tuple[str, int | None]], file_name: str) -> list[Block]:
    """Put the page's title first when the article does not start with a title of its own."""
    head = []
    for b in blocks[:8]:
        if b.kind == "table":
            break
        head.append(b)
    if any((b.kind == "heading" and b.level == 0) or looks_like_title(b.text) for b in head):
        return blocks
    body_text = re.sub(r"\s", "", "\n".join(b.text for b in blocks[:20] if b.kind != "table"))
    for text, line in titles:
        if looks_like_title(text) and heading_level(text) is None:
            if re.sub(r"\s", "", text) in body_text:
                return blocks
            prov = Provenance(file=file_name, line=line, line_end=line)
            return [Block(kind="heading", prov=prov, text=text, level=0)] + blocks
    return blocks
