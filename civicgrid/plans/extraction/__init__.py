"""Policy documents → structure, tasks (lead / cooperating units, deadlines) and targets.

Pure Python, no database: ``extract_file(path)``, ``extract_bytes(data, filename)`` and
``extract_text(text)`` return an :class:`~civicgrid.plans.extraction.types.ExtractedDocument`;
a file that cannot be read raises :class:`~civicgrid.plans.extraction.types.IngestError` with a
message that says why (Chinese first).
"""

from __future__ import annotations

from pathlib import Path

from civicgrid.plans.extraction.document import build_document
from civicgrid.plans.extraction.ingest import Block, Source, read_bytes, read_file
from civicgrid.plans.extraction.types import ExtractedDocument, IngestError

__all__ = ["ExtractedDocument", "IngestError", "extract_bytes", "extract_file", "extract_text"]


def extract_text(text: str, *, title: str = "") -> ExtractedDocument:
    """A document given as text."""
    if not text.strip():
        raise IngestError("文档内容为空,没有可读取的文字。 (The document is empty.)")
    return build_document(Source(kind="text", blocks=[Block(text=text)]), title=title)


def extract_bytes(data: bytes, filename: str) -> ExtractedDocument:
    """A document uploaded as bytes (its kind told by its content and name)."""
    return build_document(read_bytes(data, filename))


def extract_file(path: str | Path) -> ExtractedDocument:
    """A document on disk: .txt (UTF-8 / GBK / GB18030), .docx, text .pdf or .xlsx."""
    return build_document(read_file(path))
