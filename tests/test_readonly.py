"""Read commands never write (issue 14): a database in a read-only folder, a
schema older than the code, a mistyped --db, and a PostgreSQL role with
SELECT rights only.

The read-only folder: CI runs as root, and root ignores `chmod -w`, so the
folder is a read-only bind mount (`mount --bind`, then `mount -o
remount,ro,bind`) and the commands run in this process (CliRunner) and as
processes. Where mount is refused (a container without CAP_SYS_ADMIN), the
commands run as an unprivileged user (setpriv, as nobody) on a `chmod -w`
copy; a user other than root just gets a `chmod -w` folder. Set
JIXIAO_TEST_RO_VIA=user to take the unprivileged-user way even where mount works.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from db.session import _alembic, engine_for, head_revision
from pipeline import cli
from test_analysis import build_reports
from test_db_migrations import old_database

ROOT = Path(__file__).resolve().parent.parent
HEAD = head_revision()

# The read commands, each with what it is asked; OUT is replaced by a fresh
# folder for the files it writes (outside the read-only folder).
READS = {
    "status": ["status", "--missing"],
    "checks": ["checks"],
    "export-json": ["export"],
    "export-json-file": ["export", "-o", "OUT/all.json"],
    "export-csv": ["export", "--format", "csv", "-o", "OUT/csv"],
    "export-xlsx": ["export", "--format", "xlsx", "-o", "OUT/all.xlsx"],
    "export-parquet": ["export", "--format", "parquet", "-o", "OUT/parquet"],
    "search": ["search", "政策知晓率"],
    "search-indicators": ["search", "救助对象满意度"],
    "compare": ["compare", "execution_rate", "--years", "2021-2023", "--format", "csv"],
    "compare-text": ["compare", "budget", "--by", "city", "--agg", "sum"],
}
# One of each kind of command, for the refusals (missing file, old schema).
KINDS = {name: READS[name] for name in ("status", "checks", "export-json", "export-csv",
                                        "search", "compare")} | {"serve": ["serve", "--port", "9"]}


@dataclass
class Out:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args) -> Out:
    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return Out(r.exit_code, r.stdout, r.stderr)


def process(*args, prefix=(), env=None) -> Out:
    r = subprocess.run([*prefix, sys.executable, str(ROOT / "pipeline.py"), *map(str, args)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    return Out(r.returncode, r.stdout, r.stderr)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def _frame(df: pd.DataFrame) -> tuple[str, str]:
    return str(df.dtypes.to_dict()), df.to_csv(index=False)  # NaN compares equal as text


def outputs(out: Path) -> dict:
    """What a command wrote under `out`, comparable between two runs."""
    got = {}
    for p in sorted(out.rglob("*")):
        key = str(p.relative_to(out))
        if p.suffix == ".xlsx":  # the README sheet names the database and the time: not data
            got[key] = {k: _frame(v) for k, v in pd.read_excel(p, sheet_name=None).items()
                        if k != "README"}
        elif p.suffix == ".parquet":
            got[key] = _frame(pd.read_parquet(p))
        elif p.is_file():
            got[key] = p.read_bytes()
    return got


def read(run, db: str, name: str, out: Path) -> tuple[Out, dict]:
    """Run read command `name` on `db` with its files into `out`; the result
    with OUT in its text made neutral, and what it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    args = [a.replace("OUT", str(out)) for a in READS[name]]
    r = run(*args, "--db", db)
    neutral = Out(r.exit_code, r.stdout.replace(str(out), "OUT"), r.stderr.replace(str(out), "OUT"))
    return neutral, outputs(out)


# ---------------------------------------------------------------- the databases

def set_sql(path: Path, *sql: str) -> None:
    with sqlite3.connect(path) as conn:
        for s in sql:
            conn.execute(s)
    sqlite3.connect(path).close()


def old_schema(path: Path, revision: str = "0003") -> None:
    """A database as the jixiao of schema `revision` left it, holding a document."""
    url = f"sqlite:///{path}"
    old_database(url, stamped=True)  # revision 0001, one file and its document
    engine = engine_for(url)
    with engine.begin() as conn:
        _alembic(conn, "upgrade", revision)
    engine.dispose()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A folder holding the ingested database j.sqlite and variants of it:
    stale.sqlite (derived tables out of date), nofts.sqlite (no search index),
    never.sqlite (derived tables never built), old.sqlite (schema 0003),
    prerev.sqlite (from before schema revisions), newer.sqlite (a newer
    jixiao's); and, made before any read command ran, what every read gives."""
    base = tmp_path_factory.mktemp("ro")
    reports = build_reports(base / "reports")
    d = base / "dbs"
    d.mkdir()
    db = d / "j.sqlite"
    r = invoke("ingest", reports, "--db", db, "-j", "1")
    assert r.exit_code == 0, r.stderr
    for name in ("stale", "nofts", "never", "newer"):
        shutil.copy(db, d / f"{name}.sqlite")
    set_sql(d / "stale.sqlite", "UPDATE derived_state SET fingerprint = 'built by an older jixiao'")
    set_sql(d / "nofts.sqlite", "DROP TABLE search_fts")
    set_sql(d / "never.sqlite", "DELETE FROM derived_state", "DELETE FROM search_entries",
            "DELETE FROM indicator_concepts", "DELETE FROM org_regions", "DROP TABLE search_fts")
    set_sql(d / "newer.sqlite", "UPDATE alembic_version SET version_num = '9999'")
    old_schema(d / "old.sqlite")
    url = f"sqlite:///{d / 'prerev.sqlite'}"
    old_database(url, stamped=False)
    return d


@pytest.fixture(scope="module")
def expected(folder, tmp_path_factory) -> dict[str, tuple[Out, dict]]:
    """Every read command's result on the writable folder."""
    out = tmp_path_factory.mktemp("expected")
    before = listing(folder)
    got = {name: read(invoke, str(folder / "j.sqlite"), name, out / name) for name in READS}
    assert listing(folder) == before  # the writable folder too: nothing new, nothing changed
    return got


# ---------------------------------------------------------------- a read-only folder

@dataclass
class ReadOnly:
    """The database folder, read-only at `path`; `run` runs one command there
    (in this process, or as a process of an unprivileged user) and `out` is a
    folder that command may write to."""
    path: Path
    how: str
    run: callable
    process: callable
    out: Path


def _mount_read_only(src: Path, dst: Path) -> str | None:
    """Bind-mount src read-only at dst; None if done, else why not."""
    try:
        for cmd in (["mount", "--bind", str(src), str(dst)],
                    ["mount", "-o", "remount,ro,bind", str(dst)]):
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            if r.returncode:
                if os.path.ismount(dst):
                    subprocess.run(["umount", str(dst)], capture_output=True, timeout=30)
                return f"mount refused: {' '.join(cmd[:3])}: {r.stderr.strip() or r.returncode}"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"mount refused: {exc}"
    return None


@contextmanager
def read_only_copy(src: Path):
    """src's files in a chmod -w folder that an unprivileged user can read,
    with a folder that user may write to."""
    top = Path(tempfile.mkdtemp(prefix="jixiao-ro-"))
    try:
        top.chmod(0o755)
        ro, out = top / "ro", top / "out"
        shutil.copytree(src, ro)
        out.mkdir()
        out.chmod(0o777)
        for p in ro.iterdir():
            p.chmod(0o444)
        ro.chmod(0o555)
        yield ro, out
    finally:
        ro.chmod(0o755)
        shutil.rmtree(top)


@pytest.fixture(scope="module")
def read_only(folder, expected, tmp_path_factory):
    via = os.environ.get("JIXIAO_TEST_RO_VIA", "")
    if os.geteuid() != 0:  # chmod -w holds for anyone but root
        with read_only_copy(folder) as (ro, out):
            yield ReadOnly(ro, "chmod -w", invoke, process, out)
        return
    why = "mount not tried (JIXIAO_TEST_RO_VIA=user)"
    if via != "user":
        dst = tmp_path_factory.mktemp("mounted")
        why = _mount_read_only(folder, dst)
        if why is None:
            try:
                yield ReadOnly(dst, "read-only bind mount", invoke, process,
                               tmp_path_factory.mktemp("out"))
            finally:
                subprocess.run(["umount", str(dst)], check=True, timeout=30)
            return
    user = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            if shutil.which("setpriv") else
            ["runuser", "-u", "nobody", "--"] if shutil.which("runuser") else None)
    if user is None:
        pytest.skip(f"no read-only folder can be made here: {why}, and "
                    "neither setpriv nor runuser is there to read as an unprivileged user")
    # That user must be able to run this Python, and start it again (serve does):
    # a virtualenv whose interpreter lives under root's home cannot.
    probe = subprocess.run([*user, sys.executable, "-c", "import subprocess, sys; subprocess.run("
                            "[sys.executable, '-c', 'import pipeline'], check=True)"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    if probe.returncode:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"no read-only folder can be made here: {why}, and "
                    f"an unprivileged user cannot run {sys.executable} ({last})")
    with read_only_copy(folder) as (ro, out):
        env = {**os.environ, "TMPDIR": str(out), "HOME": str(out)}  # jieba's cache, matplotlib's
        run_as = lambda *a: process(*a, prefix=user, env=env)  # noqa: E731
        yield ReadOnly(ro, "chmod -w, as nobody", run_as, run_as, out)


def _ro_out(read_only, name: str) -> Path:
    out = read_only.out / name
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o777)
    return out


@pytest.mark.parametrize("name", list(READS))
def test_read_command_on_a_read_only_folder(read_only, expected, name):
    before = listing(read_only.path)
    db = str(read_only.path / "j.sqlite")
    got = read(read_only.run, db, name, _ro_out(read_only, name))
    assert got[0].exit_code == 0, (read_only.how, got[0].stderr)
    assert got[0].stderr == ""  # the derived tables are current: nothing to say
    assert got == expected[name], read_only.how
    assert listing(read_only.path) == before  # no -wal, -shm, -lock, no new file at all


def test_read_only_output_is_the_right_one(expected):
    # The reference itself, against what the reports hold (tests/test_analysis.py
    # checks every figure; here enough to know the read-only runs read real data).
    search = expected["search"][0].stdout.splitlines()
    assert search[-1] == "1 hit" and "【政策知晓率】" in search[1]
    assert expected["search-indicators"][0].stdout.splitlines()[-1] == "6 hits"
    compare = pd.read_csv(__import__("io").StringIO(expected["compare"][0].stdout), index_col=0)
    assert compare.loc["孟津县", "2023"] == pytest.approx(95.0)
    docs = json.loads(expected["export-json"][0].stdout)["documents"]
    assert len(docs) > 10
    assert docs == json.loads(expected["export-json-file"][1]["all.json"])["documents"]
    status = expected["status"][0].stdout.splitlines()
    assert status[2].split()[0] == "1" and " ok " in status[2]
    assert status[-1] == "Missing files: 0 (rows kept, left out of exports)"
    checks = expected["checks"][0].stdout.splitlines()
    n = next(int(line.split()[0]) for line in checks if line.endswith((" check", " checks")))
    assert n >= 5 and "[sum_mismatch]" in checks[0]  # the made-up reports' 资金总额


def test_read_commands_run_as_processes_on_a_read_only_folder(read_only, expected):
    before = listing(read_only.path)
    r = read_only.process("search", "政策知晓率", "--db", read_only.path / "j.sqlite")
    assert (r.exit_code, r.stdout, r.stderr) == (0, expected["search"][0].stdout, "")
    r = read_only.process("status", "--missing", "--db", read_only.path / "j.sqlite")
    assert (r.exit_code, r.stdout) == (0, expected["status"][0].stdout)
    assert listing(read_only.path) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_on_a_read_only_folder(read_only):
    before = listing(read_only.path)
    port = _free_port()
    cmd = [sys.executable, str(ROOT / "pipeline.py"), "serve", "--db",
           str(read_only.path / "j.sqlite"), "--port", str(port)]
    prefix = [] if read_only.run is invoke else ["setpriv", "--reuid=65534", "--regid=65534",
                                                 "--clear-groups"]
    proc = subprocess.Popen([*prefix, *cmd], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(read_only.out)})
    try:
        url = f"http://127.0.0.1:{port}/j/v_department_year.json?_shape=array&_size=max"
        for _ in range(300):
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    rows = json.loads(resp.read())
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"serve ended: {proc.stderr.read()}")
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not answer")
        row = next(r for r in rows if r["org_name"] == "安福县民政局")
        assert (row["province"], row["county"], row["fiscal_year"]) == ("江西省", "安福县", 2021)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "jixiao:" not in err  # no note about the derived tables: they are current
    assert listing(read_only.path) == before


def test_upgrade_is_refused_on_a_read_only_folder(read_only):
    if read_only.how == "chmod -w":
        pytest.skip("the unprivileged user's copy is the same case as the mount")
    before = listing(read_only.path)
    r = read_only.run("upgrade", "--db", read_only.path / "old.sqlite")
    assert r.exit_code == 3
    assert r.stderr.strip().splitlines() == [
        f"Error: {read_only.path / 'old.sqlite'} cannot be written here (a read-only file or "
        "folder): upgrade a writable copy; the read commands read it as it is"]
    assert listing(read_only.path) == before


# ---------------------------------------------------------------- derived tables out of date

STALE = ("jixiao: the derived tables (regions, indicator concepts, search entries) are out of "
         "date: the stored reports, or this jixiao's region or concept tables, changed since "
         "they were built; read as they are; `jixiao upgrade --db {db}` rebuilds them\n")
NEVER = ("jixiao: the derived tables (regions, indicator concepts, search entries) were never "
         "built in this database: what reads them finds them empty; "
         "`jixiao upgrade --db {db}` rebuilds them\n")
NO_FTS = ("jixiao: the search index (search_fts) is missing: search reads without it; "
          "`jixiao upgrade --db {db}` rebuilds them\n")


@pytest.mark.parametrize("name", ["search", "compare", "export-csv"])
def test_stale_derived_tables_are_read_as_they_are_and_said_once(read_only, expected, name):
    before = listing(read_only.path)
    db = str(read_only.path / "stale.sqlite")
    r, files = read(read_only.run, db, name, _ro_out(read_only, f"stale-{name}"))
    assert r.exit_code == 0
    assert r.stderr == STALE.format(db=db)  # one line, once
    assert (r.stdout, files) == (expected[name][0].stdout, expected[name][1])
    assert listing(read_only.path) == before


def test_search_without_its_index_finds_the_same(read_only, expected):
    db = str(read_only.path / "nofts.sqlite")
    for name in ("search", "search-indicators"):
        r, _ = read(read_only.run, db, name, _ro_out(read_only, f"nofts-{name}"))
        assert (r.exit_code, r.stdout) == (0, expected[name][0].stdout)
        assert r.stderr == NO_FTS.format(db=db)


def test_derived_tables_never_built_are_read_empty(read_only):
    db = str(read_only.path / "never.sqlite")
    r = read_only.run("search", "政策知晓率", "--db", db)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "0 hits\n", NEVER.format(db=db))
    r = read_only.run("compare", "--db", db, "--format", "csv")
    assert r.exit_code == 0 and r.stderr == NEVER.format(db=db)
    assert set(pd.read_csv(__import__("io").StringIO(r.stdout), index_col=0).index) == {"(unknown)"}
    r = read_only.run("status", "--db", db)  # reads no derived table: nothing to say
    assert r.exit_code == 0 and r.stderr == ""


def test_upgrade_rebuilds_what_ingest_did_not(folder, tmp_path, expected):
    for name in ("stale", "nofts", "never"):
        db = tmp_path / f"{name}.sqlite"
        shutil.copy(folder / f"{name}.sqlite", db)
        r = invoke("upgrade", "--db", db)
        assert r.exit_code == 0, r.stderr
        assert r.stdout.startswith(f"schema at revision {HEAD} already; derived tables rebuilt: ")
        got, _ = read(invoke, str(db), "search", tmp_path / "out" / name)
        assert (got.exit_code, got.stdout, got.stderr) == (0, expected["search"][0].stdout, "")


# ---------------------------------------------------------------- a schema older than the code

OLDER = ("Error: the database was made by an older jixiao (schema revision 0003; this one "
         f"needs revision {HEAD}); run `jixiao upgrade --db {{db}}` to bring it up to date\n")
PRE_REVISIONS = ("Error: the database was made by an older jixiao (from before schema revisions; "
                 f"this one needs revision {HEAD}); run `jixiao upgrade --db {{db}}` to bring it "
                 "up to date\n")
NEWER = ("Error: the database was made by a newer jixiao (schema revision 9999; this one knows "
         f"up to {HEAD}): install the newer jixiao to read it\n")


@pytest.mark.parametrize("name", list(KINDS))
@pytest.mark.parametrize("db_name,message", [("old", OLDER), ("prerev", PRE_REVISIONS),
                                             ("newer", NEWER)])
def test_other_schema_is_refused_in_one_line(read_only, name, db_name, message):
    before = listing(read_only.path)
    db = str(read_only.path / f"{db_name}.sqlite")
    out = _ro_out(read_only, f"{db_name}-{name}")
    r = read_only.run(*[a.replace("OUT", str(out)) for a in KINDS[name]], "--db", db)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", message.format(db=db))
    assert listing(read_only.path) == before and list(out.iterdir()) == []


def test_upgrade_brings_an_old_database_up_to_date(folder, tmp_path):
    for name, was in (("old", "0003"), ("prerev", "none (before revisions)")):
        db = tmp_path / f"{name}.sqlite"
        shutil.copy(folder / f"{name}.sqlite", db)
        r = invoke("upgrade", "--db", db)
        assert r.exit_code == 0, r.stderr
        assert r.stdout == (f"schema upgraded from revision {was} to {HEAD}; derived tables "
                            "rebuilt: 1 document regions, 0 indicator concepts, 0 search entries\n")
        r = invoke("export", "--db", db)
        assert r.exit_code == 0 and r.stderr == ""
        assert [d["title"] for d in json.loads(r.stdout)["documents"]] == ["旧的报告"]
        assert invoke("upgrade", "--db", db).stdout.startswith(f"schema at revision {HEAD} already")
    db = tmp_path / "newer.sqlite"
    shutil.copy(folder / "newer.sqlite", db)
    r = invoke("upgrade", "--db", db)
    assert r.exit_code == 2 and "made by a newer jixiao" in r.stderr


# ---------------------------------------------------------------- a mistyped --db

@pytest.mark.parametrize("name", [*KINDS, "upgrade"])
def test_missing_database_file_is_one_line_exit_2_and_creates_nothing(tmp_path, name):
    args = ["upgrade"] if name == "upgrade" else KINDS[name]
    out = tmp_path / "out"
    out.mkdir()
    here = tmp_path / "here"
    here.mkdir()
    for db in (here / "jixao.sqlite", f"sqlite:///{here / 'jixao.sqlite'}",
               here / "no-such-folder" / "j.sqlite"):
        r = invoke(*[a.replace("OUT", str(out)) for a in args], "--db", db)
        path = str(db).removeprefix("sqlite:///")
        assert (r.exit_code, r.stdout, r.stderr) == (
            2, "", f"Error: no database at {path}: check --db (`jixiao ingest` creates one)\n")
    assert list(here.iterdir()) == [] and list(out.iterdir()) == []


def test_missing_database_from_the_environment_and_as_a_process(tmp_path):
    db = tmp_path / "jixao.sqlite"
    r = process("search", "政策", env={**os.environ, "JIXIAO_DB": str(db)})
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == f"Error: no database at {db}: check --db (`jixiao ingest` creates one)\n"
    assert list(tmp_path.iterdir()) == []


def test_what_is_no_jixiao_database_is_said_so(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database", encoding="utf-8")
    (tmp_path / "empty.sqlite").write_bytes(b"")
    other = tmp_path / "other.sqlite"
    set_sql(other, "CREATE TABLE recipes (name TEXT)")
    cases = {
        tmp_path / "notes.txt": f"{tmp_path / 'notes.txt'} is not an SQLite database: check --db",
        tmp_path / "empty.sqlite": (f"{tmp_path / 'empty.sqlite'} holds no jixiao tables: "
                                    "check --db (`jixiao ingest` creates the database)"),
        other: f"{other} is not a jixiao database (its tables: recipes): check --db",
        tmp_path: f"{tmp_path} is a folder, not a database file: check --db",
    }
    before = listing(tmp_path)
    for db, message in cases.items():
        r = invoke("status", "--db", db)
        assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"Error: {message}\n")
    assert listing(tmp_path) == before
    assert invoke("ingest", ROOT / "samples" / "d_csv_rows.txt", "--db", tmp_path / "new.sqlite",
                  "-j", "1").exit_code == 0  # ingest still creates a database
    assert invoke("status", "--db", tmp_path / "new.sqlite").exit_code == 0


# ---------------------------------------------------------------- PostgreSQL, SELECT rights only

PG_READS = ["status", "checks", "export-json", "export-csv", "export-xlsx", "export-parquet",
            "search", "search-indicators", "compare", "compare-text"]


def test_postgresql_role_with_select_rights_only_reads_everything(pg_ro_urls, tmp_path):
    owner, reader = pg_ro_urls
    r = invoke("ingest", build_reports(tmp_path / "reports"), "--db", owner, "-j", "1")
    assert r.exit_code == 0, r.stderr
    ro = engine_for(reader)
    try:  # the role really cannot write, nor build an index
        with ro.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM documents")).scalar() > 10
        for sql in ("DELETE FROM derived_state",
                    "CREATE INDEX IF NOT EXISTS ix_search_entries_tsv ON search_entries "
                    "USING gin (to_tsvector('simple', tokens))"):
            with ro.connect() as conn, pytest.raises(Exception, match="(?i)permission denied|must be owner"):
                conn.execute(text(sql))
    finally:
        ro.dispose()
    for name in PG_READS:
        want = read(invoke, owner, name, tmp_path / "owner" / name)
        got = read(invoke, reader, name, tmp_path / "reader" / name)
        assert got[0].exit_code == 0, (name, got[0].stderr)
        assert got[0].stderr == ""
        assert got == want, name
    search = read(invoke, reader, "search", tmp_path / "s")[0].stdout.splitlines()
    assert search[-1] == "1 hit" and "【政策知晓率】" in search[1]
    docs = json.loads(read(invoke, reader, "export-json", tmp_path / "j")[0].stdout)["documents"]
    assert len(docs) > 10


def test_postgresql_reader_on_stale_or_old_data(pg_ro_urls, pg_url_factory, tmp_path):
    owner, reader = pg_ro_urls
    r = invoke("ingest", ROOT / "samples" / "d_csv_rows.txt", "--db", owner, "-j", "1")
    assert r.exit_code == 0, r.stderr
    want = invoke("search", "救助对象满意度", "--db", reader)
    assert want.exit_code == 0 and want.stdout.splitlines()[-1] == "1 hit"
    engine = engine_for(owner)
    with engine.begin() as conn:
        conn.execute(text("UPDATE derived_state SET fingerprint = 'built by an older jixiao'"))
    engine.dispose()
    r = invoke("search", "救助对象满意度", "--db", reader)
    assert (r.exit_code, r.stdout) == (0, want.stdout)
    assert r.stderr.count("\n") == 1 and "derived tables" in r.stderr and "out of date" in r.stderr
    assert "jixiao_ro" not in r.stderr.replace("jixiao_reader", "")  # no password shown
    # A schema older than the code: the reader is told, in one line, who can upgrade.
    old_owner = pg_url_factory()
    old_database(old_owner, stamped=True)
    engine = engine_for(old_owner)
    with engine.begin() as conn:
        _alembic(conn, "upgrade", "0003")
    engine.dispose()
    from sqlalchemy.engine import make_url

    old_reader = make_url(reader).update_query_dict(
        {"options": make_url(old_owner).query["options"]}).render_as_string(hide_password=False)
    r = invoke("status", "--db", old_reader)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert r.stderr.startswith("Error: the database was made by an older jixiao (schema "
                               f"revision 0003; this one needs revision {HEAD}); run `jixiao "
                               "upgrade --db ")
    assert r.stderr.endswith("(as the role that owns its tables)\n") and ":***@" in r.stderr
    r = invoke("upgrade", "--db", old_owner)
    assert r.exit_code == 0, r.stderr
    assert invoke("status", "--db", old_reader).exit_code == 0
    # A mistyped database, or a schema with nothing in it: one line, exit 2.
    wrong = make_url(reader).set(database="jixiao_tset").render_as_string(hide_password=False)
    r = invoke("search", "满意度", "--db", wrong)
    assert (r.exit_code, r.stdout, r.stderr) == (
        2, "", "Error: no database jixiao_tset on the server localhost: check --db\n")
    empty = make_url(reader).update_query_dict(
        {"options": make_url(pg_url_factory()).query["options"]})
    r = invoke("checks", "--db", empty.render_as_string(hide_password=False))
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (f"Error: '{empty.render_as_string(hide_password=True)}' holds no jixiao "
                        "tables: check --db (`jixiao ingest` creates the database)\n")
