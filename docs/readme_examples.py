#!/usr/bin/env python3
"""The README's example outputs, regenerated from a real run on the bundled samples.

    .venv/bin/python docs/readme_examples.py            # rewrite README.md's example blocks
    .venv/bin/python docs/readme_examples.py --check    # exit 1 with a diff when one is stale
    .venv/bin/python docs/readme_examples.py --db s.sqlite   # reuse (or build once) the database
    .venv/bin/python docs/readme_examples.py --scores   # also the F1 figures on ../shared

What it does:

1. Builds the database the README's first set-up command builds: `pipeline.py
   ingest samples --db sqlite:///jixiao.sqlite`, run in a temporary working
   directory that holds `samples` (a link to this checkout's samples/) and
   `jixiao.sqlite`, so every example sees what a user sees after that command.
   `--db FILE` reuses a database built that way (copied, never written); when
   FILE does not exist yet it is built once and kept there.
2. Runs every marked example of README.md, in README order, in that directory.
3. Puts each command's real output (stdout and stderr, as a terminal shows
   them) back under the command; `--check` changes nothing and instead exits 1
   with a unified diff when any block is stale (0 when all are current).

The examples are the README's own blocks; nothing is listed here. A block is
marked by an HTML comment on the line just above its fence:

    <!-- example: NAME [OPTION=VALUE ...] -->
    ```
    $ jixiao compare execution_rate --by county --db jixiao.sqlite
    ...output, regenerated...
    ```

Every line starting with `$ ` is a command, run by bash with `jixiao`,
`python` and `python3` meaning this checkout's CLI and the venv's Python;
the lines after it, up to the next command, are its output. Blank lines
between a command's output and the next command are kept as they are.
Options (in the comment):

* `port=8001`: that number in the commands is a TCP port; they run on a free
  one (no clash with a server already running) and the output shows 8001.
* `interrupt="TEXT"`: a command that keeps running (a server) is stopped with
  Ctrl-C (SIGINT) once it has printed a line containing TEXT; its output is
  what it printed up to that line.

A ```python block marked the same way is run as a script in the same
directory (after the shell examples above it); it must succeed, and nothing
in it is rewritten.

`<!-- figures: real -->` above a markdown table marks the scores on
`../shared/real` (the table's last column, one row per category and an
**overall** row); it is regenerated only with `--scores`, which ingests
`../shared/real/raw` and `../shared/seeds`, exports, and scores them with
`../shared/score.py` (the seeds' figures are printed: the README gives them in
prose). Those folders are outside the project, so `--scores` is not part of
the test.

What varies from run to run (the one place: MASKS below). Progress lines
(`jixiao: 3/35 files read ...`) are dropped, the temporary directory's path is
cut out of any output, and trailing white space is stripped. Durations
(`12.3 s`, `2.6 min`), timestamps, run numbers and process ids are printed as
they came, but masked when an old block is compared with a new one: a block
that differs only in those is left exactly as it is in README.md (so the
README does not churn, and `--check` does not fail on them).

OCR: a full ingest of the samples reads 34 pages by OCR (about two minutes on
2 cores, nearly all of the run). To keep `--check` fast, the OCR engine's
result for each page image is memoised in docs/readme_examples.ocr.json.xz,
keyed by the page image's bytes, the call's arguments, and a fingerprint of
everything the OCR call can run: the source of extract/ocr/pages.py and of
every project module it imports (transitively, function-level imports
included), the versions of the libraries they import, and the Python
version. Everything else (rendering the PDF pages, the layout of what OCR
read, parsing, storing, the CLI) runs for real on every check. When the
fingerprint or a page differs, that page is read by OCR for real (correct,
just slow) and the script says so; a run without --check then refreshes the
memo. The memo is used through JIXIAO_WORKER_HOOK (db/worker.py): the
ingest is the real command, with its real worker processes. `--no-memo`
reads every page by OCR.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import inspect
import json
import lzma
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
VENV_BIN = ROOT / ".venv" / "bin"
SHARED = ROOT.parent / "shared"
MEMO_FILE = HERE / "readme_examples.ocr.json.xz"
MEMO_FORMAT = 1
MEMO_ENV = "JIXIAO_README_OCR_MEMO"  # the worker hook's directory (set by this script only)

# README command 1, run in the working directory: the database every example reads.
BUILD_COMMAND = ["pipeline.py", "ingest", "samples", "--db", "sqlite:///jixiao.sqlite"]
DB_NAME = "jixiao.sqlite"

COMMAND_TIMEOUT = 600  # s, any one command
INTERRUPT_TIMEOUT = 90  # s, for a command's line before it is stopped

MARKER = re.compile(r"^<!--\s*(example|figures):\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")

# ---------------------------------------------------------------- what varies
# Dropped from every output: they depend on the machine's speed, not on the data.
DROP_LINES = [re.compile(r"^jixiao: \d+/\d+ files read\b")]
# Masked only when an old output is compared with a new one.
MASKS = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
     "<time>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s|min|h)\b"), "<duration>"),
    (re.compile(r"\b\d+(?:\.\d+)? files/(?:s|min)\b"), "<rate>"),
    (re.compile(r"\bprocess \[\d+\]"), "process [<pid>]"),
    (re.compile(r"\brun \d+\b"), "run <n>"),
]


def masked(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, repl in MASKS:
            line = pattern.sub(repl, line)
        out.append(line)
    return out


def clean_output(text: str, workdir: Path) -> list[str]:
    """A command's output as the README shows it."""
    for d in {str(workdir), os.path.realpath(workdir)}:
        text = text.replace(d + os.sep, "").replace(d, ".")
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if not any(p.search(ln) for p in DROP_LINES)]
    while lines and not lines[-1]:
        lines.pop()
    return lines


# ---------------------------------------------------------------- README blocks

class Segment:
    """One `$ ` command of a block, its output lines, and the blank lines after them."""

    def __init__(self, command: str, output: list[str], gap: int):
        self.command, self.output, self.gap = command, output, gap


class Block:
    """A marked block: kind "example" or "figures"; `start`..`end` are the lines inside
    the fence (figures: the table's lines); `marker` is the comment's line."""

    def __init__(self, kind: str, name: str, options: dict[str, str], marker: int,
                 start: int, end: int, lang: str = ""):
        self.kind, self.name, self.options = kind, name, options
        self.marker, self.start, self.end, self.lang = marker, start, end, lang
        self.preamble: list[str] = []
        self.segments: list[Segment] = []


class ReadmeError(Exception):
    pass


def parse_marker(text: str) -> tuple[str, dict[str, str]]:
    words = shlex.split(text)
    if not words:
        raise ReadmeError("a marker without a name")
    opts = {}
    for w in words[1:]:
        key, eq, value = w.partition("=")
        if not eq:
            raise ReadmeError(f"marker option {w!r} is not KEY=VALUE")
        opts[key] = value
    return words[0], opts


def find_blocks(lines: list[str]) -> list[Block]:
    blocks = []
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        kind = m.group(1)
        name, opts = parse_marker(m.group(2))
        if kind == "figures":
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            k = j
            while k < len(lines) and lines[k].startswith("|"):
                k += 1
            if k == j:
                raise ReadmeError(f"line {i + 1}: figures {name}: no table below the marker")
            blocks.append(Block(kind, name, opts, i, j, k))
            i = k
            continue
        f = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not f:
            raise ReadmeError(f"line {i + 1}: example {name}: the next line must open a fence")
        fence = f.group(1)
        j = i + 2
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        if j == len(lines):
            raise ReadmeError(f"line {i + 2}: example {name}: the fence is never closed")
        b = Block(kind, name, opts, i, i + 2, j, lang=f.group(2))
        if b.lang != "python":
            split_segments(b, lines[i + 2:j])
            if not b.segments:
                raise ReadmeError(f"line {i + 1}: example {name}: no `$ ` command in the block")
        blocks.append(b)
        i = j + 1
    return blocks


def split_segments(b: Block, body: list[str]) -> None:
    current = None
    for line in body:
        if line.startswith("$ "):
            current = Segment(line[2:], [], 0)
            b.segments.append(current)
        elif current is None:
            b.preamble.append(line)
        else:
            current.output.append(line)
    for s in b.segments:
        while s.output and not s.output[-1].strip():
            s.output.pop()
            s.gap += 1


def render_segments(b: Block) -> list[str]:
    out = list(b.preamble)
    for s in b.segments:
        out.append("$ " + s.command)
        out.extend(s.output)
        out.extend([""] * s.gap)
    return out


# ---------------------------------------------------------------- running

class Runner:
    """A working directory like a user's after README command 1, and commands run in it."""

    def __init__(self, workdir: Path, verbose: bool = False):
        self.workdir = workdir
        self.verbose = verbose
        self.python = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
        self.bin = workdir.parent / "bin"
        self.bin.mkdir(exist_ok=True)
        shims = {"jixiao": f'exec "{self.python}" "{ROOT / "pipeline.py"}" "$@"',
                 "python": f'exec "{self.python}" "$@"', "python3": f'exec "{self.python}" "$@"'}
        for name, line in shims.items():
            p = self.bin / name
            p.write_text(f"#!/bin/sh\n{line}\n")
            p.chmod(0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
        env.update(PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
                   PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8",
                   LANG="C.UTF-8", PYTHONPATH=str(ROOT))
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        self.env = env

    def log(self, msg: str) -> None:
        if self.verbose:
            print(msg, file=sys.stderr, flush=True)

    def shell(self, command: str, interrupt: str | None = None,
              env: dict | None = None) -> tuple[int, str]:
        """(exit code, stdout and stderr as printed) of one command line."""
        t0 = time.monotonic()
        proc = subprocess.Popen(["bash", "-c", command], cwd=self.workdir, env=env or self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        if interrupt is None:
            try:
                out, _ = proc.communicate(timeout=COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                _stop(proc, signal.SIGKILL)
                raise ReadmeError(f"`{command}` ran over {COMMAND_TIMEOUT} s")
            self.log(f"  {time.monotonic() - t0:5.1f} s  $ {command}")
            return proc.returncode, out.decode("utf-8", "replace")
        got: list[bytes] = []
        matched, finished = threading.Event(), threading.Event()

        def read():
            for line in proc.stdout:
                if not matched.is_set():
                    got.append(line)
                    if interrupt.encode() in line:
                        matched.set()
                        finished.set()
            finished.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        finished.wait(INTERRUPT_TIMEOUT)
        if not matched.is_set() and finished.is_set():  # it ended by itself: an ordinary command
            reader.join()
            proc.wait()
            self.log(f"  {time.monotonic() - t0:5.1f} s  $ {command}")
            return proc.returncode, b"".join(got).decode("utf-8", "replace")
        _stop(proc, signal.SIGINT)  # Ctrl-C
        reader.join(10)
        text = b"".join(got).decode("utf-8", "replace")
        if not matched.is_set():
            raise ReadmeError(f"`{command}` printed no {interrupt!r} in {INTERRUPT_TIMEOUT} s; "
                              f"it printed:\n{text}")
        self.log(f"  {time.monotonic() - t0:5.1f} s  $ {command}  (stopped by Ctrl-C)")
        return 0, text

    def python_script(self, code: str) -> tuple[int, str]:
        script = self.workdir.parent / "example.py"
        script.write_text(code, encoding="utf-8")
        proc = subprocess.run([self.python, str(script)], cwd=self.workdir, env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=COMMAND_TIMEOUT)
        return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", "replace")


def _stop(proc: subprocess.Popen, sig: int) -> None:
    """Signal the command's process group (bash and what it started), then make sure it ends."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def regenerate_example(b: Block, runner: Runner) -> None:
    """Run the block's commands; each segment's output becomes the real one.
    An old output that differs only in what MASKS hides is kept as it was."""
    port = b.options.get("port")
    for s in b.segments:
        command, real_port = s.command, None
        if port:
            real_port = str(free_port())
            command = re.sub(rf"(?<!\d){re.escape(port)}(?!\d)", real_port, command)
        code, text = runner.shell(command, b.options.get("interrupt"))
        if real_port:
            text = re.sub(rf"(?<=:){real_port}(?!\d)|(?<=port ){real_port}(?!\d)", port, text)
        if code:
            print(f"note: example {b.name}: `{s.command}` exited {code}", file=sys.stderr)
        new = clean_output(text, runner.workdir)
        if masked(new) != masked(s.output):
            s.output = new


# ---------------------------------------------------------------- the database

def build_database(runner: Runner, reuse: Path | None, memo: bool, write_memo: bool) -> None:
    target = runner.workdir / DB_NAME
    if reuse is not None and reuse.exists():
        runner.log(f"reusing {reuse}")
        src = sqlite3.connect(f"file:{reuse}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    env = dict(runner.env)
    memo_dir = None
    if memo:
        memo_dir = runner.workdir.parent / "ocr-memo"
        prepare_memo(memo_dir)
        env[MEMO_ENV] = str(memo_dir)
        env["JIXIAO_WORKER_HOOK"] = str(Path(__file__).resolve())
    t0 = time.monotonic()
    print("building the samples database (README command 1) ...", file=sys.stderr, flush=True)
    command = shlex.join([runner.python, str(ROOT / BUILD_COMMAND[0]), *BUILD_COMMAND[1:]])
    code, text = runner.shell(command, env=env)
    lines = clean_output(text, runner.workdir)
    if code != 0:
        raise ReadmeError(f"README command 1 exited {code}:\n" + "\n".join(lines))
    print(f"  {lines[-1] if lines else ''} [{time.monotonic() - t0:.1f} s]", file=sys.stderr)
    if memo_dir is not None:
        finish_memo(memo_dir, write_memo)
    if reuse is not None:
        shutil.copyfile(target, reuse)
        runner.log(f"kept the database as {reuse}")


# ---------------------------------------------------------------- OCR memo

_LIB_ALIASES = {"cv2": "opencv", "PIL": "pillow"}


def fingerprint() -> str:
    """Everything an OCR call can depend on besides its arguments: the source of
    extract/ocr/pages.py and of the project modules it imports, transitively
    (imports inside functions too), and the versions of the libraries they import."""
    import importlib.metadata as md
    import platform

    project = {p.stem if p.suffix == ".py" else p.name for p in ROOT.iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.name != "tests"}
    todo = [ROOT / "extract" / "ocr" / "pages.py", *sorted((ROOT / "extract" / "ocr").glob("*.py"))]
    seen: dict[Path, bytes] = {}
    libs: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        source = path.read_bytes()
        seen[path] = source
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if path.name != "__init__.py":
            package = package.rpartition(".")[0]
        for node in ast.walk(ast.parse(source)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                names = [base] + [f"{base}.{a.name}" for a in node.names]
            for name in names:
                top = name.split(".")[0]
                if top in project:
                    found = _module_path(name)
                    if found is not None:
                        todo.append(found)
                elif top and top != "__future__":
                    libs.add(top)
    dists = md.packages_distributions()
    versions = set()
    for lib in libs:
        for dist in dists.get(lib, []):
            try:
                versions.add(f"{dist}=={md.version(dist)}")
            except md.PackageNotFoundError:
                pass
    h = hashlib.sha256()
    h.update(f"memo {MEMO_FORMAT}; python {platform.python_version()} {platform.machine()}\n"
             .encode())
    for v in sorted(versions):
        h.update(v.encode() + b"\n")
    for path in sorted(seen):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + seen[path] + b"\0")
    return h.hexdigest()


def _module_path(name: str) -> Path | None:
    p = ROOT.joinpath(*name.split("."))
    if p.with_suffix(".py").is_file():
        return p.with_suffix(".py")
    if (p / "__init__.py").is_file():
        return p / "__init__.py"
    return None


def prepare_memo(memo_dir: Path) -> None:
    """The worker hook's directory: fingerprint.txt, pages.json (the memo's pages, if
    it was made under this fingerprint); the workers add new-PID.jsonl and used-PID.txt."""
    memo_dir.mkdir(parents=True, exist_ok=True)
    try:
        fp = fingerprint()
    except (OSError, SyntaxError) as exc:
        raise ReadmeError(f"the OCR code's fingerprint: {exc} (run with --no-memo)") from exc
    (memo_dir / "fingerprint.txt").write_text(fp)
    pages = {}
    stored = load_memo()
    if stored.get("fingerprint") == fp:
        pages = stored.get("pages", {})
    elif stored:
        print("note: OCR memo made by other OCR code or libraries: the pages are read by OCR "
              "(slow); a run without --check refreshes it", file=sys.stderr)
    (memo_dir / "pages.json").write_text(json.dumps(pages), encoding="utf-8")


def load_memo() -> dict:
    try:
        with lzma.open(MEMO_FILE, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def finish_memo(memo_dir: Path, write: bool) -> None:
    pages = json.loads((memo_dir / "pages.json").read_text(encoding="utf-8"))
    used: set[str] = set()
    for p in memo_dir.glob("used-*.txt"):
        used.update(p.read_text().split())
    new = {}
    for p in memo_dir.glob("new-*.jsonl"):
        for line in p.read_text(encoding="utf-8").splitlines():
            key, _, payload = line.partition("\t")
            new[key] = json.loads(payload)
    skipped = sum(len(p.read_text().split()) for p in memo_dir.glob("uncached-*.txt"))
    for p in sorted(memo_dir.glob("failed-*.txt"))[:1]:
        print(f"note: the OCR memo could not be installed in a worker ({p.read_text().strip()})",
              file=sys.stderr)
    print(f"  OCR: {len(used)} pages from the memo, {len(new)} read by OCR"
          + (f", {skipped} not memoisable" if skipped else ""), file=sys.stderr)
    if not used and not new and not skipped:
        print("note: no OCR call went through the memo (is extract.ocr.pages.ocr_page still "
              "the OCR entry point?)", file=sys.stderr)
    fp = (memo_dir / "fingerprint.txt").read_text()
    keep = {k: pages[k] for k in used if k in pages} | new
    if not write:
        if new:
            print(f"note: {len(new)} OCR pages were not in {MEMO_FILE.name}; run "
                  f"`python docs/readme_examples.py` (without --check) to refresh it",
                  file=sys.stderr)
        return
    if keep.keys() == pages.keys() and load_memo().get("fingerprint") == fp:
        return
    data = json.dumps({"about": "docs/readme_examples.py: OCR results of the samples' page "
                                "images, by image and code fingerprint",
                       "fingerprint": fp, "pages": keep},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # xz: a third smaller than gzip here, and the same bytes for the same pages
    MEMO_FILE.write_bytes(lzma.compress(data.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    print(f"  wrote {MEMO_FILE.relative_to(ROOT)} ({len(keep)} pages)", file=sys.stderr)


class Unmemoisable(Exception):
    pass


def _enc(o):
    """Plain data with tuples kept apart from lists; anything else is refused."""
    t = type(o)
    if o is None or t in (bool, int, float, str):
        return o
    if t is list:
        return [_enc(x) for x in o]
    if t is tuple:
        return {"__tuple__": [_enc(x) for x in o]}
    if t is dict and all(type(k) is str for k in o):
        if "__tuple__" in o or "__object__" in o:
            raise Unmemoisable("a dict with a reserved key")
        return {k: _enc(v) for k, v in o.items()}
    if hasattr(o, "__dict__") and not hasattr(o, "__slots__"):
        cls = type(o)
        return {"__object__": f"{cls.__module__}:{cls.__qualname__}", "state": _enc(vars(o))}
    raise Unmemoisable(f"a {t.__name__}")


def _dec(o):
    if isinstance(o, list):
        return [_dec(x) for x in o]
    if isinstance(o, dict):
        if "__tuple__" in o:
            return tuple(_dec(x) for x in o["__tuple__"])
        if "__object__" in o:
            import importlib

            module, _, qualname = o["__object__"].partition(":")
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            obj = object.__new__(cls)
            obj.__dict__.update(_dec(o["state"]))
            return obj
        return {k: _dec(v) for k, v in o.items()}
    return o


def _key(bound: inspect.BoundArguments) -> str:
    import numpy as np

    h = hashlib.sha256()
    for name, value in bound.arguments.items():
        h.update(name.encode() + b"=")
        if isinstance(value, np.ndarray):
            a = np.ascontiguousarray(value)
            h.update(f"ndarray {a.dtype.str} {a.shape}:".encode() + a.tobytes())
        elif value is None or isinstance(value, (bool, int, float, str)):
            h.update(repr(value).encode())
        else:
            raise Unmemoisable(f"argument {name} is a {type(value).__name__}")
        h.update(b";")
    return h.hexdigest()


def install_ocr_memo(memo_dir: Path) -> None:
    """In an ingest worker: extract.ocr.pages.ocr_page answered from the memo."""
    from extract.ocr import pages as ocr_pages

    original = ocr_pages.ocr_page
    signature = inspect.signature(original)
    memo = json.loads((memo_dir / "pages.json").read_text(encoding="utf-8"))
    pid = os.getpid()

    def note(name: str, line: str) -> None:
        with open(memo_dir / f"{name}-{pid}.{'jsonl' if name == 'new' else 'txt'}", "a",
                  encoding="utf-8") as fh:
            fh.write(line + "\n")

    def ocr_page(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            key = _key(bound)
        except Unmemoisable:
            note("uncached", "?")
            return original(*args, **kwargs)
        if key in memo:
            note("used", key)
            return _dec(memo[key])
        result = original(*args, **kwargs)
        try:
            payload = _enc(result)
            # what comes back from the memo must be what came from OCR
            if _enc(_dec(payload)) != payload:
                raise Unmemoisable("does not round-trip")
        except Unmemoisable:
            note("uncached", key)
            return result
        note("new", key + "\t" + json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
        return result

    ocr_pages.ocr_page = ocr_page


# ---------------------------------------------------------------- scores (opt-in)

def score_folder(runner: Runner, inputs: str, gold: Path, name: str) -> dict:
    db = f"sqlite:///{name}.sqlite"
    for cmd in (f"jixiao ingest {inputs} --db {db}",
                f"jixiao export --db {db} --format json -o {name}.json"):
        code, text = runner.shell(cmd)
        if code:
            raise ReadmeError(f"`{cmd}` exited {code}:\n{text}")
    code, text = runner.shell(shlex.join(["python", str(SHARED / "score.py"), str(gold),
                                          f"{name}.json", "--json"]))
    if code:
        raise ReadmeError(f"score.py exited {code}:\n{text}")
    tally = json.loads(text.strip().splitlines()[-1])
    overall = tally.pop("overall")
    out = {}
    for cat, t in tally.items():
        tp, pr, gd = t["tp"], t["predicted"], t["gold"]
        p = tp / pr if pr else 0.0
        r = tp / gd if gd else 0.0
        out[cat] = 2 * p * r / (p + r) if p + r else 0.0
    out["overall"] = (overall["f1"], overall["precision"], overall["recall"])
    return out


def regenerate_figures(b: Block, lines: list[str], scores: dict[str, dict]) -> list[str]:
    if b.name not in scores:
        raise ReadmeError(f"figures {b.name}: unknown (known: {', '.join(scores)})")
    s = scores[b.name]
    table = lines[b.start:b.end]
    out = []
    for row in table:
        cells = row.strip().strip("|").split("|")
        label = cells[0].strip().strip("*").strip()
        if label in s and label != "overall":
            cells[-1] = f" {s[label]:.3f} "
        elif label == "overall":
            f, p, r = s["overall"]
            cells[-1] = f" **{f:.3f}** (P {p:.3f}, R {r:.3f}) "
        out.append("|" + "|".join(cells) + "|")
    return out


def all_scores(runner: Runner) -> dict[str, dict]:
    if not (SHARED / "score.py").exists():
        raise ReadmeError(f"--scores needs {SHARED / 'score.py'}")
    real = score_folder(runner, shlex.quote(str(SHARED / "real" / "raw")), SHARED / "real" / "gold",
                        "real")
    seeds = score_folder(runner, shlex.quote(str(SHARED / "seeds")), SHARED / "gold", "seeds")
    for name, s in (("real", real), ("seeds", seeds)):
        f, p, r = s["overall"]
        cats = "; ".join(f"{c} {v:.3f}" for c, v in sorted(s.items()) if c != "overall")
        print(f"{name}: overall F1 {f:.3f} (P {p:.3f}, R {r:.3f}); {cats}")
    return {"real": real, "seeds": seeds}


# ---------------------------------------------------------------- main

def regenerate(text: str, runner: Runner, scores: bool) -> tuple[str, int]:
    lines = text.split("\n")
    blocks = find_blocks(lines)
    figures = all_scores(runner) if scores else {}
    failures = []
    replaced: dict[int, tuple[int, list[str]]] = {}
    for b in blocks:
        if b.kind == "figures":
            if scores:
                replaced[b.start] = (b.end, regenerate_figures(b, lines, figures))
            continue
        runner.log(f"example {b.name}")
        if b.lang == "python":
            code, out = runner.python_script("\n".join(lines[b.start:b.end]) + "\n")
            if code:
                failures.append(f"example {b.name} (README line {b.marker + 1}) failed:\n{out}")
            continue
        regenerate_example(b, runner)
        replaced[b.start] = (b.end, render_segments(b))
    if failures:
        raise ReadmeError("\n".join(failures))
    out, i = [], 0
    while i < len(lines):
        if i in replaced:
            end, body = replaced[i]
            out.extend(body)
            i = end
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out), sum(b.kind == "example" for b in blocks)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring for the markers.")
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 with a unified diff when a block is stale")
    ap.add_argument("--db", type=Path, default=None,
                    help="the samples database (README command 1's): reused when it exists "
                         "(copied, not written), else built and kept there")
    ap.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    ap.add_argument("--scores", action="store_true",
                    help="also regenerate the F1 figures blocks (ingests ../shared/real/raw "
                         "and ../shared/seeds and scores them with ../shared/score.py)")
    ap.add_argument("--no-memo", action="store_true",
                    help="read every OCR page for real instead of through "
                         f"{MEMO_FILE.name}")
    ap.add_argument("-v", "--verbose", action="store_true", help="say what runs, with timings")
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    text = args.readme.read_text(encoding="utf-8")
    try:
        find_blocks(text.split("\n"))  # a malformed marker fails before the long part
        if " ".join(BUILD_COMMAND) not in text:
            raise ReadmeError(f"README.md no longer builds its database with `{' '.join(BUILD_COMMAND)}`"
                              " (set-up, command 1): make BUILD_COMMAND say what it says now")
        with tempfile.TemporaryDirectory(prefix="jixiao-readme-") as tmp:
            workdir = Path(tmp) / "work"
            workdir.mkdir()
            (workdir / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
            runner = Runner(workdir, args.verbose)
            build_database(runner, args.db.resolve() if args.db else None,
                           memo=not args.no_memo, write_memo=not args.check)
            new, n = regenerate(text, runner, args.scores)
    except ReadmeError as exc:
        print(f"readme_examples: {exc}", file=sys.stderr)
        return 1 if args.check else 2
    took = f"{time.monotonic() - t0:.1f} s"
    name = args.readme.name
    if new == text:
        print(f"{name}: {n} example blocks current ({took})")
        return 0
    if args.check:
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(keepends=True), new.splitlines(keepends=True),
            f"{name} (as it is)", f"{name} (regenerated)"))
        print(f"{name}: stale; `python docs/readme_examples.py` rewrites it ({took})",
              file=sys.stderr)
        return 1
    # README.md may have been edited while the examples ran: rewrite only if not
    if args.readme.read_text(encoding="utf-8") != text:
        print(f"{name} changed while the examples ran; run again", file=sys.stderr)
        return 2
    args.readme.write_text(new, encoding="utf-8")
    print(f"{name}: rewrote the example blocks that were stale ({took})")
    return 0


if __name__ == "jixiao_worker_hook" and os.environ.get(MEMO_ENV):  # in an ingest worker
    try:
        install_ocr_memo(Path(os.environ[MEMO_ENV]))
    except Exception as exc:  # noqa: BLE001 - no memo then: every page read by OCR, as without
        with open(Path(os.environ[MEMO_ENV]) / f"failed-{os.getpid()}.txt", "w") as fh:
            fh.write(f"{type(exc).__name__}: {exc}\n")

if __name__ == "__main__":
    sys.exit(main())
