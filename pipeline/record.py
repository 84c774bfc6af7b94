"""The article record: the one schema every record in ``clean/`` follows.

The JSON Schema (``newsclean schema``, ``pipeline/schema.json``) and the
field documentation (``docs/schema.md``) are generated from these models.
Versioning: additive changes (a new optional field, a new enum member) keep
``schema_version``; renaming, removing or retyping a field bumps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from enum import Enum
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$"
SAFE_ID_PATTERN = r"^[A-Za-z0-9._-]{1,200}$"


class SourceFormat(str, Enum):
    """The kind of input a record was made from."""

    TXT = "txt"  # a plain-text dump of a page or an article
    HTML = "html"  # an HTML page, extracted with trafilatura
    JSON = "json"  # an item of a JSON or JSON Lines file (its text or HTML inside)


class RemovalReason(str, Enum):
    """Why a non-blank input line is in ``removed``: a closed set.

    Each member's comment says what the class covers; the classifier and the
    lexicons in ``pipeline/rules/`` only ever emit these.
    """

    SEPARATOR = "separator"  # lines of punctuation or symbols only: `*.*.*`, `-----`
    NAVIGATION = "navigation"  # menus, breadcrumbs, `close`, `logo`, "Skip to content"
    SHARE = "share"  # share bars and social buttons
    ADVERTISING = "advertising"  # "Publicité", "Advertisement", "Story continues below"
    RELATED_LINKS = "related-links"  # "Lire aussi", "Read more", lists of other articles
    NEWSLETTER = "newsletter"  # sign-up boxes
    COOKIE = "cookie"  # consent banners
    FOOTER = "footer"  # copyright, legal, contact, privacy lines
    BYLINE = "byline"  # byline residue that carries no field value ("Opinion Columnist")
    CAPTION = "caption"  # photo captions and credits
    AUTHOR_BIO = "author-bio"  # the author's biography box
    COMMENTS_HEADER = "comments-header"  # "Commentaires (10)", "12 réponses à « … »"
    COMMENT_FORM = "comment-form"  # reply forms, "Répondre", "Signaler un abus"
    PROMOTION = "promotion"  # app, forum, community and follow-us invitations
    MEDIA = "media"  # video / audio player text
    READING_TIME = "reading-time"  # "5 min read", "Temps de lecture : 3 min"
    FEEDBACK = "feedback"  # "Report an error", "Vous avez repéré une erreur ?"
    DUPLICATE = "duplicate"  # a block already seen earlier in the document
    METADATA = "metadata"  # a metadata line whose value was not kept (e.g. a second date)
    BOILERPLATE = "boilerplate"  # page chrome outside the article with no more specific class


class RepairKind(str, Enum):
    """The kinds of repair counted in ``repairs``."""

    LINE_END = "line-end"  # CRLF / CR turned into LF
    MOJIBAKE = "mojibake"  # text decoded with the wrong codec, fixed by ftfy
    ENTITY = "entity"  # HTML entities decoded
    TAG = "tag"  # HTML tags dropped or turned into line breaks
    CONTROL = "control"  # control characters removed
    ZERO_WIDTH = "zero-width"  # zero-width characters removed
    SOFT_HYPHEN = "soft-hyphen"  # soft hyphens removed
    NORMALIZATION = "normalization"  # Unicode NFC
    WHITESPACE = "whitespace"  # runs of spaces, odd spaces, space before , .
    GLUED_PARAGRAPH = "glued-paragraph"  # paragraphs that had run together split again
    QUOTE_PAIRING = "quote-pairing"  # a closing quote used as an opening one
    UNBALANCED_QUOTE = "unbalanced-quote"  # counted only: left alone
    TYPOGRAPHY = "typography"  # changes made by a typography profile
    HTML_FALLBACK = "html-fallback"  # the HTML parser failed; a more lenient path was used


class Flag(str, Enum):
    """Conditions a downstream reader should know about."""

    NO_ARTICLE = "no-article"  # nothing in the input looked like an article body
    TRUNCATED = "truncated"  # the input was cut (a truncated page or archive)
    ID_TAKEN = "id-taken"  # its own id belongs to an earlier item or input: positional id used


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Source(_Model):
    """Where a record came from."""

    path: str = Field(description="Input path relative to the raw root, with '/' separators.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the raw input bytes.")
    format: SourceFormat = Field(description="Kind of input the article was read from.")
    encoding: str = Field(description="Text encoding used to decode the input, as detected.")


class Comment(_Model):
    """One reader comment."""

    author: str | None = Field(description="Commenter's name as shown, null when not given.")
    text: str = Field(description="Comment text; line breaks of the original kept as '\\n'.")
    date: str | None = Field(
        default=None,
        description="When the comment was posted, ISO 8601; null when absent or relative.",
    )


class Removed(_Model):
    """One input line that is in no other field, and why."""

    text: str = Field(description="The line as repaired; consecutive sentences of a very long "
                      "line removed for the same reason are one entry, joined with a space.")
    reason: RemovalReason = Field(description="Why it was removed.")
    line: int = Field(ge=1, description="1-based line number in the decoded input.")


class PipelineInfo(_Model):
    """What produced the record."""

    version: str = Field(description="newsclean version.")
    config_hash: str = Field(description="Hash of the output-affecting configuration.")


class Article(_Model):
    """One clean, normalised article."""

    schema_version: str = Field(default=SCHEMA_VERSION, description="Version of this schema.")
    id: str = Field(
        pattern=SAFE_ID_PATTERN,
        description="Record id: the input file's stem; for the n-th item of a JSON/JSONL "
        "file, the item's own id when it is a safe file name that no earlier item or input "
        "(in path order) has, else '<stem>-<n>'; the record is written as '<id>.json'.",
    )
    source: Source
    title: str | None = Field(default=None, description="Headline; null when the page has none.")
    url: str | None = Field(default=None, description="Canonical URL of the article.")
    site: str | None = Field(default=None, description="Host of `url`, without 'www.'.")
    site_name: str | None = Field(default=None, description="Publication name, e.g. 'L’Express'.")
    authors: list[str] = Field(
        default_factory=list, description="People who wrote it; [] when none is named."
    )
    published_at: str | None = Field(
        default=None,
        pattern=ISO_DATE_PATTERN,
        description="ISO 8601 date or date-time; offset only when the input gives one.",
    )
    updated_at: str | None = Field(
        default=None, pattern=ISO_DATE_PATTERN, description="Last update, as `published_at`."
    )
    language: str | None = Field(
        default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the body text."
    )
    tags: list[str] = Field(default_factory=list, description="Tags or keywords, in page order.")
    source_credit: str | None = Field(
        default=None, description="Credited origin: 'Wired' from 'Source : Wired', agencies."
    )
    body: str = Field(
        description="Article text: paragraphs separated by one blank line, sub-headings kept."
    )
    comments: list[Comment] = Field(default_factory=list, description="Reader comments.")
    comment_count: int | None = Field(
        default=None, ge=0, description="Number of comments as the page states it, else null."
    )
    removed: list[Removed] = Field(
        default_factory=list, description="Every non-blank input line kept in no other field."
    )
    repairs: dict[str, int] = Field(
        default_factory=dict, description="Count of repairs by kind (see RepairKind)."
    )
    flags: list[Flag] = Field(default_factory=list, description="Conditions worth knowing.")
    word_count: int = Field(ge=0, description="Words in `body`.")
    slug: str | None = Field(
        default=None, description="ASCII slug of the title (transliterated); null with no title."
    )
    title_ascii: str | None = Field(
        default=None, description="ASCII transliteration of the title, only with --ascii."
    )
    body_ascii: str | None = Field(
        default=None, description="ASCII transliteration of the body, only with --ascii."
    )
    fingerprint: str | None = Field(
        default=None, description="Simhash of the normalised body, 16 hex digits."
    )
    duplicate_of: str | None = Field(
        default=None, description="Id of the first record (by id) this one duplicates."
    )
    pipeline: PipelineInfo

    def to_json(self) -> str:
        """Serialise as the bytes written to ``clean/``: UTF-8, keys in schema order."""
        return dump_json(self.model_dump(mode="json"))


def dump_json(data: Any) -> str:
    """Deterministic JSON text: not ASCII-escaped, two-space indent, trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# Strings longer than this are escaped a slice at a time by ``json_pieces``, so a
# huge text never has a second escaped copy in memory. Escaping is per character,
# so the slices' escapes put together are the whole string's.
_PIECE_CHARS = 1 << 20


def json_pieces(data: Any, level: int = 0) -> Iterator[tuple[str, str]]:
    """``dump_json(data)`` in pieces: ``(json_text, raw)``; keys must be strings.

    ``"".join`` of the JSON texts is exactly ``dump_json(data)`` without its
    final newline. ``raw`` is the piece of a string value or key that the JSON
    text escapes, and "" for the pieces between strings.

    >>> "".join(t for t, _ in json_pieces({"a": [1, "é\\n"], "b": {}})) == dump_json(
    ...     {"a": [1, "é\\n"], "b": {}})[:-1]
    True
    """
    if isinstance(data, str):
        yield from _string_pieces(data)
    elif isinstance(data, dict):
        yield from _container_pieces(data.items(), "{", "}", level)
    elif isinstance(data, list | tuple):
        yield from _container_pieces(((None, v) for v in data), "[", "]", level)
    else:
        yield json.dumps(data), ""


def _string_pieces(text: str) -> Iterator[tuple[str, str]]:
    yield '"', ""
    for start in range(0, len(text), _PIECE_CHARS):
        raw = text[start:start + _PIECE_CHARS]
        yield encode_basestring(raw)[1:-1], raw
    yield '"', ""


def _container_pieces(items: Iterable[tuple[Any, Any]], opening: str, closing: str,
                      level: int) -> Iterator[tuple[str, str]]:
    inner = "\n" + "  " * (level + 1)
    first = True
    for key, value in items:
        yield (opening + inner if first else "," + inner), ""
        first = False
        if key is not None:
            yield from _string_pieces(key)
            yield ": ", ""
        yield from json_pieces(value, level + 1)
    yield (opening if first else "\n" + "  " * level) + closing, ""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Article`, generated from the model."""
    schema = Article.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://newsclean.invalid/schema/v{SCHEMA_VERSION}/article.json"
    return schema
