"""Build the Chinese font the monthly-report PDF embeds (run by hand, not at run time).

``python -m civicgrid.web.plans.fontsubset /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``
writes ``data/NotoSansCJKsc-Regular-GB2312.ttf``: Noto Sans CJK SC Regular (SIL Open Font
Licence 1.1, see ``data/OFL.txt``) cut down to ASCII, Latin-1, every character of GB 2312, the
characters of the shared policy documents and the demo departments, and the symbols reports
use; its CFF outlines converted to TrueType ones, so that the PDF carries a CIDFontType2 font
with an Identity-H encoding and a ToUnicode map (text can be searched and copied back out).
The file is committed, so the PDF export works on a machine without any system CJK font;
characters outside the subset fall back to a system Noto CJK font when one is installed
(see :mod:`civicgrid.web.plans.report_files`).
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FONT_FILE = DATA / "NotoSansCJKsc-Regular-GB2312.ttf"
SIMPLIFIED_CHINESE_FACE = 2  # index of "Noto Sans CJK SC" in NotoSansCJK-Regular.ttc
EXTRA_SYMBOLS = "①②③④⑤⑥⑦⑧⑨⑩≥≤±×÷—–‘’“”…、。，；：？！（）《》【】〔〕％㎡℃·●○■□▲△★☆→←↑↓"


def subset_characters(extra_files: list[Path]) -> str:
    """ASCII, Latin-1, GB 2312 (all 7,445 characters) and the characters of ``extra_files``."""
    chars = {chr(code) for code in range(0x20, 0x7F)} | {chr(code) for code in range(0xA0, 0x100)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for path in extra_files:
        chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    chars |= set(EXTRA_SYMBOLS)
    return "".join(sorted(char for char in chars if char.isprintable()))


def _to_truetype(font: object) -> None:
    """Replace the CFF outlines by quadratic TrueType ones (after fontTools' otf2ttf)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    assert isinstance(font, TTFont)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def build(source: Path, target: Path, extra_files: list[Path]) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.font_number = SIMPLIFIED_CHINESE_FACE
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=subset_characters(extra_files))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    converted = TTFont(buffer)  # re-read: bounds are computed again when the glyphs compile
    _to_truetype(converted)
    converted.save(str(target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc (fonts-noto-cjk)")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="text files")
    arguments = parser.parse_args()
    build(arguments.source, FONT_FILE, arguments.extra)
    print(FONT_FILE, FONT_FILE.stat().st_size)


if __name__ == "__main__":
    main()
