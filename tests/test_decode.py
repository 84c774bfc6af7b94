"""Decoding: which encoding each kind of bytes gets, and what is rejected as not text."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from pipeline.decode import codec_name, decode
from pipeline.errors import RejectCode, RejectedInput

RAW = Path(__file__).resolve().parent.parent / "raw"
FRENCH = "Déjà l’été : « Le départ de Sam Altman », a-t-il dit, c’est la fête à la maison.\n"
ENGLISH = "The company’s “biggest” year — so far… © 2024\n"
# A paragraph of news text per language: charset detection needs real text,
# a short or repeated sentence is not enough for any detector.
PL = ("Rząd przedstawił we wtorek projekt ustawy, który ma gruntownie zmienić finansowanie "
      "samorządów. Według ministra finansów nowe zasady pozwolą gminom lepiej planować wydatki, "
      "a mieszkańcy odczują różnicę już w przyszłym roku. Opozycja krytykuje jednak tempo prac "
      "i zarzuca rządowi, że nie skonsultował zmian z przedstawicielami miast. Spór ma trafić "
      "do Sejmu jeszcze przed świętami, a głosowanie zaplanowano na połowę grudnia.\n")
RU = ("Правительство во вторник представило законопроект, который должен глубоко изменить "
      "финансирование местных органов власти. По словам министра финансов, новые правила "
      "позволят муниципалитетам лучше планировать расходы, а жители почувствуют разницу уже в "
      "следующем году. Оппозиция критикует темпы работы и упрекает правительство в том, что "
      "изменения не обсуждались с представителями городов.\n")
EL = ("Η κυβέρνηση παρουσίασε την Τρίτη ένα νομοσχέδιο που αναμένεται να αλλάξει ριζικά τη "
      "χρηματοδότηση των δήμων. Σύμφωνα με τον υπουργό Οικονομικών, οι νέοι κανόνες θα "
      "επιτρέψουν στους δήμους να σχεδιάζουν καλύτερα τις δαπάνες τους.\n")
DE = ("Die Regierung hat am Dienstag einen Gesetzentwurf vorgelegt, der die Finanzierung der "
      "Gemeinden grundlegend ändern soll. Nach Angaben des Finanzministers können die Städte "
      "ihre Ausgaben künftig besser planen; die Bürger würden den Unterschied schon im nächsten "
      "Jahr spüren. Die Opposition kritisiert das Tempo und wirft der Regierung vor, die "
      "Änderungen nicht mit den Vertretern der Städte abgestimmt zu haben.\n")
FR = ("Le gouvernement a présenté mardi un projet de loi qui doit réformer en profondeur le "
      "financement des collectivités locales. Selon le ministre, les nouvelles règles "
      "permettront aux communes de mieux prévoir leurs dépenses : « les habitants verront la "
      "différence dès l’an prochain ». L’opposition critique le rythme des travaux et reproche "
      "au gouvernement de n’avoir pas consulté les élus des villes.\n")

DECODED = [
    # valid UTF-8 is UTF-8, whatever else it might also be
    (FRENCH.encode("utf-8"), None, FRENCH, "utf-8"),
    (b"plain ASCII text\n", None, "plain ASCII text\n", "utf-8"),
    ("Ã©tÃ©".encode(), None, "Ã©tÃ©", "utf-8"),  # mojibake is text: repair fixes it
    # byte-order marks
    (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), None, FRENCH, "utf-8-sig"),
    (FRENCH.encode("utf-16"), None, FRENCH, "utf-16"),
    (b"\xfe\xff" + FRENCH.encode("utf-16-be"), None, FRENCH, "utf-16"),
    (FRENCH.encode("utf-32"), None, FRENCH, "utf-32"),
    # UTF-16 without a BOM, told by its NUL bytes
    (FRENCH.encode("utf-16-le"), None, FRENCH, "utf-16-le"),
    (FRENCH.encode("utf-16-be"), None, FRENCH, "utf-16-be"),
    # legacy encodings, through the detector
    (FR.encode("cp1252"), None, FR, "cp1252"),
    (DE.encode("cp1252"), None, DE, "cp1252"),
    (DE.encode("iso-8859-15"), None, DE, "cp1252"),  # the same bytes for these letters
    (ENGLISH.encode("cp1252") * 4, None, ENGLISH * 4, "cp1252"),
    (PL.encode("cp1250"), None, PL, "cp1250"),
    (RU.encode("cp1251"), None, RU, "cp1251"),
    (RU.encode("koi8-r"), None, RU, "koi8-r"),
    (EL.encode("cp1253"), None, EL, "cp1253"),
    pytest.param(PL.encode("iso-8859-2"), None, PL, "iso-8859-2", marks=pytest.mark.xfail(
        strict=True, reason="charset_normalizer ranks ISO-8859-14 first on Polish")),
    # a declared charset is used when it decodes cleanly
    (RU.encode("koi8-r"), "koi8-r", RU, "koi8-r"),
    (FRENCH.encode("cp1252"), "ISO-8859-1", FRENCH, "cp1252"),  # WHATWG: latin-1 is cp1252
    (FRENCH.encode("utf-8"), "iso-8859-1", FRENCH, "utf-8"),  # mislabelled UTF-8 page
    (FRENCH.encode("utf-8"), "no-such-charset", FRENCH, "utf-8"),
    (FR.encode("cp1252"), "utf-8", FR, "cp1252"),  # a label the bytes contradict is ignored
]


@pytest.mark.parametrize(("data", "declared", "text", "encoding"), DECODED,
                         ids=[f"{i}" for i in range(len(DECODED))])
def test_decode(data: bytes, declared: str | None, text: str, encoding: str) -> None:
    decoded = decode(data, declared=declared)
    assert (decoded.text, decoded.encoding) == (text, encoding)


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name[:3])
def test_samples_in_windows_1252_are_read_back(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = text.encode("cp1252", "replace")
    decoded = decode(data)
    assert decoded.encoding == "cp1252"
    assert decoded.text == data.decode("cp1252")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


REJECTED = [
    (b"", RejectCode.EMPTY),
    (b" \n\t\r\n ", RejectCode.EMPTY),
    (b"\xef\xbb\xbf  \n", RejectCode.EMPTY),
    (" \n".encode("utf-16"), RejectCode.EMPTY),
    (gzip.compress(FRENCH.encode()), RejectCode.BINARY),  # still compressed: not text
    (_zip(), RejectCode.BINARY),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), RejectCode.BINARY),
    (b"\xff\xd8\xff\xe0" + bytes(range(256)), RejectCode.BINARY),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", RejectCode.BINARY),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", RejectCode.BINARY),
    (bytes(range(256)) * 8, RejectCode.BINARY),  # random-looking bytes
    (b"text\x00\x01\x02\x03\x04\x05" * 50, RejectCode.BINARY),
    (bytes(range(0xC0, 0x100)) * 20, RejectCode.UNDECODABLE),  # no encoding makes text of it
]


@pytest.mark.parametrize(("data", "code"), REJECTED, ids=[f"{i}-{r[1].value}"
                                                          for i, r in enumerate(REJECTED)])
def test_not_text_is_rejected(data: bytes, code: RejectCode) -> None:
    with pytest.raises(RejectedInput) as caught:
        decode(data)
    assert caught.value.code is code
    assert caught.value.message


def test_a_few_stray_control_bytes_are_still_text() -> None:
    data = FRENCH.encode() * 20 + b"\x00\x01" + FRENCH.encode()
    assert decode(data).encoding == "utf-8"


@pytest.mark.parametrize(("label", "name"), [
    ("UTF8", "utf-8"), ("utf_8_sig", "utf-8-sig"), ("latin1", "iso-8859-1"),
    ("windows-1252", "cp1252"), ("ISO-8859-15", "iso-8859-15"), ("KOI8-R", "koi8-r"),
    ("mac_roman", "mac-roman"), ("shift_jis", "shift_jis"),
])
def test_codec_names_are_normalised(label: str, name: str) -> None:
    assert codec_name(label) == name


def test_utf8_with_a_few_broken_bytes_stays_utf8() -> None:
    data = "Déjà l’été à la fête, très bien. ".encode() * 50 + b"\xe2\x80 fin"
    decoded = decode(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.endswith("bien. \ufffd fin")
