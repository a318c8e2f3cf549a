"""Extractors: one per file format, all producing extract.ir.ExtractedFile.

`read_file(path)` detects the format from the bytes (the name only breaks
ties) and dispatches through FORMATS, the one registry of what we can read;
the CLI's help and the error messages are made from it.
"""
from __future__ import annotations

import hashlib
import importlib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from extract.errors import InputError, UnsupportedFormat
from extract.ir import ExtractedFile
from extract.limits import LIMITS
from extract.names import printable



@dataclass(frozen=True)
class Format:
    code: str  # SCHEMA.md source.format
    suffixes: tuple[str, ...]
    module: str  # extract.<module> has extract(data, name, path, sha256) -> ExtractedFile
    description: str


FORMATS: dict[str, Format] = {f.code: f for f in (
    Format("txt", (".txt", ".text", ".md", ".csv", ".tsv"), "extract.text", "pasted text"),
    Format("docx", (".docx",), "extract.docx", "Word (.docx)"),
    Format("doc", (".doc", ".wps"), "extract.legacy", "legacy Word/WPS via LibreOffice"),
    Format("pdf", (".pdf",), "extract.pdf", "PDF with a text layer"),
    Format("xlsx", (".xlsx",), "extract.xlsx", "Excel (.xlsx)"),
    Format("xls", (".xls", ".et"), "extract.xlsx", "legacy Excel (.xls)"),
    Format("html", (".html", ".htm", ".shtml"), "extract.html", "web page"),
    Format("image", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), "extract.image", "scanned page image (OCR)"),
)}

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def supported_suffixes() -> list[str]:
    return sorted(s for f in FORMATS.values() for s in f.suffixes)


def _format_by_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return next((f.code for f in FORMATS.values() if suffix in f.suffixes), None)


def sniff_format(path: Path, data: bytes) -> str | None:
    """The format the bytes say; the name decides only where the bytes cannot."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(IMAGE_MAGIC):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise InputError("a zip container (Office file?) that is truncated or corrupt")
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnsupportedFormat("a zip archive that is neither a .docx nor an .xlsx file")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls" if path.suffix.lower() in (".xls", ".et") else "doc"
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or (start.startswith(b"<") and b"<body" in data[:4096].lower()):
        return "html"
    by_name = _format_by_suffix(path)
    if by_name == "image":
        raise InputError("named as an image, but the bytes are no PNG, JPEG or TIFF")
    if by_name in ("txt", "html") or (by_name is None and path.suffix == ""):
        return by_name or "txt"
    if by_name is not None:
        # named .docx/.pdf/.xlsx but the bytes are something else: read it as text if it is text
        return "txt"
    return None


def read_file(path: str | Path) -> ExtractedFile:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputError("empty file (0 bytes)")
    if size > LIMITS.max_file_bytes:
        raise InputError(f"file too large ({size} bytes; the limit is {LIMITS.max_file_bytes}, JIXIAO_MAX_FILE_MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    code = sniff_format(path, data)
    if code is None:
        readable = ", ".join(f"{f.description} ({' '.join(f.suffixes)})" for f in FORMATS.values())
        raise UnsupportedFormat(f"unsupported format (suffix {path.suffix or 'none'}); readable: {readable}")
    fmt = FORMATS[code]
    try:
        module = importlib.import_module(fmt.module)
    except ModuleNotFoundError as exc:
        if exc.name == fmt.module:
            raise UnsupportedFormat(f"{fmt.description} files are not supported yet") from exc
        raise
    sha = hashlib.sha256(data).hexdigest()
    # Provenance carries the name: printable, so a name that is no UTF-8 (a
    # folder from a GBK share) is stored and shown, not a crash.
    extracted = module.extract(data, name=printable(path.name), path=printable(path), sha256=sha,
                               fmt=code)
    return extracted
