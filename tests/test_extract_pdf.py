"""extract/pdf.py on small PDFs drawn with reportlab, and the LibreOffice samples end to end."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("reportlab")
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from extract import read_file  # noqa: E402
from extract.errors import InputError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples" / "formats"
FONT = "STSong-Light"  # a standard CID font: no file to embed, Chinese text extracts
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
W, H = A4


def _table(c, x0: float, top: float, widths: list[float], row_h: float, cells) -> None:
    """Draw ruled cells: (row, col, rowspan, colspan, text); a region is one box."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    for row, col, rowspan, colspan, text in cells:
        left, right = xs[col], xs[col + colspan]
        y_top = top - row * row_h
        y_bottom = y_top - rowspan * row_h
        c.rect(left, y_bottom, right - left, y_top - y_bottom, stroke=1, fill=0)
        if text:
            c.setFont(FONT, 10)
            c.drawString(left + 3, y_top - 13, text)


def _page_furniture(c, number: int) -> None:
    c.setFont(FONT, 9)
    c.drawString(380, H - 40, "孟津区退役军人事务局绩效评价报告")  # the running head
    c.drawCentredString(W / 2, 30, f"— {number} —")


def _para(c, y: float, text: str, indent: float = 20) -> None:
    c.setFont(FONT, 12)
    c.drawString(72 + indent, y, text)


def _blocks(path: Path):
    return read_file(path).blocks


def test_ruled_table_with_merged_and_empty_cells(tmp_path):
    path = tmp_path / "merged.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _para(c, 760, "一、部门概况", indent=0)
    _table(c, 72, 740, [120, 100, 100], 20, [
        (0, 0, 1, 1, "一级指标"), (0, 1, 1, 1, "二级指标"), (0, 2, 1, 1, "指标值"),
        (1, 0, 2, 1, "产出指标"), (1, 1, 1, 1, "数量指标"), (1, 2, 1, 1, "100人"),
        (2, 1, 1, 1, "质量指标"), (2, 2, 1, 1, ""),  # an empty cell
        (3, 0, 1, 2, "满意度指标"), (3, 2, 1, 1, "95%"),  # a horizontal merge
    ])
    c.save()
    blocks = _blocks(path)
    assert [b.kind for b in blocks] == ["heading", "table"]
    table = blocks[1]
    assert [[cell.text for cell in row] for row in table.rows] == [
        ["一级指标", "二级指标", "指标值"],
        ["产出指标", "数量指标", "100人"],
        ["", "质量指标", ""],
        ["满意度指标", "", "95%"],
    ]
    cell = table.rows[3][2]
    assert (cell.prov.page, cell.prov.table, cell.prov.row, cell.prov.col, cell.prov.line) == (1, 1, 3, 2, None)
    assert cell.prov.as_dict()["cell"] == "T1R4C3"


def test_table_across_a_page_break_with_the_header_repeated(tmp_path):
    path = tmp_path / "across.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    header = [(0, 0, 1, 1, "序号"), (0, 1, 1, 1, "任务"), (0, 2, 1, 1, "责任人")]
    _page_furniture(c, 1)
    _para(c, 770, "为进一步加强作风和效能建设，现将任务分解如下。")
    rows = [(r, k, 1, 1, t) for r in range(1, 4) for k, t in enumerate((str(r), f"任务{r}", f"张{r}"))]
    _table(c, 72, 180, [60, 200, 100], 20, header + rows)  # ends at the page foot
    c.showPage()
    _page_furniture(c, 2)
    rows = [(r - 3, k, 1, 1, t) for r in range(4, 6) for k, t in enumerate((str(r), f"任务{r}", f"张{r}"))]
    _table(c, 72, 780, [60, 200, 100], 20, header + rows)
    _para(c, 700, "以上任务请各股室按时完成。")
    c.save()
    blocks = _blocks(path)
    tables = [b for b in blocks if b.kind == "table"]
    assert len(tables) == 1
    texts = [[cell.text for cell in row] for row in tables[0].rows]
    assert texts[0] == ["序号", "任务", "责任人"]
    assert [row[0] for row in texts] == ["序号", "1", "2", "3", "4", "5"]
    assert [row[0].prov.page for row in tables[0].rows] == [1, 1, 1, 1, 2, 2]
    assert blocks[-1].kind == "paragraph" and blocks[-1].prov.page == 2


def test_page_numbers_and_running_heads_are_dropped(tmp_path):
    path = tmp_path / "heads.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, 4):
        _page_furniture(c, n)
        _para(c, 760, f"第{n}页的正文：评价组通过数据采集、实地调研和问卷访谈等方式，")
        _para(c, 742, "进行客观公正的绩效评价。", indent=0)
        c.setFont(FONT, 9)
        c.drawCentredString(W / 2, 45, f"第 {n} 页")
        c.showPage()
    c.save()
    blocks = _blocks(path)
    texts = [b.text for b in blocks]
    assert len(texts) == 3, texts
    assert all(t.startswith("第") and "正文" in t for t in texts)
    assert not any("—" in t or "事务局" in t for t in texts)
    assert [b.prov.page for b in blocks] == [1, 2, 3]


def test_paragraph_lines_join_and_headings_split(tmp_path):
    path = tmp_path / "prose.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 16)
    c.drawCentredString(W / 2, 780, "2021年度部门整体绩效评价报告")
    _para(c, 740, "一、部门概述", indent=0)
    line = "孟津区退役军人事务局内设机构5个，行政编制12人，目前在编在岗9人，下属2个"
    _para(c, 715, line)
    _para(c, 697, "二级机构。", indent=0)
    c.save()
    blocks = _blocks(path)
    assert [(b.kind, b.level) for b in blocks] == [("heading", 0), ("heading", 1), ("paragraph", None)]
    assert blocks[2].text == line + "二级机构。"


def test_two_column_cover_reads_left_column_first(tmp_path):
    path = tmp_path / "cover.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for k, (left, right) in enumerate([("评价机构", "河南昭元"), ("主评人", "陈翠莹"), ("报告时间", "2022年12月"),
                                       ("委托单位", "孟津区财政局")]):
        c.setFont(FONT, 12)
        c.drawString(72, 700 - 24 * k, left)
        c.drawString(340, 700 - 24 * k, right)
    c.save()
    texts = [b.text for b in _blocks(path)]
    assert texts[:4] == ["评价机构", "主评人", "报告时间", "委托单位"]
    assert texts[4:] == ["河南昭元", "陈翠莹", "2022年12月", "孟津区财政局"]


def _simple_pdf(path: Path, **kwargs) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    _para(c, 760, "部门整体支出绩效自评报告")
    c.save()
    return path


def test_encrypted_pdf_is_an_input_error(tmp_path):
    path = _simple_pdf(tmp_path / "locked.pdf", encrypt="secret")
    with pytest.raises(InputError, match="encrypted"):
        read_file(path)


def test_truncated_pdf_is_an_input_error(tmp_path):
    data = _simple_pdf(tmp_path / "whole.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated"):
        read_file(cut)


def test_corrupt_pdf_is_an_input_error(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 200 + b"\n%%EOF\n")
    with pytest.raises(InputError):
        read_file(path)


def test_pdf_without_text_is_an_input_error(tmp_path):
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(72, 400, 300, 300, fill=1)  # a picture of a page, no text layer
    c.save()
    with pytest.raises(InputError, match="no text layer"):
        read_file(path)


def test_input_error_messages_are_one_line(tmp_path):
    path = _simple_pdf(tmp_path / "locked.pdf", encrypt="secret")
    with pytest.raises(InputError) as info:
        read_file(path)
    assert "\n" not in str(info.value)


# --- the LibreOffice samples, end to end ----------------------------------------------------

PDFS = sorted((SAMPLES / "pdf").glob("*.pdf"))


def _score(paths: list[Path], gold: Path, tmp: Path) -> float:
    from scoring import f1, ingest_and_export

    return f1(gold, ingest_and_export(paths, tmp / "db.sqlite"))[0]


@pytest.mark.skipif(not (SHARED / "score.py").exists() or not PDFS, reason="needs ../shared and samples/formats/pdf")
def test_sample_pdfs_score_as_well_as_the_text(tmp_path):
    (tmp_path / "pdf").mkdir()
    (tmp_path / "txt").mkdir()
    pdf_f1 = _score(PDFS, SAMPLES / "gold" / "pdf", tmp_path / "pdf")
    text_f1 = _score([SHARED / "seeds"], SHARED / "gold", tmp_path / "txt")
    assert pdf_f1 >= text_f1 - 0.02, (pdf_f1, text_f1)


# --- the pdfium page reader (extract/pdf_pdfium.py) against pdfplumber's own parse -----------

def _box(obj) -> tuple:
    return tuple(round(obj[k], 2) for k in ("x0", "x1", "top", "bottom"))


def test_pdfium_page_has_the_objects_pdfplumber_finds(tmp_path):
    import pdfplumber
    import pypdfium2 as pdfium

    from extract.pdf_pdfium import PdfiumPage

    path = tmp_path / "objects.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    c.drawString(72, 800, "Budget 2022: 1,234.50 (ok)")
    c.setFont(FONT, 10)
    c.drawString(72, 780, "部门整体支出 2021年 95%")  # half-width glyphs of a CJK font not embedded
    c.saveState()
    c.scale(1.5, 1.5)  # a scaled matrix: a bigger size and wider glyphs than Tf says
    c.drawString(50, 500, "放大 12.5")
    c.restoreState()
    text = c.beginText(72, 740)
    text.setFont("Helvetica", 10)
    text.setHorizScale(80)  # condensed (Tz)
    text.textOut("Condensed 34")
    c.drawText(text)
    c.line(72, 700, 300, 700)
    c.line(100, 650, 100, 720)
    c.rect(72, 500, 200, 100, stroke=1, fill=0)
    c.rect(72, 480, 200, 0.8, stroke=0, fill=1)  # a rule drawn as a filled box
    c.bezier(72, 400, 100, 450, 150, 350, 200, 400)
    c.circle(400, 400, 30)
    c.beginForm("form")  # a form XObject, placed scaled: its paths go through two matrices
    c.line(0, 0, 100, 0)
    c.rect(0, 0, 100, 50)
    c.endForm()
    c.saveState()
    c.translate(300, 100)
    c.scale(1.5, 1.5)
    c.doForm("form")
    c.restoreState()
    c.save()
    ours = PdfiumPage.read(pdfium.PdfDocument(str(path))[0])
    theirs = pdfplumber.open(path).pages[0]
    assert (ours.width, ours.height) == (round(float(theirs.width), 3), round(float(theirs.height), 3))
    for kind in ("line", "rect", "curve"):
        assert sorted(map(_box, ours.objects[kind])) == sorted(map(_box, theirs.objects[kind])), kind
    edges = [sorted((str(e["orientation"]),) + _box(e) for e in page.edges) for page in (ours, theirs)]
    assert edges[0] == edges[1]
    visible = [[ch for ch in page.chars if ch["text"].strip()] for page in (ours, theirs)]
    assert [ch["text"] for ch in visible[0]] == [ch["text"] for ch in visible[1]]
    for a, b in zip(*visible):
        assert abs(a["x0"] - b["x0"]) < 0.01 and abs(a["x1"] - b["x1"]) < 0.01, (a, b)
        assert abs(a["size"] - b["size"]) < 0.01, (a, b)
    # vertically a glyph's box is its size standing on the baseline (pdfminer lowers it by the
    # font's Descent, which pdfium does not give; LibreOffice writes 0 there)
    for ch in visible[0]:
        assert ch["upright"] and abs(ch["bottom"] - ch["top"] - ch["size"]) < 1e-6


def test_table_ruled_with_filled_boxes(tmp_path):
    path = tmp_path / "filled.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    xs, ys = [72, 192, 312], [740, 720, 700]
    for y in ys:
        c.rect(xs[0], y - 0.4, xs[-1] - xs[0], 0.8, stroke=0, fill=1)
    for x in xs:
        c.rect(x - 0.4, ys[-1], 0.8, ys[0] - ys[-1], stroke=0, fill=1)
    c.setFont(FONT, 10)
    for r, row in enumerate([("项目", "金额"), ("基本支出", "120.5")]):
        for k, text in enumerate(row):
            c.drawString(xs[k] + 3, ys[r] - 14, text)
    c.save()
    tables = [b for b in _blocks(path) if b.kind == "table"]
    assert [[cell.text for cell in row] for row in tables[0].rows] == [["项目", "金额"], ["基本支出", "120.5"]]


def test_rotated_page_is_read_by_pdfplumber(tmp_path):
    import pypdfium2 as pdfium

    from extract.pdf_pdfium import PdfiumPage

    path = tmp_path / "rotated.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _para(c, 760, "第一页的正文。")
    c.showPage()
    c.setPageRotation(90)
    _para(c, 760, "第二页横排的正文。")
    c.save()
    doc = pdfium.PdfDocument(str(path))
    assert PdfiumPage.read(doc[0]) is not None and PdfiumPage.read(doc[1]) is None
    blocks = _blocks(path)
    assert [(b.text, b.prov.page) for b in blocks] == [("第一页的正文。", 1), ("第二页横排的正文。", 2)]


CJK_TTF = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # has no Thai glyphs


def test_glyphs_without_unicode_do_not_shift_the_text(tmp_path):
    """A glyph the font cannot map to Unicode reads as nothing; the text after it keeps its place.

    (pdfium's FPDFText_GetText leaves such characters out of the string, which then no
    longer lines up with the character boxes: every later character took another's box.)
    """
    if not CJK_TTF.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("WQYTest", str(CJK_TTF), subfontIndex=0))
    path = tmp_path / "unmapped.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("WQYTest", 12)
    c.drawString(72, 760, "宣传教育(" + "กขคงจฉ" + "10分)")  # six glyphs the font does not have
    c.drawString(72, 730, "组织开展专题讲座两次发放资料三百份。")
    c.drawString(72, 700, "年度考核得分九十五分。")
    c.save()
    texts = [b.text for b in _blocks(path)]
    # (where the missing glyphs stood, a gap: a space at most)
    assert [t.replace(" ", "") for t in texts] == ["宣传教育(10分)", "组织开展专题讲座两次发放资料三百份。",
                                                    "年度考核得分九十五分。"], texts


def test_running_head_of_a_one_page_file_is_dropped(tmp_path):
    """The running head repeats the title: on a single page it is dropped all the same."""
    path = tmp_path / "one_page.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _page_furniture(c, 1)  # 孟津区退役军人事务局绩效评价报告, top right, and the page number
    c.setFont(FONT, 16)
    c.drawCentredString(W / 2, 760, "孟津区退役军人事务局绩效评价报告")
    _para(c, 720, "一、部门概况", indent=0)
    _para(c, 700, "内设机构5个行政编制12人。")
    c.save()
    blocks = _blocks(path)
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("heading", 0, "孟津区退役军人事务局绩效评价报告"), ("heading", 1, "一、部门概况"),
        ("paragraph", None, "内设机构5个行政编制12人。")], blocks


def test_centred_title_wrapped_over_two_lines_is_one_block(tmp_path):
    path = tmp_path / "long_title.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 16)
    first = "关于某某区二〇二一年度部门整体支出绩效评价工作开展情况的"  # fills the line, goes on
    c.drawCentredString(W / 2, 780, first)
    c.drawCentredString(W / 2, 758, "专项说明")
    _para(c, 720, "一、部门概况", indent=0)
    _para(c, 700, "内设机构5个行政编制12人。")
    c.save()
    blocks = _blocks(path)
    assert blocks[0].text == first + "专项说明", blocks
    assert [b.text for b in blocks[1:]] == ["一、部门概况", "内设机构5个行政编制12人。"]


def test_ocr_line_sizes_jitter_without_breaking_a_paragraph():
    """OCR gives a line's size from its box: a short last line may read a point or two taller."""
    from extract.pdf import _Line, _Page, blocks_from_ocr_pages

    def line(text, x0, x1, top, size):
        return _Line(text=text, x0=x0, x1=x1, top=top, bottom=top + size, size=size, page=1, confidence=0.9)

    page = _Page(number=1, width=595.0, height=842.0, has_text=True, ocr=True, lines=[
        line("一、项目概况", 66.0, 150.0, 100.0, 12.2),
        line("本项目由镇人民政府组织实施，资金用于道路硬化和水利设施维修，年内完成全部", 90.3, 526.3, 130.0, 11.7),
        line("建设内容。", 65.5, 125.0, 148.0, 13.6),
        line("二、绩效目标", 66.5, 150.0, 178.0, 12.0),
        line("完成道路硬化十公里，群众满意度达到百分之九十以上，各项工程按期交付使用并", 91.0, 527.0, 208.0, 12.1),
        line("通过验收。", 66.0, 126.0, 226.0, 12.3),
    ])
    blocks = blocks_from_ocr_pages([page], "scan.pdf")
    assert [b.kind for b in blocks] == ["heading", "paragraph", "heading", "paragraph"], blocks
    assert blocks[1].text.endswith("年内完成全部建设内容。")
