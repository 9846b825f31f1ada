"""OCR for PDF pages without a usable text layer, through the optional ``ocr`` extra.

``pip install 'reportqa[ocr]'`` installs rapidocr-onnxruntime: PaddleOCR's Chinese detection
and recognition models (PP-OCRv4, shipped inside the package, nothing downloaded) run by
ONNX Runtime on the CPU. A page is drawn by PDFium at ``OCR_SCALE`` times 72 dpi, read, and
each line the model finds becomes a run of text placed where it is on the page, so the same
reading order, paragraph joins and page numbers apply as for a text layer.

Progress is shown on a terminal (``文字识别（OCR）：文件名 第 3/12 页``). A page holding a picture
larger than ``MAX_PICTURE_PIXELS`` is not drawn (a decompression bomb in a picture) and
stays unread.
"""

from __future__ import annotations

import importlib.util
import logging
import statistics
import sys

from .pdf_glyphs import Run

OCR_SCALE = 2.0  # drawing scale: 144 dpi, where the models read body text best
MAX_SIDE = 4000  # pixels on the longer side of a drawn page at most
MAX_PICTURE_PIXELS = 120_000_000  # a picture larger than this is not drawn
_PACKAGE = "rapidocr_onnxruntime"
_MODEL = None  # loaded once per process


class OcrUnavailable(Exception):
    """The OCR extra is installed but cannot run; the message is for users."""


def available() -> bool:
    """Whether the OCR extra is installed."""
    return importlib.util.find_spec(_PACKAGE) is not None


def engine(progress=None) -> Ocr | None:
    """An OCR reader when the extra is installed (its models load at the first page), else None."""
    return Ocr(progress) if available() else None


class Ocr:
    """Reads a PDFium page's picture: ``read(doc, i)`` gives its rows of runs, top to bottom."""

    def __init__(self, progress=None):
        self.progress = progress if progress is not None else _terminal_progress
        self._shown = False

    def read(self, doc, i: int, *, name: str = "", step: tuple[int, int] = (1, 1)) -> list[list[Run]]:
        self.progress(f"文字识别（OCR）：{name} 第 {step[0]}/{step[1]} 页（PDF 第 {i + 1} 页）")
        self._shown = True
        page = doc[i]
        try:
            if _has_huge_picture(page):
                return []
            width, height = page.get_size()
            scale = min(OCR_SCALE, MAX_SIDE / max(width, height, 1.0))
            image = page.render(scale=scale).to_pil()
        finally:
            page.close()
        found = recognise(image)
        return rows_from_boxes(found, scale, height)

    def finish(self) -> None:
        if self._shown:
            self.progress("")


def recognise(image) -> list[tuple[list[list[float]], str]]:
    """(box corners in pixels, text) of each line the model finds in a PIL image."""
    global _MODEL
    import numpy as np

    if _MODEL is None:
        try:
            from rapidocr_onnxruntime import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _MODEL = RapidOCR()
        except Exception as exc:  # a broken install: a missing system library, a bad model
            raise OcrUnavailable(f"文字识别（OCR）组件无法加载（{type(exc).__name__}）") from None
    result, _ = _MODEL(np.asarray(image.convert("RGB")))
    return [(box, text) for box, text, _score in (result or []) if text and text.strip()]


def rows_from_boxes(found: list[tuple[list[list[float]], str]], scale: float, height: float) -> list[list[Run]]:
    """OCR lines as runs in page coordinates (points, y up), grouped into rows by baseline."""
    runs = []
    for box, text in found:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        tall = (max(ys) - min(ys)) / scale
        size = max(1.0, 0.8 * tall)
        runs.append(Run(text.strip(), min(xs) / scale, max(xs) / scale, height - max(ys) / scale + 0.1 * tall, size))
    rows: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: -r.base):
        if rows and abs(statistics.median(r.base for r in rows[-1]) - run.base) <= 0.5 * run.size:
            rows[-1].append(run)
        else:
            rows.append([run])
    return [sorted(row, key=lambda r: r.x0) for row in rows]


def _has_huge_picture(page) -> bool:
    import ctypes

    import pypdfium2.raw as raw

    w, h = ctypes.c_uint(), ctypes.c_uint()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        if raw.FPDFImageObj_GetImagePixelSize(obj.raw, w, h) and w.value * h.value > MAX_PICTURE_PIXELS:
            return True
    return False


def _terminal_progress(message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{message}\033[K")
        sys.stderr.flush()
