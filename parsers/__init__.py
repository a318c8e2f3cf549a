"""Parsers: an extracted file's blocks to DocumentRecords, one per logical report.

The work is in parsers.document; this package entry stays import-light so
that normalize/ can use parsers.records without a circular import.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extract.ir import ExtractedFile
    from parsers.records import DocumentRecord


def parse_file(extracted: "ExtractedFile") -> "list[DocumentRecord]":
    from parsers.document import parse_file as parse

    return parse(extracted)
