"""Every setting and threshold in one frozen object, each with why it has its value."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from enum import Enum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Typography(str, Enum):
    """Typography profiles: `keep` fixes errors only and imposes no style."""

    KEEP = "keep"
    FR = "fr"
    ASCII_QUOTES = "ascii-quotes"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassifierThresholds(_Frozen):
    """Block classifier thresholds (the jusText idea, adapted to text dumps)."""

    # jusText's defaults (length_low 70, high 200; stopwords 0.30/0.32) suit English
    # HTML paragraphs; text dumps break captions and headings onto their own lines,
    # so short lines are judged by their neighbours rather than dropped.
    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    # a sub-heading is a short line with no final punctuation between body blocks
    max_heading_chars: int = 150
    # how far (in blocks) a short block may sit from body text and still be revised to body
    max_context_distance: int = 2
    # a line repeated in one document is a repeated block only from this length on
    # (short labels like "Reply" legitimately repeat)
    repeat_min_chars: int = 20
    # lexicon prefixes and patterns only judge lines up to this length: "Lire aussi : <a
    # headline>" fits, a paragraph that happens to start "Share your…" does not
    lexicon_prefix_max_chars: int = 200
    # a line of up to this many words that is a row of the lexicons' whole-line
    # labels ("Log in Register", "Facebook Twitter Email") is noise too
    lexicon_row_max_words: int = 12
    # Main-span search (maximum-sum run of blocks, as in body-text extraction): good
    # text adds its length, noise subtracts this much per line, so a run of menu
    # items costs more than a short sub-heading between two paragraphs. The cost is
    # flat: a line the lexicons know is removed wherever it stands, so a long caption
    # or teaser inside the article should not end it (flat vs. its length, F1 sh-dump
    # / traf-dump: 0.920 / 0.853 vs. 0.918 / 0.853; flat 40: 0.919 / 0.850, 100:
    # 0.918 / 0.851).
    # Earlier, with a noise line costing at least its length (sh-dump F1): neargood
    # weight 0.8 → 0.895, 0.6 → 0.900, 0.5 → 0.914, 0.4 → 0.914; traf-dump moved by
    # less than 0.01 across them.
    noise_line_penalty: int = 60
    short_line_penalty: int = 15
    bad_text_weight: float = 0.5
    # a low-stopword line that ends a sentence (figures, names, a list of sectors)
    # is article text more often than chrome: it costs less (traf-dump +0.001)
    bad_sentence_weight: float = 0.25
    neargood_weight: float = 0.5
    # a section header standing alone ("Related articles", "Leave a reply", "About
    # the author") ends the article far more often than it interrupts it: a soft wall
    section_header_penalty: int = 300
    # a run of text before the first comments header scoring this much is the
    # article, whatever the length of the discussion after it (a paragraph or two)
    article_before_comments: int = 400
    # the best run before the main span is the article's opening when it scores this
    # much on its own: one good paragraph of length_high characters. F1 sh-dump /
    # sh-glued / traf-dump: never 0.920 / 0.884 / 0.853; 60: 0.916 / 0.883 / 0.867;
    # 100: 0.920 / 0.885 / 0.864; 200: 0.921 / 0.885 / 0.864; 300: 0.920 / 0.884 /
    # 0.862; 500: 0.920 / 0.884 / 0.860
    opening_min_score: int = 200
    # the first lines of each run of the body are read for metadata as the head is: a
    # date or byline under the lead ("26. Oktober 2023") is the article's, not a heading.
    # Publication dates of the dev dumps that agree with the HTML record's of the same
    # page, sh / traf (of 83 / 511), and that differ: 0 lines 37 / 187, 10 / 55
    # differ; 2: 40 / 194, 10 / 54; 3: 41 / 196, 10 / 56; 5 and 8: 41 / 196, 10 / 57
    body_head_lines: int = 3
    # dump list items ("* headline …") are teaser lists more often than article lists
    list_item_weight: float = 0.3
    # scripts written without spaces pack a word in one or two characters: their
    # lengths count this many times over against the length thresholds
    dense_script_factor: float = 3.0
    # menu labels run together when a dump loses its blocks ("HomeNewsSportsWeather"):
    # a line with this many case changes inside words, per word, is page chrome
    # a line longer than this is a page run together: it is judged sentence by sentence
    # (and put back together in the body); article paragraphs rarely pass 1,500 chars
    long_line_chars: int = 2000
    # how many lines under a "related links" header are taken as its list
    max_list_items: int = 12
    # a long line of capitalised words is a menu ("Home News Sport Weather Jobs …");
    # German, which capitalises nouns, stays well under this share in sentences
    menu_min_words: int = 8
    menu_capitalised_share: float = 0.75
    # an archive widget names many months with their year ("November 2019 (6)");
    # a sentence naming four month-and-year dates is very rare
    archive_min_months: int = 4
    glued_labels_min: int = 3
    glued_labels_per_word: float = 0.12
    # a headline has between these many words
    title_min_words: int = 2
    title_max_words: int = 35
    # how many lines before the body a headline may stand: title_max_distance not
    # counting the lines read as metadata or chrome (a byline, a share bar between),
    # title_max_lines counting them
    title_max_distance: int = 12
    title_max_lines: int = 60
    # a line said twice before the body is the headline echoed (breadcrumb, page
    # title) from this many words; shorter ones are menus drawn twice (desktop, mobile)
    title_echo_min_words: int = 4


class Limits(_Frozen):
    """Guards that keep one pathological input from stalling a run."""

    max_input_bytes: int = 64 * 1024 * 1024  # a 50 MB one-line file must still be handled
    max_gunzip_bytes: int = 256 * 1024 * 1024  # decompression-bomb guard
    max_line_chars: int = 200_000  # lines longer than this are classified without regexes
    seconds_per_input: float = 60.0
    memory_per_worker_mb: int = 2048


# Inputs per batch at most (one mapped task of the Prefect flow; run.batches evens
# them out, and cuts the last round finer). Each task run costs the flow 10-20 ms
# of wall time against its server (2,000 inputs: 6.1-6.3 s in 100 tasks, 4.0-5.1 s
# in 2), while a run without Prefect takes the same time at any size. A batch is
# also the unit of the manifest that a killed run keeps (pipeline/state.py).
BATCH_SIZE = 1000


class Config(_Frozen):
    """Everything that changes how newsclean cleans, plus run settings.

    Only the cleaning part enters :meth:`hash`: batch size or worker count never
    change a record, so they never force a re-run.
    """

    typography: Typography = Typography.KEEP
    ascii_fields: bool = False  # add title_ascii / body_ascii via unidecode
    # Hamming distance between body Simhashes under which two records are near
    # duplicates; measured by bench/measure_dedup.py (see pipeline/dedup.py): at 6 bits
    # 96 % of re-wrapped copies are found and no two distinct dev texts match
    near_duplicate_bits: int = Field(default=6, ge=0, le=63)
    classifier: ClassifierThresholds = Field(default_factory=ClassifierThresholds)
    limits: Limits = Field(default_factory=Limits)
    # run settings: not part of the hash
    batch_size: int = Field(default=BATCH_SIZE, ge=1)
    workers: int | None = None
    # Records are written with a guessed duplicate_of, which the duplicate pass then
    # only corrects (pipeline.dedup.StartIndex): how many starts of groups a run and
    # each worker keep for guessing (0: no guess). 50,000 take ~13 MB in each worker
    # (measured); a run with more has mostly distinct texts, and little to guess.
    duplicate_guess_starts: int = Field(default=50_000, ge=0)

    _RUN_ONLY = frozenset({"batch_size", "workers", "duplicate_guess_starts"})

    def hash(self) -> str:
        """Short, stable hash of the settings that affect records, the rule files
        (:func:`rules_digest`) among them: editing a word list redoes every input.

        >>> Config().hash() == Config(batch_size=7).hash()
        True
        >>> Config().hash() == Config(typography=Typography.FR).hash()
        False
        """
        return _settings_hash(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # A run sends its config to a worker process with every input: pickled as its JSON,
        # made once per config and read once per process (pydantic's own state took
        # ~7 µs to pickle and as much to read back, for each input)
        return _config_from_json, (_config_json(self),)


@lru_cache(maxsize=16)
def _config_json(config: Config) -> str:
    return config.model_dump_json()


@lru_cache(maxsize=16)
def _config_from_json(data: str) -> Config:
    return Config.model_validate_json(data)


@lru_cache(maxsize=16)
def _settings_hash(config: Config) -> str:
    # every record carries it: dumping the settings for each cost ~13 µs, 0.6 % of a record
    data = config.model_dump(mode="json", exclude=set(config._RUN_ONLY))
    blob = json.dumps({"settings": data, "rules": rules_digest()}, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def rules_digest() -> str:
    """sha256 of the rule files under ``pipeline/rules`` (word lists and patterns, read
    as data by the stages), each with its path: they change records as much as a
    threshold does."""
    digest = hashlib.sha256()
    for name, data in sorted(_rule_files(resources.files("pipeline").joinpath("rules"), "")):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _rule_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _rule_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".toml"):
            yield f"{prefix}{entry.name}", entry.read_bytes()


DEFAULT_CONFIG = Config()
