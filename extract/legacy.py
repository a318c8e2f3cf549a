"""Legacy Word (.doc) and WPS (.wps) files: converted by LibreOffice, then read as .docx.

LibreOffice runs headless in a private temporary directory with its own
throw-away profile (so a concurrent desktop session or a stale lock cannot
block it), under a time limit. Without LibreOffice these files cannot be read,
and the error says how to install it.
"""
from __future__ import annotations

import os
import signal
import shutil
import subprocess
import tempfile
from pathlib import Path

from extract.errors import InputError
from extract.ir import ExtractedFile

# Settings: LibreOffice gets this long to convert one file.
CONVERT_TIMEOUT_SECONDS = 120
INSTALL_HINT = "legacy Word/WPS file: install LibreOffice (apt-get install libreoffice-writer) to read it"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "doc") -> ExtractedFile:
    """The registry's entry point (extract.FORMATS)."""
    if soffice() is None:
        raise InputError(INSTALL_HINT)
    converted = convert(data, name, "docx")
    from extract.docx import extract as read_docx

    return read_docx(converted, name=name, path=path, sha256=sha256, fmt=fmt)


def convert(data: bytes, name: str, target: str) -> bytes:
    """The file converted by LibreOffice to `target` (docx, xlsx); InputError if it cannot be."""
    exe = soffice()
    if exe is None:
        raise InputError(INSTALL_HINT)
    suffix = Path(name).suffix.lower() or ".doc"
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        outdir.mkdir()
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(outdir), str(src)]
        env = dict(os.environ, HOME=tmp)
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, start_new_session=True)
        except OSError as exc:
            raise InputError(f"cannot run LibreOffice: {exc}") from exc
        try:
            _, stderr = proc.communicate(timeout=CONVERT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            raise InputError(f"LibreOffice did not convert the file within {CONVERT_TIMEOUT_SECONDS} s") from exc
        result = outdir / f"input.{target}"
        if not result.exists() or result.stat().st_size == 0:
            err = " ".join((stderr or b"").decode("utf-8", "replace").split())[:200]
            raise InputError(f"LibreOffice could not convert the file (corrupt or encrypted?){': ' + err if err else ''}")
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    """End the converter we started and the soffice.bin it spawned (its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()
