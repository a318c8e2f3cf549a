"""The OCR engine behind one small interface: `recognize(image) -> list[TextBox]`.

RapidOCR 1.4.4 (`rapidocr-onnxruntime`, PP-OCRv4 detection and recognition
models inside the wheel) runs on ONNX Runtime, CPU only. Text is detected once
per page and every detected line recognised; `recognize_crops` reads given
crops with recognition only (the cells that have ink but no detected text).
The engine is made once per process and loads nothing from the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from extract.errors import UnsupportedFormat

INSTALL_HINT = "OCR needs the 'ocr' extra: pip install 'jixiao[ocr]' (rapidocr-onnxruntime)"


@dataclass(frozen=True)
class TextBox:
    text: str
    box: tuple[float, float, float, float]  # x0, top, x1, bottom in image pixels
    confidence: float


_ENGINE = None


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _engine():
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise UnsupportedFormat(INSTALL_HINT) from exc
        _ENGINE = RapidOCR(use_cls=False, print_verbose=False)
    return _ENGINE


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    return image


def recognize(image: np.ndarray, min_confidence: float = 0.3) -> list[TextBox]:
    """Every text line found on the image (greyscale or BGR), top to bottom."""
    result, _ = _engine()(_bgr(image), use_det=True, use_cls=False, use_rec=True,
                          text_score=min_confidence)
    out: list[TextBox] = []
    for quad, text, score in result or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        if text.strip():
            out.append(TextBox(text=text, box=(min(xs), min(ys), max(xs), max(ys)),
                               confidence=round(float(score), 4)))
    return out


def recognize_crops(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence) of each crop, one text line each: recognition only."""
    if not crops:
        return []
    rec = _engine().text_rec
    result, _ = rec([_bgr(c) for c in crops])
    return [(str(r[0]), round(float(r[1]), 4)) for r in result]
