"""OCR for scanned pages and images: engine (engine.py), rulings and cells (table.py), pages (pages.py).

The engine is RapidOCR (PP-OCRv4, ONNX Runtime) from the `ocr` extra; its
models ship inside the wheel, so nothing is downloaded at run time.
"""
