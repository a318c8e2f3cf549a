"""Page chrome out of a file's blocks, before the file is cut into documents.

Text copied from a government portal or a document-sharing site carries the
page around the document: site banners and navigation (欢迎来到…网站, 当前位置:
首页 > …, 分享到, 字号, 打印本页), article posting lines (发布时间 / 来源 / 作者),
portal metadata headers (索引号, 发布机构, 公开目录, 成文日期 …, as `- label`
lists, `label | value |` rows or `索 引 号 x 主题分类 y` lines), sharing-site
preambles (…由会员分享, 资源ID, 下载积分, 友情提示, 全文预览已结束, `X.doc_第1页`
page images, a file name repeated) and editor lines (编辑: name | date).

A line is chrome only when this vocabulary says so; what chrome says is kept
as `ChromeHints` for the document: who published it (发布机构 / 来源 may
name the organisation), the file name and the web article title (title
candidates), the 成文日期 of the published document. A posting date is kept
apart and never used as a year or a report date.

Sharing-site previews also cut the text into pages marked `1、` `2、` `3、`
at line starts; those markers are removed where each page resumes mid-text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from extract.headings import numbering
from extract.ir import Block, Cell

# --- vocabulary ----------------------------------------------------------------------------------


def _spaced(word: str) -> str:
    """`索引号` also printed `索  引  号`."""
    return r"[ \t\u3000]*".join(re.escape(ch) for ch in word)


# Labels of portal metadata and article lines: chrome at a line's start anywhere.
STRONG_LABELS = (
    "索引号", "发布机构", "发文机构", "制发机构", "公开目录", "主题分类", "发文字号", "成文日期", "发布日期",
    "发布时间", "浏览量", "浏览次数", "浏览数", "阅读次数", "点击数", "点击量",
    "文章来源", "信息来源", "更新时间", "分享到", "打印本页", "保护视力色", "字体大小", "字号", "收藏本页",
    "当前位置", "您现在的位置", "您当前的位置", "您的位置", "所在位置", "公开方式", "公开范围", "公开时限",
    "所属机构", "生成日期", "资源ID", "资源大小", "资源格式", "下载积分", "文档简介", "资源描述",
    "全文预览已结束", "下载本文档", "版权说明", "友情提示", "关闭窗口", "智能问答",
)
# Labels that are chrome only beside other chrome (alone they may start a real line).
WEAK_LABELS = ("来源", "日期", "作者", "标题", "文号", "编辑", "阅读", "字体", "收藏", "打印", "时间", "有效性", "时效性",
               "有效期限", "主办单位", "承办单位", "协办单位", "维护单位", "技术支持", "联系我们")
# A site's footer: its registration numbers and rights, anywhere in a short line.
FOOTER = re.compile(r"ICP\s*备|公网安备|网站标识码|网站地图|版权所有|Copyright|©")
_FOOTER_HINTS = ("ICP", "备", "标识码", "网站地图", "版权所有", "Copyright", "©")
# Sharing-site file facts, chrome only in a file that shows sharing-site chrome.
SHARE_LABELS = ("ID", "大小", "页数", "格式", "类型", "上传者", "上传时间", "下载次数", "贡献者", "时间")
PUBLISHER_LABELS = ("发布机构", "发文机构", "制发机构", "文章来源", "信息来源", "所属机构", "来源")
POSTING_LABELS = ("发布时间", "发布日期", "更新时间", "日期", "时间")

_ALL_LABELS = sorted(set(STRONG_LABELS + WEAK_LABELS), key=len, reverse=True)
LABEL_RE = re.compile("|".join(_spaced(w) for w in _ALL_LABELS))
_LEAD = r"^[\s\-–—•·*【\[〔(（]*"
STRONG_START = re.compile(_LEAD + "(?:" + "|".join(_spaced(w) for w in sorted(STRONG_LABELS, key=len, reverse=True)) + ")")
WEAK_START = re.compile(_LEAD + "(?:" + "|".join(_spaced(w) for w in WEAK_LABELS) + r")(?![\u4e00-\u9fa5]{2})")
SHARE_START = re.compile(_LEAD + "(?:" + "|".join(SHARE_LABELS) + r")\s*[:：]")

DATE_TIME = re.compile(r"(?<!\d)(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)")
EXT = r"(?:pdf|PDF|docx?|DOCX?|wps|WPS|xlsx?|XLSX?|pptx?|txt)"
FILE_NAME = re.compile(rf"^《?(?P<name>[^《》\s][^《》]{{2,80}}?)\.{EXT}》?$")
FILE_PAGE = re.compile(rf"^(?P<name>[^\s][^《》]{{1,80}}?)(?:\.{EXT})?_第\s*\d+\s*页$")
SHARE_PREAMBLE = re.compile(r"由会员(?:上传)?分享|(?:可|免费)在线阅读|珍藏版\)?》?请在|更多相关(?:内容|《)")
SHARE_QUOTED_FILE = re.compile(rf"《(?P<name>[^《》]{{2,80}}?)\.{EXT}(?:\(\d+页珍藏版\))?》")
SHARE_MISC = re.compile(
    r"^(?:当前文档共\s*\d+\s*页|下载后继续阅读|全文预览已结束|下载本文档|文档简介|资源描述|友情提示|版权说明)"
    r"|下载后继续阅读$|(?<![\d.])[\d.]+\s*[KkMm][Bb]\s*下载文档|^\S{0,20}\s*\d+\s*页\s*[\d.]+\s*[KkMm][Bb]"
)
# Words without which no sharing-site sign (SHARE_PREAMBLE, SHARE_MISC) matches: a test in C before the patterns
_SHARE_HINTS = ("分享", "阅读", "请在", "更多相关", "页", "简介", "描述", "提示", "版权", "资源ID", "下载", "预览")
TIP_WORDS = re.compile(r"下载|浏览器|本站|水印|预览文档|试题试卷|请知晓|迅雷|金币|积分")
TIP_LINE = re.compile(r"^\d{1,2}\s*[、.．]")
SITE_BANNER = re.compile(r"^欢迎(?:来到|访问|光临|进入)(?P<owner>[\u4e00-\u9fa5（）()]{2,30}?)(?:门户)?(?:网站|官网|政务网|网)\s*[!！。]?$")
DOMAIN_BANNER = re.compile(r"[A-Za-z0-9-]+\.(?:com|cn|net|org)\b")
LANGUAGES = re.compile(r"^(?:中文版|简体中文|繁體|繁体|English|蒙文版|蒙古文|藏文版|维文版|无障碍|长者模式)(?:\s*[|｜/]\s*(?:中文版|简体中文|繁體|繁体|English|蒙文版|蒙古文|藏文版|维文版|无障碍|长者模式))+\s*$")
BREADCRUMB = re.compile(r"^(?:当前位置|您现在的位置|您当前的位置|您的位置|所在位置)\s*[:：]?|首页\s*[>›»]|[\u4e00-\u9fa5]{2,8}\s*›")
BREADCRUMB_SPLIT = re.compile(r"\s*[>›»]\s*")
EDITOR = re.compile(r"^编辑\s*[:：]\s*\S{1,24}\s*\|?\s*20\d{2}-\d{1,2}-\d{1,2}\s*\|?\s*$")
WIDGET = re.compile(r"^(?:智能问答(?:\s*关闭)?|你还可以输入\s*\d+\s*字?|【?\s*(?:打印本页|关闭窗口|返回顶部|打印|关闭|收藏)\s*】?|字体\s*[:：]?\s*[大中小\s]*|字号\s*[:：]?\s*[大中小\s]*)$")
ONLY_PUNCT = re.compile(r"^[\s\-–—_=~·•*]+$")
ORG_END = re.compile(r"(?:局|委员会|委|办公室|办|中心|院|所|厅|署|站|馆|会|政府|政协|部|队|校|学|处)$")

# A report or form named in a line: the document's own title is below the article title.
DOC_TITLE_WORDS = re.compile(r"报告|自评表|目标表|申报表|批复表|评价表|细则|分解表|决算|情况说明|自评")


@dataclass
class ChromeHints:
    """What the page around the document says about it."""

    publishers: list[str] = field(default_factory=list)  # 发布机构 / 来源 / 文章来源 …, as printed
    site_owner: str | None = None  # 欢迎来到 X 网站
    authors: list[str] = field(default_factory=list)  # 作者: 县政协办
    file_titles: list[str] = field(default_factory=list)  # file names without their extension
    article_titles: list[str] = field(default_factory=list)  # the web page's own title
    written_date: str | None = None  # 成文日期 of the published document (YYYY-MM-DD)
    posting_dates: list[str] = field(default_factory=list)  # never a fiscal year nor a report date
    removed: int = 0  # chrome blocks and rows dropped

    def publisher_orgs(self) -> list[str]:
        """Publishers that name an organisation (a 财务科 or a person is none)."""
        out = [p for p in self.publishers if ORG_END.search(p)]
        if self.site_owner and ORG_END.search(self.site_owner):
            out.append(self.site_owner)
        return out


# --- one line ------------------------------------------------------------------------------------


def _iso(m: re.Match) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _label_values(text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a metadata line: each value runs to the next label."""
    found = list(LABEL_RE.finditer(text))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        label = re.sub(r"\s+", "", m.group(0))
        value = text[m.end():end]
        value = re.sub(r"^[\s:：|｜【】\[\]]+|[\s:：|｜【】\[\]]+$", "", value).strip()
        out.append((label, value))
    return out


def _note(hints: ChromeHints, text: str) -> None:
    """Keep what a chrome line says."""
    for label, value in _label_values(text):
        if not value:
            continue
        dates = [d for d in (_iso(m) for m in DATE_TIME.finditer(value)) if d]
        bare = DATE_TIME.sub("", value).strip(" :：|")
        if label == "成文日期" and dates:
            hints.written_date = hints.written_date or dates[0]
        elif label in POSTING_LABELS or label in ("发布日期",):
            hints.posting_dates += dates
        elif label in PUBLISHER_LABELS and bare:
            name = re.split(r"[\s|｜]+", bare)[0]
            if name and name not in hints.publishers:
                hints.publishers.append(name)
        elif label == "作者" and bare:
            hints.authors.append(re.split(r"[\s|｜]+", bare)[0])
        elif label == "标题":
            hints.article_titles.append(value)
        if label in PUBLISHER_LABELS and dates:
            hints.posting_dates += dates


def _file_title(text: str) -> str | None:
    """`X.pdf`, `X.pdfX.pdf…`, `X.doc_第3页`, `X_第3页`: the file name X (white space dropped)."""
    name = _file_title_as_printed(text)
    return re.sub(r"\s+", "", name) if name else None


_FILE_AND_EXT = re.compile(rf"^(?P<name>[^\s《》][^《》]{{2,80}}?)\.{EXT}")


def _file_title_as_printed(text: str) -> str | None:
    s = text.strip()
    if "_第" not in s and "." not in s:  # every pattern below needs one: most lines have neither
        return None
    m = FILE_PAGE.match(s)
    if m:
        return m.group("name").strip()
    m = _FILE_AND_EXT.match(s)
    if m:
        name = m.group("name")
        unit = m.group(0)
        if s == unit or s.replace(unit, "") == "":
            return name.strip()
    m = FILE_NAME.match(s)
    return m.group("name").strip() if m else None


def _is_chrome(text: str, hints: ChromeHints, in_zone: bool, share_site: bool) -> bool:
    """Is this whole line page chrome? Notes its hints when it is."""
    s = text.strip()
    if not s:
        return False
    name = _file_title(s)
    if name:
        if name not in hints.file_titles:
            hints.file_titles.append(name)
        return True
    if len(s) < 200 and SHARE_PREAMBLE.search(s):
        for m in SHARE_QUOTED_FILE.finditer(s):
            name = re.sub(r"\s+", "", m.group("name"))
            if name not in hints.file_titles:
                hints.file_titles.append(name)
        return True
    if len(s) <= 160 and any(w in s for w in _FOOTER_HINTS) and FOOTER.search(s):
        return True
    m = SITE_BANNER.match(s)
    if m:
        hints.site_owner = hints.site_owner or m.group("owner")
        return True
    if len(s) <= 80 and (LANGUAGES.match(s) or WIDGET.match(s) or EDITOR.match(s)
                         or any(w in s for w in _SHARE_HINTS) and SHARE_MISC.search(s)):
        return True
    if len(s) <= 60 and "." in s and DOMAIN_BANNER.search(s) and re.search(r"文库|文档|网|资料", s):
        return True
    if len(s) <= 120 and ("位置" in s or "首页" in s or "›" in s) and BREADCRUMB.search(s):
        parts = [p for p in BREADCRUMB_SPLIT.split(re.sub(r"^.*?[:：]", "", s)) if p]
        if len(parts) >= 2 and DOC_TITLE_WORDS.search(parts[-1]):
            hints.article_titles.append(parts[-1].strip())
        return True
    if len(s) <= 160 and STRONG_START.match(s):
        _note(hints, s)
        return True
    if len(s) <= 120 and WEAK_START.match(s):
        others = len(LABEL_RE.findall(s)) >= 2 or DATE_TIME.search(s)
        if others or in_zone:
            _note(hints, s)
            return True
    if share_site and len(s) <= 60 and SHARE_START.match(s):
        return True
    if in_zone and len(s) <= 3 and ONLY_PUNCT.match(s):
        return True
    return False


# --- the file ------------------------------------------------------------------------------------


def _text(block: Block) -> str:
    if block.kind != "table":
        return block.text
    return "\n".join(" | ".join(c.text.strip() for c in row) for row in block.rows)


_SHARING_SITE = re.compile(r"资源ID|下载积分|_第\s*\d+\s*页")


def _shows_sharing_site(blocks: list[Block]) -> bool:
    for b in blocks[:80]:
        t = _text(b)
        if not any(w in t for w in _SHARE_HINTS):
            continue
        if SHARE_PREAMBLE.search(t) or SHARE_MISC.search(t.strip()) or _SHARING_SITE.search(t):
            return True
    return False


def strip_chrome(blocks: list[Block]) -> tuple[list[Block], ChromeHints]:
    """The blocks without page chrome, and what the chrome said."""
    hints = ChromeHints()
    share_site = _shows_sharing_site(blocks)
    chrome = [False] * len(blocks)
    kept_blocks: dict[int, Block] = {}
    pending_label = False  # a `- 发文机构` list line whose value is the next `- …` line
    tips = False
    for i, block in enumerate(blocks):
        in_zone = i > 0 and chrome[i - 1]
        if block.kind == "table":
            new_rows, dropped, changed = [], 0, False
            for row in block.rows:
                # a chrome line the table reader ran into a cell (`【字体:大 中 小】` over the
                # form's title, one cell): that line goes, the rest of the cell is content
                row, lead_changed = _strip_lead_chrome(row, hints, in_zone, share_site)
                changed = changed or lead_changed
                row_text = " | ".join(c.text.strip() for c in row if c.text.strip())
                if row_text and (_is_chrome(row_text, hints, in_zone, share_site)
                                 or tips and TIP_LINE.match(row_text) and TIP_WORDS.search(row_text)):
                    dropped += 1
                    continue
                stripped = _strip_file_lines(row, hints)
                changed = changed or any(a.text != b.text for a, b in zip(stripped, row))
                new_rows.append(stripped)
            if dropped and not any(c.text.strip() for r in new_rows for c in r):
                chrome[i] = True
                continue
            hints.removed += dropped
            kept_blocks[i] = replace(block, rows=new_rows) if dropped or changed else block
            tips = False
            continue
        s = block.text.strip()
        if pending_label and s.startswith("-") and not STRONG_START.match(s) and not WEAK_START.match(s):
            _note_value(hints, pending_label, s)
            chrome[i] = True
            pending_label = False
            continue
        pending_label = False
        if tips and TIP_LINE.match(s) and TIP_WORDS.search(s):
            chrome[i] = True
            continue
        if _is_chrome(s, hints, in_zone, share_site):
            chrome[i] = True
            tips = s.startswith("友情提示") or tips
            label_only = re.fullmatch(_LEAD + r"([\u4e00-\u9fa5 ]{2,8})\s*[:：]?\s*", s)
            if s.startswith("-") and label_only:
                pending_label = re.sub(r"\s+", "", label_only.group(1))
            continue
        tips = False
        kept_blocks[i] = block
    _drop_article_titles(blocks, chrome, kept_blocks, hints)
    out = [kept_blocks[i] for i in range(len(blocks)) if i in kept_blocks and not chrome[i]]
    hints.removed += sum(chrome)
    return _strip_page_markers(out, share_site), hints


def _note_value(hints: ChromeHints, label: str, line: str) -> None:
    value = line.lstrip("-–—•· \t").strip()
    _note(hints, f"{label}:{value}")


def _strip_lead_chrome(row: list[Cell], hints: ChromeHints, in_zone: bool,
                       share_site: bool) -> tuple[list[Cell], bool]:
    """A cell whose first line is page chrome and whose other lines are not loses that line."""
    out, changed = [], False
    for cell in row:
        lines = cell.text.split("\n")
        if len(lines) > 1 and lines[0].strip() and "".join(lines[1:]).strip() \
                and _is_chrome(lines[0], hints, in_zone, share_site):
            cell = replace(cell, text="\n".join(lines[1:]))
            changed = True
        out.append(cell)
    return out, changed


def _strip_file_lines(row: list[Cell], hints: ChromeHints) -> list[Cell]:
    """A cell that opens with the file's name (`X.docx` on its own line) loses that line."""
    out = []
    for cell in row:
        lines = cell.text.split("\n")
        if len(lines) > 1 and _file_title(lines[0]):
            name = _file_title(lines[0])
            if name not in hints.file_titles:
                hints.file_titles.append(name)
            cell = replace(cell, text="\n".join(lines[1:]))
        out.append(cell)
    return out


def _drop_article_titles(blocks: list[Block], chrome: list[bool], kept: dict[int, Block], hints: ChromeHints) -> None:
    """The web page's title sits above its posting line; the document's own title comes below it.

    It is dropped (kept as a hint) only when a title of the document follows;
    else it is the only title there is and stays.
    """
    for i, block in enumerate(blocks):
        if chrome[i] or block.kind == "table" or i not in kept:
            continue
        s = block.text.strip()
        if not s or len(s) > 80 or s.endswith(("。", "；", ";", "，", ",")):
            continue
        before_ok = i == 0 or chrome[i - 1]
        after_chrome = i + 1 < len(blocks) and chrome[i + 1]
        named = any(_key(s) == _key(t) for t in hints.article_titles)
        if not (before_ok and (after_chrome or named)):
            continue
        later = [j for j in range(i + 1, min(len(blocks), i + 25)) if not chrome[j] and blocks[j].kind != "table"]
        if any(DOC_TITLE_WORDS.search(blocks[j].text) and len(blocks[j].text.strip()) <= 80
               and not numbering(blocks[j].text)
               and _key(blocks[j].text) != _key(s) for j in later[:12]) or any(
                _key(blocks[j].text) == _key(s) for j in later):
            chrome[i] = True
        if s not in hints.article_titles:
            hints.article_titles.append(s)  # kept in the text when no title of the document follows


def _key(text: str) -> str:
    return re.sub(r"[\s|｜]+", "", text)


# --- page-chunk markers of preview sites ---------------------------------------------------------

PAGE_MARKER = re.compile(r"^(\d{1,2})、")
MIN_PAGE_CHARS = 120  # a page before the last is long
MIN_LAST_PAGE_CHARS = 20  # the excerpt may end early in the last one
SENTENCE_DONE = ("。", "；", ";", "！", "？", "!", "?", "：", ":")


def _strip_page_markers(blocks: list[Block], share_site: bool = False) -> list[Block]:
    """`1、…` `2、…` `3、…` opening the lines of a preview are its pages, not numbering.

    A run counts when its numbers go 1, 2, 3 … (the first may already be gone),
    each page opens a new line of the file, the page before it is long, and at
    least one page resumes where the previous one broke off mid-text. Outside a
    sharing site's page every page must be one long line.
    """
    candidates = []  # (index, number)
    for i, b in enumerate(blocks):
        if b.kind == "table":
            continue
        m = PAGE_MARKER.match(b.text.strip())
        if not m or (i > 0 and blocks[i - 1].line_end == b.prov.line):
            continue
        candidates.append((i, int(m.group(1))))
    runs: list[list[tuple[int, int]]] = []
    for i, n in candidates:
        if runs and n == runs[-1][-1][1] + 1:
            runs[-1].append((i, n))
        elif n in (1, 2):
            runs.append([(i, n)])
    drop = set()
    for run in runs:
        pages = [i for i, _ in run]
        if run[0][1] == 1 and len(run) < 2:
            # a sharing site's first page, right after its preamble (the site cut the later markers)
            if share_site and pages[0] == 0 and len(blocks[0].text.strip()) >= MIN_LAST_PAGE_CHARS * 2:
                drop.add(pages[0])
            continue
        if run[0][1] == 2 and not share_site:
            continue
        ok = True
        mid_text = False
        for k, i in enumerate(pages):
            if k == 0 and run[0][1] == 1:
                continue
            start = pages[k - 1] if k > 0 else _line_start(blocks, i)
            before = blocks[start:i]
            if sum(len(_text(b)) for b in before) < MIN_PAGE_CHARS:
                ok = False
                break
            if not share_site and (len(before) != 1 or before[0].kind == "table"):
                ok = False
                break
            last = before[-1]
            if last.kind == "table" or not last.text.strip().endswith(SENTENCE_DONE):
                mid_text = True
        if ok and mid_text and len(blocks[pages[-1]].text.strip()) >= MIN_LAST_PAGE_CHARS:
            drop.update(pages)
    if not drop:
        return blocks
    out = []
    for i, b in enumerate(blocks):
        if i in drop:
            text = PAGE_MARKER.sub("", b.text.lstrip(), count=1)
            b = replace(b, text=text, kind="paragraph", level=None)
        out.append(b)
    return out


def _line_start(blocks: list[Block], i: int) -> int:
    """The first block of the text line (or run of lines) before block i: the page before a `2、`."""
    j = i - 1
    while j > 0 and blocks[j - 1].line_end is not None and blocks[j].prov.line is not None \
            and blocks[j - 1].line_end >= blocks[j].prov.line - 1 and not PAGE_MARKER.match(blocks[j].text.strip()):
        j -= 1
    return max(j, 0)
