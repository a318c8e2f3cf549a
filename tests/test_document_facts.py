"""Document-level facts of reports as they arrive from the web: page chrome, form heads,
organisation names, staffing and scores in prose.

Every document here is made up (names, places and figures are invented); the last test
scores the real development set in ../shared/real, read at run time.
"""
from __future__ import annotations

import hashlib

import pytest

from extract.text import extract_text
from normalize.orgs import clean_org_value, complete_org, areas_of, find_orgs, split_org, title_unit
from parsers.chrome import strip_chrome
from parsers.document import parse_file
from parsers.form_fields import read_form
from parsers.meta import find_evaluation, find_staffing
from parsers.textview import TextLine
from extract.ir import Provenance
from scoring import SHARED, f1, ingest_and_export


def parse(text: str, name: str = "made_up.txt"):
    data = text.encode("utf-8")
    return parse_file(extract_text(data, name, name, hashlib.sha256(data).hexdigest()))


def blocks_of(text: str):
    data = text.encode("utf-8")
    return extract_text(data, "x.txt", "x.txt", hashlib.sha256(data).hexdigest()).blocks


def lines(*texts: str) -> list[TextLine]:
    return [TextLine(t, Provenance(file="x.txt", line=i + 1), in_table="\t" in t) for i, t in enumerate(texts)]


# --- page chrome ---------------------------------------------------------------------------------

PORTAL_PAGE = """欢迎来到青山县林业局网站!
您现在的位置: 首页 > 信息公开 > 部门整体支出及项目支出绩效评价报告
部门整体支出及项目支出绩效评价报告
【字体: 】 【发布时间:2024-05-10 09:12】 【作者:县林业局办】【阅读:
青山县林业局2023年度部门整体支出绩效自评报告
一、部门基本情况
青山县林业局负责全县林业资源保护与发展，现有编制人员58人，直属事业单位4个，下设办公室、造林股等7个股室。
二、自评结论
经自评，我局整体支出绩效综合评分为88.5分，评价等级为良好。
"""


def test_portal_chrome_goes_and_the_document_keeps_its_own_title():
    docs = parse(PORTAL_PAGE)
    assert len(docs) == 1
    doc = docs[0]
    assert doc.title == "青山县林业局2023年度部门整体支出绩效自评报告"
    assert (doc.org_name, doc.org_region, doc.org_department) == ("青山县林业局", "青山县", "林业局")
    assert doc.doc_type == "self_evaluation_report" and doc.scope == "department" and doc.fiscal_year == 2023
    assert (doc.evaluation.total_score, doc.evaluation.grade) == (88.5, "good")
    assert doc.evaluation.date is None  # a posting date is no report date
    assert (doc.staffing.actual, doc.staffing.subordinate_units, doc.staffing.internal_units) == (58, 4, 7)


RUNON_FORM_IN_A_PAGE = """【字体：大 中 小】【打印本页】
2023年度项目支出绩效自评表 | 项目名称 | 乡村公路养护项目 | 主管部门 | 青禾县交通运输局 | 实施单位 | 青禾县公路养护中心 |
项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
年度资金总额 | 120.00 | 120.00 | 114.00 | 10 | 95.00% | 9.5 |
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
产出指标 | 数量指标 | 养护公路里程 | ≥80公里 | 82公里 | 20 | 20 |
总分 | 100 | 92.5 | 自评等级 | 优 |
主办单位：青禾县人民政府办公室  网站标识码：0000000000  蜀ICP备00000000号
"""


def test_chrome_run_into_a_run_on_form_goes_and_the_form_keeps_its_head():
    """A widget line the table reader ran into the form's first cell, and a site footer after
    the form: neither is read, and the form's own head (title, unit, score) is."""
    docs = parse(RUNON_FORM_IN_A_PAGE)
    assert len(docs) == 1
    doc = docs[0]
    assert doc.project == "乡村公路养护项目"
    assert doc.org_name == "青禾县公路养护中心"
    assert (doc.evaluation.total_score, doc.evaluation.grade) == (92.5, "excellent")
    kept = [t for ind in doc.indicators for t in (ind.name, ind.actual and ind.actual.text) if t]
    kept += [text for text, _ in doc.unclaimed]
    assert not any("主办单位" in t or "标识码" in t or "ICP" in t for t in kept)


def test_a_chrome_line_run_into_a_cell_goes_and_the_cell_stays():
    """`【字体:大 中 小】` pasted over the form's title, one cell: the line goes, the title stays."""
    from extract.ir import Block, Cell

    prov = Provenance(file="x.txt", line=1)
    row = [Cell("【字体：大 中 小】【打印本页】\n2023年度项目支出绩效自评表", prov), Cell("项目名称", prov),
           Cell("乡村公路养护项目", prov)]
    out, _ = strip_chrome([Block(kind="paragraph", prov=prov, text="首页 > 政务公开 > 财政信息"),
                           Block(kind="table", prov=prov, rows=[row])])
    assert [[c.text for c in r] for b in out if b.kind == "table" for r in b.rows] == [
        ["2023年度项目支出绩效自评表", "项目名称", "乡村公路养护项目"]]


def test_chrome_hints_say_who_published_and_when_it_was_written():
    text = """索  引  号 00123-4/2024-00077 主题分类 部门文件
发文字号 制发机构
成文日期 2024-02-19 发布日期 2024-02-21
发布时间:2024-02-21 来源:白沙县水利局 浏览次数:
字号:
白沙县2023年河道保洁经费项目支出绩效自评报告
一、项目概况
2023年河道保洁经费共计12.5万元，用于全县主要河道的日常保洁和垃圾清运。
"""
    out, hints = strip_chrome(blocks_of(text))
    assert [b.text for b in out][0] == "白沙县2023年河道保洁经费项目支出绩效自评报告"
    assert hints.publishers == ["白沙县水利局"]
    assert hints.written_date == "2024-02-19"
    assert "2024-02-21" in hints.posting_dates
    doc = parse(text)[0]
    assert doc.org_name == "白沙县水利局"  # the text names no unit: the publisher does
    assert doc.scope == "project" and doc.fiscal_year == 2023
    assert doc.evaluation.date == "2024-02-19" and doc.evaluation.total_score is None


def test_metadata_list_lines_and_partial_unit_completed_by_the_publisher():
    text = """河道清淤工程补助资金绩效自评
- 索引号
- 7788-1/20240311-00002
- 发文机构
- 临川市白沙区水利局
- 公开目录
- 绩效自评报告
- 日期
- 2024-03-11
2023年度项目支出绩效自评表
单位名称:区水利局 填报日期:2024年3月5日
项目名称 | 河道清淤工程补助资金 | ||||
主管部门 | 区水利局 | 项目实施单位 | 区水利局 | ||||
"""
    doc = parse(text)[0]
    assert doc.title == "2023年度项目支出绩效自评表"
    assert doc.doc_type == "self_evaluation_table"
    assert (doc.org_name, doc.org_region, doc.org_department) == ("白沙区水利局", "白沙区", "水利局")
    assert (doc.scope, doc.project, doc.fiscal_year) == ("project", "河道清淤工程补助资金", 2023)
    assert doc.evaluation.date == "2024-03-05"


def test_sharing_site_preamble_page_markers_and_a_run_on_form_title():
    page1 = ("1、项目支出绩效自评表(2022年度)项目名称乡村道路维护主管部门105-南平市安河区安河镇人民政府"
             "实施单位105001-南平市安河区安河镇人民政府项目资金(万元)年初预算数全年预算数全年执行数分值执行率得分"
             "年度资金总额:40 40 38 10 95% 9.5 其中:本年财政拨款 40 40 38 年度总体目标 完成辖区内乡村道路的日常养")
    page2 = "2、护和路面修补,保障群众出行安全。绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 产出指标"
    text = ("《安河镇2022年乡村道路维护项目支出绩效自评表.docx》由会员分享,可在线阅读,更多相关《安河镇"
            "2022年乡村道路维护项目支出绩效自评表.docx(3页珍藏版)》请在某某文库上搜索。\n" + page1 + "\n" + page2 + "\n")
    blocks, hints = strip_chrome(blocks_of(text))
    assert not any(b.text.startswith(("1、", "2、")) for b in blocks)
    assert hints.file_titles == ["安河镇2022年乡村道路维护项目支出绩效自评表"]
    doc = parse(text)[0]
    assert doc.doc_type == "self_evaluation_table"
    assert (doc.org_name, doc.org_region, doc.org_department) == ("南平市安河区安河镇人民政府", "安河镇", "人民政府")
    assert (doc.scope, doc.project, doc.fiscal_year) == ("project", "乡村道路维护", 2022)


def test_real_numbering_is_kept():
    text = """一、部门职能
1、负责全县林木种苗的生产、经营和质量监督管理工作，组织开展林木良种的选育和推广，指导全县的造林绿化工作，监督检查造林质量，组织开展义务植树。
2、负责全县森林资源的保护和管理，组织编制森林采伐限额，监督管理林木凭证采伐和运输，组织协调森林防火和林业有害生物的防治工作，承担林业行政执法。
"""
    blocks, _ = strip_chrome(blocks_of(text))
    assert [b.text[:2] for b in blocks[1:]] == ["1、", "2、"]


def test_file_name_lines_and_editor_lines_are_chrome():
    text = """清河县文化馆2022部门整体绩效自评报告.pdf
清河县文化馆2022部门整体绩效自评报告.pdf清河县文化馆2022部门整体绩效自评报告.pdf
当前文档共12页 下载后继续阅读
编辑: 小河 | 2023-07-01 |
附件 1: 部门整体绩效自评报告 (参考格式) 部门名称:(公章) 下属二级预算单位数量:2 个 填报人:某某 填报日期:2023 年 4 月 26 一、部门基本情况 (一)部门职能。负责全县群众文化活动的组织与指导。
"""
    doc = parse(text)[0]
    assert doc.title == "部门整体绩效自评报告"
    assert (doc.org_name, doc.fiscal_year) == ("清河县文化馆", 2022)  # the file's own name
    assert doc.evaluation.date == "2023-04-26"  # 日 lost after the day
    assert doc.staffing.subordinate_units == 2


# --- form fields ---------------------------------------------------------------------------------

def test_form_runs_labels_together():
    form = read_form(lines("附件: 项目支出绩效自评表 (2023年度) 项目名称 公共照明改造 主管部门 208-清河县住房和城乡建设局 "
                           "实施单位 208003-清河县路灯管理所 项目资金 (万元) 年初预算数 全年预算数"))
    assert form.project == "公共照明改造"
    assert form.superior == "清河县住房和城乡建设局"
    assert form.unit == "清河县路灯管理所"


def test_form_values_in_the_next_cell_and_suffixes_dropped():
    form = read_form(lines("主管部门\t清河县教育局本级\t实施单位 (盖章)\t清河县实验小学", "项目名称 | 校舍维修 |"))
    assert (form.superior, form.unit, form.project) == ("清河县教育局", "清河县实验小学", "校舍维修")


@pytest.mark.parametrize("rows, expected", [
    (("其他需要说明事项 | 无 | 总分 | 100 | 92 | 良 |",), (92.0, 100.0, "良")),
    (("总分(100分)", "100\t自评等级\t优"), (100.0, 100.0, "优")),
    (("部门联系人某某自评总分(分)87.4部门预算执行情况",), (87.4, None, None)),
    (("合计\t100",), (None, None, None)),
    (("10 10 总分 3.部门整体支出绩效自评开展情况",), (None, None, None)),
])
def test_form_verdict(rows, expected):
    form = read_form(lines(*rows))
    assert (form.total_score, form.max_score, form.grade_raw) == expected


def test_scores_dates_and_agency_in_prose():
    ev = find_evaluation(lines("本部门对2022年整体支出开展绩效自评,自评得分", "91 分,存在的问题如下。"),
                         form=read_form(lines("本部门对2022年整体支出开展绩效自评,自评得分", "91 分,存在的问题如下。")))
    assert ev.total_score == 91.0
    ev = find_evaluation(lines("评价机构:部门(单位)评价组", "报告日期:2023年05月12日"))
    assert ev.agency is None and ev.date == "2023-05-12"
    assert find_evaluation(lines("项目负责人:某某某 | 财务负责人:某某 |")) is None


def test_staffing_in_prose_and_alternate_cells():
    st = find_staffing(lines("下属二级预算单位数量:3 个", "现有在职人员41人。"))
    assert (st.subordinate_units, st.actual) == (3, 41)
    st = find_staffing(lines("人员编制\t19\t实有人数\t17"))
    assert (st.authorized, st.actual) == (19, 17)


# --- organisations -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, region, department", [
    ("南平市安河区安河镇人民政府", "安河镇", "人民政府"),
    ("安河镇人民政府", "安河镇", "人民政府"),
    ("清河县城关镇人民政府", "城关镇", "人民政府"),
    ("清河县实验小学", "清河县", "实验小学"),
    ("蓝州市第三中学", "蓝州市", "第三中学"),
    ("蓝州市交通运输局", "蓝州市", "交通运输局"),
    ("白石州数据服务中心", "白石州", "数据服务中心"),
    ("北县政协", "北县", "政协"),
    ("清河县人民政府办公室", "清河县", "人民政府办公室"),
    ("经开区(青石区)财政局", "青石区", "财政局"),
    ("中共清河县委宣传部", "清河县", "县委宣传部"),
    ("清河县土壤肥料工作站", "清河县", "土壤肥料工作站"),
])
def test_org_grammar(name, region, department):
    assert split_org(name) == (region, department)


def test_org_names_never_hold_form_labels():
    assert find_orgs("项目性质延续性项目立项依据县文化馆章程") == []
    assert find_orgs("欢迎来到北县政协网站") != ["欢迎来到北县政协网站"]
    assert clean_org_value("208-费主管部门清河县教育局") is None or "主管部门" not in clean_org_value("208-费主管部门清河县教育局")
    assert clean_org_value("(公章)") is None
    assert clean_org_value("清河县司法局部门") == "清河县司法局"
    assert complete_org("区卫生健康局", areas_of("临川市白沙区卫生计生局")) == "白沙区卫生健康局"
    assert complete_org("市机关后勤服务中心", areas_of("蓝州市2023年市直部门项目支出绩效目标表")) == "蓝州市机关后勤服务中心"


def test_title_gives_an_area_or_a_department_alone():
    assert title_unit("清河县拥军优属先进单位考评细则") == ("清河县", None)
    assert title_unit("街道武装部年度民兵工作考核细则") == (None, "武装部")


# --- kinds and scopes ----------------------------------------------------------------------------

def test_task_tables_without_a_stated_scope_have_none():
    text = ('"项目","考核内容","考核指标","评分标准","权数","考评得分"\n'
            '"预算执行管理(40分)","预算执行","执行率","按完成比例计算得分","20",""\n'
            '"","结余控制","结余率","超过规定比例的不得分","20",""\n')
    doc = parse(text)[0]
    assert doc.doc_type == "task_breakdown" and doc.scope is None


def test_a_note_that_is_no_report_is_other_with_no_scope():
    text = """经开区(青石区)财政绩效管理工作情况说明
文章来源:财政局  更新时间:2020-10-09 10:00
今年区本级选取5个项目开展重点评价，涉及预算金额1200万元，经过第三方机构评审，项目管理总体规范。
"""
    doc = parse(text)[0]
    assert doc.doc_type == "other" and doc.scope is None and doc.fiscal_year is None
    assert (doc.org_region, doc.org_department) == ("青石区", "财政局")


def test_a_form_tail_takes_no_organisation_from_the_next_document():
    text = """绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标值 | 完成值 | 权重 | 得分 |
产出指标 | 数量指标 | 采购设备数量 | ≥ | 5台 | 5台 | 90 | 90 |
项目负责人:某某 | 财务负责人:某某 |
部门预算项目支出绩效自评表(2023年度) | |||||
项目名称 | 办公设备购置 | |||||
主管部门 | 清河县司法局 | 实施单位 | 清河县司法局 | |||
"""
    first, second = parse(text)
    assert first.org_name is None and first.fiscal_year is None and first.scope == "project"
    assert (second.org_name, second.fiscal_year, second.scope) == ("清河县司法局", 2023, "project")


# --- the real development set --------------------------------------------------------------------

@pytest.mark.skipif(not (SHARED / "real" / "raw").is_dir(), reason="shared/real is not beside the checkout")
def test_real_documents_facts(tmp_path):
    docs = ingest_and_export(sorted((SHARED / "real" / "raw").glob("*.txt")), tmp_path / "real.sqlite")
    _, per_category, misses = f1(SHARED / "real" / "gold", docs)
    assert per_category["document"] >= 0.93, [m for m in misses if "document" in m]
