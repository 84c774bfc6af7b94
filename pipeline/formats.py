"""Raw bytes of one input file → the items (articles-to-be) it holds.

One file may be a text dump, an HTML page, a JSON array or object, or JSON
Lines of scraper items, any of them gzipped. The kind is read from the bytes
(gzip magic, then the first characters of the payload); the file name only
tells JSON Lines from JSON.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from enum import Enum
from itertools import islice
from typing import Any

from pipeline.config import DEFAULT_CONFIG, Config
from pipeline.decode import decode
from pipeline.document import Hints, Item
from pipeline.errors import RejectCode, RejectedInput
from pipeline.record import SAFE_ID_PATTERN, SourceFormat

_GZIP_MAGIC = b"\x1f\x8b"
# a .gz may hold one more .gz (a gzipped archive of gzipped pages); deeper is not unpacked
_MAX_GZIP_LAYERS = 2
# Sniffing looks at this many leading bytes: enough to pass a long <head> or a
# licence comment and reach <html> or <body>, small enough to cost nothing.
_SNIFF_BYTES = 4096
# the WHATWG encoding sniffer reads 1024 bytes; pages with long heads (inline
# styles, many meta tags) declare their charset later, so we read a little more
_CHARSET_BYTES = 4096
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jl")
_GZ_SUFFIX = re.compile(r"(?:\.gz|\.gzip)+$")
_SAFE_ID = re.compile(SAFE_ID_PATTERN)

# An HTML page starts with markup: a doctype or an HTML element, after optional
# comments, an XML declaration and white space ("<Photo> …" is text, "<br />" is
# HTML: servers print PHP warnings as "<br />\n<b>Warning</b>: …" before the page).
_FIRST_TAG = re.compile(
    r"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(!doctype\s+html|[a-z][a-z0-9]*)[\s/>]",
    re.IGNORECASE | re.DOTALL,
)
# or a doctype or <html> opens a line near the start, after some plain-text output
_HTML_LINE = re.compile(r"^[ \t]*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.MULTILINE)
# the elements of the HTML standard (WHATWG), and the obsolete ones old pages still use
_HTML_ELEMENTS = frozenset({
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
    "blockquote", "body", "br", "button", "canvas", "caption", "cite", "code", "col",
    "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "div", "dl", "dt",
    "em", "embed", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input",
    "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark", "menu", "meta",
    "meter", "nav", "noscript", "object", "ol", "optgroup", "option", "output", "p", "picture",
    "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "script", "search", "section",
    "select", "slot", "small", "source", "span", "strong", "style", "sub", "summary", "sup",
    "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time",
    "title", "tr", "track", "u", "ul", "var", "video", "wbr", "acronym", "applet", "basefont",
    "big", "blink", "center", "dir", "font", "frame", "frameset", "marquee", "nobr",
    "noframes", "strike", "tt",
})
# JSON: an object, or an array of objects (scraper items), so that a text dump
# starting "[Mise à jour]" or "[1]" is not taken for one
_JSON_START = re.compile(r'\A\s*(?:\{\s*["}]|\[\s*[{\]])')
# JSON Lines not named so: more than one line opening an object at the margin
_OBJECT_LINE = re.compile(r"^\{", re.MULTILINE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+?encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_UTF8_BOM = b"\xef\xbb\xbf"


class Payload(str, Enum):
    """What a decompressed input holds."""

    TEXT = "text"
    HTML = "html"
    JSON = "json"
    JSONL = "jsonl"


# Scrapy-style item fields, by the hint or text they carry, in order of preference.
_HTML_FIELDS = ("html", "raw_html")
_TEXT_FIELDS = ("text", "body", "content", "article", "articleBody")
_URL_FIELDS = ("url", "canonical_url", "link")
_TITLE_FIELDS = ("title", "headline")
_PUBLISHED_FIELDS = ("date", "published", "published_at", "datePublished", "pub_date")
_UPDATED_FIELDS = ("updated", "updated_at", "modified", "dateModified")
_AUTHOR_FIELDS = ("authors", "author", "byline")
_TAG_FIELDS = ("tags", "keywords", "categories")
_SITE_FIELDS = ("site_name", "sitename", "site")
_LANGUAGE_FIELDS = ("language", "lang")
_SOURCE_FIELDS = ("source",)
_ID_FIELD = "id"


def _extract_html(page: str, *, url: str | None = None, encoding: str,
                  format: SourceFormat = SourceFormat.HTML) -> Item:
    """:func:`pipeline.html.extract`, imported with the first page: trafilatura and
    what it brings (~15 MB, ~0.1 s) are loaded only by processes that meet HTML."""
    from pipeline import html

    return html.extract(page, url=url, encoding=encoding, format=format)


def unpack(data: bytes, name: str, config: Config = DEFAULT_CONFIG) -> list[Item | RejectedInput]:
    """Everything one input file holds: its items, and a rejection for each part that failed.

    >>> [item.text for item in unpack(b'{"text": "A"}\\n{"text": "B"}\\n', "a.jsonl")]
    ['A', 'B']
    >>> [str(r) for r in unpack(b"\\x1f\\x8b\\x08\\x00", "a.txt.gz")]
    ['<input>: bad-archive: the gzip stream is truncated: the archive is incomplete, copy it again']
    """
    try:
        data = gunzip(data, limit=config.limits.max_gunzip_bytes)
    except RejectedInput as err:
        return [err]
    kind = sniff(data, name)
    try:
        if kind is Payload.HTML:
            decoded = decode(data, declared=declared_charset(data))
            return [_extract_html(decoded.text, encoding=decoded.encoding)]
        decoded = decode(data)
    except RejectedInput as err:
        return [err]
    if kind is Payload.TEXT:
        return [Item(text=decoded.text, format=SourceFormat.TXT, encoding=decoded.encoding)]
    return list(json_items(decoded.text, decoded.encoding, lines=kind is Payload.JSONL))


def gunzip(data: bytes, *, limit: int) -> bytes:
    """The bytes inside a gzip file (one nested .gz included), or the input if not gzipped.

    Inflates at most ``limit`` bytes: a decompression bomb is refused, never expanded.

    >>> import gzip
    >>> gunzip(gzip.compress(gzip.compress(b"text")), limit=100)
    b'text'
    >>> gunzip(gzip.compress(b"x" * 101), limit=100)
    Traceback (most recent call last):
    ...
    pipeline.errors.RejectedInput: <input>: too-large: the gzip content is over 100 bytes ...
    """
    for _ in range(_MAX_GZIP_LAYERS):
        if not data.startswith(_GZIP_MAGIC):
            return data
        data = _inflate(data, limit)
    if data.startswith(_GZIP_MAGIC):
        raise RejectedInput(
            RejectCode.BAD_ARCHIVE,
            f"gzip nested more than {_MAX_GZIP_LAYERS} deep: unpack the inner archives first",
        )
    return data


def _inflate(data: bytes, limit: int) -> bytes:
    """One gzip layer (all its members), bounded by ``limit`` output bytes."""
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16: a gzip header and trailer
        try:
            # one bounded call: input past the cap stays compressed, so a bomb costs
            # at most `limit` bytes of memory
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error as err:
            raise RejectedInput(
                RejectCode.BAD_ARCHIVE, f"the gzip stream is corrupt ({err}): copy it again"
            ) from None
        if len(out) > limit:
            raise RejectedInput(
                RejectCode.TOO_LARGE,
                f"the gzip content is over {limit} bytes (limits.max_gunzip_bytes): "
                "split the archive or raise the limit",
            )
        if not inflater.eof:
            raise RejectedInput(
                RejectCode.BAD_ARCHIVE,
                "the gzip stream is truncated: the archive is incomplete, copy it again",
            )
        # concatenated members (`cat a.gz b.gz`) are one file to gzip; NUL padding is not
        rest = inflater.unused_data.lstrip(b"\0")
        if rest and not rest.startswith(_GZIP_MAGIC):
            raise RejectedInput(
                RejectCode.BAD_ARCHIVE, "bytes after the end of the gzip stream: copy it again"
            )
    return bytes(out)


def sniff(data: bytes, name: str = "") -> Payload:
    """What the (decompressed) bytes hold, from their first characters.

    JSON Lines are told from JSON by the file name here, by the content when
    parsing (:func:`json_items`).

    >>> sniff(b"<!DOCTYPE html><html>"), sniff(b'[{"url": "u"}]'), sniff(b"[Mise \\xc3\\xa0 jour]")
    (<Payload.HTML: 'html'>, <Payload.JSON: 'json'>, <Payload.TEXT: 'text'>)
    >>> sniff(b'{"a": 1}\\n{"a": 2}\\n', "items.jsonl")
    <Payload.JSONL: 'jsonl'>
    """
    head = _head_text(data)
    if _JSON_START.match(head):
        if _GZ_SUFFIX.sub("", name.lower()).endswith(_JSONL_SUFFIXES):
            return Payload.JSONL
        return Payload.JSON
    first = _FIRST_TAG.match(head)
    if first and (first.group(1).lower() in _HTML_ELEMENTS or first.group(1)[0] == "!"):
        return Payload.HTML
    if _HTML_LINE.search(head):
        return Payload.HTML
    return Payload.TEXT


def _head_text(data: bytes) -> str:
    """The first bytes as text good enough to sniff ASCII markup, without a BOM."""
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").lstrip("\ufeff")
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM):]
    # latin-1 maps every byte: markup and JSON punctuation are ASCII in any ASCII-based codec
    return head.decode("latin-1")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares near its start (meta charset, http-equiv, XML).

    >>> declared_charset(b'<html><head><meta charset="ISO-8859-1">')
    'ISO-8859-1'
    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=cp1252">')
    'cp1252'
    """
    found = _META_CHARSET.search(data[:_CHARSET_BYTES])
    if found is None:
        return None
    return (found.group(1) or found.group(2)).decode("ascii")


def json_items(text: str, encoding: str, *, lines: bool) -> Iterator[Item | RejectedInput]:
    """The items of a JSON document or of JSON Lines, a rejection for each bad one.

    A document that does not parse as one JSON value but has several lines
    opening an object is read as JSON Lines.

    >>> [type(x).__name__ for x in json_items('{"text": "a"}\\n{oops\\n', "utf-8", lines=False)]
    ['Item', 'RejectedInput']
    """
    if not lines:
        try:
            document = json.loads(text)
        except ValueError as err:
            if len(list(islice(_OBJECT_LINE.finditer(text), 2))) < 2:
                yield RejectedInput(RejectCode.BAD_JSON, f"the file is not JSON ({err}): fix it")
                return
        else:
            if isinstance(document, list):
                if not document:
                    yield RejectedInput(RejectCode.EMPTY, "the JSON array holds no items")
                for position, value in enumerate(document, start=1):
                    yield json_item(value, index=position, encoding=encoding)
            else:
                yield json_item(document, index=None, encoding=encoding)
            return
    # split on \n only: a JSON string may hold U+2028, which str.splitlines would cut at
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as err:
            yield RejectedInput(
                RejectCode.BAD_JSON, f"line {number} is not JSON ({err}): fix or drop it",
                item=number,
            )
            continue
        yield json_item(value, index=number, encoding=encoding)


def json_item(value: Any, *, index: int | None, encoding: str) -> Item | RejectedInput:
    """One scraper item: its HTML through the page path, or its text as a dump.

    >>> item = json_item({"id": "a-1", "title": "T", "body": ["One.", "Two."]}, index=3,
    ...                  encoding="utf-8")
    >>> item.text, item.index, item.id_hint, item.hints.title, item.extracted
    ('One.\\n\\nTwo.', 3, 'a-1', 'T', False)
    >>> str(json_item({"title": "T"}, index=2, encoding="utf-8"))
    '<input>:2: bad-item: the item has no text, html or body field: give it one'
    """
    if not isinstance(value, Mapping):
        return RejectedInput(
            RejectCode.BAD_ITEM,
            f"the item is a JSON {type(value).__name__}, not an object: give one object per item",
            item=index,
        )
    hints = _item_hints(value)
    id_hint = _safe_id(value.get(_ID_FIELD))
    page = _text_field(value, _HTML_FIELDS)
    if page is not None:
        item = _extract_html(page, url=hints.url, encoding=encoding, format=SourceFormat.JSON)
        return replace(item, index=index, id_hint=id_hint, hints=_merge(hints, item.hints))
    text = _text_field(value, _TEXT_FIELDS)
    if text is not None:
        return Item(text=text, format=SourceFormat.JSON, encoding=encoding, index=index,
                    id_hint=id_hint, extracted=False, hints=hints)
    return RejectedInput(
        RejectCode.BAD_ITEM, "the item has no text, html or body field: give it one", item=index
    )


def _text_field(value: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    """The first non-blank text among the fields; a list of paragraphs is joined."""
    for field in fields:
        found = value.get(field)
        if isinstance(found, list):
            found = "\n\n".join(part for part in found if isinstance(part, str) and part.strip())
        if isinstance(found, str) and found.strip():
            return found
    return None


def _safe_id(value: Any) -> str | None:
    """The item's own id when it can name a file safely, else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    return text if _SAFE_ID.fullmatch(text) else None


def _scalar(value: Any) -> str | None:
    """A raw hint string: strings as found, numbers as written; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def _first(value: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    for field in fields:
        found = _scalar(value.get(field))
        if found is not None:
            return found
    return None


def _strings(value: Mapping[str, Any], fields: tuple[str, ...]) -> tuple[str, ...]:
    """The first field holding names: a string, or a list of strings or {"name": …} objects."""
    for field in fields:
        found = value.get(field)
        entries = found if isinstance(found, list) else [found]
        names = []
        for entry in entries:
            if isinstance(entry, Mapping):
                entry = entry.get("name")
            text = _scalar(entry)
            if text is not None:
                names.append(text)
        if names:
            return tuple(names)
    return ()


def _item_hints(value: Mapping[str, Any]) -> Hints:
    return Hints(
        url=_first(value, _URL_FIELDS),
        title=_first(value, _TITLE_FIELDS),
        authors=_strings(value, _AUTHOR_FIELDS),
        published_at=_first(value, _PUBLISHED_FIELDS),
        updated_at=_first(value, _UPDATED_FIELDS),
        site_name=_first(value, _SITE_FIELDS),
        tags=_strings(value, _TAG_FIELDS),
        language=_first(value, _LANGUAGE_FIELDS),
        source_credit=_first(value, _SOURCE_FIELDS),
    )


def _merge(own: Hints, page: Hints) -> Hints:
    """The item's own fields, completed by what its page says."""
    return Hints(
        url=own.url or page.url,
        title=own.title or page.title,
        authors=own.authors or page.authors,
        published_at=own.published_at or page.published_at,
        updated_at=own.updated_at or page.updated_at,
        site_name=own.site_name or page.site_name,
        tags=own.tags or page.tags,
        language=own.language or page.language,
        source_credit=own.source_credit or page.source_credit,
    )


