"""The HTML stage: main text with paragraph structure, hints, comments, and the fallbacks."""

import pytest

from pipeline.document import CommentHint
from pipeline.html import extract, parse, split_comments, visible_text
from pipeline.record import RepairKind, SourceFormat

FALLBACK = ((RepairKind.HTML_FALLBACK.value, 1),)

P1 = ("The city council voted on Tuesday to approve a new budget that raises spending on "
      "schools and parks, after a debate that lasted well into the night.")
P2 = ("Supporters said the plan would help families, while critics warned that the city "
      "could not afford it without raising taxes in the coming years.")
P3 = ("The mayor is expected to sign the budget next week, and the first projects should "
      "start in the spring if the weather allows the work to begin on time.")
ARTICLE = (f"<article><h1>Budget approved</h1><p>{P1}</p><h2>Reactions</h2><p>{P2}</p>"
           f"<p>{P3}</p></article>")

HEAD = (
    "<head><title>Budget approved | City News</title>"
    "<meta property='og:site_name' content='City News'>"
    "<meta name='author' content='Ann Lee; Bo Chen'>"
    "<meta property='article:published_time' content='2024-03-05T10:00:00+01:00'>"
    "<meta name='keywords' content='budget, council'>"
    "<link rel='canonical' href='https://news.example.org/budget'></head>"
)
PAGE = (f"<!DOCTYPE html><html lang='en-GB'>{HEAD}<body><nav><a href='/'>Home</a></nav>"
        f"{ARTICLE}</body></html>")


def page(body: str, head: str = "<head><title>T</title></head>") -> str:
    return f"<html>{head}<body>{body}</body></html>"


def test_main_text_is_one_block_a_line_with_blank_lines_between() -> None:
    item = extract(PAGE, encoding="utf-8")
    assert item.text == f"Budget approved\n\n{P1}\n\nReactions\n\n{P2}\n\n{P3}"
    assert item.extracted and item.repairs == () and not item.truncated
    assert item.format is SourceFormat.HTML and item.encoding == "utf-8"


def test_hints_come_from_the_page_metadata() -> None:
    hints = extract(PAGE, encoding="utf-8").hints
    assert hints.title == "Budget approved"
    assert hints.url == "https://news.example.org/budget"
    assert hints.authors == ("Ann Lee", "Bo Chen")
    assert hints.published_at == "2024-03-05"
    assert hints.site_name == "City News"
    assert hints.language == "en-GB"
    assert hints.tags == ("budget", "council")


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param(f"<article><p>{P1}</p><ul><li>{P2}</li><li>{P3}</li></ul></article>",
                 f"{P1}\n\n- {P2}\n\n- {P3}", id="list-items-are-paragraphs"),
    pytest.param(f"<article><p>{P1}<br>{P2}</p><p>{P3}</p></article>",
                 f"{P1}\n{P2}\n\n{P3}", id="br-stays-inside-the-paragraph"),
    pytest.param(f"<article><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>",
                 f"{P1}\n\n{P2}\n\n{P3}", id="plain-paragraphs-unchanged"),
])
def test_paragraph_structure(body: str, expected: str) -> None:
    assert extract(page(body), encoding="utf-8").text == expected


@pytest.mark.parametrize("html", [
    pytest.param(f"<p>{P1}</p>", id="one-paragraph"),
    pytest.param(f"<p>{P1}</p><p>{P2}</p>", id="paragraphs"),
    pytest.param(f"<?xml version='1.0' encoding='utf-8'?><html><body><p>{P1}</p></body></html>",
                 id="xml-declaration"),
])
def test_fragments_and_declarations_are_read_without_fallback(html: str) -> None:
    item = extract(html, encoding="utf-8")
    assert item.text.startswith(P1) and item.extracted and item.repairs == ()


def test_format_and_url_are_passed_through() -> None:
    item = extract(page(ARTICLE), url="https://a.example/x", encoding="cp1252",
                   format=SourceFormat.JSON)
    assert item.format is SourceFormat.JSON and item.encoding == "cp1252"
    assert item.hints.url == "https://a.example/x"


def nested(depth: int) -> str:
    return page("<div>" * depth + ARTICLE + "</div>" * depth + "<footer>Contact us</footer>")


@pytest.mark.parametrize(("html", "extracted"), [
    # past libxml2's default 256 levels: parsed again with huge_tree, trafilatura still runs
    pytest.param(nested(1000), True, id="nested-1000"),
    # past the 2048 levels huge_tree allows: the visible text, searched later like a dump
    pytest.param(nested(10_000), False, id="nested-10000"),
])
def test_pages_past_the_parser_limits_keep_the_article(html: str, extracted: bool) -> None:
    item = extract(html, encoding="utf-8")
    assert item.repairs == FALLBACK
    assert item.extracted is extracted
    for paragraph in (P1, P2, P3):
        assert paragraph in item.text.split("\n\n")


@pytest.mark.parametrize(("html", "lenient"), [
    # an attribute or a text node over libxml2's 10 MB buffer limit: parsed again with
    # huge_tree (the whole of extract() on such a page spends seconds in htmldate's
    # regexes over the serialised page, so the parse is what is tested here)
    pytest.param(page(f"<div data-blob='{'A' * 11_000_000}'></div>{ARTICLE}"), True,
                 id="huge-attribute"),
    pytest.param(page(f"<pre>{'word ' * 2_200_000}</pre>{ARTICLE}"), True, id="huge-text"),
    pytest.param(nested(200), False, id="nested-200"),
    pytest.param(nested(1000), True, id="nested-1000"),
])
def test_parse_switches_to_huge_tree_past_the_default_limits(html: str, lenient: bool) -> None:
    tree, used_lenient = parse(html)
    assert tree is not None and used_lenient is lenient
    assert P3 in tree.text_content()


def test_nested_beyond_huge_tree_gives_no_tree() -> None:
    assert parse(nested(3000)) == (None, True)


def test_nested_10000_fallback_keeps_title_and_language() -> None:
    item = extract(nested(10_000).replace("<html>", "<html lang='en'>"), encoding="utf-8")
    assert item.hints.title == "T" and item.hints.language == "en"
    assert "Contact us" in item.text  # the whole page: the cleaner removes what is not article


@pytest.mark.parametrize(("html", "truncated"), [
    pytest.param(page(ARTICLE)[:-30] + "<p>The rest was never saved <a hre", True,
                 id="ends-mid-tag"),
    pytest.param(page(ARTICLE), False, id="complete"),
    pytest.param(f"<html><body>{ARTICLE}", False, id="no-closing-tags-but-ends-cleanly"),
    pytest.param(f"<html><body>{ARTICLE}<p>ends mid <b>text", False, id="ends-mid-text"),
])
def test_truncated_pages(html: str, truncated: bool) -> None:
    item = extract(html, encoding="utf-8")
    assert item.truncated is truncated
    assert P1 in item.text and P2 in item.text


@pytest.mark.parametrize("html", [
    pytest.param("", id="empty"),
    pytest.param("<html><body></body></html>", id="no-text"),
])
def test_pages_without_text_give_an_empty_dump(html: str) -> None:
    item = extract(html, encoding="utf-8")
    assert item.text == "" and not item.extracted and item.repairs == FALLBACK


WORDPRESS_COMMENTS = """
<div id="comments" class="comments-area"><h2>2 thoughts</h2><ol class="comment-list">
<li id="comment-1" class="comment depth-1 parent">
  <article class="comment-body">
    <footer class="comment-meta"><div class="comment-author vcard">
      <b class="fn">Ann</b> <span class="says">says:</span></div>
      <div class="comment-metadata"><time datetime="2024-03-05T12:00:00+00:00">March 5</time></div>
    </footer>
    <div class="comment-content"><p>Finally some good news for the parks.</p><p>Well done.</p></div>
  </article>
  <ol class="children"><li id="comment-2" class="comment depth-2">
    <article class="comment-body">
      <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Bo</b></div>
      </footer>
      <div class="comment-content"><p>Agreed, the schools needed it most.</p></div>
    </article></li></ol>
</li></ol></div>
"""
MICRODATA_COMMENTS = """
<section class="user-comments">
<div itemscope itemtype="https://schema.org/Comment">
  <span itemprop="author" itemscope itemtype="https://schema.org/Person">
    <span itemprop="name">Cy</span></span>
  <meta itemprop="dateCreated" content="2024-01-02">
  <div itemprop="text">Good article.</div>
</div></section>
"""


@pytest.mark.parametrize(("markup", "expected"), [
    pytest.param(WORDPRESS_COMMENTS, (
        CommentHint("Finally some good news for the parks.\nWell done.", "Ann",
                    "2024-03-05T12:00:00+00:00"),
        CommentHint("Agreed, the schools needed it most.", "Bo", None),
    ), id="comment-template-with-a-reply"),
    pytest.param(MICRODATA_COMMENTS, (CommentHint("Good article.", "Cy", "2024-01-02"),),
                 id="schema-org-microdata"),
    pytest.param(f"<div class='comments'><p>{P1}</p></div>", (), id="no-per-comment-markup"),
])
def test_split_comments(markup: str, expected: tuple[CommentHint, ...]) -> None:
    import lxml.html

    assert split_comments(lxml.html.fromstring(page(markup))) == expected


def test_comments_are_split_out_of_the_page() -> None:
    item = extract(page(ARTICLE + WORDPRESS_COMMENTS), encoding="utf-8")
    assert [c.author for c in item.comments] == ["Ann", "Bo"]
    assert "Finally some good news" not in item.text


def test_unstructured_comments_become_one_entry_without_author() -> None:
    markup = ("<div class='comments-list'><p>First! Great article on the budget.</p>"
              "<p>I disagree with the mayor on the parks.</p></div>")
    item = extract(page(ARTICLE + markup), encoding="utf-8")
    assert len(item.comments) == 1 and item.comments[0].author is None
    assert "I disagree with the mayor" in item.comments[0].text


@pytest.mark.parametrize(("html", "expected"), [
    pytest.param("<p>One.</p><p>Two</p>", ("One.\n\nTwo", None, None), id="paragraphs"),
    pytest.param("<html lang=de><title> A  B </title><body>x<script>var y;</script>"
                 "<style>p{}</style>z</body>", ("xz", "A B", "de"), id="hidden-and-title"),
    pytest.param("<div>a &amp; b<br>c</div>", ("a & b\n\nc", None, None), id="entities-br"),
    pytest.param("plain words", ("plain words", None, None), id="no-markup-unchanged"),
])
def test_visible_text(html: str, expected: tuple[str, str | None, str | None]) -> None:
    assert visible_text(html) == expected
