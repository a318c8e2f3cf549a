"""PostgreSQL: a run lock that cannot be lost unnoticed (issue 12).

The run lock is a session advisory lock on a connection that idles for the
whole run; the server can close it under the run. Each test holds a real run
(`pipeline.py ingest`, a subprocess) at a known point with the gate hook
(tests/gate_hook.py: the last file waits in its parser until the test opens
the gate), does to the database what a server, a pooler or an administrator
does, opens the gate and looks at what the run did: it stops with exit 3 and
one clear line, stores nothing more, quarantines nothing, and its row in
`runs` says it failed. "The server restarted" is played by a TCP relay the
test cuts and restores, so the shared server is never restarted.

Skipped without JIXIAO_TEST_PG_URL (see tests/conftest.py).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bad_inputs import GOOD_REPORT
from db.export import export_documents
from db.ingest import ingest_paths
from db.models import File, Quarantine, Run
from db.session import engine_for, open_db, run_lock, run_lock_holder, session_factory

ROOT = Path(__file__).resolve().parents[1]
HOOK = str(Path(__file__).resolve().with_name("gate_hook.py"))
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
PATIENCE = 120  # s: the most any step here may take before the test gives up (never asserted)
LOST = "this run lost the database's run lock"


# ---------------------------------------------------------------- helpers

def gated_corpus(folder: Path) -> tuple[Path, Path]:
    """The samples and, last in the walk's order, a good report that waits in
    its parser for the gate; returns (that report, the gate)."""
    folder.mkdir(parents=True)
    for src in SAMPLES:
        shutil.copyfile(src, folder / src.name)
    gate = folder.parent / "gate-open"
    late = folder / "zzz_late.txt"
    late.write_bytes(f"#jixiao-test gate {gate} parse\n".encode() + GOOD_REPORT)
    return late, gate


def with_name(url: str) -> tuple[str, str]:
    """`url` with an application_name of its own: the test finds the run's connections by it."""
    name = f"jixiao-test-{uuid.uuid4().hex[:8]}"
    return make_url(url).update_query_dict({"application_name": name}).render_as_string(
        hide_password=False), name


def cli(*args: str, hook: bool = False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("JIXIAO_WORKERS", "JIXIAO_WORKER_HOOK")}
    if hook:
        env["JIXIAO_WORKER_HOOK"] = HOOK
    return subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=PATIENCE)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out, err


def until(condition, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + PATIENCE
    while True:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the run ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"never: {what}")
        time.sleep(0.05)


def query(url: str, sql: str, **params):
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def holder(url: str):
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return run_lock_holder(conn)
    except Exception:
        return None  # the schema or the server is not there yet
    finally:
        engine.dispose()


def stored(url: str) -> int:
    try:
        return query(url, "SELECT count(*) FROM files")[0][0]
    except Exception:
        return 0  # not created yet


def waiting_at_the_gate(url: str, proc: subprocess.Popen) -> tuple[int, object]:
    """Wait until the run holds the lock and has stored every sample (so its
    worker is in the gated file); the lock's (pid, backend start)."""
    until(lambda: stored(url) >= len(SAMPLES), "the samples were stored", proc)
    return until(lambda: holder(url), "the run lock was held", proc)


def terminate(url: str, pid: int) -> None:
    assert query(url, "SELECT pg_terminate_backend(:pid)", pid=pid) == [(True,)]
    until(lambda: not query(url, "SELECT 1 FROM pg_stat_activity WHERE pid = :pid", pid=pid),
          "the terminated backend was gone")


def table(url: str):
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            return (s.scalars(select(Run).order_by(Run.id)).all(),
                    s.scalars(select(File).order_by(File.path)).all(),
                    s.scalars(select(Quarantine)).all())
    finally:
        engine.dispose()


def one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, err
    return lines[0]


def export(url: str) -> dict:
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            return export_documents(s)
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the lock's connection

def test_postgresql_connections_keep_alive_unless_the_url_says_otherwise(pg_url):
    engine = engine_for(pg_url)
    other = engine_for(make_url(pg_url).update_query_dict({"keepalives_idle": "7"})
                       .render_as_string(hide_password=False))
    try:
        params = engine.raw_connection().driver_connection.info.get_parameters()
        assert (params["keepalives"], params["keepalives_idle"]) == ("1", "30")
        assert "connect_timeout" in params
        assert other.raw_connection().driver_connection.info.get_parameters()[
            "keepalives_idle"] == "7"
    finally:
        engine.dispose()
        other.dispose()


def test_an_idle_timeout_does_not_close_the_lock_connection(pg_url, tmp_path):
    # Every connection of the run gets a 1 s idle_session_timeout from the
    # URL (as from a role or database setting); the run's other connections
    # are closed by it while the run waits, the lock's is not.
    if int(query(pg_url, "SHOW server_version_num")[0][0]) < 140000:
        pytest.skip("idle_session_timeout is new in PostgreSQL 14")
    url, name = with_name(make_url(pg_url).update_query_dict({
        "options": make_url(pg_url).query["options"] + " -cidle_session_timeout=1000"})
        .render_as_string(hide_password=False))
    folder = tmp_path / "in"
    late, gate = gated_corpus(folder)
    run = cli("ingest", str(folder), "--db", url, "--workers", "1", hook=True)
    try:
        lock = waiting_at_the_gate(pg_url, run)
        mine = f"SELECT pid FROM pg_stat_activity WHERE application_name = '{name}'"
        until(lambda: query(pg_url, mine) == [(lock[0],)],
              "the run's other connections were closed by the idle timeout", run)
        assert holder(pg_url) == lock
        gate.touch()
        code, out, err = finish(run)
    finally:
        gate.touch()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert code == 0, (out, err)
    assert f"{len(SAMPLES) + 1} new" in out
    runs, files, _ = table(pg_url)
    assert [r.status for r in runs] == ["ok"] and len(files) == len(SAMPLES) + 1


# ---------------------------------------------------------------- lost lock

def test_a_run_whose_lock_connection_is_terminated_stops_and_quarantines_nothing(
        pg_url, tmp_path):
    folder = tmp_path / "in"
    late, gate = gated_corpus(folder)
    run = cli("ingest", str(folder), "--db", pg_url, "--workers", "1", hook=True)
    try:
        pid, _ = waiting_at_the_gate(pg_url, run)
        terminate(pg_url, pid)  # what idle_session_timeout or a pooler does to it
        gate.touch()
        code, out, err = finish(run)
    finally:
        gate.touch()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert code == 3, (out, err)
    line = one_error_line(err)
    assert line.startswith(f"Error: run 1 stopped: {LOST}: the database closed the connection")
    assert line.endswith(f"{len(SAMPLES)} files stored by it, the rest left as they were "
                         "for the next run")
    runs, files, quarantine = table(pg_url)
    # the good file it was storing is untouched: not stored, not quarantined
    assert late.name not in {f.name for f in files} and quarantine == []
    (r,) = runs
    assert r.status == "failed" and r.ended_at is not None and LOST in r.error
    status = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "status", "--db", pg_url],
                            cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE)
    assert status.returncode == 0, status.stderr
    assert " failed " in status.stdout.splitlines()[2]
    assert f"run 1 failed: {LOST}" in status.stdout
    # the next run stores what this one left
    code, out, err = finish(cli("ingest", str(folder), "--db", pg_url, "--workers", "1"))
    assert code == 0, err
    assert "1 new" in out and f"{len(SAMPLES)} skipped" in out


def test_a_run_that_lost_its_lock_to_another_run_never_writes_beside_it(
        pg_url, pg_url_factory, tmp_path):
    folder = tmp_path / "in"
    late, gate = gated_corpus(folder)
    first = cli("ingest", str(folder), "--db", pg_url, "--workers", "1", hook=True)
    try:
        pid, _ = waiting_at_the_gate(pg_url, first)
        terminate(pg_url, pid)
        # A second run finds the lock free: it starts, marks the first
        # interrupted and stores what is left, the gated file included.
        code, out, err = finish(cli("ingest", str(folder), "--db", pg_url, "--workers", "1"))
        assert code == 0, err
        assert "1 new" in out and f"{len(SAMPLES)} skipped" in out
        runs, _, _ = table(pg_url)
        assert [r.status for r in runs] == ["interrupted", "ok"]
        # and a third holds the lock while the first comes back to store
        engine = open_db(pg_url)
        try:
            with run_lock(engine):
                gate.touch()
                code, out, err = finish(first)
        finally:
            engine.dispose()
    finally:
        gate.touch()
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert code == 3, (out, err)
    line = one_error_line(err)
    assert LOST in line and "another connection (server pid" in line
    runs, files, quarantine = table(pg_url)
    assert quarantine == [] and [r.status for r in runs] == ["failed", "ok"]
    assert len(files) == len({f.path for f in files}) == len(SAMPLES) + 1
    assert {f.run_id for f in files if f.name == late.name} == {2}  # the second run's
    # what the two runs left is what one clean run stores
    clean = pg_url_factory()
    engine = open_db(clean)
    try:
        assert not ingest_paths(engine, [folder], workers=1).quarantined
    finally:
        engine.dispose()
    assert export(pg_url) == export(clean)


# ---------------------------------------------------------------- the server goes away

class Relay:
    """A TCP relay in front of the PostgreSQL server. `cut()` closes every
    connection through it and turns new ones away, as a server going down
    does; `restore()` lets them through again, as the server back up."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.turned_away = 0
        self.open: list[socket.socket] = []
        self.guard = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.guard:
                if not self.up:
                    self.turned_away += 1
                    client.close()
                    continue
                server = socket.create_connection(self.target)
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self.guard:
            self.up = False
            for s in self.open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.open.clear()

    def restore(self) -> None:
        with self.guard:
            self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def relayed(pg_url):
    """(a URL through a relay, the relay); the test's own look goes straight to the server."""
    u = make_url(pg_url)
    relay = Relay(u.host or "localhost", u.port or 5432)
    try:
        # sslmode=disable: one connection attempt per connect (libpq's default
        # tries again without SSL), so the test knows when the run has tried
        url = u.set(host="127.0.0.1", port=relay.port).update_query_dict({"sslmode": "disable"})
        yield url.render_as_string(hide_password=False), relay
    finally:
        relay.close()


@pytest.mark.parametrize("back", [True, False], ids=["server-back", "server-gone"])
def test_a_run_whose_server_goes_away_stops_and_is_not_left_running(
        pg_url, relayed, tmp_path, back):
    url, relay = relayed
    folder = tmp_path / "in"
    late, gate = gated_corpus(folder)
    run = cli("ingest", str(folder), "--db", url, "--workers", "1", hook=True)
    try:
        waiting_at_the_gate(pg_url, run)
        relay.cut()  # the server restarts: every connection of the run is gone
        until(lambda: holder(pg_url) is None, "the server let the lock go", run)
        gate.touch()
        if back:  # back once the run has found it gone
            until(lambda: relay.turned_away, "the run tried the server", run)
            relay.restore()
        code, out, err = finish(run)
    finally:
        gate.touch()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert code == 3, (out, err)
    line = one_error_line(err)
    assert line.startswith("Error: run 1 stopped: database error while storing ")
    assert late.name in line
    runs, files, quarantine = table(pg_url)
    assert quarantine == [] and late.name not in {f.name for f in files}
    (r,) = runs
    if back:  # the server answered again in time: the run recorded its end
        assert r.status == "failed" and "database error while storing" in r.error
    else:  # it could not say; `status` sees no one holds the lock and says so
        assert r.status == "running"
    status = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "status", "--db", pg_url],
                            cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE)
    assert status.returncode == 0, status.stderr
    assert (" failed " if back else " interrupted ") in status.stdout.splitlines()[2]


# ---------------------------------------------------------------- a concurrent writer

def test_a_duplicate_key_from_a_concurrent_writer_ends_the_run_and_quarantines_nothing(
        pg_url, tmp_path, monkeypatch):
    import db.ingest
    from click.testing import CliRunner

    from pipeline import cli as jixiao

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(GOOD_REPORT)
    (folder / "b.txt").write_bytes(GOOD_REPORT.replace("铜鼓县".encode(), "万载县".encode()))
    monkeypatch.setenv("JIXIAO_FILE_TIMEOUT", "0")
    monkeypatch.setenv("JIXIAO_WORKER_MEMORY_MB", "0")
    store = db.ingest.store_file
    intruder = engine_for(pg_url)

    def intrude_then_store(session, extracted, *args, **kwargs):
        path = extracted.path
        if path.endswith("b.txt"):  # another writer stores the same path, now
            with intruder.begin() as conn:
                conn.execute(File.__table__.insert().values(
                    path=path, name="b.txt", status="ingested", pipeline_version="other",
                    ingested_at=func.now()))
        return store(session, extracted, *args, **kwargs)

    monkeypatch.setattr(db.ingest, "store_file", intrude_then_store)
    try:
        r = CliRunner().invoke(jixiao, ["ingest", str(folder), "--db", pg_url, "--workers", "1"])
    finally:
        intruder.dispose()
    assert r.exit_code == 3, r.output
    line = one_error_line(r.stderr)
    assert line.startswith(f"Error: run 1 stopped: database error while storing {folder / 'b.txt'}: "
                           "(psycopg.errors.UniqueViolation) duplicate key value")
    assert line.endswith("1 files stored by it, the rest left as they were for the next run")
    runs, files, quarantine = table(pg_url)
    assert quarantine == []
    assert [(f.name, f.pipeline_version) for f in files if f.name == "b.txt"] == [("b.txt", "other")]
    assert runs[0].status == "failed" and "UniqueViolation" in runs[0].error
