#!/usr/bin/env python3
"""The README's screenshots of `jixiao serve`, made from the bundled samples:

    python docs/img/screenshots.py          # rewrites docs/img/serve-*.png

It ingests samples/*.txt into a temporary database, runs `jixiao serve` on a
free port, and has headless Chromium photograph three pages; each PNG is
cut to a 128-colour palette so it stays small (tens of KB). Needs chromium
and a CJK font (fonts-wqy-microhei), as the tests do. tests/test_analysis.py
uses `shoot` and `small_png` on its own database, so the pages the README
shows are the pages the test checks.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# (file name, path on the server after /DB, window height)
PAGES = [
    ("serve-home.png", "", 1100),
    ("serve-department-year.png", "/v_department_year?_size=10&_col=org_name&_col=county"
     "&_col=fiscal_year&_col=budget&_col=actual&_col=execution_rate&_col=score&_col=grade"
     "&_col=staff_actual", 1300),
    ("serve-indicators.png", "/v_indicator_results?_size=12&_col=org_name&_col=fiscal_year"
     "&_col=level1&_col=level2&_col=name&_col=target_raw&_col=actual_raw&_col=target_met", 900),
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def small_png(path: Path, colours: int = 128) -> Path:
    """The screenshot with a palette of `colours`: text pages lose nothing visible."""
    from PIL import Image

    with Image.open(path) as im:
        pal = im.convert("RGB").quantize(colors=colours)
    pal.save(path, format="PNG", optimize=True)
    return path


def shoot(url: str, out: Path, width: int = 1200, height: int = 900) -> Path:
    """A PNG of `url` as headless Chromium draws it, made small."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--window-size={width},{height}",
             f"--screenshot={out}", url],
            capture_output=True, text=True, timeout=60, check=True)
    return small_png(out)


def main() -> int:
    if chromium() is None:
        print("needs chromium (apt-get install -y chromium fonts-wqy-microhei)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "samples.sqlite"
        samples = sorted(str(p) for p in (ROOT / "samples").glob("*.txt"))
        subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "ingest", *samples, "--db",
                        str(db), "-j", "1"], check=True, cwd=ROOT)
        port = free_port()
        server = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "serve", "--db",
                                   str(db), "--port", str(port)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if not wait_for(port):
                print("jixiao serve did not start", file=sys.stderr)
                return 1
            for name, path, height in PAGES:
                base = f"http://127.0.0.1:{port}" + (f"/{db.stem}{path}" if path else "/")
                out = shoot(base, HERE / name, height=height)
                print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
