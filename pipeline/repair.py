"""Repair decoded text line by line: entities, tags, mojibake, invisible characters.

Repair fixes errors and imposes no style: curly quotes, « », no-break spaces
and the text's own punctuation stay as they are (typography profiles are a
separate, optional stage). Each fix is a ``str -> (str, counts)`` step named
for what it does; :data:`STEPS` runs them in order, and every change is
counted under its :class:`~pipeline.record.RepairKind`.

Steps work on many lines at once (up to a million characters of them), so a
clean text costs one scan per step: ``"\\n"`` separates input lines (no step
adds or removes one) and LINE SEPARATOR (:data:`~pipeline.chardata.BREAK`)
marks a break inside a line, shown as ``"\\n"`` in the repaired lines.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import ftfy
from ftfy import TextFixerConfig

from pipeline import chardata as cd
from pipeline.config import DEFAULT_CONFIG, Config
from pipeline.record import RepairKind
from pipeline.segment import sentence_ends, text_pieces

# A line longer than this many characters is cut at sentence ends into pieces of
# about this size, each repaired as a line of its own (see :func:`split_lines`).
LONG_LINE_PIECE_CHARS = 1 << 20

# One input line: its text, or a very long one's pieces.
InputLine = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Repaired:
    """The input's lines, each repaired; ``lines[i]`` is input line ``i + 1``.

    A line may hold ``\\n`` where the input had ``<br>``; a very long line is a
    tuple of pieces (:func:`split_lines`).
    """

    lines: tuple[InputLine, ...]
    counts: dict[str, int]


# ftfy runs on the lines the prefilter flags, with every option set on purpose.
FTFY_CONFIG = TextFixerConfig(
    # Entities are decoded by decode_entities on every line: ftfy would skip
    # them on any line containing "<", and would not count them.
    unescape_html=False,
    # ANSI colour codes pasted from terminals are never text.
    remove_terminal_escapes=True,
    # The reason ftfy is here: text decoded with the wrong codec.
    fix_encoding=True,
    # "Ã " for "à": a no-break space lost to a space is the commonest French mojibake.
    restore_byte_a0=True,
    # Mojibake that already lost bytes is marked with U+FFFD rather than left as garbage.
    replace_lossy_sequences=True,
    # Pages pasted together from UTF-8 and mojibake'd sources: fix the mojibake part.
    decode_inconsistent_utf8=True,
    # C1 controls are cp1252 characters read as Latin-1 ("\x92" for ’).
    fix_c1_controls=True,
    # "ﬁ", "ﬂ" from PDF copy-paste break search and word counts.
    fix_latin_ligatures=True,
    # Fullwidth forms are the correct punctuation of CJK text ("，", "："): keep them.
    fix_character_width=False,
    # ’ “ ” are correct typography; straightening them would impose a style.
    uncurl_quotes=False,
    # Line ends are ours: a line must stay one line so numbers match the input.
    fix_line_breaks=False,
    # Lone surrogates come from UCS-2 escapes in JSON; pairs become one character.
    fix_surrogates=True,
    # Controls are removed by remove_controls / remove_zero_width, on every line, by kind.
    remove_control_chars=False,
    # NFC is normalize_nfc, on every line and counted on its own.
    normalization=None,
    # The explanation is not used; skipping it is faster.
    explain=False,
)


Counts = dict[str, int]


def _one(kind: RepairKind, n: int) -> Counts:
    """``{kind: n}``, or nothing when ``n`` is 0."""
    return {kind.value: n} if n else {}


def fix_mojibake_full(line: str) -> str:
    """ftfy on one line with our configuration: the reference the fast path must equal.

    Breaks inside the line are ftfy segment ends, as line ends are.

    >>> fix_mojibake_full("l’Ã©tÃ©")
    'l’été'
    """
    if cd.BREAK in line:
        return ftfy.fix_text(line.replace(cd.BREAK, "\n"), FTFY_CONFIG).replace("\n", cd.BREAK)
    return ftfy.fix_text(line, FTFY_CONFIG)


def fix_mojibake(text: str) -> tuple[str, Counts]:
    """Fix text decoded with the wrong codec, running ftfy only on lines where it could act.

    A line the prefilter passes over is one ftfy returns unchanged, so each
    line always equals :func:`fix_mojibake_full` of it (tests check it).

    >>> fix_mojibake("Ã‡a marche, câ€™est lâ€™Ã©tÃ©\\n« Déjà l’été », dit-il")
    ('Ça marche, c’est l’été\\n« Déjà l’été », dit-il', {'mojibake': 1})
    """
    if text.isascii() and "\x1b" not in text:
        return text, {}
    if cd.PREFILTER_CURRENT:
        spans = list(_lines_matching(cd.MOJIBAKE_SUSPECT_RE, text))
    else:
        spans = list(_all_lines(text))
    edits: list[tuple[int, int, str]] = []
    for start, end in spans:
        line = text[start:end]
        fixed = (fix_mojibake_full(line) if end - start <= FTFY_CONFIG.max_decode_length
                 else _fix_mojibake_by_segment(line))
        if fixed != line:
            edits.append((start, end, fixed))
    return _apply(text, edits), _one(RepairKind.MOJIBAKE, len(edits))


def _fix_mojibake_by_segment(line: str) -> str:
    """:func:`fix_mojibake_full` of a very long line, the line itself when unchanged.

    ftfy fixes a text one segment at a time (up to a line end, here a break,
    or ``max_decode_length`` characters) and joins the fixed segments: on a
    50 MB page run together on one line that is two more copies of the line.
    The same segments are fixed here one by one, and only those that change
    are kept.
    """
    edits: list[tuple[int, int, str]] = []
    start, limit = 0, FTFY_CONFIG.max_decode_length
    while start < len(line):
        end = min(line.find(cd.BREAK, start, start + limit) + 1 or start + limit, len(line))
        segment = line[start:end]
        fixed = fix_mojibake_full(segment)
        if fixed != segment:
            edits.append((start, end, fixed))
        start = end
    return _apply(line, edits)


def decode_entities(text: str) -> tuple[str, Counts]:
    """Decode HTML entities that end with ";", again while double-escaped ones remain.

    >>> decode_entities("Caf&eacute; &amp;amp; th&#xE9;, AT&T, ?a=1&copy=2")
    ('Café & thé, AT&T, ?a=1&copy=2', {'entity': 4})
    """
    if "&" not in text:
        return text, {}
    count = 0

    def unescape(match: re.Match[str]) -> str:
        nonlocal count
        decoded = html.unescape(match[0])
        if decoded == match[0]:
            return decoded
        count += 1
        # "&#10;" and friends are breaks inside the line, never new lines
        return cd.BREAK_CHARS_RE.sub(cd.BREAK, decoded)

    while True:
        before = count
        text = cd.ENTITY_RE.sub(unescape, text)
        if count == before or "&" not in text:
            return text, _one(RepairKind.ENTITY, count)


def drop_tags(text: str) -> tuple[str, Counts]:
    """Drop HTML tags; ``<br>`` and block tags leave a break inside the line.

    Only HTML element names count as tags, so code stays as it is.

    >>> drop_tags("Un <b>mot</b><br />puis<p>la suite</p>")
    ('Un mot\\u2028puis\\u2028la suite\\u2028', {'tag': 5})
    >>> drop_tags("List<String> x; if (a < b && c > d) {}")
    ('List<String> x; if (a < b && c > d) {}', {})
    """
    if "<" not in text:
        return text, {}
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        name = match[2]
        if name is None:  # an HTML comment
            count += 1
            return ""
        name = name.lower()
        if name not in cd.HTML_TAGS:
            return match[0]
        count += 1
        return cd.BREAK if name == cd.BR_NAME or name in cd.HTML_BLOCK_TAGS else ""

    return cd.TAG_RE.sub(replace, text), _one(RepairKind.TAG, count)


# What each removable invisible character is counted as.
_INVISIBLE_KIND: dict[str, str] = {
    **dict.fromkeys(cd.CONTROLS, RepairKind.CONTROL.value),
    **dict.fromkeys(cd.ZERO_WIDTH + cd.ZWJ + cd.ZWNJ, RepairKind.ZERO_WIDTH.value),
    cd.SOFT_HYPHEN: RepairKind.SOFT_HYPHEN.value,
}


def remove_invisible(text: str) -> tuple[str, Counts]:
    """Remove controls, zero-width characters and soft hyphens; keep joiners that join.

    ZWJ and ZWNJ stay between letters, marks or symbols outside ASCII: emoji
    sequences, Arabic, Persian and Indic words.

    >>> remove_invisible("bon\\x00jour\\x7f zéro\\u200bwidth anti\\xadconstitutionnel\\u200d")
    ('bonjour zérowidth anticonstitutionnel', {'control': 2, 'zero-width': 2, 'soft-hyphen': 1})
    >>> remove_invisible("👩\\u200d💻 می\\u200cخواهم")  # emoji sequence, Persian
    ('👩\\u200d💻 می\\u200cخواهم', {})
    """
    if not cd.INVISIBLE_RE.search(text):
        return text, {}
    found: Counter[str] = Counter()

    def drop(match: re.Match[str]) -> str:
        char = match[0]
        if (char == cd.ZWJ or char == cd.ZWNJ) and _joins(text, match.start()):
            return char
        found[_INVISIBLE_KIND[char]] += 1
        return ""

    return cd.INVISIBLE_RE.sub(drop, text), dict(found)


def _joins(text: str, i: int) -> bool:
    """Whether the joiner at ``i`` sits between two joinable characters (others removed)."""
    before = i - 1
    while before >= 0 and text[before] in _INVISIBLE_KIND:
        before -= 1
    after = i + 1
    while after < len(text) and text[after] in _INVISIBLE_KIND:
        after += 1
    return (before >= 0 and after < len(text)
            and _joinable(text[before]) and _joinable(text[after]))


def _joinable(char: str) -> bool:
    """A letter, mark or symbol outside ASCII: what ZWJ and ZWNJ may join."""
    return not char.isascii() and unicodedata.category(char) in cd.JOINABLE_CATEGORIES


def normalize_nfc(text: str) -> tuple[str, Counts]:
    """Compose characters (Unicode NFC); counts the lines that changed.

    >>> normalize_nfc("e\\u0301te\\u0301\\nok")
    ('été\\nok', {'normalization': 1})
    """
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text, {}
    lines = text.split("\n")
    count = 0
    for i, line in enumerate(lines):
        if not unicodedata.is_normalized("NFC", line):
            lines[i] = unicodedata.normalize("NFC", line)
            count += 1
    return "\n".join(lines), _one(RepairKind.NORMALIZATION, count)


def trim_lines(text: str) -> tuple[str, Counts]:
    """Strip white space at both ends of each line and around breaks (layout, not counted).

    >>> trim_lines("  un \\n\\tdeux \\u2028 \\u2028 trois\\u2028")
    ('un\\ndeux\\u2028trois', {})
    """
    if "\u2029" in text:  # a PARAGRAPH SEPARATOR that mojibake hid
        text = text.replace("\u2029", cd.BREAK)
    if cd.BREAK in text:
        text = cd.BREAK_RUN_RE.sub(cd.BREAK, text)
    return "\n".join([line.strip() for line in text.split("\n")]), {}


def fix_spaces(text: str, piece_chars: int | None = None) -> tuple[str, Counts]:
    """Make odd spaces plain, collapse runs of spaces, drop the space before , and .

    No-break, narrow no-break, thin and figure spaces are typography and stay.
    A text longer than ``piece_chars`` (:data:`SPACES_PIECE_CHARS`) goes a piece
    at a time, cut between two ASCII letters.

    >>> fix_spaces("Il dit\\t:  oui , puis\\xa0 non .")
    ('Il dit : oui, puis\\xa0non.', {'whitespace': 5})
    >>> fix_spaces("Prix : 1\\u202f000\\xa0€ ; voir ...")
    ('Prix : 1\\u202f000\\xa0€ ; voir ...', {})
    >>> fix_spaces("Il dit  oui , puis non .", piece_chars=4)
    ('Il dit oui, puis non.', {'whitespace': 3})
    """
    size = SPACES_PIECE_CHARS if piece_chars is None else piece_chars
    if len(text) <= size:
        text, count = _fix_spaces(text)
        return text, _one(RepairKind.WHITESPACE, count)
    # Three substitutions over a page on one line would hold the line, a first
    # result, the pieces of the next one and its result at once. Cut between two
    # letters, the pieces give what the whole text gives: the patterns match
    # spaces only, and what they look at around a space (the character before
    # it, the stop and the character after it) is never a letter.
    edits: list[tuple[int, int, str]] = []
    count, start = 0, 0
    for piece in text_pieces(text, size, cut=_BETWEEN_LETTERS):
        fixed, n = _fix_spaces(piece)
        if n:
            edits.append((start, start + len(piece), fixed))
            count += n
        start += len(piece)
    return _apply(text, edits), _one(RepairKind.WHITESPACE, count)


# fix_spaces goes through a longer text a piece at a time.
SPACES_PIECE_CHARS = 1 << 20
_BETWEEN_LETTERS = re.compile("(?<=[A-Za-z])(?=[A-Za-z])")


def _fix_spaces(text: str) -> tuple[str, int]:
    """:func:`fix_spaces` of a text in one go, and how many changes it made.

    Each pattern runs only where it may match: two kept spaces side by side, a
    kept space before a comma or full stop. The patterns try every space, and
    French text, which nearly always holds a no-break space, took them for
    three quarters of the time of this step, with nothing to change.
    """
    count = 0
    wide = not text.isascii()
    if _has_any(text, cd.ODD_SPACES if wide else cd.ODD_SPACES[:3]):
        text, count = cd.ODD_SPACE_RE.subn(" ", text)
    if "  " in text or (wide and _wide_space_beside(text, cd.KEPT_SPACE_SET, cd.KEPT_SPACE_SET)):
        text, n = cd.SPACE_RUN_RE.subn(_strongest_space, text)
        count += n
    if " ," in text or " ." in text or (wide and _wide_space_beside(text, _NOTHING, _STOPS)):
        text, n = cd.SPACE_BEFORE_STOP_RE.subn("", text)
        count += n
    return text, count


_NOTHING: frozenset[str] = frozenset()
_STOPS = frozenset(",.")
# _wide_space_beside looks at this many of each wide space at most, then leaves it
# to the pattern: a text spaced with no-break spaces alone has one between every word.
_WIDE_SPACES_LOOKED_AT = 64


def _wide_space_beside(text: str, before: frozenset[str], after: frozenset[str]) -> bool:
    """Whether a kept space other than " " has a character of ``before`` right before
    it or one of ``after`` right after it; True also past :data:`_WIDE_SPACES_LOOKED_AT`
    of one of them, unlooked at. French text holds a few of them: finding each costs
    far less than a pattern trying each space.

    >>> [_wide_space_beside(t, _NOTHING, _STOPS) for t in ("a\\xa0: b", "a\\xa0. b")]
    [False, True]
    """
    for space in cd.KEPT_SPACES[1:]:
        at = text.find(space)
        for _ in range(_WIDE_SPACES_LOOKED_AT):
            if at < 0:
                break
            if (at and text[at - 1] in before) or text[at + 1:at + 2] in after:
                return True
            at = text.find(space, at + 1)
        else:
            if at >= 0:
                return True
    return False


def _has_any(text: str, chars: str) -> bool:
    """Whether any of ``chars`` occurs in ``text`` (faster than a regex scan for a few)."""
    return any(char in text for char in chars)


def _strongest_space(match: re.Match[str]) -> str:
    """The most binding space of a run: a no-break space wins over a plain one."""
    return max(match[0], key=cd.SPACE_STRENGTH.__getitem__)


def pair_quotes(text: str) -> tuple[str, Counts]:
    """Turn a closing quote used as an opening one into “, when a closing ” follows.

    >>> pair_quotes("Il a dit ”oui”, puis “non”.")
    ('Il a dit “oui”, puis “non”.', {'quote-pairing': 1})
    >>> pair_quotes("„Ja“, sagte er.")  # German pairs „ with “
    ('„Ja“, sagte er.', {})
    """
    if cd.CLOSE_DQ not in text:
        return text, {}
    count = 0
    edits: list[tuple[int, int, str]] = []
    for start, end in _lines_matching(cd.CLOSE_QUOTE_RE, text):
        # a line may hold breaks from <br> or &#10;: each piece is paired on its own,
        # as it will be when the repaired text is read again (idempotence). Only the
        # pieces that change are copied: a page on one line is not held split up and
        # joined again beside itself.
        while start <= end:
            stop = text.find(cd.BREAK, start, end)
            stop = end if stop < 0 else stop
            if text.find(cd.CLOSE_DQ, start, stop) >= 0:
                piece = text[start:stop]
                if cd.LOW_DQ not in piece:
                    fixed, n = _pair_line(piece)
                    if n:
                        edits.append((start, stop, fixed))
                        count += n
            start = stop + 1
    return _apply(text, edits), _one(RepairKind.QUOTE_PAIRING, count)


def _pair_line(line: str) -> tuple[str, int]:
    """Quote pairing in one line: “ ” alternate, an opening-position ” becomes “."""
    marks = [m.start() for m in cd.DOUBLE_QUOTE_RE.finditer(line)]
    fixes = []
    expect_open = True
    for k, i in enumerate(marks):
        if line[i] == cd.OPEN_DQ:
            expect_open = False
        elif not expect_open:
            expect_open = True
        elif (k + 1 < len(marks) and line[marks[k + 1]] == cd.CLOSE_DQ
              and _opens_at(line, i) and _closes_at(line, marks[k + 1])):
            fixes.append(i)
            expect_open = False
    if not fixes:
        return line, 0
    chars = list(line)
    for i in fixes:
        chars[i] = cd.OPEN_DQ
    return "".join(chars), len(fixes)


def _opens_at(line: str, i: int) -> bool:
    """A quote at ``i`` stands where an opening one would: before a word, after a space."""
    after = line[i + 1] if i + 1 < len(line) else " "
    before = line[i - 1] if i else " "
    return not after.isspace() and (before.isspace() or before in cd.BEFORE_OPENING_QUOTE)


def _closes_at(line: str, i: int) -> bool:
    """A quote at ``i`` stands where a closing one would: right after a word."""
    return i > 0 and not line[i - 1].isspace()


def count_unbalanced_quotes(text: str) -> int:
    """How many “ ” or « » marks have no partner in their line (counted, left alone).

    >>> count_unbalanced_quotes("« Un » et “deux” puis « trois\\n”quatre")
    2
    """
    if not _has_any(text, "“”«»"):
        return 0
    return sum(_unbalanced((text[start:end],))
               for start, end in _lines_matching(cd.QUOTE_MARK_RE, text))


def _unbalanced(parts: tuple[str, ...]) -> int:
    """:func:`count_unbalanced_quotes` of one line, given as its consecutive parts."""
    total = abs(sum(part.count("«") - part.count("»") for part in parts))
    if any(cd.LOW_DQ in part for part in parts):
        return total
    open_quote = False
    for part in parts:
        for m in cd.DOUBLE_QUOTE_RE.finditer(part):
            if m[0] == cd.OPEN_DQ:
                total += open_quote
                open_quote = True
            elif open_quote:
                open_quote = False
            else:
                total += 1
    return total + open_quote


def _lines_matching(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Start and end offsets of each line of ``text`` where ``pattern`` matches."""
    match = pattern.search(text)
    while match:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.start())
        if end < 0:
            yield start, len(text)
            return
        yield start, end
        match = pattern.search(text, end + 1)


def _all_lines(text: str) -> Iterator[tuple[int, int]]:
    """Start and end offsets of every line of ``text``."""
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` span replaced; spans in order, disjoint."""
    if not edits:
        return text
    pieces: list[str] = []
    last = 0
    for start, end, new in edits:
        pieces += (text[last:start], new)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


Step = Callable[[str], tuple[str, Counts]]

# The repairs, by name, in the order they run. ftfy comes first and sees the
# line as scraped: mojibake is a whole-line re-encoding, and entities or tags,
# being ASCII, went through it unchanged ("Â«&nbsp;dÃ©truire&nbsp;Â»" is fixed
# whole, but not once "&nbsp;" is a no-break space next to "Â»"). Entities
# and tags follow; if they uncover mojibake ("&Atilde;&copy;"), the next pass
# fixes it. Invisible characters go after ftfy because mojibake can encode
# them ("Â\xad"), and spaces last so a removed character leaves no double space.
STEPS: dict[str, Step] = {
    "fix_mojibake": fix_mojibake,
    "decode_entities": decode_entities,
    "drop_tags": drop_tags,
    "remove_invisible": remove_invisible,
    "normalize_nfc": normalize_nfc,
    "trim_lines": trim_lines,
    "fix_spaces": fix_spaces,
    "pair_quotes": pair_quotes,
}
# A repair can uncover another ("&amp;eacute;" needs two rounds, an entity can
# be split by a zero-width space): the lines a pass changed go through the
# steps again until they are stable, so repaired text never changes when
# repaired again. Steps act on each line alone, so an unchanged line is done.
_MAX_PASSES = 4


def repair(text: str, config: Config = DEFAULT_CONFIG) -> Repaired:
    """Repair decoded text; line ends become LF and line ``i + 1`` is ``lines[i]``.

    ``config`` is accepted for symmetry with the other stages; no setting
    changes repair today (typography profiles run later, on the record).

    >>> r = repair("Titre\\r\\n\\r\\nUn&nbsp;texte<br>sur deux  lignes")
    >>> r.lines
    ('Titre', '', 'Un\\xa0texte\\nsur deux lignes')
    >>> r.counts
    {'entity': 1, 'line-end': 2, 'tag': 1, 'whitespace': 1}
    """
    lines, counts = split_lines(text)
    return repair_lines(lines, counts)


def split_lines(text: str, piece_chars: int | None = None
                ) -> tuple[list[InputLine], Counter[str]]:
    """The first step of :func:`repair`: the text's lines, line ends made LF, and its count.

    A line longer than ``piece_chars`` (:data:`LONG_LINE_PIECE_CHARS`) comes as
    a tuple of pieces: it is cut, after each ``piece_chars`` characters, at the
    first sentence end followed by one space and an ASCII capital where no tag
    or HTML comment is open, and the space goes. Each piece is then repaired as
    a line of its own, and :func:`pipeline.segment.segment` gives the blocks the
    whole line would give. A 50 MB page on one line is so never held again
    whole beside a repaired copy; its pieces also take less room than the line,
    since a piece is as wide as its own widest character (one emoji makes every
    character of a Python string four bytes). Two repairs read each piece alone:
    quote pairing, and ftfy, which reads a line this long a million characters
    at a time anyway; mojibake and NFC changes are then counted by piece. Every
    other repair and count is that of the whole line.

    A caller that lets the text go before :func:`repair_lines` keeps a huge
    input from being held whole beside its lines while they are repaired.

    >>> split_lines("Titre\\nUn. Deux. Trois.", piece_chars=2)[0]
    ['Titre', ('Un.', 'Deux.', 'Trois.')]
    """
    size = LONG_LINE_PIECE_CHARS if piece_chars is None else max(1, piece_chars)
    counts: Counter[str] = Counter()
    line_ends = text.count("\r") + text.count("\u2028") + text.count("\u2029")
    if line_ends:
        counts[RepairKind.LINE_END.value] += line_ends
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", cd.BREAK)
    if len(text) <= size:  # no line is long enough to cut
        return _pretrim(text.split("\n")), counts
    lines: list[InputLine] = []
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start <= size:
            lines.append(_pretrim_line(text[start:end]))
        else:
            first, *rest = _cut_line(text, start, end, size)
            # the line's ends are its first piece's start and its last piece's end
            lines.append((first.lstrip(), *rest[:-1], _pretrim_line(rest[-1])) if rest
                         else _pretrim_line(first))
        start = end + 1
    return lines, counts


def _cut_line(text: str, start: int, end: int, size: int) -> tuple[str, ...]:
    """``text[start:end]`` cut as :func:`split_lines` tells (the rest in one piece).

    No repair but quote pairing looks across such a cut: an entity holds no
    white space, a tag or comment closes before it, and invisible characters,
    combining marks and mojibake lean on the characters beside them, here a
    stop, a space and an ASCII letter.
    """
    pieces: list[str] = []
    while end - start > size:
        cut = _next_cut(text, start, end, size)
        if cut is None:
            break
        pieces.append(text[start:cut])
        start = cut + 1
    pieces.append(text[start:end])
    return tuple(pieces)


def _next_cut(text: str, start: int, end: int, size: int) -> int | None:
    """Where the piece from ``start`` ends: the first sentence end after ``start + size``
    followed by one space and an ASCII capital, where every tag and HTML comment begun
    since ``start`` has closed.

    The text is read once, from one sentence end to the next (a "<" left open, on a
    page of code or maths, would otherwise have each sentence end look back to it).
    """
    tag = comment = -1  # the last "<" and "<!--" read, and whether they closed since
    tag_closed = comment_closed = True
    read = start
    for at in sentence_ends(text, start + size, end):
        last = text.rfind("<", read, at)
        if last >= 0:
            tag, tag_closed = last, False
        if not tag_closed:
            tag_closed = text.find(">", max(tag, read), at) >= 0
        last = text.rfind("<!--", max(start, read - 3), at)
        if last >= 0 and last != comment:
            comment, comment_closed = last, False
        if not comment_closed:
            comment_closed = text.find("-->", max(comment + 4, read - 2), at) >= 0
        read = at
        if tag_closed and comment_closed and _plain(text, at):
            return at
    return None


def _plain(text: str, at: int) -> bool:
    """Whether the sentence end at ``at`` is followed by one space and an ASCII capital,
    which no repair changes."""
    following = text[at + 1:at + 2]
    return text[at] == " " and following.isascii() and following.isupper()


def repair_lines(lines: list[InputLine], counts: Counter[str]) -> Repaired:
    """The rest of :func:`repair`, on the lines of :func:`split_lines`, which it takes over.

    The pieces of a long line are repaired as lines of their own; the quotes
    left unbalanced are counted over the whole line.
    """
    shape = [len(line) if isinstance(line, tuple) else 0 for line in lines]
    flat = _repair_flat(_flatten(lines), counts)
    repaired = _unflatten(flat, shape)
    long_lines = [line for line in repaired if isinstance(line, tuple)]
    texts = [line for line in repaired if isinstance(line, str)] if long_lines else flat
    unbalanced, has_break = 0, False
    for chunk in _chunks(texts):
        unbalanced += count_unbalanced_quotes(chunk)
        has_break = has_break or cd.BREAK in chunk
    for pieces in long_lines:
        unbalanced += _unbalanced(pieces)
        has_break = has_break or any(cd.BREAK in piece for piece in pieces)
    if unbalanced:
        counts[RepairKind.UNBALANCED_QUOTE.value] += unbalanced
    if has_break:
        repaired = _unflatten([line.replace(cd.BREAK, "\n") for line in flat], shape)
    return Repaired(repaired, dict(sorted(counts.items())))


def _flatten(lines: list[InputLine]) -> list[str]:
    """The lines with each long line's pieces in its place, taking ``lines`` over: a
    piece is then held only by the list its repaired version replaces it in."""
    if all(isinstance(line, str) for line in lines):
        return lines  # type: ignore[return-value]  # every item is a str
    flat = [piece for line in lines for piece in ((line,) if isinstance(line, str) else line)]
    lines.clear()
    return flat


def _unflatten(flat: list[str], pieces: list[int]) -> tuple[InputLine, ...]:
    """:func:`_flatten` undone: ``pieces[i]`` is how many pieces line ``i`` had (0: a text)."""
    if not any(pieces):
        return tuple(flat)
    out: list[InputLine] = []
    at = 0
    for n in pieces:
        if n:
            out.append(tuple(flat[at:at + n]))
            at += n
        else:
            out.append(flat[at])
            at += 1
    return tuple(out)


def _repair_flat(lines: list[str], counts: Counter[str]) -> list[str]:
    """Every step over ``lines``, again over those that changed, until stable."""
    pending: list[int] | None = None  # None: every line
    for _ in range(_MAX_PASSES):
        indices = range(len(lines)) if pending is None else pending
        pending = []
        for group in _groups(lines, indices):
            pending += _repair_group(lines, group, counts)
        if not pending:
            break
    return lines


# Lines are repaired together, joined into chunks of up to this many characters:
# steps hand back an unchanged text as the same object, while joining and
# splitting again copies it twice a pass, so a line this long goes alone (a
# 50 MB page on one line would be held several times over) and the pieces of a
# long line are not joined again. Steps act on each line alone, so the result
# is the same either way.
_CHUNK_CHARS = 1 << 20


def _groups(lines: list[str], indices: Iterable[int]) -> Iterator[list[int]]:
    """Indices of lines repaired together: runs of lines up to :data:`_CHUNK_CHARS`
    characters in all, a longer line alone."""
    group: list[int] = []
    size = 0
    for i in indices:
        size += len(lines[i]) + 1
        if group and size > _CHUNK_CHARS:
            yield group
            group, size = [], len(lines[i]) + 1
        group.append(i)
    if group:
        yield group


def _chunks(lines: list[str]) -> Iterator[str]:
    """The lines as a few ``"\\n"``-joined texts, each very long line alone (not copied)."""
    for group in _groups(lines, range(len(lines))):
        yield "\n".join([lines[i] for i in group])


def _repair_group(lines: list[str], group: list[int], counts: Counter[str]) -> list[int]:
    """Run every step once over the lines of ``group``; the indices of those that changed."""
    if len(group) == 1:
        return _repair_alone(lines, group[0], counts)
    chunk = "\n".join([lines[i] for i in group])
    for step in STEPS.values():
        chunk, found = step(chunk)
        if found:
            counts.update(found)
    changed = []
    for i, line in zip(group, chunk.split("\n"), strict=True):
        if line != lines[i]:
            lines[i] = line
            changed.append(i)
    return changed


def _repair_alone(lines: list[str], i: int, counts: Counter[str]) -> list[int]:
    """:func:`_repair_group` of one line, which is not held in ``lines`` meanwhile: a very
    long line is then not kept as it was beside what the steps make of it."""
    line, lines[i] = lines[i], ""
    changed = False
    for step in STEPS.values():
        fixed, found = step(line)
        if found:
            counts.update(found)
        # a step hands back an unchanged text as itself, most of the time
        changed = changed or (fixed is not line and fixed != line)
        line = fixed
    lines[i] = line
    return [i] if changed else []


def _pretrim(lines: list[str]) -> list[InputLine]:
    """Strip each line (layout, not counted), but keep the white space after a non-ASCII end.

    "voilÃ " is "voilà" whose no-break space became a space, and the Latin-1
    reading of "項" ends in two characters Python counts as white space: ftfy
    needs them to read the mojibake, so they go only after ftfy, in trim_lines.
    """
    return [_pretrim_line(line) for line in lines]


def _pretrim_line(line: str) -> str:
    """:func:`_pretrim` of one line."""
    stripped = line.strip()
    if stripped and not stripped[-1].isascii() and line[-1].isspace():
        return line.lstrip()
    return stripped
