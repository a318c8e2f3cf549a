"""A corpus of bad input files, built on the spot (nothing downloaded).

    python tests/bad_inputs.py OUT_DIR      # write the corpus to look at

Each entry is (file name, bytes or a builder, a fragment of the expected error).
The tests ingest the whole folder next to a good report and check that every
bad file is quarantined with its reason and the good one is stored.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Callable

GOOD_REPORT = (
    "2023年度部门整体支出绩效目标表\n部门名称\t铜鼓县文化广电旅游局\n"
    "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t送戏下乡场次\t≥60场\n"
).encode("utf-8")

MINIMAL_DOCX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                           '<Default Extension="xml" ContentType="application/xml"/></Types>',
}


def _zip(parts: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def zip_bomb_docx() -> bytes:
    """A .docx whose document.xml claims ~300 MB unpacked (deflate packs zeros ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", MINIMAL_DOCX_PARTS["[Content_Types].xml"])
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    return buf.getvalue()


def xxe_docx() -> bytes:
    """A .docx whose document.xml declares an external entity (XXE)."""
    doc = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
    return _zip({**MINIMAL_DOCX_PARTS, "word/document.xml": doc})


def truncated_docx() -> bytes:
    return _zip({**MINIMAL_DOCX_PARTS, "word/document.xml": "<w:document/>" * 50})[:120]


def deep_html(depth: int = 10_000) -> bytes:
    """A web page nested 10,000 deep: past the HTML parser's depth, where it drops the text."""
    return (b"<html><body>" + b"<div>" * depth + "2023年度部门整体支出绩效自评报告".encode()
            + b"</div>" * depth + b"</body></html>")


def huge_html(size: int = 10 * 1024 * 1024 + 4096) -> bytes:
    """A web page just over the default JIXIAO_MAX_HTML_MB (10): one long table."""
    row = "<tr><td>产出指标</td><td>数量指标</td><td>送戏下乡场次</td><td>≥60场</td></tr>\n".encode()
    head = "<html><body><h1>2023年度部门整体支出绩效自评报告</h1><table>\n".encode()
    return head + row * (size // len(row) + 1) + b"</table></body></html>"


def binary_as_text() -> bytes:
    return bytes(range(256)) * 40  # NUL bytes and control characters: not text


def shift_jis_text() -> bytes:
    # Japanese in Shift-JIS decodes as neither UTF-8 nor (plausibly) GB18030 text
    return ("年度予算の執行状況について報告します。" * 20).encode("shift_jis")


# name -> (content or builder, expected error fragment)
BAD_FILES: dict[str, tuple[bytes | Callable[[], bytes], str]] = {
    "empty.txt": (b"", "empty file"),
    "spaces.txt": (b" \n\t\n  \n", "no text"),
    "binary.txt": (binary_as_text, "binary"),
    "not_a_pdf.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog", "PDF"),
    "zip_bomb.docx": (zip_bomb_docx, "zip bomb"),
    "xxe.docx": (xxe_docx, "DTD"),
    "truncated.docx": (truncated_docx, "corrupt"),
    "not_word.docx": (lambda: _zip({"a.txt": "hello"}), "neither a .docx nor an .xlsx"),
    "legacy.et": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "xls"),
    "report.sjis.txt": (shift_jis_text, ""),  # either refused or read as text: never a crash
    "deep.html": (deep_html, "nested deeper than 256 levels"),
    "huge.html": (huge_html, "web page too large (10490017 bytes; the limit is 10 MB"),
}


def build(folder: Path) -> dict[str, str]:
    """Write the corpus and a good report into `folder`; return {file name: expected error fragment}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (content, fragment) in BAD_FILES.items():
        data = content() if callable(content) else content
        (folder / name).write_bytes(data)
        expected[name] = fragment
    (folder / "good.txt").write_bytes(GOOD_REPORT)
    return expected


def make_huge_sparse(path: Path, size: int = 2 * 1024 ** 3) -> None:
    """A 2 GB file that takes no disk: refused by its size before it is read."""
    with open(path, "wb") as fh:
        fh.truncate(size)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")
    for name, fragment in build(out).items():
        print(f"{name}: expect {fragment or '(read or refused)'}")
