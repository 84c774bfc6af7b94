"""Typography profiles: tables per profile, text that must stay, URLs untouched, slugs."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.config import Typography
from pipeline.typography import apply_profile, slugify, to_ascii

NBSP, NNBSP = "\xa0", "\u202f"
FR, ASCII, KEEP = Typography.FR, Typography.ASCII_QUOTES, Typography.KEEP

FRENCH = [
    ('Il a dit "oui".', f"Il a dit «{NBSP}oui{NBSP}».", 4),
    ("Il a dit “oui”.", f"Il a dit «{NBSP}oui{NBSP}».", 4),
    ("« oui »", f"«{NBSP}oui{NBSP}»", 2),
    ("«oui»", f"«{NBSP}oui{NBSP}»", 2),
    (f"«{NNBSP}oui{NNBSP}»", f"«{NBSP}oui{NBSP}»", 2),
    ("“Il a dit « non » puis “peut-être”.”",
     f"«{NBSP}Il a dit «{NBSP}non{NBSP}» puis “peut-être”.{NBSP}»", 6),  # nested stays “ ”
    ("Vraiment ? Oui ! Non ; peut-être.",
     f"Vraiment{NNBSP}? Oui{NNBSP}! Non{NNBSP}; peut-être.", 3),
    ("Quoi?! Ah!", f"Quoi{NNBSP}?! Ah{NNBSP}!", 2),
    ("Note: voir plus bas", f"Note{NBSP}: voir plus bas", 1),
    ("Note : voir", f"Note{NBSP}: voir", 1),
    ("l'été d'O'Neill", "l’été d’O’Neill", 3),
    ("Et puis...", "Et puis…", 1),
    ("« Déjà ? » dit-il...", f"«{NBSP}Déjà{NNBSP}?{NBSP}» dit-il…", 4),
]

FRENCH_UNCHANGED = [
    f"«{NBSP}Le départ{NBSP}», explique-t-il{NNBSP}; voilà{NNBSP}! Note{NBSP}: oui…",
    "Rendez-vous à 17:30, ratio 3:2, C:\\Windows",
    "Voir https://exemple.fr/a?b=1&c=2 ; ou www.exemple.fr/x?y=z !",  # only the " ;" and " !"
    "Écrire à jean.dupont@exemple.fr",
    "....",
    'Un écran de 27" et "rien',  # straight quotes that do not pair up stay
    "",
]


@pytest.mark.parametrize(("text", "expected", "changes"), FRENCH)
def test_french_profile(text: str, expected: str, changes: int) -> None:
    assert apply_profile(text, FR) == (expected, changes)


@pytest.mark.parametrize("text", FRENCH_UNCHANGED[:2] + FRENCH_UNCHANGED[3:])
def test_french_profile_leaves_correct_text(text: str) -> None:
    assert apply_profile(text, FR) == (text, 0)


def test_french_profile_never_touches_urls() -> None:
    text = "Voir https://exemple.fr/a?b=1&c=2 ; ou www.exemple.fr/x?y=z !"
    out, _ = apply_profile(text, FR)
    assert out == f"Voir https://exemple.fr/a?b=1&c=2{NNBSP}; ou www.exemple.fr/x?y=z{NNBSP}!"
    assert apply_profile('Lien "https://a.fr/x...y?q=a:b;c" ici', FR)[0] == (
        f"Lien «{NBSP}https://a.fr/x...y?q=a:b;c{NBSP}» ici")
    assert apply_profile("https://a.fr/l'été", FR) == ("https://a.fr/l'été", 0)


ASCII_QUOTES = [
    ("« Oui », dit l’homme.", '"Oui", dit l\'homme.', 3),
    (f"«{NBSP}Oui{NBSP}»", '"Oui"', 2),
    ("“Yes,” she said, ‘no’.", "\"Yes,\" she said, 'no'.", 4),
    ("„Ja“, sagte er", '"Ja", sagte er', 2),
    ("‹ non ›", "'non'", 2),
    ("« »", '""', 2),  # an empty pair: the opening one takes the space
    ("‹ ›", "''", 2),
    ("il dit :\n« Oui »\net part", 'il dit :\n"Oui"\net part', 2),  # line breaks stay
    ("« Oui\n»", '"Oui\n"', 2),
]


@pytest.mark.parametrize(("text", "expected", "changes"), ASCII_QUOTES)
def test_ascii_quotes_profile(text: str, expected: str, changes: int) -> None:
    assert apply_profile(text, ASCII) == (expected, changes)


@pytest.mark.parametrize("text", [
    "Plain 'ASCII' \"text\" stays", "https://exemple.fr/d%C3%A9j%C3%A0?a='b' stays",
    "Déjà vu, ça va — oui…", "",
])
def test_ascii_quotes_profile_leaves_other_text(text: str) -> None:
    assert apply_profile(text, ASCII) == (text, 0)


@pytest.mark.parametrize("text", [*FRENCH_UNCHANGED, *(t for t, _, _ in FRENCH),
                                  *(t for t, _, _ in ASCII_QUOTES)])
def test_keep_profile_changes_nothing(text: str) -> None:
    assert apply_profile(text, KEEP) == (text, 0)


samples = st.lists(st.sampled_from([
    "mot", " ", "  ", NBSP, NNBSP, '"', "'", "“", "”", "«", "»", "...", "…", ":", ";", "!", "?",
    "l'", "https://a.fr/x?y=1", "17:30", "\n", ",", ".", "(", ")", "é",
]), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@example("«;", Typography.FR)
@given(samples, st.sampled_from(list(Typography)))
def test_profiles_are_idempotent(text: str, profile: Typography) -> None:
    once, _ = apply_profile(text, profile)
    assert apply_profile(once, profile) == (once, 0)


@pytest.mark.parametrize(("title", "slug"), [
    ("Sam Altman : l’affaire qui secoue OpenAI", "sam-altman-laffaire-qui-secoue-openai"),
    ("« Déjà l’été » à Zürich !", "deja-lete-a-zurich"),
    ("Œuvre & cœur — 2024", "oeuvre-coeur-2024"),
    ("北京欢迎你", "bei-jing-huan-ying-ni"),
    ("!!!", ""),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(("text", "ascii_text"), [
    ("Déjà l’été à Zürich", "Deja l'ete a Zurich"),
    ("Œuvre, cœur, Straße", "OEuvre, coeur, Strasse"),
    ("plain", "plain"),
])
def test_to_ascii(text: str, ascii_text: str) -> None:
    assert to_ascii(text) == ascii_text
