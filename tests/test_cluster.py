"""Ingest on a real Dask cluster (issue 13): a distributed.LocalCluster of two
worker processes, started once for the module, nothing mocked.

The folder is small on purpose (CI): samples/*.txt, one DOCX and one PDF of
samples/formats, and the top of a page of a scan of samples/formats/pdf-scanned.
A local run of it (the process pool, through the command line, in a fresh
interpreter that must not import Dask) is the reference every cluster run
is compared with, export to export.

The cluster's workers import tests/cluster_hooks.py (JIXIAO_WORKER_HOOK): a
file whose first line is `#jixiao-test kill-dask-worker` kills the Dask
worker that reads it. The scheduler gives up on a task after 2 dead workers
(allowed-failures 1), to keep the test short.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.export import export_documents
from db.ingest import ingest_paths
from db.models import File, Quarantine, Run
from db.session import open_db, session_factory
from db.worker import process
from extract.limits import MIB, Limits

distributed = pytest.importorskip("distributed", reason="pip install -e '.[cluster]'")
dask = pytest.importorskip("dask")

from db.cluster import DaskExecutor  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FORMATS = SAMPLES / "formats"
HOOK = str(Path(__file__).resolve().with_name("cluster_hooks.py"))
SCORE = Path(os.environ.get("JIXIAO_SCORE", "/work/shared/score.py"))
if not SCORE.is_file():
    SCORE = ROOT.parent / "shared" / "score.py"
SCAN = "000_scan.jpg"


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    import pypdfium2 as pdfium

    out = tmp_path_factory.mktemp("cluster") / "reports"
    out.mkdir()
    for src in sorted(SAMPLES.glob("*.txt")):
        shutil.copyfile(src, out / src.name)
    shutil.copyfile(FORMATS / "docx" / "000_f22173ecc6795b81.docx", out / "000_word.docx")
    shutil.copyfile(FORMATS / "pdf" / "000_f22173ecc6795b81.pdf", out / "000_text.pdf")
    # The top of the first page of a scan (grey, tilted, noisy, JPEG): OCR of
    # a couple of seconds, not the half minute of the whole three pages.
    scan = pdfium.PdfDocument(FORMATS / "pdf-scanned" / "000_f22173ecc6795b81.pdf")
    image = next(iter(scan[0].get_objects())).get_bitmap().to_pil()
    image.crop((0, 0, image.width, image.height * 2 // 5)).save(out / SCAN, quality=60)
    return out


def n_files(folder: Path) -> int:
    return sum(1 for _ in folder.iterdir())


@pytest.fixture(scope="module")
def reference(folder, tmp_path_factory) -> dict:
    """A local run of the folder through the command line, and what it imported."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ref') / 'local.sqlite'}"
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('IMPORTED', ' '.join(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('dask', 'distributed'))), file=sys.stderr))\n"
            f"sys.argv = ['jixiao', 'ingest', {str(folder)!r}, '--db', {url!r}, '-j', '2']\n"
            "import pipeline\n"
            "pipeline.main()\n")
    env = {k: v for k, v in os.environ.items() if k not in ("JIXIAO_CLUSTER",
                                                            "JIXIAO_WORKER_HOOK")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    imported = proc.stderr.split("IMPORTED", 1)[1].split()
    export, files, paths, _ = snapshot(url)
    assert files == paths == n_files(folder)
    return {"export": export, "imported": imported, "url": url}


@pytest.fixture(scope="module")
def cluster():
    """Two Dask worker processes of one thread each, the scheduler in this process."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
            memory_limit=0, silence_logs=logging.ERROR, env={"JIXIAO_WORKER_HOOK": HOOK})
    client = distributed.Client(local)
    try:
        yield local, client
    finally:
        client.close()
        local.close()


@pytest.fixture
def address(cluster) -> str:
    local, client = cluster
    client.wait_for_workers(2, timeout=120)  # a test before may have killed one
    return local.scheduler_address


def snapshot(url: str) -> tuple[dict, int, int, int]:
    """(export, files, distinct paths, documents)."""
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            return (export_documents(s),
                    s.scalar(select(func.count()).select_from(File)),
                    s.scalar(select(func.count(func.distinct(File.path)))),
                    s.scalar(select(func.count()).select_from(File).where(
                        File.status == "ingested")))
    finally:
        engine.dispose()


def last_run(url: str) -> Run:
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            return s.scalars(select(Run).order_by(Run.id.desc()).limit(1)).one()
    finally:
        engine.dispose()


def only(export: dict, names: set[str]) -> dict:
    return {"documents": [d for d in export["documents"] if d["source"]["file"] in names]}


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**{k: v for k, v in os.environ.items() if k != "JIXIAO_CLUSTER"}, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], cwd=ROOT,
                          env=env, text=True, capture_output=True, timeout=timeout)


def f1(gold: dict, predicted: dict, tmp_path: Path) -> float | None:
    """shared/score.py between two exports (None where the scorer is absent)."""
    if not SCORE.is_file():
        return None
    (tmp_path / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    (tmp_path / "pred.json").write_text(json.dumps(predicted, ensure_ascii=False), "utf-8")
    out = subprocess.run([sys.executable, str(SCORE), str(tmp_path / "gold.json"),
                          str(tmp_path / "pred.json"), "--json"],
                         text=True, capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["overall"]["f1"]


# ---------------------------------------------------------------- tests

def test_a_local_run_does_not_import_dask(reference):
    assert reference["imported"] == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_cluster_exports_what_a_local_run_exports_and_a_warm_rerun_stores_nothing(
        request, kind, folder, reference, address, tmp_path):
    url = (f"sqlite:///{tmp_path / 'cluster.sqlite'}" if kind == "sqlite"
           else request.getfixturevalue("pg_url"))
    n = n_files(folder)
    cold = cli("ingest", str(folder), "--db", url, env={"JIXIAO_CLUSTER": address})
    assert cold.returncode == 0, cold.stderr
    assert f"jixiao: Dask scheduler {address}: 2 workers" in cold.stderr
    assert f"{n} files: {n} new" in cold.stdout
    export, files, paths, _ = snapshot(url)
    assert files == paths == n  # each file stored once
    assert export == reference["export"]
    score = f1(reference["export"], export, tmp_path)
    assert score in (None, 1.0)
    run = last_run(url)
    assert (run.status, run.new, run.failed, run.workers) == ("ok", n, 0, 2)

    warm = cli("ingest", str(folder), "--db", url, "--cluster", address)
    assert warm.returncode == 0, warm.stderr
    assert f"{n} files: 0 new, 0 changed, 0 re-parsed, {n} skipped" in warm.stdout
    run = last_run(url)
    assert (run.new, run.changed, run.reparsed, run.documents) == (0, 0, 0, 0)
    assert snapshot(url)[0] == reference["export"]


def test_a_worker_killed_mid_run_changes_nothing_and_each_file_is_stored_once(
        folder, reference, cluster, address, tmp_path):
    local, client = cluster
    url = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    killed: list[tuple[str, bool]] = []  # (worker, its scan not done yet)
    stop = threading.Event()

    def kill_the_scan_reader(executor: DaskExecutor) -> None:
        """SIGKILL the Dask worker that runs the scan, a moment into its OCR."""
        while not stop.wait(0.1):
            keys = {k for k, job in list(executor.tasks.items()) if job.key.endswith(SCAN)}
            for addr, running in client.processing().items():
                if keys & set(running):
                    time.sleep(0.3)  # the OCR takes seconds: this is in the middle
                    pid = client.run(os.getpid, workers=[addr])[addr]
                    running_still = keys & set(executor.tasks)
                    os.kill(pid, signal.SIGKILL)
                    killed.append((addr, bool(running_still)))
                    return

    engine = open_db(url)
    try:
        with DaskExecutor(address) as executor:
            killer = threading.Thread(target=kill_the_scan_reader, args=(executor,))
            killer.start()
            try:
                summary = ingest_paths(engine, [folder], executor=executor)
            finally:
                stop.set()
                killer.join()
    finally:
        engine.dispose()
    assert killed == [(killed[0][0], True)], "the scan was never seen running"
    n = n_files(folder)
    assert (summary.new, len(summary.quarantined)) == (n, 0), summary.quarantined
    export, files, paths, _ = snapshot(url)
    assert files == paths == n
    assert export == reference["export"]
    run = last_run(url)
    assert (run.status, run.files, run.new, run.failed) == ("ok", n, n, 0)


def test_files_the_workers_cannot_see_are_shipped_by_themselves(folder, reference, address,
                                                                tmp_path):
    """The ingesting process runs in a mount namespace of its own where the folder
    is a tmpfs with the reports; the Dask workers, outside it, see an empty folder."""
    if not shutil.which("unshare") or subprocess.run(
            ["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs `unshare --mount` (root) to hide a folder from the workers")
    names = {p.name for p in folder.iterdir() if p.name != SCAN}  # OCR is tested above
    source = tmp_path / "source"
    source.mkdir()
    for name in names:
        shutil.copyfile(folder / name, source / name)
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    url = f"sqlite:///{tmp_path / 'shipped.sqlite'}"
    script = ('mount -t tmpfs jixiao "$1" && cp "$2"/* "$1"/ && '
              'exec "$3" pipeline.py ingest "$1" --db "$4" --cluster "$5"')
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
         str(hidden), str(source), sys.executable, url, address],
        cwd=ROOT, text=True, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "cannot see" in proc.stderr and "--ship-bytes" in proc.stderr
    assert not any(hidden.iterdir())  # here, as for the workers, the folder is empty
    export, files, paths, _ = snapshot(url)
    assert files == paths == len(names)
    assert export == only(reference["export"], names)


def test_ship_bytes_on_request(folder, reference, address, tmp_path):
    names = {p.name for p in folder.glob("*.txt")} | {"000_word.docx"}
    small = tmp_path / "small"
    small.mkdir()
    for name in names:
        shutil.copyfile(folder / name, small / name)
    url = f"sqlite:///{tmp_path / 'ship.sqlite'}"
    lines: list[str] = []
    engine = open_db(url)
    try:
        with DaskExecutor(address, ship_bytes=True, echo=lines.append) as executor:
            summary = ingest_paths(engine, [small], executor=executor)
    finally:
        engine.dispose()
    assert summary.new == len(names) and not summary.quarantined
    assert not any("cannot see" in line for line in lines)  # asked, not found out
    assert snapshot(url)[0] == only(reference["export"], names)


def test_the_time_and_memory_limits_hold_on_cluster_workers(address, tmp_path):
    """The client's limits travel with each task; the Dask worker's watched process
    is stopped exactly as a local worker is, with the same reasons."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    good = sorted(SAMPLES.glob("*.txt"))[:2]
    for src in good:
        shutil.copyfile(src, inbox / src.name)
    for name, command in {"slow": "sleep 600 parse", "fat": "allocate 800 extract"}.items():
        (inbox / f"{name}.txt").write_text(f"#jixiao-test {command}\n部门整体支出绩效自评报告\n")
    engine = open_db(f"sqlite:///{tmp_path / 'limits.sqlite'}")
    t0 = time.monotonic()
    try:
        with DaskExecutor(address) as executor:
            summary = ingest_paths(engine, [inbox], executor=executor,
                                   limits=Limits(file_seconds=3, worker_memory_bytes=300 * MIB))
    finally:
        engine.dispose()
    assert time.monotonic() - t0 < 90
    assert {Path(f.path).name: (f.stage, f.error) for f in summary.quarantined} == {
        "slow.txt": ("parse", "took over 3 s in parse"),
        "fat.txt": ("extract", "used over 300 MB in extract")}
    assert summary.new == len(good) and summary.exit_code == 1


def test_a_result_that_arrives_twice_is_stored_once(folder, reference, tmp_path):
    """Exactly once by digest and pipeline version, whatever the executor does."""

    class Twice:
        workers = 1

        def results(self, jobs, limits):
            for job in jobs:
                result = process(job)
                yield result
                yield result  # the late copy of a task that ran twice

    names = {p.name for p in folder.glob("*.txt")}
    url = f"sqlite:///{tmp_path / 'twice.sqlite'}"
    engine = open_db(url)
    try:
        summary = ingest_paths(engine, sorted(folder / n for n in names), executor=Twice())
    finally:
        engine.dispose()
    assert (summary.new, summary.files, summary.skipped) == (len(names), len(names), 0)
    export, files, paths, _ = snapshot(url)
    assert files == paths == len(names)
    assert export == only(reference["export"], names)
    run = last_run(url)
    assert (run.new, run.files) == (len(names), len(names))


def test_local_n_starts_a_cluster_of_its_own(folder, reference, tmp_path):
    names = {"a_cell_per_line_selfeval.txt", "g_gbk_evaluation_report.txt"}
    url = f"sqlite:///{tmp_path / 'local.sqlite'}"
    proc = cli("ingest", *(str(folder / n) for n in sorted(names)), "--db", url,
               env={"JIXIAO_CLUSTER": "local:1"})
    assert proc.returncode == 0, proc.stderr
    assert ": 1 worker, 1 thread;" in proc.stderr
    assert snapshot(url)[0] == only(reference["export"], names)


def test_a_file_that_kills_its_workers_is_quarantined_not_retried_forever(address, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "killer.txt").write_text("#jixiao-test kill-dask-worker\n项目名称：测试\n", "utf-8")
    url = f"sqlite:///{tmp_path / 'killer.sqlite'}"
    proc = cli("ingest", str(inbox), "--db", url, "--cluster", address)
    assert proc.returncode == 1, proc.stderr  # quarantined, the run itself fine
    assert "killer.txt: killed 2 workers" in proc.stderr
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            q = s.scalars(select(Quarantine)).one()
            assert q.error.startswith("killed 2 workers")
    finally:
        engine.dispose()
    again = cli("ingest", str(inbox), "--db", url, "--cluster", address)
    assert again.returncode == 1 and "1 skipped" in again.stdout  # not retried unchanged
