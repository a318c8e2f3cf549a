"""Legacy .doc and .xls files: converted with LibreOffice when it is installed.

The files are made here from a .docx/.xlsx by LibreOffice itself, so the test
needs it; without it the tests skip (the 'install LibreOffice' error is tested
in test_extract_docx.py).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from extract import read_file
from parsers import parse_file

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


def _convert(src: Path, to: str, out: Path) -> Path:
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to", to,
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    made = out / (src.stem + "." + to.split(":")[0])
    if not made.exists():  # an install without that component (Calc alone writes no .doc)
        pytest.skip(f"this LibreOffice cannot write {to}")
    return made


def test_doc_is_read_through_libreoffice(tmp_path):
    # LibreOffice writes the .doc (Word 97) from a small page with a ruled table
    src = tmp_path / "form.html"
    src.write_text(
        "<html><body><p>2023年度部门整体支出绩效目标表</p><p>部门名称：临川区教育局</p><table border='1'>"
        "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>"
        "<tr><td>产出指标</td><td>数量指标</td><td>培训教师人数</td><td>≥300人</td></tr>"
        "<tr><td></td><td>质量指标</td><td>培训合格率</td><td>≥95%</td></tr></table></body></html>", encoding="utf-8")
    doc_file = _convert(src, "doc:MS Word 97", tmp_path).with_suffix(".doc")
    [doc] = parse_file(read_file(doc_file))
    assert doc.doc_type == "target_table" and doc.org_name == "临川区教育局"
    assert [(i.name, i.target.value) for i in doc.indicators] == [("培训教师人数", 300), ("培训合格率", 95)]


def test_xls_is_read(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2022年度部门整体支出绩效自评表"])
    ws.append(["部门名称", "南漳县水利局"])
    ws.append(["项目（万元）", "全年预算数", "全年执行数", "执行率"])
    ws.append(["年度资金总额", 1200.5, 1100.25, "91.65%"])
    src = tmp_path / "form.xlsx"
    wb.save(src)
    xls = _convert(src, "xls", tmp_path)
    [doc] = parse_file(read_file(xls))
    assert doc.org_name == "南漳县水利局"
    values = {(f.item, f.measure): f.value for f in doc.finance}
    assert values[("funds_total", "budget")] == 12_005_000.0 and values[("funds_total", "actual")] == 11_002_500.0
