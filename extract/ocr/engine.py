"""The OCR engine behind a small interface: `detect` text lines, `read` crops.

RapidOCR 1.4.4 (`rapidocr-onnxruntime`, PP-OCRv4 detection and recognition
models inside the wheel) runs on ONNX Runtime, CPU only. The two halves are
called apart so that extract.ocr.pages can detect once per page, cut each
detected line at the table's rulings and recognise every piece within its own
cell. The engine is made once per process and loads nothing from the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extract.errors import UnsupportedFormat
from extract.ocr.decode import Decoder

INSTALL_HINT = "OCR needs rapidocr-onnxruntime, a dependency of jixiao: pip install -e . (or pip install rapidocr-onnxruntime==1.4.4)"

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in image pixels


@dataclass(frozen=True)
class TextBox:
    text: str
    box: Box
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
        _ENGINE.text_rec.postprocess_op = Decoder(_ENGINE.text_rec.postprocess_op.character)
        _with_arena(_ENGINE.text_det.infer)
        _with_arena(_ENGINE.text_rec.session)
    return _ENGINE


def _with_arena(wrapper) -> None:
    """The same model in a session that keeps its memory arena.

    RapidOCR turns ONNX Runtime's CPU arena off; every line image has another
    width, and allocating afresh for each costs about 5% of recognition time.
    """
    import onnxruntime as ort

    old = wrapper.session
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_cpu_mem_arena = True
    wrapper.session = ort.InferenceSession(old._model_path, sess_options=opts,
                                           providers=["CPUExecutionProvider"])


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    return image


def detect(image: np.ndarray, scale: float = 1.0) -> list[Box]:
    """The box of every text line on the image (greyscale or BGR), in its pixels.

    `scale` < 1 runs detection on a smaller copy: finding lines needs far fewer
    pixels than reading them, and detection time grows with the area.
    """
    small = image
    if scale < 0.99:
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    quads, _ = _engine().text_det(_bgr(small))
    if quads is None or len(quads) == 0:
        return []
    h, w = image.shape[:2]
    out = []
    for q in quads:
        x0, top = max(0.0, float(q[:, 0].min()) / scale), max(0.0, float(q[:, 1].min()) / scale)
        x1, bottom = min(float(w), float(q[:, 0].max()) / scale), min(float(h), float(q[:, 1].max()) / scale)
        if x1 - x0 >= 2 and bottom - top >= 2:
            out.append((x0, top, x1, bottom))
    return out


def read(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence) of each crop, one text line each: recognition only."""
    if not crops:
        return []
    result, _ = _engine().text_rec([_bgr(c) for c in crops])
    return [(str(r[0]), round(float(r[1]), 4)) for r in result]


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    x0, top, x1, bottom = (int(round(v)) for v in box)
    h, w = image.shape[:2]
    return image[max(0, top):min(h, bottom), max(0, x0):min(w, x1)]


def recognize(image: np.ndarray, min_confidence: float = 0.3) -> list[TextBox]:
    """Every text line found on the image, detected and read, top to bottom."""
    boxes = detect(image)
    out = []
    for box, (text, conf) in zip(boxes, read([crop(image, b) for b in boxes])):
        if text.strip() and conf >= min_confidence:
            out.append(TextBox(text=text, box=box, confidence=conf))
    return sorted(out, key=lambda t: (t.box[1], t.box[0]))
