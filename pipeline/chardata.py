"""Character tables and regexes for decoding and repair, built once at import.

Every table says where it comes from. The mojibake prefilter is derived from
ftfy's own character categories, so it follows the installed ftfy.
"""

from __future__ import annotations

import hashlib
import re

from ftfy.badness import BADNESS_RE
from ftfy.badness import MOJIBAKE_CATEGORIES as _CAT
from ftfy.chardata import LIGATURES
from lxml.html import defs as _html_defs

# --- decoding -----------------------------------------------------------------

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# Leading bytes of formats that are not text. No installed library reads file
# signatures, so the common ones are listed here (from each format's
# specification). Only signatures that no plain text starts with are listed:
# "MZ" or "BM" could open a sentence, so they are left to the control-byte test.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"BZh91AY&SY", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE document (old Office format)"),
    (b"\x00asm", "WebAssembly"),
)
# RIFF containers carry their kind at offset 8; ISO media ("ftyp") at offset 4.
RIFF_KINDS: dict[bytes, str] = {b"WEBP": "a WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# C0 bytes that never occur in text: every control byte except TAB, LF, VT, FF,
# CR and ESC (terminal colours), plus DEL.
BINARY_BYTES: bytes = bytes([*range(0x00, 0x09), 0x0E, *range(0x0F, 0x1B),
                             *range(0x1C, 0x20), 0x7F])

# WHATWG Encoding Standard: browsers decode pages labelled Latin-1 or ASCII as
# Windows-1252, so a page's declared "iso-8859-1" means cp1252 in practice
# (https://encoding.spec.whatwg.org/#names-and-labels).
WHATWG_ALIASES: dict[str, str] = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
}

# Codecs the detector does not consider: UTF-16 and UTF-32 are recognised
# before it (BOM, NUL pattern), and on short Latin text the detector
# otherwise reads pairs of bytes as CJK characters.
DETECTOR_EXCLUDED: tuple[str, ...] = ("utf_16", "utf_16_be", "utf_16_le",
                                      "utf_32", "utf_32_be", "utf_32_le")

# Codecs that map every byte to one character: any byte string "decodes" with
# them, so decoding without error proves nothing about the text.
SINGLE_BYTE_PREFIXES: tuple[str, ...] = ("cp", "iso8859", "mac-", "koi8", "latin", "windows",
                                         "kz1048", "ptcp", "hp-roman", "tis")

# --- HTML residue ---------------------------------------------------------------

# Element names from lxml's table of HTML tags: a "<word>" whose name is not an
# HTML element is text (code such as "List<String>", "#include <stdio.h>").
HTML_TAGS: frozenset[str] = frozenset(t.lower() for t in _html_defs.tags | _html_defs.html5_tags)
# Block elements end a paragraph: dropping "</p><p>" outright would glue two
# paragraphs together, so these leave a line break as <br> does.
HTML_BLOCK_TAGS: frozenset[str] = frozenset(
    {t.lower() for t in _html_defs.block_tags}
    | {"article", "aside", "figcaption", "figure", "footer", "header", "main", "nav",
       "section", "summary", "details"}
)
# Entities need their ";": html.unescape would also read "&copy" in "?a=1&copy=2".
ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A tag: "<", an optional "/", a name, attributes without "<" or ">", ">";
# or an HTML comment. Neither may span two input lines.
TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})(?=[\s/>])[^<>\n]*>|<!--.*?-->")
BR_NAME = "br"

# --- mojibake prefilter ---------------------------------------------------------
#
# ftfy changes a line only through one of the fixers our configuration enables:
# fix_encoding acts only when ftfy.badness.is_bad() finds one of its patterns;
# fix_c1_controls needs a C1 control; fix_latin_ligatures a ligature;
# fix_surrogates a surrogate; remove_terminal_escapes an ESC. Every is_bad
# pattern contains either one of a few characters that are (nearly) only ever
# mojibake, or two adjacent non-ASCII characters from its categories. The
# prefilter below looks for exactly those: a character from TRIGGERS, or one of
# the adjacent pairs. It is a superset of is_bad (tests check it over all
# character pairs and with hypothesis), and a regex whose first item is one
# character class, so the scan for candidates runs in C.

_c = {name: chars for name, chars in _CAT.items()}
# Characters whose mere presence sends a line to ftfy.
_TRIGGERS = (
    _c["c1"] + _c["bad"] + _c["box"]
    + "\x1b"  # ANSI escapes (remove_terminal_escapes)
    + "\ud800-\udfff"  # lone surrogates (fix_surrogates)
    + "".join(chr(cp) for cp in LIGATURES)  # fix_latin_ligatures
    + "ÃÂ"  # the lead bytes of Latin-1 supplement letters in UTF-8, seen as cp1252
    + "ØÙ"  # the lead bytes of Arabic letters in UTF-8, seen as cp1252
)
_ACC = _c["lower_accented"] + _c["upper_accented"]
# Adjacent pairs (first, second) taken from the is_bad patterns, pattern by pattern.
_PAIRS: tuple[tuple[str, str], ...] = (
    (_c["lower_accented"] + _c["lower_common"] + _c["end_punctuation"] + _c["currency"]
     + _c["numeric"], _c["upper_accented"]),
    (_c["end_punctuation"] + _c["currency"] + _c["numeric"], _c["lower_accented"]),
    (_c["lower_accented"] + _c["end_punctuation"] + _c["upper_accented"], _c["currency"]),
    (_c["upper_accented"], _c["numeric"] + _c["law"] + _c["start_punctuation"] + "°"),
    (_c["start_punctuation"], _c["numeric"]),
    (_c["end_punctuation"] + _c["currency"] + _c["numeric"], _c["start_punctuation"]),
    (_ACC, _c["start_punctuation"] + _c["end_punctuation"]),
    ("Œœ", "^A-Za-z"),
    ("ÎÐ", "€œŠš¢£Ÿž\xa0\xad®©°·»–—´" + _c["start_punctuation"] + _c["end_punctuation"]),
    ("×", "²³"),
    ("à", "²µ¹¼½¾"),
    ("√", "±∂†≠®™´≤≥¥µø"),
    ("≈", "°¢"),
    ("‚", "Äâó"),
    ("в", "Ђ"),
    ("ВГРС", _c["start_punctuation"] + _c["end_punctuation"] + _c["currency"] + "°µ"),
    ("Г", "ў"),
    ("β", "€"),
    ("ΒΓΞΟ", _c["start_punctuation"] + _c["end_punctuation"] + _c["currency"] + "°"),
    ("ā", "€"),
)
# The pairs above were read from this version of ftfy's is_bad pattern. If an
# upgrade changes the pattern, the prefilter is off (every line goes to ftfy)
# until the pairs are read again: a slower run, never a lost fix.
_BADNESS_PATTERN_READ = "9dcc0f2ac90d9ae3"
PREFILTER_CURRENT: bool = (
    hashlib.sha256(BADNESS_RE.pattern.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    == _BADNESS_PATTERN_READ
)
_FIRSTS = _TRIGGERS + "".join(first for first, _ in _PAIRS)
MOJIBAKE_SUSPECT_RE = re.compile(
    f"[{_FIRSTS}](?:(?<=[{_TRIGGERS}])"
    + "".join(f"|(?<=[{first}])(?=[{second}])" for first, second in _PAIRS)
    + ")"
)

# --- invisible characters -------------------------------------------------------

SOFT_HYPHEN = "\xad"
ZWNJ, ZWJ = "\u200c", "\u200d"
# Zero-width characters with no meaning in running text: ZERO WIDTH SPACE, WORD
# JOINER, ZERO WIDTH NO-BREAK SPACE (a BOM inside the text), MONGOLIAN VOWEL
# SEPARATOR, the invisible math operators. ZWJ and ZWNJ are handled apart:
# they build emoji sequences and shape Arabic, Persian and Indic words.
ZERO_WIDTH = "\u200b\u2060\ufeff\u180e\u2061\u2062\u2063\u2064"
# Controls: C0 except TAB and LF (CR is a line end, VT and FF count as spaces),
# DEL, the C1 block (ftfy has already read any that stand for cp1252
# characters), ftfy's list of format characters (deprecated Arabic shaping
# U+206A-206F, interlinear annotations U+FFF9-FFFB, U+FFFC).
CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F,
                                      *range(0x80, 0xA0), *range(0x206A, 0x2070),
                                      *range(0xFFF9, 0xFFFD)))
INVISIBLE_RE = re.compile(f"[{re.escape(CONTROLS + ZERO_WIDTH + SOFT_HYPHEN + ZWNJ + ZWJ)}]")
# Unicode categories a joiner may sit between: letters and marks (scripts that
# join) and symbols (emoji, skin-tone modifiers).
JOINABLE_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "So", "Sk"})

# --- spaces ---------------------------------------------------------------------

# A break inside a line (<br>, a block tag, LINE SEPARATOR, "&#10;"). While
# repair works on the whole text, "\n" separates input lines and LINE
# SEPARATOR marks these breaks; a repaired line shows them as "\n".
BREAK = "\u2028"
# What a break can arrive as, other than a tag: decoded entities ("&#10;",
# "&#13;") and PARAGRAPH SEPARATOR.
BREAK_CHARS_RE = re.compile("\r\n?|[\n\u2029]")
# White space around breaks, and runs of breaks: one break. A run of white space
# (not after another) that holds a break, up to its last one; written to begin with
# a character class so the regex engine skips ahead to white space.
BREAK_RUN_RE = re.compile(f"[^\\S\n](?<![^\\S\n][^\\S\n])[^\\S\n]*(?<={BREAK})[^\\S\n]*")
# Spaces with no typographic role, from tabs to fixed-width spaces: made plain.
# Kept as they are: NO-BREAK SPACE and NARROW NO-BREAK SPACE (French
# punctuation, numbers and units), THIN SPACE and FIGURE SPACE (digit groups),
# IDEOGRAPHIC SPACE (CJK text).
ODD_SPACES = "\t\x0b\x0c\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u200a\u205f"
ODD_SPACE_RE = re.compile(f"[{ODD_SPACES}]")
KEPT_SPACES = " \xa0\u202f\u2009\u2007"
KEPT_SPACE_SET = frozenset(KEPT_SPACES)
# The preferred survivor when a run of spaces mixes kinds: the most binding one.
SPACE_STRENGTH = {"\u202f": 4, "\xa0": 3, "\u2007": 2, "\u2009": 1, " ": 0}
# The two patterns below begin with a character class, not a repeat or a
# look-behind: the regex engine then skips ahead to the spaces instead of trying
# every position (a run of two or more spaces is written as one, then more).
SPACE_RUN_RE = re.compile(f"[{KEPT_SPACES}][{KEPT_SPACES}]+")
# Spaces before a comma or full stop that ends a clause: "mot , suite", "fin ."
# Dots in a row keep their spaces: "et puis ...", ". . ." are ellipses.
# (Lines are trimmed first, so a space here always follows a character.) The
# first space of a run is one not after a space or a dot, tested once it is read.
SPACE_BEFORE_STOP_RE = re.compile(
    f"[{KEPT_SPACES}](?<![.{KEPT_SPACES}][{KEPT_SPACES}])[{KEPT_SPACES}]*"
    f"(?=[,.](?:[\\s\"”»’')\\]]|$))(?![,.][{KEPT_SPACES}]?\\.)"
)

# --- quotes ---------------------------------------------------------------------

OPEN_DQ, CLOSE_DQ = "“", "”"
LOW_DQ = "„"  # German and Polish open with „ and close with “: never paired here
DOUBLE_QUOTE_RE = re.compile("[“”]")
CLOSE_QUOTE_RE = re.compile("”")
QUOTE_MARK_RE = re.compile("[“”«»]")
# What may stand right before an opening quote: brackets, dashes, slashes and
# the end of a sentence glued to the quote ("d’étonner.”Le départ").
BEFORE_OPENING_QUOTE = frozenset("([{—–-/.,;:!?…")
