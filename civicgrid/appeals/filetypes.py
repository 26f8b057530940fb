"""What an uploaded file really is (附件类型识别), judged from its bytes only, and removing the
place a photo was taken from its metadata.

The name's extension and the browser's content type are never trusted: a PNG renamed
``.pdf`` is a PNG, an HTML page named ``.jpg`` is refused. Photos are opened with Pillow and
fully decoded (at reduced scale for JPEG), so a truncated or corrupt photo is refused too.

Accepted (see :data:`ACCEPTED`): JPEG, PNG and WebP photos; PDF, DOCX and XLSX documents.
HEIC (iPhone photos) is not accepted: Pillow cannot decode it without a further native
library, and a file that cannot be decoded cannot be verified. Phones convert HEIC to JPEG
when uploading through a browser file picker.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

PHOTO = "photo"
DOCUMENT = "document"

# The largest photo (in pixels) we decode; a decompression bomb is refused before decoding.
MAX_IMAGE_PIXELS = 64_000_000
GPS_IFD_TAG = 0x8825


@dataclass(frozen=True)
class FileType:
    kind: str  # PHOTO or DOCUMENT (AttachmentKind values)
    content_type: str
    extension: str  # what the stored file is called, from the real type
    label: str  # shown in messages


JPEG = FileType(PHOTO, "image/jpeg", ".jpg", "JPEG")
PNG = FileType(PHOTO, "image/png", ".png", "PNG")
WEBP = FileType(PHOTO, "image/webp", ".webp", "WebP")
PDF = FileType(DOCUMENT, "application/pdf", ".pdf", "PDF")
DOCX = FileType(
    DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "DOCX",
)
XLSX = FileType(
    DOCUMENT,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    "XLSX",
)
ACCEPTED = (JPEG, PNG, WEBP, PDF, DOCX, XLSX)

_PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}


class UnknownFileType(Exception):
    """The bytes are none of the accepted types (or a damaged file of one of them)."""


def sniff(content: bytes) -> FileType:
    """The type of ``content`` from its magic numbers and structure; raises
    :class:`UnknownFileType` when it is not one of :data:`ACCEPTED` or is damaged."""
    if content.startswith(b"\xff\xd8\xff"):
        return _check_image(content, JPEG)
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_image(content, PNG)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return _check_image(content, WEBP)
    if content.startswith(b"%PDF-"):
        # A complete PDF ends with %%EOF (possibly followed by a few bytes of whitespace).
        if b"%%EOF" not in content[-1024:]:
            raise UnknownFileType("truncated PDF")
        return PDF
    if content.startswith(b"PK\x03\x04"):
        return _check_office(content)
    raise UnknownFileType("unknown magic number")


def _check_image(content: bytes, expected: FileType) -> FileType:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if _PILLOW_FORMATS.get(image.format or "") is not expected:
                    raise UnknownFileType("format does not match the magic number")
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UnknownFileType("too many pixels")
                image.verify()
            # verify() leaves the image unusable; decode it again to find truncated data.
            with Image.open(io.BytesIO(content)) as image:
                if expected is JPEG:
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except UnknownFileType:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        struct.error,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise UnknownFileType(str(error)) from error
    return expected


def _check_office(content: bytes) -> FileType:
    """DOCX / XLSX are ZIP packages with a known main part; macro-enabled ones are refused.
    Only the directory is read, nothing is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnknownFileType(str(error)) from error
    if "[Content_Types].xml" not in names or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise UnknownFileType("not an Office Open XML package without macros")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise UnknownFileType("unknown Office package")


# --- removing the place from photo metadata (隐私: 去除定位信息) ---------------------------------


def without_location(content: bytes, file_type: FileType) -> bytes:
    """``content`` without GPS data: the EXIF GPS block is removed and XMP (which may repeat
    the place) dropped; the picture itself and the other EXIF tags (orientation) are kept
    byte for byte. Falls back to re-encoding the picture without any metadata if the
    metadata cannot be rewritten."""
    if file_type.kind != PHOTO:
        return content
    try:
        if file_type is JPEG:
            cleaned = _jpeg_without_location(content)
        elif file_type is PNG:
            cleaned = _png_without_location(content)
        else:
            cleaned = _webp_without_location(content)
        sniff(cleaned)
        return cleaned
    except (UnknownFileType, ValueError, IndexError, struct.error, OSError, SyntaxError):
        return _reencoded(content, file_type)


def _clean_exif(payload: bytes) -> bytes:
    """TIFF-structured EXIF ``payload`` (without the ``Exif\\0\\0`` header) minus GPS."""
    exif = Image.Exif()
    exif.load(payload)
    exif.get_ifd(GPS_IFD_TAG)  # read sub-IFDs before rewriting
    if GPS_IFD_TAG in exif:
        del exif[GPS_IFD_TAG]
    data = exif.tobytes()
    return data[6:] if data.startswith(b"Exif\x00\x00") else data


def _jpeg_without_location(content: bytes) -> bytes:
    out = bytearray(content[:2])
    position = 2
    while position < len(content):
        if content[position] != 0xFF:
            raise ValueError("bad JPEG marker")
        marker = content[position + 1]
        if marker == 0xDA or marker == 0xD9:  # start of scan / end: copy the rest unchanged
            out += content[position:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += content[position : position + 2]
            position += 2
            continue
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        segment_end = position + 2 + length
        payload = content[position + 4 : segment_end]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            exif = b"Exif\x00\x00" + _clean_exif(payload[6:])
            if len(exif) + 2 > 0xFFFF:
                raise ValueError("EXIF too long")
            out += b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
        elif marker == 0xE1 and payload.startswith(b"http://ns.adobe.com/"):
            pass  # XMP (and extended XMP): may hold the place again
        else:
            out += content[position:segment_end]
        position = segment_end
    raise ValueError("JPEG without image data")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_without_location(content: bytes) -> bytes:
    out = bytearray(content[:8])
    position = 8
    while position < len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        end = position + 12 + length
        data = content[position + 8 : position + 8 + length]
        if kind == b"eXIf":
            out += _png_chunk(kind, _clean_exif(data))
        elif kind in {b"tEXt", b"zTXt", b"iTXt"}:
            pass  # text chunks may carry XMP with the place
        else:
            out += content[position:end]
        position = end
        if kind == b"IEND":
            break
    return bytes(out)


def _webp_without_location(content: bytes) -> bytes:
    chunks = bytearray()
    position = 12
    while position + 8 <= len(content):
        kind = content[position : position + 4]
        (length,) = struct.unpack("<I", content[position + 4 : position + 8])
        data = content[position + 8 : position + 8 + length]
        end = position + 8 + length + (length & 1)
        if kind == b"EXIF":
            exif = data[6:] if data.startswith(b"Exif\x00\x00") else data
            cleaned = _clean_exif(exif)
            chunks += b"EXIF" + struct.pack("<I", len(cleaned)) + cleaned
            if len(cleaned) & 1:
                chunks += b"\x00"
        elif kind == b"XMP ":
            pass
        elif kind == b"VP8X":
            flags = bytes([data[0] & ~0x04]) + data[1:]  # no XMP any more
            chunks += (
                content[position : position + 8] + flags + content[position + 8 + length : end]
            )
        else:
            chunks += content[position:end]
        position = end
    return b"RIFF" + struct.pack("<I", len(chunks) + 4) + b"WEBP" + bytes(chunks)


def _reencoded(content: bytes, file_type: FileType) -> bytes:
    from PIL import ImageOps

    with Image.open(io.BytesIO(content)) as image:
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if file_type is JPEG:
            upright.convert("RGB").save(out, "JPEG", quality=92)
        elif file_type is PNG:
            upright.save(out, "PNG")
        else:
            upright.save(out, "WEBP", quality=90)
    return out.getvalue()
