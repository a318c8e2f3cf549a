"""File names that are not valid UTF-8 (a folder copied from a GBK share).

Python reads such a name with the undecodable bytes as lone surrogates
(os.fsdecode, "surrogateescape"); they cannot be stored, printed or encoded
as UTF-8. `printable` writes each such byte as \\xNN: the form stored in the
database, shown in messages and put in provenance. The file itself is always
opened under its real name.
"""
from __future__ import annotations

import os


def printable(name: str | os.PathLike) -> str:
    """The name with every byte that is not UTF-8 written as \\xNN."""
    name = os.fspath(name)
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = name.encode("utf-8", "surrogateescape")  # the bytes the name was read from
    except UnicodeEncodeError:  # a surrogate outside the escape range: keep it visible
        raw = name.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")
