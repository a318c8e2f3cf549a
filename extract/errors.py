"""Errors about the input, kept apart from defects in our own code.

An InputError means the file itself is the problem (corrupt, encrypted,
empty, binary, undecodable, too large): the pipeline quarantines the file with
the message and goes on. Any other exception is a bug in jixiao.
"""
from __future__ import annotations


class InputError(Exception):
    """The file cannot be read as a report; the message says why, in one line."""

    def __init__(self, message: str, stage: str = "extract"):
        super().__init__(message)
        self.stage = stage


class UnsupportedFormat(InputError):
    """No extractor handles this file's format."""
