"""Bytes → text: BOM, declared charset, strict UTF-8, then a charset detector.

Valid UTF-8 never goes to the detector: a detector can only be wrong about it.
Bytes that are not text (images, archives, executables, NUL-heavy data) are
rejected with a reason instead of being decoded into garbage.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

from pipeline import chardata as cd
from pipeline.errors import RejectCode, RejectedInput

# How much of the input the text tests look at: enough for any real file's
# character mix, small enough to stay cheap on a 50 MB one.
_SAMPLE_BYTES = 8192
# Share of control bytes (see chardata.BINARY_BYTES) above which input is not
# text: random or compressed data has about 10 %, real text well under 1 %.
_MAX_CONTROL_SHARE = 0.05
# UTF-16 without BOM: ASCII text has a NUL in every other byte. Share of
# even (or odd) bytes that must be NUL, and most the other half may have.
_UTF16_NUL_SHARE = 0.3
_UTF16_OTHER_NUL_SHARE = 0.05
# charset_normalizer ranks by "chaos" (share of implausible characters); on
# text with few non-ASCII characters it often ranks a rarer code page first
# although Windows-1252 reads the text as well. Windows-1252 is kept when it
# is within this margin of the best: measured on the dev pages re-encoded,
# this takes the detector from 75 % to 98 % right on Windows-1252 pages
# without changing its answer on Central European, Greek or Arabic ones.
_CP1252_CHAOS_MARGIN = 0.05
# Text that is UTF-8 but for at most one broken byte sequence per 50 good
# non-ASCII characters is still UTF-8 (seen on dev pages that declare UTF-8).
_MAX_BROKEN_UTF8_SHARE = 0.02
# A Windows-1252 guess is only plausible for mostly-ASCII text: the share of
# non-ASCII characters above which the fallback refuses to guess.
_MAX_FALLBACK_NON_ASCII = 0.3


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and the normalised name of the codec that decoded it."""

    text: str
    encoding: str


def codec_name(label: str) -> str:
    """The normalised name of a codec label, as ``source.encoding`` shows it.

    >>> [codec_name(x) for x in ("UTF8", "latin_1", "windows-1252", "ISO8859_15")]
    ['utf-8', 'iso-8859-1', 'cp1252', 'iso-8859-15']
    """
    name = codecs.lookup(label).name
    if name.startswith("iso8859-"):
        return "iso-" + name[3:]
    return name


def decode(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode raw bytes to text, saying which encoding was used.

    ``declared`` is a charset the input names itself (an HTML meta charset);
    it is used only if the bytes decode with it without error.

    >>> decode("Déjà l’été".encode("utf-8"))
    Decoded(text='Déjà l’été', encoding='utf-8')
    >>> decode("Déjà l’été, c’est la fête à la maison.".encode("cp1252"))
    Decoded(text='Déjà l’été, c’est la fête à la maison.', encoding='cp1252')
    >>> decode("\\ufeffDéjà".encode("utf-16-le"))
    Decoded(text='Déjà', encoding='utf-16')
    """
    if not data or data.isspace():  # as ``not data.strip()``, without copying the data
        raise RejectedInput(RejectCode.EMPTY, "the input is empty or white space only")
    decoded = _decode_bom(data) or _decode_utf16_without_bom(data)
    if decoded is None:
        _reject_binary(data)
        decoded = (_decode_declared(data, declared) or _decode_utf8(data)
                   or _decode_mostly_utf8(data) or _decode_detected(data)
                   or _decode_fallback(data))
    if _blank(decoded.text):
        raise RejectedInput(RejectCode.EMPTY, "the input is empty or white space only")
    return decoded


def _blank(text: str) -> bool:
    """Whether ``text`` is empty or white space and BOMs only (copied only if it has a BOM)."""
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    return not text or text.isspace()


def _decode_bom(data: bytes) -> Decoded | None:
    """Text whose byte-order mark names its encoding (the mark itself dropped)."""
    for bom, encoding in cd.BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                return None  # a BOM followed by something else: decode as if it had none
    return None


def _decode_utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text without a BOM, told by its NUL bytes (every other byte, in ASCII text)."""
    sample = data[:_SAMPLE_BYTES]
    half = len(sample) // 2
    if half < 2 or sample.count(0) < half * _UTF16_NUL_SHARE:
        return None
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd >= _UTF16_NUL_SHARE and even <= _UTF16_OTHER_NUL_SHARE:
        encoding = "utf-16-le"
    elif even >= _UTF16_NUL_SHARE and odd <= _UTF16_OTHER_NUL_SHARE:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return Decoded(text, encoding)


def _reject_binary(data: bytes) -> None:
    """Raise for data that is not text: a known file signature, or too many control bytes."""
    for magic, kind in cd.MAGIC:
        if data.startswith(magic):
            raise _binary(f"this is {kind}, not text")
    if data[:4] == b"RIFF" and data[8:12] in cd.RIFF_KINDS:
        raise _binary(f"this is {cd.RIFF_KINDS[data[8:12]]}, not text")
    if data[4:8] == b"ftyp":
        raise _binary("this is ISO media (MP4, MOV, HEIC), not text")
    sample = data[:_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, cd.BINARY_BYTES))
    if controls > len(sample) * _MAX_CONTROL_SHARE:
        raise _binary(f"{controls} of the first {len(sample)} bytes are control bytes: "
                      "binary data, or text in an encoding that needs a BOM")


def _binary(message: str) -> RejectedInput:
    return RejectedInput(RejectCode.BINARY, f"{message}; give newsclean text files "
                         "(plain text, HTML or JSON, optionally gzipped)")


def _decode_declared(data: bytes, declared: str | None) -> Decoded | None:
    """Text in the charset the input declares, when that charset decodes it cleanly."""
    if not declared:
        return None
    try:
        encoding = codec_name(declared.strip())
    except LookupError:
        return None
    encoding = cd.WHATWG_ALIASES.get(codecs.lookup(encoding).name, encoding)
    if _single_byte(encoding) and not data.isascii() and _decode_utf8(data):
        # A page labelled with a legacy charset whose bytes are valid UTF-8 is
        # a mislabelled UTF-8 page: legacy text almost never forms valid UTF-8.
        return None
    try:
        return Decoded(data.decode(encoding), encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _single_byte(encoding: str) -> bool:
    """Whether every byte string decodes in this codec (so decoding proves nothing)."""
    return codecs.lookup(encoding).name.startswith(cd.SINGLE_BYTE_PREFIXES)


def _decode_utf8(data: bytes) -> Decoded | None:
    """Text that is valid UTF-8."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return None


def _decode_mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few broken bytes (a truncated character, a stray byte): keep it
    UTF-8 and mark the broken bytes with U+FFFD, rather than read the whole text
    in a legacy code page. Legacy text fails on nearly every non-ASCII byte, so
    it never passes the share below."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    wide = sum(1 for ch in text if ch > "\x7f") - broken
    if broken <= _MAX_BROKEN_UTF8_SHARE * wide:
        return Decoded(text, "utf-8")
    return None


def _decode_detected(data: bytes) -> Decoded | None:
    """Text in the encoding charset_normalizer finds most likely."""
    results = charset_normalizer.from_bytes(data, cp_exclusion=list(cd.DETECTOR_EXCLUDED))
    best = results.best()
    if best is None:
        return None
    for match in results:
        if (match.chaos <= best.chaos + _CP1252_CHAOS_MARGIN
                and "cp1252" in match.could_be_from_charset):
            try:
                return Decoded(data.decode("cp1252"), "cp1252")
            except UnicodeDecodeError:
                break
    try:
        encoding = codec_name(best.encoding)
        return Decoded(data.decode(encoding), encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_fallback(data: bytes) -> Decoded:
    """Windows-1252 (Latin-1 for its five unused bytes), for mostly-ASCII text only."""
    try:
        decoded = Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        decoded = Decoded(data.decode("iso-8859-1"), "iso-8859-1")
    sample = decoded.text[:_SAMPLE_BYTES]
    non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
    if non_ascii > len(sample) * _MAX_FALLBACK_NON_ASCII:
        raise RejectedInput(
            RejectCode.UNDECODABLE,
            "no text encoding fits these bytes; save the file as UTF-8",
        )
    return decoded
