"""Checks on an Office zip package before any library unpacks it.

A .docx or .xlsx is a zip of XML parts. Before python-docx or openpyxl reads
one, the package is checked: a sane number of members, a total unpacked size
under the limit (a zip bomb announces its size in the directory, and zipfile
never inflates a member past the size it declares), and no DTD in any XML
part (entity expansion, "billion laughs"; Office never writes a DTD).
"""
from __future__ import annotations

import re
import zipfile
from io import BytesIO

from extract.errors import InputError
from extract.limits import LIMITS

MAX_DECOMPRESSED_BYTES = LIMITS.max_unpacked_bytes
MAX_ZIP_ENTRIES = LIMITS.max_zip_entries
MAX_RATIO = 1000  # unpacked / packed for one large member
DTD_SCAN_BYTES = 64 * 1024
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_DTD16 = re.compile("<!DOCTYPE|<!ENTITY".encode("utf-16-le"), re.I)


def open_package(data: bytes, what: str, required: str, max_bytes: int = MAX_DECOMPRESSED_BYTES,
                 max_entries: int = MAX_ZIP_ENTRIES) -> zipfile.ZipFile:
    """The checked zip, or InputError naming what is wrong in one line."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(f"corrupt {what}: not a readable zip package ({exc})") from exc
    if len(infos) > max_entries:
        raise InputError(f"{what} looks like a zip bomb: {len(infos)} files in the package (limit {max_entries})")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise InputError(f"{what} looks like a zip bomb: {total} bytes unpacked (limit {max_bytes})")
    for info in infos:
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise InputError(f"{what} looks like a zip bomb: {info.filename} inflates {info.file_size // max(1, info.compress_size)}x")
    names = {i.filename for i in infos}
    if required not in names:
        raise InputError(f"corrupt {what}: the package has no {required}")
    for info in infos:
        if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(DTD_SCAN_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise InputError(f"corrupt {what}: cannot unpack {info.filename} ({exc})") from exc
        if _DTD.search(head) or _DTD16.search(head):
            raise InputError(f"{what} has a DTD in {info.filename} (entity expansion is refused)")
    return zf
