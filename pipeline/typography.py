"""Typography profiles and ASCII forms (slugs)."""

from __future__ import annotations

import re

from unidecode import unidecode

from pipeline.config import Typography


def apply_profile(text: str, profile: Typography) -> tuple[str, int]:
    """Apply a typography profile; returns the text and how many changes it made."""
    return text, 0


def to_ascii(text: str) -> str:
    """ASCII transliteration, for explicit ASCII fields only."""
    return unidecode(text)


def slugify(text: str) -> str:
    """ASCII slug.

    >>> slugify("Sam Altman : l’affaire qui secoue OpenAI")
    'sam-altman-laffaire-qui-secoue-openai'
    """
    ascii_text = unidecode(text).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:120].rstrip("-")
