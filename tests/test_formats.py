"""Input files → items: each format, gzip layers, and each way an input or an item is rejected."""

import gzip
import json
import zlib

import pytest

from pipeline import formats
from pipeline.config import Config, Limits
from pipeline.decode import Decoded, decode
from pipeline.document import Item
from pipeline.errors import RejectCode, RejectedInput
from pipeline.formats import Payload, declared_charset, gunzip, sniff, unpack
from pipeline.record import RepairKind, SourceFormat

P1 = ("Le conseil municipal a voté mardi un budget qui augmente les dépenses pour les écoles "
      "et les parcs, après un débat qui a duré jusque tard dans la nuit.")
P2 = ("Les partisans du projet estiment qu’il aidera les familles, tandis que ses critiques "
      "craignent que la ville ne puisse pas le financer sans augmenter les impôts.")
TEXT = f"Un budget voté\n\n{P1}\n\n{P2}\n"
PAGE = (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Un budget voté</title>"
        f"</head><body><article><h1>Un budget voté</h1><p>{P1}</p><p>{P2}</p></article>"
        f"</body></html>")
ITEMS = [
    {"id": "a-1", "url": "https://news.example.org/a", "title": "Un budget voté",
     "text": f"{P1}\n\n{P2}", "date": "2024-03-05", "author": "Ann Lee", "tags": ["budget"]},
    {"url": "https://news.example.org/b", "html": PAGE, "authors": [{"name": "Bo"}, "Cy"]},
]
JSON_ARRAY = json.dumps(ITEMS, ensure_ascii=False).encode()
JSONL = "\n".join(json.dumps(item, ensure_ascii=False) for item in ITEMS).encode() + b"\n"


def items(results: list[Item | RejectedInput]) -> list[Item]:
    assert all(isinstance(r, Item) for r in results), results
    return [r for r in results if isinstance(r, Item)]


def rejects(results: list[Item | RejectedInput]) -> list[tuple[RejectCode, int | None]]:
    return [(r.code, r.item) for r in results if isinstance(r, RejectedInput)]


# ---------------------------------------------------------------- each format, plain and gzipped

TWO_ITEMS = [(SourceFormat.JSON, 1, "a-1", False), (SourceFormat.JSON, 2, None, True)]
FORMATS = [
    # name, bytes, [(format, index, id_hint, extracted)]
    ("a.txt", TEXT.encode(), [(SourceFormat.TXT, None, None, False)]),
    ("a.html", PAGE.encode(), [(SourceFormat.HTML, None, None, True)]),
    ("a.json", JSON_ARRAY, TWO_ITEMS),
    ("a.jsonl", JSONL, TWO_ITEMS),
    # the content decides, not the name
    ("page.txt", PAGE.encode(), [(SourceFormat.HTML, None, None, True)]),
    ("items", JSONL, TWO_ITEMS),
]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(("name", "data", "expected"), FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format(name: str, data: bytes, expected: list, compress: bool) -> None:
    if compress:
        data, name = gzip.compress(data), name + ".gz"
    found = items(unpack(data, name))
    assert [(i.format, i.index, i.id_hint, i.extracted) for i in found] == expected
    for item in found:
        assert P1 in item.text and P2 in item.text


def test_gzip_is_found_by_its_magic_bytes_not_its_name() -> None:
    [item] = items(unpack(gzip.compress(TEXT.encode()), "a.txt"))
    assert item.text == TEXT and item.format is SourceFormat.TXT


def test_text_stays_as_it_was() -> None:
    [item] = items(unpack(TEXT.encode(), "a.txt"))
    assert item.text == TEXT and item.encoding == "utf-8" and item.hints.title is None


# ---------------------------------------------------------------- JSON items

def test_item_fields_become_hints() -> None:
    first, second = items(unpack(JSONL, "a.jsonl"))
    assert first.text == f"{P1}\n\n{P2}"
    assert (first.hints.url, first.hints.title, first.hints.published_at) == (
        "https://news.example.org/a", "Un budget voté", "2024-03-05")
    assert first.hints.authors == ("Ann Lee",) and first.hints.tags == ("budget",)
    # html items: the item's fields first, then what the page says
    assert second.hints.url == "https://news.example.org/b"
    assert second.hints.authors == ("Bo", "Cy")
    assert second.hints.title == "Un budget voté" and second.hints.language == "fr"


def test_malformed_jsonl_lines_are_rejected_one_by_one() -> None:
    lines = [json.dumps({"text": P1}), '{"text": "cut', "", json.dumps({"text": P2}), "not json"]
    results = unpack("\n".join(lines).encode(), "a.jsonl")
    assert [r.index for r in items([r for r in results if isinstance(r, Item)])] == [1, 4]
    assert rejects(results) == [(RejectCode.BAD_JSON, 2), (RejectCode.BAD_JSON, 5)]


def test_jsonl_not_named_so_is_read_as_lines_even_with_a_bad_line() -> None:
    data = b'{"text": "a"}\n{"text": oops}\n{"text": "b"}\n'
    results = unpack(data, "dump")
    assert rejects(results) == [(RejectCode.BAD_JSON, 2)]
    assert [r.text for r in results if isinstance(r, Item)] == ["a", "b"]


@pytest.mark.parametrize(("value", "code"), [
    pytest.param({"title": "T", "url": "https://a.example/x"}, RejectCode.BAD_ITEM, id="no-text"),
    pytest.param({"title": "T", "text": "   "}, RejectCode.BAD_ITEM, id="blank-text"),
    pytest.param({"title": "T", "body": [1, 2]}, RejectCode.BAD_ITEM, id="no-string-in-list"),
    pytest.param("just a string", RejectCode.BAD_ITEM, id="not-an-object"),
])
def test_items_without_usable_text_are_rejected(value: object, code: RejectCode) -> None:
    data = (json.dumps({"text": P1}) + "\n" + json.dumps(value) + "\n").encode()
    results = unpack(data, "a.jsonl")
    assert rejects(results) == [(code, 2)]
    assert len(items([r for r in results if isinstance(r, Item)])) == 1


@pytest.mark.parametrize(("item_id", "expected"), [
    pytest.param("abc-12.x_Y", "abc-12.x_Y", id="safe"),
    pytest.param(42, "42", id="number"),
    pytest.param("../../etc/passwd", None, id="path"),
    pytest.param("a b", None, id="space"),
    pytest.param("x" * 201, None, id="too-long"),
    pytest.param("", None, id="empty"),
    pytest.param(True, None, id="bool"),
    pytest.param({"$oid": "1"}, None, id="object"),
])
def test_only_safe_ids_become_id_hints(item_id: object, expected: str | None) -> None:
    [item] = items(unpack(json.dumps([{"id": item_id, "text": P1}]).encode(), "a.json"))
    assert item.id_hint == expected and item.index == 1


@pytest.mark.parametrize(("data", "expected"), [
    pytest.param(b'{"text": "one"}', [("one", None)], id="lone-object-has-no-index"),
    pytest.param(b'[{"text": "one"}, {"body": ["two", "three"]}]',
                 [("one", 1), ("two\n\nthree", 2)], id="array-positions"),
    pytest.param(b'{\n  "text": "pretty"\n}\n', [("pretty", None)], id="pretty-printed"),
])
def test_json_documents(data: bytes, expected: list[tuple[str, int | None]]) -> None:
    assert [(i.text, i.index) for i in items(unpack(data, "x.json"))] == expected


@pytest.mark.parametrize(("data", "code"), [
    pytest.param(b'[{"text": "cut', RejectCode.BAD_JSON, id="truncated-array"),
    pytest.param(b"[]", RejectCode.EMPTY, id="empty-array"),
])
def test_bad_json_documents(data: bytes, code: RejectCode) -> None:
    assert rejects(unpack(data, "x.json")) == [(code, None)]


# ---------------------------------------------------------------- gzip failures

@pytest.fixture(scope="module")
def bomb() -> bytes:
    """300 MB of zeros in about 1.4 MB of gzip."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([*(packer.compress(zeros) for _ in range(300)), packer.flush()])


def test_gzip_bomb_is_refused_without_inflating_it(bomb: bytes) -> None:
    config = Config(limits=Limits(max_gunzip_bytes=1 << 20))
    [reject] = unpack(bomb, "a.txt.gz", config)
    assert isinstance(reject, RejectedInput) and reject.code is RejectCode.TOO_LARGE
    assert "max_gunzip_bytes" in reject.message


@pytest.mark.parametrize(("data", "code"), [
    pytest.param(gzip.compress(TEXT.encode())[:-12], RejectCode.BAD_ARCHIVE, id="truncated"),
    pytest.param(gzip.compress(TEXT.encode())[:12], RejectCode.BAD_ARCHIVE, id="header-only"),
    pytest.param(gzip.compress(TEXT.encode())[:-8] + b"\0\0\0\0" + gzip.compress(b"")[-4:],
                 RejectCode.BAD_ARCHIVE, id="bad-crc"),
    pytest.param(gzip.compress(gzip.compress(gzip.compress(TEXT.encode()))),
                 RejectCode.BAD_ARCHIVE, id="three-layers"),
    pytest.param(gzip.compress(TEXT.encode()) + b"trailing junk", RejectCode.BAD_ARCHIVE,
                 id="trailing-bytes"),
    pytest.param(gzip.compress(b""), RejectCode.EMPTY, id="empty-inside"),
])
def test_bad_archives_are_rejected(data: bytes, code: RejectCode) -> None:
    [reject] = unpack(data, "a.gz")
    assert isinstance(reject, RejectedInput) and reject.code is code


@pytest.mark.parametrize("data", [
    pytest.param(gzip.compress(gzip.compress(TEXT.encode())), id="nested-once"),
    pytest.param(gzip.compress(TEXT[:40].encode()) + gzip.compress(TEXT[40:].encode()),
                 id="two-members"),
    pytest.param(gzip.compress(TEXT.encode()) + b"\0" * 64, id="nul-padding"),
])
def test_good_archives(data: bytes) -> None:
    assert gunzip(data, limit=1 << 20) == TEXT.encode()


# ---------------------------------------------------------------- sniffing and charsets

@pytest.mark.parametrize(("data", "name", "expected"), [
    pytest.param(b"<!doctype html>\n<html>", "a", Payload.HTML, id="doctype"),
    pytest.param(b"\xef\xbb\xbf  <html lang=fr>", "a", Payload.HTML, id="bom-html"),
    pytest.param(b"<!-- saved -->\n<div class=x>", "a", Payload.HTML, id="comment-then-div"),
    pytest.param(b"<?xml version='1.0'?><html>", "a", Payload.HTML, id="xhtml"),
    pytest.param(b"<p>Un paragraphe.</p>", "a.txt", Payload.HTML, id="fragment"),
    pytest.param(b"[Mise \xc3\xa0 jour] Le conseil", "a.json", Payload.TEXT, id="bracket-text"),
    pytest.param(b"[1] Une note", "a", Payload.TEXT, id="footnote-text"),
    pytest.param(b"{Sic} Un texte", "a", Payload.TEXT, id="brace-text"),
    pytest.param(b"<Photo> Un texte", "a", Payload.TEXT, id="angle-text"),
    pytest.param(b"Un texte <html> plus loin", "a.html", Payload.TEXT, id="markup-mid-line"),
    pytest.param(b"<br />\n<b>Warning</b>: x()\n<!DOCTYPE html>", "a", Payload.HTML,
                 id="server-warning-tags-first"),
    pytest.param(b"Warning: x() failed\n<!DOCTYPE html>\n<html>", "a", Payload.HTML,
                 id="server-warning-text-first"),
    pytest.param(b"<Photo> AFP\nLa balise <html> ouvre la page", "a", Payload.TEXT,
                 id="not-an-element"),
    pytest.param(b' [ {"a": 1} ]', "a", Payload.JSON, id="array"),
    pytest.param(b'{"a": 1}\n{"a": 2}', "a.ndjson", Payload.JSONL, id="ndjson"),
    pytest.param(b'{"a": 1}', "a.jsonl.gz", Payload.JSONL, id="one-line-jsonl-gz"),
    pytest.param(b'{"a": 1}', "a.json.gz", Payload.JSON, id="json-gz"),
    pytest.param('<html>'.encode("utf-16"), "a", Payload.HTML, id="utf-16-html"),
])
def test_sniff(data: bytes, name: str, expected: Payload) -> None:
    assert sniff(data, name) is expected


@pytest.mark.parametrize(("head", "expected"), [
    pytest.param(b'<meta charset="iso-8859-1">', "iso-8859-1", id="meta-charset"),
    pytest.param(b"<META CHARSET=latin1>", "latin1", id="unquoted-upper"),
    pytest.param(b'<meta http-equiv="Content-Type" content="text/html; charset=Windows-1252">',
                 "Windows-1252", id="http-equiv"),
    pytest.param(b'<?xml version="1.0" encoding="ISO-8859-15"?><html>', "ISO-8859-15", id="xml"),
    pytest.param(b"<html><head><title>x</title>", None, id="none"),
    pytest.param(b"<html>" + b" " * 5000 + b'<meta charset="latin1">', None, id="too-far"),
])
def test_declared_charset(head: bytes, expected: str | None) -> None:
    assert declared_charset(head) == expected


def test_html_with_a_declared_latin_1_charset() -> None:
    page = PAGE.replace("utf-8", "iso-8859-1").replace("’", "'")
    [item] = items(unpack(page.encode("latin-1"), "a.html"))
    assert "Un budget voté" in item.text and P1 in item.text


@pytest.mark.parametrize(("data", "declared"), [
    pytest.param(PAGE.replace("utf-8", "iso-8859-15").encode(), "iso-8859-15", id="html"),
    pytest.param(b"Une ligne <meta charset=latin1> dans un texte", None, id="text-never-declares"),
    pytest.param(b'[{"text": "<meta charset=latin1>"}]', None, id="json-never-declares"),
])
def test_only_html_passes_its_declared_charset_to_decode(
    monkeypatch: pytest.MonkeyPatch, data: bytes, declared: str | None
) -> None:
    calls: list[str | None] = []

    def spy(data: bytes, *, declared: str | None = None) -> Decoded:
        calls.append(declared)
        return decode(data, declared=declared)

    monkeypatch.setattr(formats, "decode", spy)
    unpack(data, "a")
    assert calls == [declared]


def test_html_past_the_parser_limits_records_the_fallback() -> None:
    page = PAGE.replace("<article>", "<div>" * 10_000).replace("</article>", "</div>" * 10_000)
    [item] = items(unpack(gzip.compress(page.encode()), "a.html.gz"))
    assert item.repairs == ((RepairKind.HTML_FALLBACK.value, 1),)
    assert P1 in item.text.split("\n\n") and P2 in item.text.split("\n\n")


def test_truncated_html_is_flagged() -> None:
    page = PAGE[: PAGE.index("</article>")] + "<p>La suite <a hre"
    [item] = items(unpack(page.encode(), "a.html"))
    assert item.truncated and P2 in item.text
