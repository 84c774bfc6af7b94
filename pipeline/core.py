"""One input's bytes → article records: the stages in order, and nothing else.

``clean_bytes`` is the whole pipeline for one input file; it never raises for
a bad input but returns a ``RejectedInput`` in place of the record.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import cast

from pipeline import __version__
from pipeline.classify import CommentDraft, Labeled, classify
from pipeline.config import DEFAULT_CONFIG, Config, Typography
from pipeline.document import Item, Kind, Line
from pipeline.errors import RejectCode, RejectedInput
from pipeline.formats import unpack
from pipeline.heap import release_freed
from pipeline.language import SAMPLE_CHARS, detect_language, language_code
from pipeline.metadata import MetaField, MetaHit, from_hints, merge
from pipeline.read import record_stem
from pipeline.record import (
    Article,
    Comment,
    Flag,
    PipelineInfo,
    RemovalReason,
    Removed,
    RepairKind,
    Source,
)
from pipeline.repair import LONG_LINE_PIECE_CHARS, repair_lines, split_lines
from pipeline.segment import segment, word_count
from pipeline.typography import apply_profile, slugify, to_ascii

# Enough text to identify the language before the body is known: the longest
# lines of the page, which are article text far more often than menus are.
_LANGUAGE_SAMPLE_LINES = 12


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one input line went: the record field or the removal reason."""

    line: int
    part: int
    place: str  # "title", "body", "metadata:<field>", "comment", "removed:<reason>"


def record_id(stem: str, item: Item) -> str:
    """``<stem>`` for a single-article input, ``<stem>-<n>`` for the n-th JSON item.

    >>> from pipeline.record import SourceFormat
    >>> record_id("feed", Item(text="", format=SourceFormat.JSON, encoding="utf-8", index=3))
    'feed-3'
    """
    if item.id_hint:
        return item.id_hint
    return stem if item.index is None else f"{stem}-{item.index}"


def _positional_id(stem: str, item: Item, taken: set[str]) -> str:
    """The item's id by position, for when its own id is taken; numbered on if that is too.

    >>> from pipeline.record import SourceFormat
    >>> item = Item(text="", format=SourceFormat.JSON, encoding="utf-8", index=3, id_hint="a1")
    >>> _positional_id("feed", item, {"a1"}), _positional_id("feed", item, {"a1", "feed-3"})
    ('feed-3', 'feed-3-2')
    """
    base = record_id(stem, replace(item, id_hint=None))
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    return found


def clean_bytes(data: bytes, *, path: str, stem: str | None = None, sha256: str | None = None,
                config: Config = DEFAULT_CONFIG, reserved: Iterable[str] = ()
                ) -> list[Article | RejectedInput]:
    """Every record (or rejection) one input file gives; ``path`` is relative to the raw root.

    ``stem`` overrides the id stem taken from ``path`` (the runner makes stems unique);
    ``sha256`` is the digest of ``data`` when the caller already has it. An item
    whose own id is ``reserved`` (another input has it) or was taken by an earlier
    item gets its positional id instead, and the flag ``id-taken``.
    """
    digest = sha256 or hashlib.sha256(data).hexdigest()
    return clean_items(unpack(data, path, config), path=path, stem=stem or record_stem(path),
                       sha256=digest, config=config, reserved=reserved)


def clean_items(items: list[Item | RejectedInput], *, path: str, stem: str, sha256: str,
                config: Config = DEFAULT_CONFIG, reserved: Iterable[str] = ()
                ) -> list[Article | RejectedInput]:
    """:func:`clean_bytes` once the input is unpacked (``formats.unpack``); empties ``items``.

    A caller that drops the input's bytes once unpacked, and hands the items
    over, keeps a big input from being held as bytes, decoded text and repaired
    text at once.
    """
    taken = set(reserved)
    results: list[Article | RejectedInput] = []
    # taken off the end in order and handed over, so that once an item is
    # repaired nothing holds its decoded text (see clean_item): the next item is
    # looked at where it lies and popped only as it is handed over
    items.reverse()
    while items:
        if isinstance(items[-1], RejectedInput):
            results.append(cast(RejectedInput, items.pop()).at(path))
            continue
        this_id = record_id(stem, items[-1])
        id_taken = this_id in taken
        if id_taken:
            this_id = _positional_id(stem, items[-1], taken)
        taken.add(this_id)
        try:
            article, _ = clean_item(cast(Item, items.pop()), record_id=this_id, path=path,
                                    sha256=sha256, config=config, track=False)
        except RejectedInput as err:
            results.append(err.at(path))
        else:
            if id_taken:
                article = article.model_copy(update={"flags": [*article.flags, Flag.ID_TAKEN]})
            results.append(article)
    return results


def _language_sample(lines: Sequence[Line]) -> list[Line]:
    """The page's longest lines: article text far more often than menus are."""
    return sorted(lines, key=lambda line: len(line.text), reverse=True)[:_LANGUAGE_SAMPLE_LINES]


def _read_mostly_body(sample: Sequence[Line], labels: Iterable[Labeled]) -> bool:
    """Whether most of the text the language guess can read from ``sample`` is in the body.

    The guess reads the sample's lines joined, longest first, up to
    :data:`SAMPLE_CHARS` characters (fewer when it is sure sooner): each line
    weighs what of it is within that reach. (Counted in lines, four long
    paragraphs of a short article were outweighed by eight short lines of links
    and comments, and a third of the benchmark's pages were identified twice over.)

    >>> paragraph, links = Line(1, "x" * 300), [Line(n, "y" * 60) for n in range(2, 6)]
    >>> labels = [Labeled(paragraph, Kind.BODY), *(Labeled(x, Kind.NOISE) for x in links)]
    >>> _read_mostly_body([paragraph, *links], labels)
    True
    >>> _read_mostly_body([paragraph, *links], [Labeled(paragraph, Kind.COMMENT)])
    False
    """
    in_body = {id(label.line) for label in labels if label.kind in (Kind.BODY, Kind.HEADING)}
    left, read, read_in_body = SAMPLE_CHARS, 0, 0
    for line in sample:
        if left <= 0:
            break
        chars = min(len(line.text), left)
        left -= chars + 1  # and the line break joining it to the next
        read += chars
        if id(line) in in_body:
            read_in_body += chars
    return read_in_body * 2 > read


def clean_item(item: Item, *, record_id: str, path: str, sha256: str,
               config: Config = DEFAULT_CONFIG, track: bool = True
               ) -> tuple[Article, list[Placement]]:
    """One item → its record, and where every input line was placed.

    ``track=False`` skips the placements (an empty list): a run does not need
    them, and a huge input has one per sentence.
    """
    # Once split into lines, only the lines are needed, then only their segments:
    # dropping the decoded text before the lines are repaired, and the repaired
    # lines once segmented, keeps a big input from being held several times over
    # (when the caller hands the item over).
    huge = len(item.text) > LONG_LINE_PIECE_CHARS
    lines_to_repair, line_counts = split_lines(item.text)
    item = replace(item, text="")
    repaired = repair_lines(lines_to_repair, line_counts)
    del lines_to_repair
    repairs: Counter[str] = Counter(repaired.counts)
    repairs.update(dict(item.repairs))
    lines = list(segment(repaired.lines, long_line_chars=config.classifier.long_line_chars))
    del repaired
    if huge:  # the classifier would not reuse the memory its repaired lines held
        release_freed()
    # a long line cut at its sentence ends (``continues``) is put back together in
    # the body: only splits of glued paragraphs are repairs
    glued = sum(1 for line in lines if line.part > 0 and not line.continues)
    if glued:
        repairs[RepairKind.GLUED_PARAGRAPH.value] += glued
    if not lines:
        raise RejectedInput(RejectCode.EMPTY, "no text left after decoding and repair",
                            stage="repair")

    sample = _language_sample(lines)
    guess = detect_language("\n".join(line.text for line in sample))
    classified = classify(lines, language=guess, extracted=item.extracted,
                          thresholds=config.classifier, authors=item.hints.authors)
    # the guess read the longest lines, which are body text far more often than
    # not; identify again only when most of what it read ended up elsewhere
    if not _read_mostly_body(sample, classified.labels):
        guess = None
    labels, comments = list(classified.labels), classified.comments
    del classified, lines, sample  # ``labels`` alone holds the lines: _assemble lets them go
    return _assemble(item, labels, comments, repairs, guess, record_id=record_id, path=path,
                     sha256=sha256, config=config, track=track)


def _assemble(item: Item, labels: list[Labeled], drafts: Sequence[CommentDraft],
              repairs: Counter[str], guess: str | None, *, record_id: str, path: str,
              sha256: str, config: Config, track: bool = True
              ) -> tuple[Article, list[Placement]]:
    """The record; ``guess`` is the body's language when already known.

    ``labels`` is emptied once the texts of the body and of the removed lines
    are picked out, before they are joined: a huge input's lines and labels
    are not held beside its joined texts.
    """
    text_hits = [hit for label in labels for hit in label.hits]
    meta = merge([*text_hits, *from_hints(item.hints)])

    profile = config.typography
    title_label = next((label for label in labels if label.kind is Kind.TITLE), None)
    title = title_label.line.text if title_label else meta.title
    comments = _comments(drafts, item)
    places: Iterable[str] = (_place(label, meta) for label in labels)
    placements: list[Placement] = []
    if track:  # each line's place is found once, for its placement and for ``removed``
        places = list(places)
        placements = [Placement(label.line.number, label.line.part, place)
                      for label, place in zip(labels, places, strict=True)]
    paragraphs = _paragraphs(labels)
    runs = _removed_runs(labels, places)
    labels.clear()  # the pieces hold the texts: the lines go before the texts are joined
    body = "\n\n".join([" ".join(pieces) for pieces in paragraphs])
    del paragraphs
    removed = [Removed(text=" ".join(texts), reason=reason, line=number)
               for number, reason, texts in runs]
    del runs
    if profile is not Typography.KEEP:
        title, body, comments = _typeset(title, body, comments, profile, repairs)

    language = guess if guess and body else (
        detect_language(body) or language_code(item.hints.language))
    flags = [Flag.NO_ARTICLE] if not body else []
    if item.truncated:
        flags.append(Flag.TRUNCATED)
    article = Article(
        id=record_id,
        source=Source(path=path, sha256=sha256, format=item.format, encoding=item.encoding),
        title=title,
        url=meta.url,
        site=meta.site,
        site_name=meta.site_name,
        authors=list(meta.authors),
        published_at=meta.published_at,
        updated_at=meta.updated_at,
        language=language,
        tags=list(meta.tags),
        source_credit=meta.source_credit,
        body=body,
        comments=comments,
        comment_count=meta.comment_count,
        removed=removed,
        repairs=dict(sorted((k, v) for k, v in repairs.items() if v)),
        flags=flags,
        word_count=word_count(body),
        slug=slugify(title) or None if title else None,
        title_ascii=to_ascii(title) if config.ascii_fields and title else None,
        body_ascii=to_ascii(body) if config.ascii_fields else None,
        fingerprint=_fingerprint(body),
        pipeline=PipelineInfo(version=__version__, config_hash=config.hash()),
    )
    return article, placements


def _removed_runs(labels: Sequence[Labeled], places: Iterable[str]
                  ) -> list[tuple[int, RemovalReason, list[str]]]:
    """The ``removed`` entries as (line, reason, texts to join with a space); ``places``
    holds each label's :func:`_place`.

    One entry per removed line, or per run of a long line's sentences: a very
    long line is cut at its sentence ends to be judged sentence by sentence
    (``Line.continues``); consecutive sentences of it removed for the same
    reason form one entry, their texts rejoined with a space as the body
    rejoins them. A 50 MB page on one line would otherwise give hundreds of
    thousands of entries, each a model object and a JSON object of its own.
    """
    runs: list[tuple[int, RemovalReason, list[str]]] = []
    previous: str | None = None
    for label, place in zip(labels, places, strict=True):
        if place.startswith("removed:"):
            if label.line.continues and place == previous:
                runs[-1][2].append(label.line.text)
            else:
                reason = RemovalReason(place.removeprefix("removed:"))
                runs.append((label.line.number, reason, [label.line.text]))
        previous = place
    return runs


def _paragraphs(labels: Sequence[Labeled]) -> list[list[str]]:
    """Body paragraphs, each as the pieces to join with a space: one per body line or
    ``<br>`` part; wrapped lines and a long line's sentences rejoined."""
    paragraphs: list[list[str]] = []
    previous_in_body = False
    for label in labels:
        in_body = label.kind in (Kind.BODY, Kind.HEADING)
        if in_body:
            parts = [p.strip() for p in label.line.text.split("\n") if p.strip()]
            if label.joined and previous_in_body and paragraphs and parts:
                paragraphs[-1].append(parts.pop(0))
            paragraphs += [[part] for part in parts]
        previous_in_body = in_body
    return paragraphs


def _fingerprint(body: str) -> str | None:
    try:
        from pipeline.fingerprint import fingerprint
    except ImportError:
        return None
    return fingerprint(body)


def _comments(drafts: Sequence[CommentDraft], item: Item) -> list[Comment]:
    found = [Comment(author=c.author, text="\n".join(c.texts), date=c.date) for c in drafts]
    found += [Comment(author=c.author, text=c.text, date=c.date) for c in item.comments]
    return found


def _typeset(title: str | None, body: str, comments: list[Comment], profile: Typography,
             repairs: Counter[str]) -> tuple[str | None, str, list[Comment]]:
    changes = 0
    if title:
        title, n = apply_profile(title, profile)
        changes += n
    body, n = apply_profile(body, profile)
    changes += n
    typeset: list[Comment] = []
    for c in comments:
        text, n = apply_profile(c.text, profile)
        changes += n
        typeset.append(c.model_copy(update={"text": text}))
    if changes:
        repairs[RepairKind.TYPOGRAPHY.value] += changes
    return title, body, typeset


def _value_of(meta: object, field: MetaField) -> object:
    value = getattr(meta, field.value)
    return tuple(value) if isinstance(value, list) else value


def _kept(hits: Iterable[MetaHit], meta: object) -> MetaField | None:
    """The first field whose final value came from these hits, if any."""
    for hit in hits:
        if _value_of(meta, hit.field) == hit.value:
            return hit.field
    return None


# One string per removal reason, shared by every line removed for it: a page run
# together on one line has a place for each of its hundreds of thousands of sentences.
_REMOVED_PLACES = {reason: f"removed:{reason.value}" for reason in RemovalReason}


def _place(label: Labeled, meta: object) -> str:
    if label.kind is Kind.TITLE:
        return "title"
    if label.kind in (Kind.BODY, Kind.HEADING):
        return "body"
    if label.kind is Kind.COMMENT:
        return "comment"
    if label.kind is Kind.METADATA:
        field = _kept(label.hits, meta)
        if field is not None:
            return f"metadata:{field.value}"
        return _REMOVED_PLACES[RemovalReason.METADATA]
    return _REMOVED_PLACES[label.reason or RemovalReason.BOILERPLATE]
