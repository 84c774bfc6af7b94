"""Repaired lines → numbered blocks, with glued paragraphs split apart again.

Scrapers that lose block boundaries run paragraphs together: ``Valley.De la
mise``, ``la superstarVendredi 17 novembre``. A split is made only where the
evidence is strong, and never inside names (``OpenAI``, ``iPhone``,
``McDonald``), URLs, decimals or abbreviations (``U.S.``, ``M.``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import pairwise

from pipeline.document import Line


def _char_class(test: Callable[[str], bool], limit: int = 0x2000) -> str:
    """A regex class body of every code point below ``limit`` passing ``test``.

    Built from Unicode data because case alternates inside blocks (Ā ā Ă ă …):
    a literal range such as ``Ā-Ž`` would hold lower-case letters too.

    >>> re.fullmatch(f"[{_char_class(str.isupper)}]+", "ŁÉΩЖ") is not None
    True
    >>> re.search(f"[{_char_class(str.isupper)}]", "łéωж") is None
    True
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(limit):
        if test(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


# Latin, Greek and Cyrillic letters by case (scripts without case never glue this way)
UPPER = _char_class(str.isupper)
LOWER = _char_class(str.islower)

# Sentence end glued to the next sentence: a lower-case letter or digit (not a
# capital: that would be an abbreviation like "U.S.") and a full stop or an
# ellipsis ("…" or "..."), then an optional closing quote, then a capitalised word,
# with no space between. Written from the stop (or the space before "!" and "?"),
# with what comes before it as a look-behind, so the regex engine skips ahead to
# the punctuation.
_BEFORE_STOP = rf"[{LOWER}0-9%)\]]"
_GLUED_SENTENCE = re.compile(
    rf"[.…!?\u00a0\u202f ](?:(?<={_BEFORE_STOP}[.…!?])|(?<={_BEFORE_STOP}\.\.\.)"
    rf"|(?<={_BEFORE_STOP}[\u00a0\u202f ])[!?])"
    rf"([”»\"’)]?)(?=[“«\"(]?[{UPPER}][{LOWER}])"
)
# A heading or sentence without final punctuation glued to the next one: an
# all-lower-case word of two letters or more directly followed by a capitalised
# word ("superstarVendredi"). Brand names start with a capital or have a
# one-letter prefix ("iPhone", "eBay", "McDonald"), so they never match.
_GLUED_WORD = re.compile(rf"(?<![{UPPER}{LOWER}])([{LOWER}]{{2,}})(?=[{UPPER}][{LOWER}])")
# An acronym ending a camel-case name glued to a capitalised word: "OpenAIMais",
# split before the capital that starts the word. (Patterns here begin with a
# character class where they can, capitals being the rarer: the regex engine then
# skips ahead to the characters that can start a match instead of trying each.)
_GLUED_ACRONYM = re.compile(rf"[{UPPER}](?<=[{LOWER}][{UPPER}]{{3}})(?=[{LOWER}]{{2}})|"
                            rf"[{UPPER}](?<=[{LOWER}][{UPPER}]{{4}})(?=[{LOWER}]{{2}})")
# Cheap tests for what every match of the patterns above contains: most lines,
# long paragraphs included, fail them, and the costlier patterns are not run.
# A glued sentence: its stop, optional quotes, then a capitalised word ("t.De").
_MAYBE_SENTENCE = re.compile(rf"[.…!?][”»\"’)]?[“«\"(]?[{UPPER}][{LOWER}]")
# A glued word ("arVe" in "superstarVendredi") or acronym ("nAIMai" in "OpenAIMais").
_MAYBE_CAMEL = re.compile(rf"[{UPPER}](?:(?<=[{LOWER}]{{2}}[{UPPER}])[{LOWER}]"
                          rf"|(?<=[{LOWER}][{UPPER}])[{UPPER}]{{2,3}}[{LOWER}]{{2}})")
# Tokens a split must never enter.
_PROTECTED = re.compile(r"(?<!\S)\S*(?:://|www\.|@)\S*")  # from a token's start only

_MIN_PART_CHARS = 2


def glued_split_points(text: str) -> list[int]:
    """Offsets where a glued line should be split into paragraphs.

    >>> t = "chez Microsoft.De la mise à l’écart"
    >>> [t[:i] for i in glued_split_points(t)]
    ['chez Microsoft.']
    >>> glued_split_points("OpenAI et ChatGPT sur iPhone chez McDonald, 3.5 U.S.A")
    []
    """
    points: set[int] = set()
    if _MAYBE_SENTENCE.search(text):
        for m in _GLUED_SENTENCE.finditer(text):
            # "2.0.Beta", "U.S.Army", "site.Com": a token dotted before its closing
            # stops ("like...Who" is not) is a version, an abbreviation or a host
            # name, not two sentences
            token_start = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            if "." not in text[token_start:m.start()].rstrip("."):
                points.add(m.end(1))
    if _MAYBE_CAMEL.search(text):
        for m in _GLUED_WORD.finditer(text):
            points.add(m.end(1))
        for m in _GLUED_ACRONYM.finditer(text):
            points.add(m.start())
    if not points:
        return []
    protected = [m.span() for m in _PROTECTED.finditer(text)] if ("/" in text or "@" in text
                                                                    or "www" in text) else []
    return sorted(
        p for p in points
        if _MIN_PART_CHARS <= p <= len(text) - _MIN_PART_CHARS
        and not any(a < p < b for a, b in protected)
    )


def split_glued(text: str) -> list[str]:
    """Split one line into the paragraphs that were glued together.

    >>> split_glued("la superstarVendredi 17 novembre, l’annonce.”Le départ")
    ['la superstar', 'Vendredi 17 novembre, l’annonce.”', 'Le départ']
    """
    return list(iter_glued(text))


def iter_glued(text: str) -> Iterator[str]:
    """:func:`split_glued` one part at a time: a page on one line is not held as its
    list of parts beside itself."""
    points = glued_split_points(text)
    if not points:
        yield text
        return
    for a, b in pairwise([0, *points, len(text)]):
        if part := text[a:b].strip():
            yield part


# A sentence end followed by a space and a capital: where a very long line, a
# whole page run together with spaces, is cut so its sentences are judged one by
# one. Single capitals and short abbreviations before the stop ("M.", "Dr.") are
# not sentence ends.
_SENTENCE_END = re.compile(rf"[.!?…][”»\"’)]?(?=\s+[“«\"(]?[{UPPER}])")
_ABBREVIATIONS = frozenset({"mr", "ms", "mrs", "dr", "st", "jr", "sr", "mme", "mlle", "mgr",
                            "no", "vol", "vs", "etc", "prof", "gen", "gov", "sen", "rep"})


_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))


def _ends_abbreviation(text: str, word: int, stop: int) -> bool:
    """Whether the word from ``word`` to the stop at ``stop`` ends with an abbreviation
    (``M.``, ``U.S.``, ``etc.``): its part after its last inner full stop, stops at its
    end left aside, is one capital or a known short word. Only that part is read: a
    word can be a whole line with no space.

    >>> [_ends_abbreviation(w, 0, len(w) - 1) for w in ("M.", "U.S.", "etc...", "Paris.")]
    [True, True, True, False]
    """
    end = stop + 1
    while end > word and text[end - 1] == ".":
        end -= 1
    start = max(word, end - _LONGEST_ABBREVIATION - 1)
    inner = text.rfind(".", start, end)
    if inner < 0 and start > word:
        return False  # a longer part than any abbreviation
    stem = text[inner + 1 if inner >= 0 else start:end]
    return (len(stem) == 1 and stem.isupper()) or stem.casefold() in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Sentences of a long run-together line.

    >>> split_sentences("M. Dupont est arrivé. Il a parlé à Dr. Martin! Puis il est parti.")
    ['M. Dupont est arrivé.', 'Il a parlé à Dr. Martin!', 'Puis il est parti.']
    """
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """:func:`split_sentences` one at a time: a page on one line has hundreds of thousands."""
    start = 0
    for end in sentence_ends(text):
        if sentence := text[start:end].strip():
            yield sentence
        start = end
    if sentence := text[start:].strip():
        yield sentence


def sentence_ends(text: str, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Where each sentence of ``text[start:end]`` but the last ends, in order.

    >>> list(sentence_ends("Il est là. M. Dupont aussi. Fin"))
    [10, 27]
    """
    # the last space before a stop starts the word it ends, looked for only since
    # the stop before it: a long line with no space (tabs) is still read once
    space, read = text.rfind(" ", 0, start), start
    for m in _SENTENCE_END.finditer(text, start, len(text) if end is None else end):
        if text[m.start()] == ".":
            space = max(space, text.rfind(" ", read, m.start()))
            read = m.start()
            if _ends_abbreviation(text, space + 1, m.start()):
                continue
        yield m.end()


def segment(lines: Sequence[str | tuple[str, ...]], *, split: bool = True,
            long_line_chars: int | None = None) -> Iterator[Line]:
    """Non-blank repaired lines as numbered ``Line`` blocks, glued ones split.

    A paragraph longer than ``long_line_chars`` is cut at its sentence ends;
    the sentences after its first are marked ``continues``. A line given as a
    tuple is a very long line in pieces cut at sentence ends, each followed by
    one space (:func:`pipeline.repair.split_lines`): it gives the blocks the
    line would give whole, without being joined again.

    >>> [(b.number, b.part, b.text, b.gap_before) for b in segment(["a.B", "", "c"])]
    [(1, 0, 'a.B', True), (3, 0, 'c', True)]
    >>> [(b.number, b.part, b.text) for b in segment(["Valley.De la mise"])]
    [(1, 0, 'Valley.'), (1, 1, 'De la mise')]
    >>> [(b.part, b.text) for b in segment([("Un.", "Deux.Trois.")])]
    [(0, 'Un. Deux.'), (1, 'Trois.')]
    """
    gap = True
    for number, line in enumerate(lines, start=1):
        paragraphs: Iterable[list[str]]
        if isinstance(line, str):
            text = line.strip()
            if not text:
                gap = True
                continue
            paragraphs = ([paragraph] for paragraph in iter_glued(text)) if split else ([text],)
        else:
            paragraphs = _paragraphs_in_pieces(line, split)
        part_no = 0
        for paragraph in paragraphs:
            chars = sum(map(len, paragraph)) + len(paragraph) - 1
            if long_line_chars is not None and chars > long_line_chars:
                # a sentence repeated through a long line is held once, however often it recurs
                same: dict[str, str] = {}
                sentences = (same.setdefault(sentence, sentence)
                             for piece in paragraph for sentence in iter_sentences(piece))
                for k, sentence in enumerate(sentences):
                    yield Line(number=number, text=sentence, gap_before=gap and part_no == 0,
                               part=part_no, continues=k > 0)
                    part_no += 1
            else:
                yield Line(number=number, text=" ".join(paragraph),
                           gap_before=gap and part_no == 0, part=part_no)
                part_no += 1
        gap = part_no == 0


def _paragraphs_in_pieces(pieces: tuple[str, ...], split: bool) -> Iterator[list[str]]:
    """The glued paragraphs of a line given in pieces, each as its parts in one piece
    after another: a cut, being a sentence end and a space, is never a glued one, so
    a piece's last paragraph goes on in the next piece."""
    paragraph: list[str] = []
    for piece in pieces:
        text = piece.strip()
        if not text:
            continue
        found = iter_glued(text) if split else iter([text])
        paragraph.append(next(found))
        for following in found:
            yield paragraph
            paragraph = [following]
    if paragraph:
        yield paragraph


# Long texts are read this many characters at a time, cut just before a space
# or a line break, so that a huge body never has a normalised copy or a list of
# its words in memory whole: NFKC, casefolding and word splitting all end at an
# ASCII space or line break, so the pieces give what the whole text gives.
PIECE_CHARS = 1 << 20
_PIECE_END = re.compile("[ \n]")


def text_pieces(text: str, size: int | None = None, *, cut: re.Pattern[str] = _PIECE_END
                ) -> Iterator[str]:
    """``text`` in consecutive pieces of ``size`` (``PIECE_CHARS``) characters or a little
    more, each cut where ``cut`` first matches after that, by default just before a space
    or line break (the rest in one piece when it does not match).

    >>> list(text_pieces("un deux trois", 4))
    ['un deux', ' trois']
    """
    size = max(1, PIECE_CHARS if size is None else size)  # every piece holds a character
    start = 0
    while start < len(text):
        found = cut.search(text, start + size) if start + size < len(text) else None
        end = found.start() if found else len(text)
        yield text[start:end]
        start = end


def word_count(text: str) -> int:
    """``len(text.split())``, without the list of words.

    >>> word_count("Un  texte\\nde quatre\\u00a0mots")
    5
    """
    return sum(len(piece.split()) for piece in text_pieces(text))
