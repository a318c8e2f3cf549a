"""extract/docx.py (and extract/legacy.py) on small Word files built here with python-docx."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

import extract
import extract.docx as xdocx
import extract.legacy as legacy
from extract.errors import InputError
from target_table import assert_target_table

TEXTBOX_RUN = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
    '<w:p><w:r><w:t>文本框里的公章文字</w:t></w:r></w:p>'
    '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
)


def _blocks(path: Path):
    return extract.read_file(path).blocks


def _texts(table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def build_layout_docx(path: Path) -> Path:
    d = docx.Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = "页眉：内部资料"
    section.footer.paragraphs[0].text = "页脚 第1页"
    p = d.add_paragraph("开头的段落")
    p._p.append(parse_xml(TEXTBOX_RUN))
    t = d.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "横向合并"
    t.cell(0, 2).text = "右上"
    t.cell(1, 0).text = "左"
    inner = t.cell(1, 1).add_table(rows=2, cols=2)
    for r, row in enumerate((("内1", "内2"), ("内3", "内4"))):
        for c, v in enumerate(row):
            inner.cell(r, c).text = v
    t.cell(1, 2).merge(t.cell(2, 2)).text = "纵向合并"
    # t.cell(2, 0) stays empty
    t.cell(2, 1).text = "中"
    t.cell(3, 0).text = "甲"
    t.cell(3, 1).text = "乙"
    t.cell(3, 2).text = "丙"
    d.add_paragraph("两表之间的段落")
    t2 = d.add_table(rows=3, cols=2)
    for r, row in enumerate((("名称", "数值"), ("甲", "1"), ("名称", "数值"))):
        for c, v in enumerate(row):
            t2.cell(r, c).text = v
    d.add_paragraph("结尾段落")
    d.save(path)
    return path


def test_body_order_paragraphs_and_tables(tmp_path):
    blocks = _blocks(build_layout_docx(tmp_path / "a.docx"))
    kinds = [(b.kind, b.text) for b in blocks]
    assert kinds[0] == ("paragraph", "开头的段落")
    assert [k for k, _ in kinds] == ["paragraph", "table", "paragraph", "table", "paragraph"]
    assert kinds[2][1] == "两表之间的段落"
    assert kinds[4][1] == "结尾段落"
    # paragraph index among body paragraphs, table number in body order
    assert [b.prov.line for b in blocks if b.kind == "paragraph"] == [1, 2, 3]
    assert [b.prov.table for b in blocks if b.kind == "table"] == [1, 2]


def test_headers_footers_and_text_boxes_left_out(tmp_path):
    ex = extract.read_file(build_layout_docx(tmp_path / "a.docx"))
    everything = "\n".join(b.text for b in ex.blocks) + "\n".join(c.text for b in ex.blocks for c in b.cells())
    assert "页眉" not in everything and "页脚" not in everything
    assert "公章" not in everything
    assert any("text box" in w for w in ex.warnings)


def test_merged_cells_follow_the_grid(tmp_path):
    table = [b for b in _blocks(build_layout_docx(tmp_path / "a.docx")) if b.kind == "table"][0]
    assert all(len(row) == 3 for row in table.rows)
    top = table.rows[0]
    assert [c.text for c in top] == ["横向合并", "", "右上"]
    assert (top[0].colspan, top[1].colspan) == (2, 1)
    assert table.rows[1][2].text == "纵向合并" and table.rows[1][2].rowspan == 2
    assert table.rows[2][2].text == ""  # the continued row of a vertical merge is empty
    assert table.rows[2][0].text == ""  # an empty cell is an empty cell
    assert table.rows[2][1].text == "中"
    cell = table.rows[1][2]
    assert (cell.prov.table, cell.prov.row, cell.prov.col, cell.prov.line) == (1, 1, 2, None)


def test_nested_table_is_flattened_into_its_cell(tmp_path):
    table = [b for b in _blocks(build_layout_docx(tmp_path / "a.docx")) if b.kind == "table"][0]
    assert table.rows[1][1].text == "内1\t内2\n内3\t内4"


def test_repeated_header_row_is_kept(tmp_path):
    table = [b for b in _blocks(build_layout_docx(tmp_path / "a.docx")) if b.kind == "table"][1]
    assert _texts(table) == [["名称", "数值"], ["甲", "1"], ["名称", "数值"]]


def test_title_row_of_a_table_becomes_a_heading(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "2023年度部门整体支出绩效自评表"
    for c, v in enumerate(("一级指标", "三级指标", "指标值")):
        t.cell(1, c).text = v
    for c, v in enumerate(("产出指标", "培训人次", "≥200人次")):
        t.cell(2, c).text = v
    path = tmp_path / "t.docx"
    d.save(path)
    blocks = _blocks(path)
    assert (blocks[0].kind, blocks[0].level, blocks[0].text) == ("heading", 0, "2023年度部门整体支出绩效自评表")
    assert blocks[1].kind == "table" and blocks[1].rows[0][0].prov.row == 1  # source row numbers kept


def test_heading_paragraphs(tmp_path):
    d = docx.Document()
    d.add_paragraph("2023年度部门整体支出绩效评价报告")
    d.add_paragraph("一、部门基本情况")
    d.add_heading("单位概况", level=2)
    d.add_paragraph("本单位共有编制10人。")
    path = tmp_path / "h.docx"
    d.save(path)
    got = [(b.kind, b.level, b.text) for b in _blocks(path)]
    assert got == [("heading", 0, "2023年度部门整体支出绩效评价报告"), ("heading", 1, "一、部门基本情况"),
                   ("heading", 2, "单位概况"), ("paragraph", None, "本单位共有编制10人。")]


# --- bad input -----------------------------------------------------------------------------------------

def test_corrupt_docx_is_an_input_error(tmp_path):
    good = build_layout_docx(tmp_path / "a.docx")
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut the XML in half
            zout.writestr(item, data)
    with pytest.raises(InputError, match="corrupt Word file"):
        extract.read_file(bad)
    with pytest.raises(InputError):
        xdocx.extract(b"PK\x03\x04 not really a zip", "x.docx", "x.docx", "0", "docx")


def test_docx_truncated_zip(tmp_path):
    data = build_layout_docx(tmp_path / "a.docx").read_bytes()
    bad = tmp_path / "cut.docx"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError):
        extract.read_file(bad)


def test_zip_bomb_is_refused(tmp_path, monkeypatch):
    path = build_layout_docx(tmp_path / "a.docx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/zeros.bin", b"\0" * (3 * 1024 * 1024))
    monkeypatch.setattr(xdocx, "MAX_DECOMPRESSED_BYTES", 1024 * 1024)
    with pytest.raises(InputError, match="zip bomb"):
        extract.read_file(path)
    monkeypatch.setattr(xdocx, "MAX_DECOMPRESSED_BYTES", 200 * 1024 * 1024)
    monkeypatch.setattr(xdocx, "MAX_FILES_IN_PACKAGE", 5)
    with pytest.raises(InputError, match="zip bomb"):
        extract.read_file(path)


def test_dtd_in_a_part_is_refused(tmp_path):
    good = build_layout_docx(tmp_path / "a.docx")
    bad = tmp_path / "dtd.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>', 1)
            zout.writestr(item, data)
    with pytest.raises(InputError, match="DTD"):
        extract.read_file(bad)


def test_legacy_word_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputError, match="install LibreOffice"):
        extract.read_file(path)


# --- end to end: a 绩效目标表 -------------------------------------------------------------------------

def build_target_table(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("2023年部门整体支出绩效目标表")
    info = d.add_table(rows=1, cols=2)
    info.cell(0, 0).text = "部门名称"
    info.cell(0, 1).text = "湖南省长沙县财政局"
    rows = [
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出指标", "数量指标", "培训人次", "≥200人次"),
        ("", "", "检查次数", "=2次"),
        ("", "质量指标", "验收合格率", "≥95%"),
        ("效益指标", "社会效益指标", "政策知晓率", "≥90%"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"),
    ]
    t = d.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v:
                t.cell(r, c).text = v
    t.cell(1, 0).merge(t.cell(3, 0)).text = "产出指标"
    t.cell(1, 1).merge(t.cell(2, 1)).text = "数量指标"
    d.save(path)
    return path


def test_end_to_end_target_table(tmp_path):
    ex = extract.read_file(build_target_table(tmp_path / "目标表.docx"))
    assert ex.format == "docx"
    rec = assert_target_table(ex)
    assert rec.indicators[0].prov.table == 2 and rec.indicators[0].prov.row == 1


def test_document_bounds_count_paragraphs_and_tables(tmp_path):
    """SCHEMA.md: a Word document starts and ends at `para:N` / `table:N`, not lines."""
    import docx as python_docx

    from extract import read_file
    from parsers import parse_file

    d = python_docx.Document()
    d.add_paragraph("2023年度部门整体支出绩效目标表")
    d.add_paragraph("部门名称：临川区教育局")
    t = d.add_table(rows=2, cols=4)
    for c, text in enumerate(["一级指标", "二级指标", "三级指标", "指标值"]):
        t.cell(0, c).text = text
    for c, text in enumerate(["产出指标", "数量指标", "培训教师人数", "≥300人"]):
        t.cell(1, c).text = text
    path = tmp_path / "bounds.docx"
    d.save(path)
    [doc] = parse_file(read_file(path))
    assert (doc.start.where(), doc.end.where()) == ("para:1", "table:1")
