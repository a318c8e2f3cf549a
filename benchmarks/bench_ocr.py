"""OCR on the scanned samples: seconds per page, character accuracy per engine, cells right.

    .venv/bin/python benchmarks/bench_ocr.py [--pages N] [--tesseract-pages N] [--score]

For every scanned sample (samples/formats/pdf-scanned, made by
samples/build_scanned.py from the text PDFs in samples/formats/pdf):

- seconds per page: the whole extractor (render, denoise, deskew, rulings,
  detection, recognition, re-reads, layout) over the document's pages;
- character accuracy: the characters of each page's text layer in the text
  PDF against what the engine read from the scan, as a bag of characters
  (order-free, so reading order does not count): matched / reference,
  whitespace left out, both sides half-width. RapidOCR (the engine used) on
  every page read (--pages N: N pages spread evenly over the files); Tesseract
  `chi_sim` (the OS package, if installed) on --tesseract-pages of those pages,
  spread the same way, same preprocessed images; RapidOCR's figure on that
  same subset is printed too. Seconds per page: median over the pages, the
  RapidOCR engine loaded (and run once) before timing;
- table cells exactly right: the non-empty cells the text PDF gives, matched
  one to one, page by page, with the cells read from the scan (same text exactly;
  and again after NFKC with white space dropped, as the scorer compares text:
  a scan cannot tell full-width "（：" from half-width "(:").

--score also ingests the scanned folder with the pipeline and runs
../shared/score.py against samples/formats/gold/pdf-scanned.

    .venv/bin/python benchmarks/bench_ocr.py --photos [--score]

--photos measures the phone photos (samples/photos, made by samples/build_photos.py
from pages of samples/formats/pdf) beside the clean scans of the same pages
(samples/formats/pdf-scanned): per page, seconds of the whole page reader (render,
flatten, deskew, rulings, detection, recognition, layout; the models loaded
before timing) for the photo and for the scan, and the flattening's own share
(find the sheet, undo the perspective, measure and undo the bend); the sheet's
outline (confidence, corner error against the builder's manifest); table cells
exactly right against the text PDF's, photo and scan. With --score both folders
are ingested with the pipeline and scored against their gold, category by category.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from extract import read_file  # noqa: E402
from extract.ocr import engine, pages as ocr_pages  # noqa: E402
from extract.pdf import _scan_dpi  # noqa: E402
from normalize.text import to_halfwidth  # noqa: E402

SCANNED = ROOT / "samples" / "formats" / "pdf-scanned"
TEXT = ROOT / "samples" / "formats" / "pdf"
PHOTOS = ROOT / "samples" / "photos"


def chars(text: str) -> Counter:
    return Counter(c for c in to_halfwidth(text) if not c.isspace())


def bag_accuracy(ref: Counter, got: Counter) -> tuple[int, int]:
    return sum(min(n, got[c]) for c, n in ref.items()), sum(ref.values())


def page_image(page) -> tuple[np.ndarray, float]:
    dpi = _scan_dpi(page)
    return np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")), dpi


def tesseract_text(gray: np.ndarray) -> str:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        Image.fromarray(gray).save(Path(tmp) / "p.png")
        out = subprocess.run(["tesseract", str(Path(tmp) / "p.png"), "stdout", "-l", "chi_sim", "--psm", "3"],
                             capture_output=True, text=True, check=True)
    return out.stdout


def cells(extracted, folded: bool = False) -> Counter:
    """(page, text) of every non-empty table cell: compared page by page.

    folded: compared after NFKC and with white space dropped, as ../shared/score.py
    compares text (a scan cannot tell "（" from "(", and the scorer does not either).
    """
    def key(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()) if folded else " ".join(text.split())
    return Counter((c.prov.page, key(c.text)) for b in extracted.blocks if b.kind == "table"
                   for c in b.cells() if c.text.strip())


def spread(n_items: int, n: int) -> list[int]:
    """n indices spread evenly over range(n_items) (all of them when n is 0 or too big)."""
    if not n or n >= n_items:
        return list(range(n_items))
    return sorted({round(i * (n_items - 1) / max(n - 1, 1)) for i in range(n)})


def _page_cells(page, folded: bool = True) -> Counter:
    """The non-empty table cells of one page of extract.pdf (a _Page), as `cells` keys them."""
    def key(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()) if folded else " ".join(text.split())
    return Counter(key(c) for t in page.tables for row in t.rows for c in row if c and c.strip())


def _score(folder: Path, gold: Path, files: list[str] | None = None) -> dict[str, float]:
    """Ingest `folder` (or only `files` in it) with the pipeline, score against `gold`: F1 per
    category and overall."""
    score = ROOT.parent / "shared" / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/o.sqlite"
        out = Path(tmp) / "o.json"
        py = sys.executable
        targets = [str(folder / f) for f in files] if files else [str(folder)]
        subprocess.run([py, str(ROOT / "pipeline.py"), "ingest", *targets, "--db", db], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([py, str(ROOT / "pipeline.py"), "export", "--db", db, "--format", "json", "-o",
                        str(out)], check=True, stdout=subprocess.DEVNULL)
        gold_dir = Path(tmp) / "gold"
        gold_dir.mkdir()
        for f in (files or [p.name for p in folder.glob("*.pdf")]):
            shutil.copy(gold / (Path(f).stem + ".json"), gold_dir)
        res = subprocess.run(["python3", str(score), str(gold_dir), str(out), "--json"],
                             check=True, capture_output=True, text=True)
    data = json.loads(res.stdout)
    return _f1_table(data)


def _f1_table(data: dict) -> dict[str, float]:
    """F1 per category and overall from score.py --json ({cat: {tp, predicted, gold}, overall: {f1, ...}})."""
    out: dict[str, float] = {}
    for cat, v in data.items():
        if cat == "overall":
            out[cat] = float(v["f1"])
        else:
            out[cat] = 2 * v["tp"] / max(1, v["predicted"] + v["gold"])
    return out


def photos(score: bool) -> None:
    """Photos beside the scans of the same pages: speed, outline, cells; the scorer with --score."""
    from extract.pdf import _read_page
    from extract.pdf_pdfium import PdfiumPage

    manifest = json.loads((PHOTOS / "photos.manifest").read_text(encoding="utf-8"))
    engine.recognize(np.full((64, 256), 255, np.uint8))  # load the models outside the timing
    rows = []
    for name, infos in manifest.items():
        photo_doc = pdfium.PdfDocument(str(PHOTOS / name))
        scan_doc = pdfium.PdfDocument(str(SCANNED / name))
        text_doc = pdfium.PdfDocument(str(TEXT / name))
        for k, info in enumerate(infos):
            number = info["page"]
            ref = _page_cells(_read_page(PdfiumPage.read(text_doc[number - 1]), number))
            got = {}
            for kind, doc, idx in (("photo", photo_doc, k), ("scan", scan_doc, number - 1)):
                page = doc[idx]
                t, c = time.perf_counter(), time.process_time()
                gray, dpi = page_image(page)
                found, stats = ocr_pages.ocr_page(gray, dpi)
                read = _read_page(found, number, ocr=True)
                got[kind] = (time.perf_counter() - t, time.process_time() - c, stats, _page_cells(read),
                             gray.shape)
            (pw, pc, ps, pcells, pshape), (sw, sc, _, scells, _) = got["photo"], got["scan"]
            n = sum(ref.values())
            ok_p = sum(min(v, pcells[c]) for c, v in ref.items())
            ok_s = sum(min(v, scells[c]) for c, v in ref.items())
            err = None
            if ps.get("corners"):
                scale = pshape[1] / info["size"][0]  # the PDF page rendered at _scan_dpi, not 1:1
                err = float(np.linalg.norm(np.array(ps["corners"]) - np.array(info["corners"]) * scale,
                                           axis=1).max() / scale)
            rows.append((pw, pc, sw, sc, ps.get("flatten_s") or 0.0, ok_p, ok_s, n))
            print(f"  {name} p{number}: photo {pw:.2f} s ({pc:.2f} CPU), scan {sw:.2f} s ({sc:.2f} CPU), "
                  f"flattening {ps.get('flatten_s') or 0:.3f} s; outline {ps.get('outline')}, corners within "
                  f"{err if err is None else round(err, 1)} px, bend {ps.get('bend_px')} px, {ps['dpi']:.0f} dpi; "
                  f"cells photo {ok_p}/{n}, scan {ok_s}/{n}", flush=True)
        for d in (photo_doc, scan_doc, text_doc):
            d.close()
    pages = len(rows)
    mean = [sum(r[i] for r in rows) / pages for i in range(5)]
    ok_p, ok_s, n = (sum(r[i] for r in rows) for i in (5, 6, 7))
    flat = [r[4] for r in rows]
    print(f"photos: {mean[0]:.2f} s/page ({mean[1]:.2f} CPU) against {mean[2]:.2f} s/page ({mean[3]:.2f} CPU) "
          f"for the scans of the same {pages} pages; flattening {statistics.median(flat):.3f} s a page "
          f"(median; most {max(flat):.3f}); table cells exactly right (NFKC, white space) photo {ok_p}/{n}, "
          f"scan {ok_s}/{n} = {ok_p / max(ok_s, 1):.3f} of the scan's")
    if score:
        files = sorted(manifest)
        got_p = _score(PHOTOS, PHOTOS / "gold", files)
        got_s = _score(SCANNED, ROOT / "samples" / "formats" / "gold" / "pdf-scanned", files)
        print(f"{'category':<14}{'photo':>8}{'scan':>8}")
        for cat in sorted(set(got_p) | set(got_s), key=lambda c: (c == "overall", c)):
            print(f"{cat:<14}{got_p.get(cat, 0.0):>8.3f}{got_s.get(cat, 0.0):>8.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=0,
                    help="character accuracy on N pages spread over the files (0: all)")
    ap.add_argument("--tesseract-pages", type=int, default=4,
                    help="Tesseract on N of those pages, spread the same way (0: all of them)")
    ap.add_argument("--score", action="store_true", help="run the pipeline and the scorer too")
    ap.add_argument("--photos", action="store_true",
                    help="the phone photos (samples/photos) beside the scans of the same pages")
    args = ap.parse_args()
    if not engine.available():
        sys.exit(engine.INSTALL_HINT)
    threads = os.cpu_count()
    print(f"{threads} cores; PP-OCRv6 small (rapidocr 3.10 models, our ONNX sessions) via extract.ocr")
    if args.photos:
        photos(args.score)
        return

    # 1. character accuracy per page and engine
    rapid = [0, 0]
    rapid_sub = [0, 0]  # RapidOCR on the pages Tesseract reads too
    tess = [0, 0]
    tess_secs: list[float] = []
    rapid_secs: list[float] = []
    have_tess = shutil.which("tesseract") is not None
    scans = sorted(SCANNED.glob("*.pdf"))
    all_pages = []
    for scan in scans:
        doc = pdfium.PdfDocument(str(scan))
        all_pages += [(scan, k) for k in range(len(doc))]
        doc.close()
    chosen = [all_pages[i] for i in spread(len(all_pages), args.pages)]
    tess_chosen = {chosen[i] for i in spread(len(chosen), args.tesseract_pages)}
    engine.recognize(np.full((64, 256), 255, np.uint8))  # load the models outside the timing
    n_pages = len(chosen)
    for scan in scans:
        ks = [k for s, k in chosen if s == scan]
        if not ks:
            continue
        sdoc, tdoc = pdfium.PdfDocument(str(scan)), pdfium.PdfDocument(str(TEXT / scan.name))
        for k in ks:
            tp = tdoc[k].get_textpage()
            ref = chars(tp.get_text_range())
            gray, dpi = page_image(sdoc[k])
            _, prep, _ = ocr_pages.prepare(gray)  # the levelled copy the pipeline reads from
            t = time.perf_counter()
            boxes = engine.recognize(prep)
            rapid_secs.append(time.perf_counter() - t)
            m, n = bag_accuracy(ref, chars("".join(b.text for b in boxes)))
            rapid[0] += m
            rapid[1] += n
            line = f"  {scan.name} p{k + 1}: rapidocr {m / n:.3f} ({rapid_secs[-1]:.2f} s)"
            if have_tess and (scan, k) in tess_chosen:
                t = time.perf_counter()
                text = tesseract_text(prep)
                tess_secs.append(time.perf_counter() - t)
                m2, _ = bag_accuracy(ref, chars(text))
                tess[0] += m2
                tess[1] += n
                rapid_sub[0] += m
                rapid_sub[1] += n
                line += f"  tesseract {m2 / n:.3f} ({tess_secs[-1]:.2f} s)"
            print(line, flush=True)
        sdoc.close()
        tdoc.close()
    print(f"character accuracy, rapidocr: {rapid[0] / rapid[1]:.4f} over {n_pages} of {len(all_pages)} pages "
          f"(median {statistics.median(rapid_secs):.2f} s/page detection + recognition, "
          f"mean {statistics.mean(rapid_secs):.2f})")
    if tess[1]:
        n_t = len(tess_secs)
        print(f"character accuracy, tesseract chi_sim: {tess[0] / tess[1]:.4f} over {n_t} pages "
              f"(median {statistics.median(tess_secs):.2f} s/page, mean {statistics.mean(tess_secs):.2f}); "
              f"rapidocr on the same {n_t} pages: {rapid_sub[0] / rapid_sub[1]:.4f}")
    elif not have_tess:
        print("tesseract: not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")

    # 2. the whole extractor: seconds per page, table cells exactly right
    total_pages, total_secs, right, right_folded, ref_cells = 0, 0.0, 0, 0, 0
    per_file: list[float] = []
    for scan in sorted(SCANNED.glob("*.pdf")):
        doc = pdfium.PdfDocument(str(scan))
        pages = len(doc)
        doc.close()
        t = time.perf_counter()
        got = read_file(scan)
        secs = time.perf_counter() - t
        text_pdf = read_file(TEXT / scan.name)
        ref = cells(text_pdf)
        mine = cells(got)
        ok = sum(min(n, mine[c]) for c, n in ref.items())
        ref_f, mine_f = cells(text_pdf, folded=True), cells(got, folded=True)
        right_folded += sum(min(n, mine_f[c]) for c, n in ref_f.items())
        right += ok
        ref_cells += sum(ref.values())
        total_pages += pages
        total_secs += secs
        per_file.append(secs / pages)
        print(f"  {scan.name}: {pages} pages, {secs / pages:.2f} s/page, cells {ok}/{sum(ref.values())}, "
              f"format {got.format}, warnings {len(got.warnings)}", flush=True)
    print(f"extractor: {total_secs / total_pages:.2f} s/page over {total_pages} pages "
          f"(median of the files' s/page {statistics.median(per_file):.2f}) on {threads} cores; "
          f"table cells exactly right {right}/{ref_cells} = {right / max(ref_cells, 1):.4f}, "
          f"after NFKC and white space {right_folded}/{ref_cells} = {right_folded / max(ref_cells, 1):.4f}")

    # 3. the scorer
    if args.score:
        score = ROOT.parent / "shared" / "score.py"
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite:///{tmp}/o.sqlite"
            out = Path(tmp) / "o.json"
            py = sys.executable
            subprocess.run([py, str(ROOT / "pipeline.py"), "ingest", str(SCANNED), "--db", db], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run([py, str(ROOT / "pipeline.py"), "export", "--db", db, "--format", "json", "-o",
                            str(out)], check=True, stdout=subprocess.DEVNULL)
            json.loads(out.read_text(encoding="utf-8"))
            subprocess.run(["python3", str(score), str(ROOT / "samples/formats/gold/pdf-scanned"), str(out)],
                           check=True)


if __name__ == "__main__":
    main()
