"""HTML page → Item: the main text, comments and metadata trafilatura finds, with fallbacks.

The page is parsed once here, with the parser options trafilatura uses, and the
tree is handed to :func:`trafilatura.bare_extraction`. Parsing it ourselves lets
us read libxml2's error log: past its resource limits (nesting deeper than 256,
a text node or attribute over 10 MB) libxml2 stops and drops the rest of the
page without raising. Such pages are parsed again with ``huge_tree``; past the
2048 levels libxml2 allows even then, the visible text is read with the
standard library's event parser, which keeps no element stack.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser as _EventParser

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document
from trafilatura.utils import repair_faulty_html
from trafilatura.xml import xmltotxt

from pipeline.document import CommentHint, Hints, Item
from pipeline.record import RepairKind, SourceFormat

# Same options as trafilatura's own parser (trafilatura.utils.HTML_PARSER), so the
# tree it gets is the tree it would have built; ours also exposes the error log.
_PARSER_OPTIONS: dict[str, bool | str] = {
    "collect_ids": False,
    "default_doctype": False,
    "encoding": "utf-8",
    "remove_comments": True,
    "remove_pis": True,
}
_PARSER = lxml.html.HTMLParser(**_PARSER_OPTIONS)  # type: ignore[arg-type]
_HUGE_PARSER = lxml.html.HTMLParser(huge_tree=True, **_PARSER_OPTIONS)  # type: ignore[arg-type]

# htmldate discards dates later than `max_date`, which trafilatura sets to today:
# a fixed bound keeps the output independent of the day of the run.
DATE_PARAMS = {"original_date": True, "extensive_search": True, "max_date": "2100-01-01"}

# How far from the end a closing </body> or </html> is looked for.
_TAIL_CHARS = 2048
_CLOSING_TAG = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_AUTHOR_SEPARATOR = ";"  # trafilatura joins the authors it finds with "; "
_TAG_SEPARATOR = ","
_SPACES = re.compile(r"[^\S\n]+")

# Visible-text fallback: what ends a paragraph, and what holds no visible text.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
})
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template"})

# Reader-comment markup: schema.org Comment items (microdata), microformats2 and the
# class names the common blog and CMS comment templates use: one `comment` class per
# comment, its text in a `comment-content` block, the name in `fn` / `comment-author`.
_COMMENT_ITEMTYPES = ("schema.org/Comment", "schema.org/UserComments")
_COMMENT_CLASS = "comment"
_COMMENT_TEXT_CLASSES = ("comment-content", "comment_content", "comment-text", "comment_text",
                         "e-content")
_COMMENT_NAME_CLASSES = ("fn", "p-author", "comment-author-name")
_COMMENT_AUTHOR_CLASSES = ("comment-author", "comment_author", "comment-user")
_COMMENT_DATE_CLASSES = ("comment-date", "comment_date", "comment-metadata", "dt-published")


def _has_class(*names: str) -> str:
    """XPath test: the element's class attribute has one of these class names."""
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in names
    )


_COMMENT_NODES = etree.XPath(
    "//*["
    + " or ".join(f"contains(@itemtype, '{itemtype}')" for itemtype in _COMMENT_ITEMTYPES)
    + f" or ((self::li or self::article or self::div) and ({_has_class(_COMMENT_CLASS)}))]"
)
# each list is tried in order; the first query that finds something wins
_COMMENT_TEXT = [
    etree.XPath(".//*[@itemprop='text' or @itemprop='commentText']"),
    etree.XPath(f".//*[{_has_class(*_COMMENT_TEXT_CLASSES)}]"),
]
_COMMENT_AUTHOR = [
    etree.XPath(".//*[@itemprop='author']//*[@itemprop='name']"),
    etree.XPath(f".//*[{_has_class(*_COMMENT_NAME_CLASSES)}]"),
    etree.XPath(".//*[@itemprop='author']"),
    etree.XPath(f".//*[{_has_class(*_COMMENT_AUTHOR_CLASSES)}]"),
]
_COMMENT_DATE = [
    etree.XPath(".//time/@datetime"),
    etree.XPath(".//*[@itemprop='dateCreated' or @itemprop='datePublished']/@content"),
    etree.XPath(f".//*[{_has_class(*_COMMENT_DATE_CLASSES)}]"),
]


def extract(
    html: str,
    *,
    url: str | None = None,
    encoding: str,
    format: SourceFormat = SourceFormat.HTML,
) -> Item:
    """The article a page holds: main text, comments and metadata hints.

    >>> page = ("<html lang='en'><head><title>Rain at last</title></head><body><article>"
    ...         "<h1>Rain at last</h1><p>" + "The drought ended on Monday with heavy rain. " * 5
    ...         + "</p><p>Farmers welcomed the change.</p></article></body></html>")
    >>> item = extract(page, encoding="utf-8")
    >>> item.text.splitlines()[-1], item.hints.title, item.hints.language, item.extracted
    ('Farmers welcomed the change.', 'Rain at last', 'en', True)
    """
    truncated = _looks_truncated(html)
    tree, lenient = parse(html)
    document = None
    if tree is not None:
        try:
            document = trafilatura.bare_extraction(
                tree,
                url=url,
                # the balanced default. F1 of the text on the dev pages (sh / traf):
                # balanced 0.959 / 0.917, favor_precision 0.958 / 0.919, favor_recall
                # 0.964 / 0.911: neither mode is better on both sets, and the noise pass
                # after extraction can remove leftovers but never restore lost text
                favor_precision=False,
                favor_recall=False,
                # keep the readability / jusText comparison and the recall retry: they
                # rescue the pages whose markup the main extractor misreads
                fast=False,
                # comments come out separately and become Item.comments
                include_comments=True,
                # tables in articles (results, figures, timelines) are article text;
                # without them F1 is 0.961 / 0.912 (sh / traf) against 0.959 / 0.917
                include_tables=True,
                # only text: links, images and markdown formatting are not part of a body
                include_links=False,
                include_images=False,
                include_formatting=False,
                # duplicates across a run are found later, deterministically, by fingerprint
                deduplicate=False,
                with_metadata=True,
                date_extraction_params=DATE_PARAMS,
                # not "python": that also renders body and comments as text, which
                # _body_text and _comments do themselves, block by block
                output_format="txt",
            )
        except RecursionError:
            # a tree close to the huge_tree depth limit can exhaust the Python stack
            document = None
    if isinstance(document, Document) and document.body is not None and len(document.body):
        repairs = ((RepairKind.HTML_FALLBACK.value, 1),) if lenient else ()
        return Item(
            text=_body_text(document.body),
            format=format,
            encoding=encoding,
            extracted=True,
            hints=_hints(document, tree, url),
            comments=_comments(document, tree),
            repairs=repairs,
            truncated=truncated,
        )
    # Nothing came out of the tree: keep the page's visible text, as a text dump the
    # cleaner searches for the article (extracted=False).
    text, title, language = visible_text(html)
    return Item(
        text=text,
        format=format,
        encoding=encoding,
        extracted=False,
        hints=Hints(url=url, title=title, language=language),
        repairs=((RepairKind.HTML_FALLBACK.value, 1),),
        truncated=truncated,
    )


def _looks_truncated(html: str) -> bool:
    """True when the page has no closing </body> or </html> and ends inside a tag."""
    tail = html[-_TAIL_CHARS:].rstrip()
    if _CLOSING_TAG.search(tail):
        return False
    return tail.rfind("<") > tail.rfind(">")


def parse(html: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """The page's tree and whether the lenient parser was needed; None if both lost text.

    >>> tree, lenient = parse("<p>" + "<b>" * 300 + "deep" + "</b>" * 300)
    >>> tree.text_content(), lenient
    ('deep', True)
    """
    html = repair_faulty_html(html, html[:50].lower())
    tree = _parse_with(_PARSER, html)
    if not _hit_limit(_PARSER):
        return tree, False
    tree = _parse_with(_HUGE_PARSER, html)
    if _hit_limit(_HUGE_PARSER):
        return None, True
    return tree, True


def _parse_with(parser: lxml.html.HTMLParser, html: str) -> lxml.html.HtmlElement | None:
    # document_fromstring rather than trafilatura's fromstring: a saved fragment
    # ("<p>…</p>") becomes a page with a body instead of a lone element trafilatura
    # cannot read; a whole page gives the same tree either way
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported": as trafilatura
        return _parse_bytes(parser, html)
    except etree.ParserError:  # an empty document
        return None


def _parse_bytes(parser: lxml.html.HTMLParser, html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except etree.ParserError:
        return None


def _hit_limit(parser: lxml.html.HTMLParser) -> bool:
    """True when libxml2 stopped on a resource limit (and dropped the rest of the page)."""
    limit = etree.ErrorTypes.ERR_RESOURCE_LIMIT  # type: ignore[attr-defined]
    return any(error.type == limit for error in parser.error_log)


def _body_text(body: etree._Element) -> str:
    """trafilatura's body as text: one block (paragraph, heading, list item, table row) a line.

    List items keep the "- " trafilatura writes before them, so they still read as a list.
    """
    blocks: list[str] = []
    if body.text and body.text.strip():
        blocks.append(body.text)
    for child in body:
        if child.tag == "list":
            parts = list(child) or [child]
        elif child.tag == "table":
            parts = list(child.iter("row")) or [child]
        else:
            parts = [child]
        blocks.extend(xmltotxt(part, False) for part in parts)
    return "\n\n".join(block.strip() for block in blocks if block.strip())


def _hints(document: Document, tree: lxml.html.HtmlElement, url: str | None) -> Hints:
    authors = tuple(
        name.strip() for name in (document.author or "").split(_AUTHOR_SEPARATOR) if name.strip()
    )
    # trafilatura keeps `<meta name="keywords">` whole: its value is a comma-separated list
    tags = tuple(dict.fromkeys(
        tag.strip()
        for entry in (document.categories or []) + (document.tags or [])
        for tag in entry.split(_TAG_SEPARATOR)
        if tag.strip()
    ))
    language = tree.get("lang") or document.language
    return Hints(
        url=document.url or url,
        title=document.title,
        authors=authors,
        published_at=document.date,
        site_name=document.sitename,
        tags=tags,
        language=language.strip() if language else None,
    )


def _comments(document: Document, tree: lxml.html.HtmlElement) -> tuple[CommentHint, ...]:
    """trafilatura's comments, one hint per comment when the page marks them up."""
    if document.commentsbody is None or not len(document.commentsbody):
        return ()
    return split_comments(tree) or (CommentHint(text=_body_text(document.commentsbody)),)


def split_comments(tree: etree._Element) -> tuple[CommentHint, ...]:
    """Reader comments marked up one by one (schema.org Comment, comment templates).

    >>> page = lxml.html.fromstring(
    ...     "<ol><li class='comment'><cite class='fn'>Ann</cite><time datetime='2024-05-01'>"
    ...     "May 1</time><div class='comment-content'><p>Great read.</p><p>Thanks!</p>"
    ...     "</div></li></ol>")
    >>> split_comments(page)
    (CommentHint(text='Great read.\\nThanks!', author='Ann', date='2024-05-01'),)
    """
    seen: set[etree._Element] = set()
    nodes = _COMMENT_NODES(tree)
    inside = set(nodes)
    comments: list[CommentHint] = []
    for node in nodes:
        content = _first(_COMMENT_TEXT, node)
        if not isinstance(content, etree._Element) or content in seen:
            continue
        seen.add(content)
        text = "\n".join(_paragraphs(content))
        if not text:
            continue
        # the innermost comment around the text: replies nested in it come after
        # its own author and date, so the first match is its own
        owner = next((a for a in content.iterancestors() if a in inside), node)
        comments.append(CommentHint(text=text, author=_one_line(_first(_COMMENT_AUTHOR, owner)),
                                    date=_one_line(_first(_COMMENT_DATE, owner))))
    return tuple(comments)


def _first(queries: list[etree.XPath], node: etree._Element) -> object:
    for query in queries:
        found = query(node)
        if found:
            return found[0]
    return None


def _one_line(found: object) -> str | None:
    if isinstance(found, etree._Element):
        found = found.text_content() if isinstance(found, lxml.html.HtmlElement) else "".join(
            found.itertext())
    if not isinstance(found, str):
        return None
    return " ".join(found.split()) or None


def _paragraphs(element: etree._Element) -> list[str]:
    """The element's text, one block element a line."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if node.text and tag not in _HIDDEN_TAGS:
                parts.append(node.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if node.tail and node is not element:
                parts.append(node.tail)
    return _lines(parts)


def _lines(parts: list[str]) -> list[str]:
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


class _VisibleText(_EventParser):
    """Collects a page's visible text without building a tree (no nesting limit)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.language: str | None = None
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.language is None:
            self.language = dict(attrs).get("lang")
        if tag == "title":
            self._in_title = True
        elif tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> tuple[str, str | None, str | None]:
    """A page's visible text (one block a paragraph), its <title> and its lang attribute.

    The fallback when no tree can hold the page: the standard library's event
    parser has no depth or size limit, and no library offers the text of a page
    without building a tree, so the collection of the text is written here.

    >>> visible_text("<html lang=fr><title>Titre</title><div><div><p>Un.</p><p>Deux"
    ...              "<script>x()</script></p></div></div>")
    ('Un.\\n\\nDeux', 'Titre', 'fr')
    """
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    title = " ".join("".join(parser.title).split()) or None
    return "\n\n".join(_lines(parser.parts)), title, parser.language
