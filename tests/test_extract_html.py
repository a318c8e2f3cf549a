"""extract/html.py on small government-style pages written here."""
from __future__ import annotations

from pathlib import Path

import pytest

import extract
import extract.html as xhtml
from extract.errors import InputError
from target_table import assert_target_table

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>政务公开_长沙县人民政府</title>
<script>var menu = "脚本里的字";</script><style>.x{color:red}</style></head>
<body>
<div id="top-nav"><ul><li>首页</li><li>政务公开</li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开</div>
<div class="main-wrap">
<div class="sidebar">相关链接</div>
<div id="zoom" class="TRS_Editor">
<p>开头的段落<br>换行后的一句</p>
<table border="1">
<tr><th colspan="2">横向合并</th><th>右上</th></tr>
<tr><td>左</td><td><table><tr><td>内1</td><td>内2</td></tr><tr><td>内3</td><td>内4</td></tr></table></td>
    <td rowspan="2">纵向合并</td></tr>
<tr><td></td><td>中</td></tr>
<tr><td>甲</td><td>乙</td><td>丙</td></tr>
<tr><th colspan="2">横向合并</th><th>右上</th></tr>
</table>
<p>两表之间的段落</p>
<div>一、部门基本情况</div>
<p>结尾段落</p>
<div class="share">分享到：微信 微博</div>
</div>
</div>
<div class="footer">主办单位：长沙县人民政府 版权所有</div>
</body></html>
"""


def write(path: Path, text: str, encoding: str = "gb18030") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_article_only_boilerplate_dropped(tmp_path):
    ex = extract.read_file(write(tmp_path / "page.html", PAGE))
    assert ex.format == "html" and ex.encoding == "gb18030"
    texts = [b.text for b in ex.blocks if b.kind != "table"]
    assert texts == ["开头的段落", "换行后的一句", "两表之间的段落", "一、部门基本情况", "结尾段落"]
    everything = "\n".join(texts + [c.text for b in ex.blocks for c in b.cells()])
    for junk in ("首页", "当前位置", "相关链接", "分享", "版权所有", "脚本", "color"):
        assert junk not in everything


def test_body_order_and_headings(tmp_path):
    blocks = extract.read_file(write(tmp_path / "page.html", PAGE)).blocks
    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "table", "paragraph", "heading", "paragraph"]
    assert blocks[4].level == 1
    assert blocks[2].prov.table == 1 and blocks[0].prov.line is not None


def test_rowspan_colspan_and_nested_table(tmp_path):
    table = next(b for b in extract.read_file(write(tmp_path / "page.html", PAGE)).blocks if b.kind == "table")
    rows = [[c.text for c in row] for row in table.rows]
    assert all(len(r) == 3 for r in rows)
    assert rows[0] == ["横向合并", "", "右上"] and table.rows[0][0].colspan == 2
    assert rows[1] == ["左", "内1\t内2\n内3\t内4", "纵向合并"] and table.rows[1][2].rowspan == 2
    assert rows[2] == ["", "中", ""]  # an empty cell, then the slot a rowspan covers
    assert rows[3] == ["甲", "乙", "丙"]
    assert rows[4] == rows[0]  # a repeated header row is just a row
    cell = table.rows[3][1]
    assert (cell.prov.table, cell.prov.row, cell.prov.col) == (1, 3, 1)


def test_charset_declared_and_utf8(tmp_path):
    page = "<html><head><meta charset='utf-8'></head><body><p>部门整体支出</p></body></html>"
    ex = extract.read_file(write(tmp_path / "u.html", page, "utf-8"))
    assert [b.text for b in ex.blocks] == ["部门整体支出"]
    # no declaration: extract.decode guesses (GB18030 here)
    ex = extract.read_file(write(tmp_path / "g.htm", "<html><body><p>部门整体支出</p></body></html>"))
    assert [b.text for b in ex.blocks] == ["部门整体支出"]


def test_without_article_container_the_body_is_read(tmp_path):
    page = ("<html><body><nav>导航</nav><header>网站头</header><p>正文第一段</p>"
            "<div class='menu'>菜单</div><p>正文第二段</p><footer>页脚</footer></body></html>")
    ex = extract.read_file(write(tmp_path / "b.html", page, "utf-8"))
    assert [b.text for b in ex.blocks] == ["正文第一段", "正文第二段"]


def test_bad_pages_are_input_errors(tmp_path):
    with pytest.raises(InputError):
        xhtml.extract(b"<html><body><script>x()</script></body></html>", "e.html", "e.html", "0", "html")
    with pytest.raises(InputError):
        xhtml.extract(b"\x00\x01\x02\xff" * 100, "bin.html", "bin.html", "0", "html")


# --- end to end: a 绩效目标表 -------------------------------------------------------------------------

TARGET = """<html><head><meta charset="utf-8"><title>2023年部门整体支出绩效目标表-长沙县财政局</title></head>
<body><div class="header">长沙县财政局门户网站</div>
<h1 class="title">2023年部门整体支出绩效目标表</h1>
<div class="article-content">
<table border="1"><tr><td>部门名称</td><td colspan="3">湖南省长沙县财政局</td></tr></table>
<table border="1">
<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>
<tr><td rowspan="3">产出指标</td><td rowspan="2">数量指标</td><td>培训人次</td><td>≥200人次</td></tr>
<tr><td>检查次数</td><td>=2次</td></tr>
<tr><td>质量指标</td><td>验收合格率</td><td>≥95%</td></tr>
<tr><td>效益指标</td><td>社会效益指标</td><td>政策知晓率</td><td>≥90%</td></tr>
<tr><td>满意度指标</td><td>服务对象满意度指标</td><td>群众满意度</td><td>≥95%</td></tr>
</table></div><div class="footer">版权所有</div></body></html>
"""


def test_end_to_end_target_table(tmp_path):
    ex = extract.read_file(write(tmp_path / "目标表.html", TARGET, "utf-8"))
    # the title stands outside the article container and is put first
    assert (ex.blocks[0].kind, ex.blocks[0].level, ex.blocks[0].text) == ("heading", 0, "2023年部门整体支出绩效目标表")
    rec = assert_target_table(ex)
