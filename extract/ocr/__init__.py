"""OCR for scanned pages and images: engine (engine.py), rulings and cells (table.py), pages (pages.py);
photos of a sheet on a desk found and flattened first (flatten.py).

The engine is PP-OCRv6 small (the rapidocr 3.10 wheel) on ONNX Runtime, a core dependency; its
models ship inside the wheel, so nothing is downloaded at run time.
"""
