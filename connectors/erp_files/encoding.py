"""Which text encoding a CSV export uses: UTF-8 with a BOM, plain UTF-8, or GB18030.

Chinese ERPs write UTF-8 with a BOM (so Excel shows Chinese correctly) or the Chinese
Windows code page. GB18030 is a superset of GBK and GB2312, so one decoder covers all
three. Strict UTF-8 is tried before GB18030 because GB18030 accepts most byte strings and
would turn a UTF-8 file into plausible-looking nonsense.
"""

from __future__ import annotations

import codecs

UTF8_BOM = "utf-8-sig"
UTF8 = "utf-8"
GB18030 = "gb18030"
_NUL = b"\x00"
# UTF-16 text is about half NUL bytes, binaries are full of them; a stray NUL or two in a
# cell is a damaged value, left for the cell check to name by row and column.
_NUL_SHARE_OF_WIDE_TEXT = 100

_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class UndecodableText(ValueError):
    """The bytes are not UTF-8 or GB18030 text; the message says what they look like."""


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV export; raises `UndecodableText` for anything else.

    NUL bytes fill UTF-16 files (and binaries), which GB18030 would otherwise decode without
    complaint; more than one byte in a hundred rejects the file as such.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data, UTF8_BOM), UTF8_BOM
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise UndecodableText(
                f"the file is {name} text (byte-order mark {bom.hex(' ')}); "
                "save it again as UTF-8 or GB18030 (Excel: 'CSV UTF-8')"
            )
    if data.count(_NUL) * _NUL_SHARE_OF_WIDE_TEXT > len(data):
        raise UndecodableText(
            f"the file contains NUL bytes (first at byte {data.index(_NUL)}): it is UTF-16 "
            "text or not text at all; save it again as UTF-8 or GB18030 CSV"
        )
    try:
        return data.decode(UTF8), UTF8
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode(GB18030), GB18030
        except UnicodeDecodeError as gb_error:
            raise UndecodableText(
                f"the file is neither UTF-8 ({_where(data, utf8_error.start)}) nor GB18030/GBK "
                f"({_where(data, gb_error.start)}); save it again as UTF-8 or GB18030 CSV"
            ) from None


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise UndecodableText(
            f"the file starts with a UTF-8 byte-order mark but is not UTF-8 "
            f"({_where(data, err.start)}); save it again as UTF-8"
        ) from None


def _where(data: bytes, position: int) -> str:
    """Line and bytes around an undecodable byte, so the seller can find the cell."""
    line = data.count(b"\n", 0, position) + 1
    return f"line {line}, bytes {data[position : position + 4].hex(' ')}"
