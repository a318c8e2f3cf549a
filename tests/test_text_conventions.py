"""extract.text: the pasted-text table conventions, decoding and refusals."""
from __future__ import annotations

import hashlib
import importlib.util
import sys
import unicodedata
from pathlib import Path

import pytest

import extract
from extract.errors import InputError
from extract.text import extract_text

ROOT = Path(__file__).resolve().parents[1]


def ex(text: str | bytes, name: str = "t.txt"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return extract_text(data, name=name, path=f"/tmp/{name}", sha256=hashlib.sha256(data).hexdigest())


def tables(result) -> list[list[list[str]]]:
    return [[[c.text for c in row] for row in b.rows] for b in result.blocks if b.kind == "table"]


def texts(result) -> list[str]:
    return [b.text for b in result.blocks if b.kind != "table"]


# --- cell per line -------------------------------------------------------------------------------

CELL_TABLE = (
    "\t项  目\n\t全年预算数\n\t全年执行数\n\t执行率\n"
    "\n"
    "\t资金\n"          # a vertically merged label carrying a blank line
    "\n"
    "来源\n"
    "\t合计\n\t13351.2\n\t11436.27\n"
    "\n"
    "\t\n"
    "\t（1）财政拨款\n\t7547.08\n\t6701.89\n"
)


def test_cell_per_line_rows_and_widths():
    rows = tables(ex(CELL_TABLE))[0]
    assert [len(r) for r in rows] == [4, 4, 4]
    assert rows[0] == ["项  目", "全年预算数", "全年执行数", "执行率"]
    assert rows[1] == ["资金\n来源", "合计", "13351.2", "11436.27"]
    assert rows[2] == ["", "（1）财政拨款", "7547.08", "6701.89"]


def test_cell_second_line_without_tab_joins_the_cell():
    rows = tables(ex("\t一级指标\n\t年度\n指标值\n\t实际\n完成值\n\n\t产出指标\n\t≥95%\n\t96%\n"))[0]
    assert rows[0] == ["一级指标", "年度\n指标值", "实际\n完成值"]
    assert rows[1] == ["产出指标", "≥95%", "96%"]


def test_merged_name_cell_centred_over_blank_lines_stays_in_its_row():
    text = ("\t序号\n\t评分内容\n\t牵头领导\n\t责任股室\n\n"
            "\t一\n\t防火责任落实。\n\t\n\n\n王建军\n\n\n\t防火办\n\n"
            "\t\n\t火情处置。\n\t\n\t\n")
    rows = tables(ex(text))[0]
    assert [len(r) for r in rows] == [4, 4, 4]
    assert rows[1] == ["一", "防火责任落实。", "王建军", "防火办"]
    assert rows[2] == ["", "火情处置。", "", ""]


def test_tab_only_lines_are_empty_cells_not_row_breaks():
    rows = tables(ex("\t总分\n\t\n\t100\n\t\n\t98.6\n"))[0]
    assert rows == [["总分", "", "100", "", "98.6"]]


def test_repeated_header_after_last_cell_is_split_off():
    header = "\t序号\n\t评分标准\n\t完成时限\n"
    text = (header + "\n"
            "\t一\n\t签订防火责任书。(3分)\n\t2023年6月30日\n"
            "\n"
            "\t二\n\t完成营造林任务。(8分)\n\t2023年10月底\n"
            + header +  # the next page's header pasted straight after the last cell
            "\n"
            "\t三\n\t林长巡林。(2分)\n\t持续推进\n")
    rows = tables(ex(text))[0]
    assert rows == [
        ["序号", "评分标准", "完成时限"],
        ["一", "签订防火责任书。(3分)", "2023年6月30日"],
        ["二", "完成营造林任务。(8分)", "2023年10月底"],
        ["序号", "评分标准", "完成时限"],
        ["三", "林长巡林。(2分)", "持续推进"],
    ]


def test_page_number_lines_are_ignored():
    for page in ("— 5 —", "- 12 -", "第 3 页", "第3页 共8页"):
        result = ex(f"\t一级指标\n\t指标值\n\n{page}\n\n\t产出指标\n\t≥2次\n")
        assert tables(result) == [[["一级指标", "指标值"], ["产出指标", "≥2次"]]], page
        assert page not in " ".join(texts(result))


def test_prose_after_a_cell_table_is_not_a_cell():
    result = ex("\t总分\n\t100\n\t89.5\n\n桃源县教育局2023年度部门整体支出绩效自评报告\n\n一、部门概况\n我局内设股室8个。\n")
    assert tables(result) == [[["总分", "100", "89.5"]]]
    assert "一、部门概况" in texts(result)
    assert "我局内设股室8个。" in texts(result)


# --- one row per line --------------------------------------------------------------------------------

def test_tsv_rows_keep_empty_cells():
    text = ("部门(单位)名称\t淇县卫生健康委员会\t\t主管部门\t淇县卫生健康委员会\t\n"
            "\t\t\t指标2:\t县级健康教育讲座\t两次\n"
            "可持续影响指标\t指标1:\t服务持续发挥作用期限\t≥12个月\t\t\n")
    rows = tables(ex(text))[0]
    assert rows[0] == ["部门(单位)名称", "淇县卫生健康委员会", "", "主管部门", "淇县卫生健康委员会", ""]
    assert rows[1] == ["", "", "", "指标2:", "县级健康教育讲座", "两次"]
    assert rows[2] == ["可持续影响指标", "指标1:", "服务持续发挥作用期限", "≥12个月", "", ""]


def test_pipe_rows_and_markdown_rule():
    text = ("| 项目名称 | 高标准农田建设项目 | |\n"
            "|---|---|---|\n"
            "| 一级指标 | 三级指标 | 年度指标值 |\n"
            "| 产出指标 | 新建高标准农田面积 | ≥8000亩 |\n"
            "| | 新建灌排渠道长度 | ≥35公里 |\n")
    form, indicators = tables(ex(text))
    assert form == [["项目名称", "高标准农田建设项目"]]
    # re-flowed under the header: the merged 一级 label carried down, the levels in their own columns
    assert indicators == [
        ["一级指标", "二级指标", "三级指标", "年度指标值"],
        ["产出指标", "", "新建高标准农田面积", "≥8000亩"],
        ["产出指标", "", "新建灌排渠道长度", "≥35公里"],
    ]


def test_pipe_one_cell_per_line_between_lone_bars():
    text = ("|\n一级指标\n|\n三级指标\n|\n指标值\n|\n"
            "\n"
            "|\n产出指标\n|\n新建供水管网\n长度\n|\n≥45公里\n|\n"
            "\n"
            "|\n效益指标\n|\n受益人口\n|\n≥5200人\n|\n")
    rows = tables(ex(text))[0]
    assert rows == [
        ["一级指标", "二级指标", "三级指标", "年度指标值"],
        ["产出指标", "", "新建供水管网\n长度", "≥45公里"],
        ["效益指标", "", "受益人口", "≥5200人"],
    ]


def test_csv_rows_with_quoted_commas():
    text = ('项目,全年预算数（万元）,全年执行数（万元）,执行率\n'
            '资金总额,"4,562.30","4,401.85",96.48%\n'
            '效益指标,"困难群众基本生活得到保障,兜底作用有效发挥",有效发挥,\n')
    money, rest = tables(ex(text))
    # re-flowed under the header: the unit in the header applies to the table
    assert money == [
        ["项目(万元)", "全年预算数", "全年执行数", "执行率"],
        ["资金总额", "4,562.30", "4,401.85", "96.48%"],
    ]
    # a row that is no money row is given back with its cells, quoted comma kept
    assert rest == [["效益指标", "困难群众基本生活得到保障,兜底作用有效发挥", "有效发挥"]]


def test_space_aligned_columns():
    text = ("一级指标    二级指标          三级指标                指标值\n"
            "产出指标    数量指标          新建供水管网长度        ≥45公里\n"
            "效益指标    社会效益指标      受益人口                ≥5200人\n")
    rows = tables(ex(text))[0]
    assert rows == [
        ["一级指标", "二级指标", "三级指标", "年度指标值"],
        ["产出指标", "数量指标", "新建供水管网长度", "≥45公里"],
        ["效益指标", "社会效益指标", "受益人口", "≥5200人"],
    ]


def test_single_spaced_prose_is_not_a_table():
    result = ex("一、部门概况\n桃源县教育局 内设股室8个 下属二级机构3个。\n二、支出情况\n")
    assert tables(result) == []


def test_cells_remember_their_lines():
    result = ex("标题\n\n\t一级指标\n\t指标值\n\n\t产出指标\n\t≥2次\n", name="p.txt")
    table = [b for b in result.blocks if b.kind == "table"][0]
    cell = table.rows[1][1]
    assert (cell.prov.file, cell.prov.line, cell.prov.row, cell.prov.col) == ("p.txt", 7, 1, 1)


# --- decoding ------------------------------------------------------------------------------------------

SAMPLE = "莒县文化和旅游局2022年度部门整体支出绩效评价报告\n评价等级为“良”。\n"


@pytest.mark.parametrize("encoding,data", [
    ("utf-8-sig", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")),
    ("gb18030", SAMPLE.encode("gb18030")),
    ("gbk", SAMPLE.encode("gbk")),
    ("utf-16", SAMPLE.encode("utf-16")),
    ("utf-16-be-bom", b"\xfe\xff" + SAMPLE.encode("utf-16-be")),
])
def test_decodes(encoding, data):
    result = ex(data)
    assert texts(result)[:2] == SAMPLE.splitlines()
    assert "\ufeff" not in texts(result)[0]


def test_fullwidth_text_survives_utf16_with_crlf():
    text = "收入合计３２５６．７８万元，其中财政拨款３１９８．４５万兀。\r\n目标值≧95%\r\n"
    result = ex(text.encode("utf-16"))
    # full-width digits may be kept or folded to ASCII; either way no character is lost
    got = [unicodedata.normalize("NFKC", t) for t in texts(result)]
    assert got == [unicodedata.normalize("NFKC", t) for t in text.split("\r\n")[:2]]


# --- refusals ----------------------------------------------------------------------------------------

def test_binary_named_txt_is_refused(tmp_path):
    p = tmp_path / "report.txt"
    p.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match="binary"):
        extract.read_file(p)


def test_binary_bytes_given_to_extract_text_are_refused():
    with pytest.raises(InputError, match="binary"):
        ex(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20, name="scan.txt")


def test_empty_file_is_refused(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        extract.read_file(p)


def test_whitespace_only_is_refused():
    with pytest.raises(InputError, match="no text"):
        ex(" \n\t\n\u3000\n")


def test_read_file_reads_a_sample_by_content(tmp_path):
    p = tmp_path / "g.txt"
    p.write_bytes(SAMPLE.encode("gb18030"))
    result = extract.read_file(p)
    assert (result.format, result.encoding, result.name) == ("txt", "gb18030", "g.txt")
    assert result.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_line_after_a_blank_line_is_not_a_wrapped_tsv_cell():
    from extract.text import extract_text

    data = "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t送戏下乡场次\t≥60场\n\n评价人员\n姓名\t职务\n".encode()
    blocks = extract_text(data, "t.txt", "t.txt", "0").blocks
    first = blocks[0]
    assert first.rows[-1][-1].text == "≥60场"
    assert [b.text for b in blocks if b.kind == "paragraph"] == ["评价人员"]


# --- double-spaced text --------------------------------------------------------------------------

SINGLE = (
    "某县农业农村局2023年度项目支出绩效自评表\n"
    "\n"
    "\t一级指标\n\t二级指标\n\t三级指标\n\t年度指标值\n\t实际完成值\n"
    "\n"
    "\t产出指标\n\t数量指标\n\t培训农户人数\n\t≥300人\n\t320人\n"
    "\n"
    "\t\n\t质量指标\n\t培训合格率\n\t≥95%\n\t97%\n"
    "\n"
    "\t效益指标\n\t社会效益指标\n\t农户增收\n\t明显\n\t明显\n"
    "\n"
    "一、存在的问题：培训时间安排偏紧。\n"
)


def test_double_spaced_text_reads_as_single_spaced_and_names_the_files_lines():
    """Every line followed by a blank one (a web page's rows copied as paragraphs): the same
    table as the single-spaced text, its cells on the lines the file has them on."""
    single = ex(SINGLE)
    double = ex(SINGLE.replace("\n", "\n\n"))
    assert tables(double) == tables(single) and tables(single)
    assert texts(double) == texts(single)
    one = [c.prov.line for b in single.blocks for c in b.cells()]
    two = [c.prov.line for b in double.blocks for c in b.cells()]
    assert two == [2 * n - 1 for n in one]
    assert [b.prov.line for b in double.blocks] == [2 * b.prov.line - 1 for b in single.blocks]


def test_paragraphs_apart_by_a_blank_line_stay_paragraphs():
    """Prose whose paragraphs are apart by one blank line, and a table whose rows are apart by
    two: the blank lines that mark something (a row's end) are kept."""
    prose = "".join(f"（{n}）第{n}段落的内容说明了一些情况。\n\n" for n in "一二三四五六七")
    assert texts(ex(prose)) == [f"（{n}）第{n}段落的内容说明了一些情况。" for n in "一二三四五六七"]
    cells = "\t项目\n\t全年预算数\n\n\t办公经费\n\t12.5\n\n\t培训经费\n\t8.0\n\n\t印刷经费\n\t3.5\n"
    assert tables(ex(cells)) == tables(ex(cells.replace("\n", "\n\n")))


# --- hard-wrapped text ---------------------------------------------------------------------------

RUNON = (
    "某县农业农村局2023年度项目支出绩效自评表\n"
    "\n"
    "项目名称高标准农田灌溉设施维护项目主管部门某县农业农村局实施单位某县农田水利服务站\n"
    "一级指标二级指标三级指标年度指标值实际完成值分值得分\n"
    "产出指标数量指标维护灌溉渠道长度≥26公里27.5公里2020\n"
    "质量指标设施完好率≥92%93.1%2020\n"
    "效益指标社会效益指标受益农户户数≥1800户1865户2020\n"
    "满意度指标服务对象满意度指标受益农户满意度≥90%92%2018\n"
)


def _cut(text: str, columns: int) -> str:
    """The layouts' fixed-width cut (samples/layouts.py `hard_wrap`): one definition for both."""
    name = "jixiao_sample_layouts"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "samples" / "layouts.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look it up by name
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name].hard_wrap(text, columns)


def test_text_cut_at_a_fixed_width_is_joined_again_on_the_files_lines():
    """A viewer's line ends every 36 columns, mid-word and mid-figure: the same blocks as the
    text as typed, each starting on the file line it starts on."""
    from extract.linebreaks import unwrap_fixed_width

    wrapped = _cut(RUNON, 36)
    joined, starts = unwrap_fixed_width(wrapped.split("\n"))
    assert joined == RUNON.split("\n")
    lines = wrapped.split("\n")
    assert [lines[k - 1] for k in starts] == [_cut(line, 36).split("\n")[0] for line in RUNON.split("\n")]
    assert tables(ex(wrapped)) == tables(ex(RUNON))
    assert texts(ex(wrapped)) == texts(ex(RUNON))


def test_text_of_its_own_widths_is_left_as_it_is():
    """No cut without the evidence: a line wider than the rest, a space-aligned table, or
    fewer than four lines at the widest (a short form) leave the lines alone."""
    from extract.linebreaks import unwrap_fixed_width

    wrapped = _cut(RUNON, 36).split("\n")
    assert unwrap_fixed_width(wrapped + ["这一行比其余各行都要长得多，它说明这段文字的行宽是作者自己定的，并非阅读器截断"])[1] is None
    aligned = ["项目          年初预算数    全年预算数", "办公经费      12.50         12.50",
               "培训经费      8.00          7.60", "印刷经费      3.50          3.50", "差旅经费      6.20          6.20"]
    assert unwrap_fixed_width(aligned)[1] is None
    assert unwrap_fixed_width(_cut(RUNON.split("\n")[2], 36).split("\n"))[1] is None
