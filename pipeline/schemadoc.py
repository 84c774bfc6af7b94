"""Generate docs/schema.md, the field reference of the article record, from the model.

Every field, its type and description come from :mod:`pipeline.record`; when
a field is null or empty, and an example value, come from the tables below.
``python -m pipeline.schemadoc`` rewrites ``docs/schema.md``
(``--check`` only compares); a test keeps the committed file current.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.record import (
    SCHEMA_VERSION,
    Article,
    Comment,
    Flag,
    PipelineInfo,
    RemovalReason,
    Removed,
    RepairKind,
    Source,
    SourceFormat,
)

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "schema.md"

# The example record: sample raw/000 (a syndicated L’Express article) as the
# cleaner must give it (issue 2), its body cut to the first four paragraphs.
_EXAMPLE_BODY = (
    "Sam Altman, le visage public d’OpenAI, qui a lancé la plateforme d’intelligence "
    "artificielle générative ChatGPT, est devenu en un an une superstar de la Silicon "
    "Valley, avant d’être limogé brutalement par son conseil d’administration (CA) et "
    "aussitôt embauché par le géant de l’informatique Microsoft.\n\n"
    "De la mise à l’écart de Sam Altman à son arrivée spectaculaire chez Microsoft, "
    "L’Express revient en cinq actes sur cette étrange séquence qui a secoué la planète "
    "Tech.\n\n"
    "Acte 1 : le licenciement surprise de la superstar\n\n"
    "Vendredi 17 novembre, l’annonce du CA d’OpenAI fait l’effet d’un séisme dans la "
    "Silicon Valley. Sam Altman est démis, avec effet immédiat, de ses fonctions de "
    "patron de l’entreprise star de la Silicon Valley. Le renvoi, pour des raisons "
    "obscures, de l’entrepreneur de 38 ans, considéré comme un pionnier du secteur de "
    "l’intelligence artificielle, ne manque pas d’étonner."
)

EXAMPLE_RECORD = Article(
    id="000_b965d56c7d7fc914",
    source=Source(
        path="000_b965d56c7d7fc914.txt",
        sha256="aefbf00ed90f2d6d9a804a463a95218779c69725886107cc897946beff19928f",
        format=SourceFormat.TXT,
        encoding="utf-8",
    ),
    title="Sam Altman : l’affaire qui secoue OpenAI en cinq actes",
    url="https://www.lexpress.fr/economie/high-tech/"
    "sam-altman-laffaire-qui-secoue-openai-en-5-actes-WSTLOMW24BC4HDFOGMMSFZT6GU/",
    site="lexpress.fr",
    published_at="2023-11-20T15:55:27",
    language="fr",
    tags=["L’Express"],
    body=_EXAMPLE_BODY,
    removed=[
        Removed(text="*.*.*", reason=RemovalReason.SEPARATOR, line=1),
        Removed(text="close", reason=RemovalReason.NAVIGATION, line=2),
        Removed(text="logo", reason=RemovalReason.NAVIGATION, line=6),
        Removed(text="Copyright for syndicated content belongs to the linked Source.",
                reason=RemovalReason.FOOTER, line=21),
    ],
    repairs={RepairKind.GLUED_PARAGRAPH.value: 3},
    word_count=len(_EXAMPLE_BODY.split()),
    slug="sam-altman-laffaire-qui-secoue-openai-en-cinq-actes",
    fingerprint="3d9de2ab14febbc9",  # pipeline.fingerprint.fingerprint(body); a test checks it
    pipeline=PipelineInfo(version="0.1.0", config_hash="5d41402abc4b2a76"),
)

# Examples for what sample 000 leaves empty, from sample raw/003 (clubic.com).
_EXAMPLE_COMMENT = Comment(
    author="bennukem", text="Amour, gloire et beauté toudup tam tammmm.\nVoilà, passionan… même pas"
)
_OTHER_EXAMPLES: dict[str, Any] = {
    "authors": ["Samir Rahmoune"],
    "source_credit": "Wired",
    "comments": [_EXAMPLE_COMMENT.model_dump(mode="json")],
    "comment_count": 10,
}

# When each nullable field is null, and when each list or mapping is empty,
# keyed "Model.field". Rendering fails on a field missing here, so a new
# optional field cannot go undocumented.
NULL_WHEN: dict[str, str] = {
    "Article.title": "null when the page has no headline (the first sentence is body, not title)",
    "Article.url": "null when the input names no URL",
    "Article.site": "null when `url` is null",
    "Article.site_name": "null when the page does not name its publication",
    "Article.authors": "[] when no byline names a person",
    "Article.published_at": "null when absent, ambiguous or relative (\"il y a 2 heures\")",
    "Article.updated_at": "null when the page states no update",
    "Article.language": "null when the body is too short or mixed to identify",
    "Article.tags": "[] when the page lists none",
    "Article.source_credit": "null when no origin is credited",
    "Article.comments": "[] when the input holds no comments",
    "Article.comment_count": "null when the page states no count",
    "Article.removed": "[] when every input line went into a field",
    "Article.repairs": "{} when nothing needed repair; kinds with no repair are absent",
    "Article.flags": "[] normally",
    "Article.slug": "null when `title` is null",
    "Article.title_ascii": "null unless the ASCII option is on, or with no title",
    "Article.body_ascii": "null unless the ASCII option is on",
    "Article.fingerprint": "null when the body has no words",
    "Article.duplicate_of": "null unless the body repeats an earlier record's (by id)",
    "Comment.author": "null when the comment shows no name",
    "Comment.date": "null when absent or relative",
}

_ENUM_MEMBER = re.compile(r'^\s+([A-Z_]+)\s*=\s*"([^"]+)"\s*(?:#\s*(.*))?$')
_EXAMPLE_CHARS = 70


def _type_name(annotation: Any) -> str:
    """Readable type of a model annotation.

    >>> _type_name(list[str]), _type_name(str | None), _type_name(dict[str, int])
    ('list of string', 'string or null', 'object: string → integer')
    """
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in arguments if a is not type(None)]
        return " or ".join(_type_name(a) for a in inner) + " or null"
    if origin is list:
        return f"list of {_type_name(arguments[0])}"
    if origin is dict:
        return f"object: {_type_name(arguments[0])} → {_type_name(arguments[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    names = {str: "string", int: "integer", bool: "boolean", float: "number"}
    return names.get(annotation, str(annotation))


def _may_be_empty(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    union = origin in (typing.Union, types.UnionType)
    return (union and type(None) in typing.get_args(annotation)) or origin in (list, dict)


def _example(value: Any) -> str:
    """A value as short inline JSON for a table cell.

    >>> _example("a|b"), _example(["x"] * 40)[-6:]
    ('`"a\\\\|b"`', '"x" …`')
    """
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > _EXAMPLE_CHARS:
        text = text[: _EXAMPLE_CHARS - 1].rstrip() + " …"
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _model_table(
    model: type[BaseModel], example: dict[str, Any], other: dict[str, Any]
) -> list[str]:
    lines = ["| Field | Type | Null or empty when | Description | Example |",
             "|---|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = f"{model.__name__}.{name}"
        if _may_be_empty(info.annotation):
            if key not in NULL_WHEN:
                raise KeyError(f"{key} may be null or empty: say when in NULL_WHEN "
                               "(pipeline/schemadoc.py)")
            when = NULL_WHEN[key]
        else:
            when = "never"
        value = example.get(name)
        shown = _example(value)
        if value in (None, [], {}) and name in other:
            shown = f"{_example(other[name])} (sample 003)"
        description = info.description
        if description is None and isinstance(info.annotation, type):
            # a nested model's field is described by the model's docstring
            description = inspect.cleandoc(info.annotation.__doc__ or "")
        lines.append(f"| `{name}` | {_type_name(info.annotation)} | {_cell(when)} "
                     f"| {_cell(description or '')} | {shown} |")
    return lines


def _enum_section(enum: type[Enum]) -> list[str]:
    comments: dict[str, str] = {}
    for line in inspect.getsource(enum).splitlines():
        match = _ENUM_MEMBER.match(line)
        if match:
            comments[match.group(1)] = match.group(3) or ""
    lines = [f"### {enum.__name__}", "", inspect.cleandoc(enum.__doc__ or ""), "",
             "| Value | Covers |", "|---|---|"]
    for member in enum:
        lines.append(f"| `{member.value}` | {_cell(comments.get(member.name, ''))} |")
    return [*lines, ""]


def render_schema_doc() -> str:
    """The text of docs/schema.md, generated from the record model.

    >>> doc = render_schema_doc()
    >>> doc.startswith("# The article record"), "| `duplicate_of` |" in doc
    (True, True)
    """
    example = EXAMPLE_RECORD.model_dump(mode="json")
    out = [
        f"# The article record, schema version {SCHEMA_VERSION}",
        "",
        "<!-- Generated from pipeline/record.py by `python -m pipeline.schemadoc`: "
        "do not edit by hand. -->",
        "",
        "Every file `clean/<id>.json` holds one record: a UTF-8 JSON object (not "
        "ASCII-escaped, two-space indent, keys in the order below). Files whose name "
        "starts with `_` or `.` in a clean folder are not records (`_rejects.jsonl`, "
        "`_runs/`). The JSON Schema is `pipeline/schema.json` (`newsclean schema`).",
        "",
        "Read records with `pipeline.read_records`, never by parsing the JSON by hand: "
        "it validates each one and reads clean folders and exports alike.",
        "",
        "```python",
        "from pipeline import read_records",
        "",
        'for article in read_records("clean"):  # or "news.jsonl.gz", "news.parquet"',
        "    if article.duplicate_of is None:",
        "        print(article.id, article.published_at, article.title)",
        "```",
        "",
        "## Versioning",
        "",
        f"`schema_version` is `\"{SCHEMA_VERSION}\"`. Additive changes keep it: a new "
        "optional field, a new enum member; records written before such a change "
        "still read with the newer model (an older newsclean may refuse a newer "
        "record's new field or value: upgrade it). Breaking changes bump it: "
        "renaming, removing or retyping a field, or changing what a value means.",
        "",
        "## Fields",
        "",
        "Examples come from sample `raw/000_b965d56c7d7fc914.txt` (its body cut to "
        "four paragraphs); what that sample leaves empty is shown from sample "
        "`raw/003_7a28cf3b99ede5af.txt`.",
        "",
        "### Article",
        "",
        inspect.cleandoc(Article.__doc__ or ""),
        "",
        *_model_table(Article, example, _OTHER_EXAMPLES),
        "",
    ]
    nested: list[tuple[type[BaseModel], dict[str, Any]]] = [
        (Source, example["source"]),
        (Comment, _EXAMPLE_COMMENT.model_dump(mode="json")),
        (Removed, example["removed"][0]),
        (PipelineInfo, example["pipeline"]),
    ]
    for model, values in nested:
        out += [f"### {model.__name__}", "", inspect.cleandoc(model.__doc__ or ""), "",
                *_model_table(model, values, {}), ""]
    out += ["## Enumerations", ""]
    for enum in (RemovalReason, RepairKind, Flag, SourceFormat):
        out += _enum_section(enum)
    out += [
        "## Exports",
        "",
        "`newsclean export CLEAN OUT` writes the records in id order, chosen by OUT's "
        "extension:",
        "",
        "- `.jsonl`, `.jsonl.gz`: one record per line, the fields above in the same "
        "order, compact JSON.",
        "- `.parquet`: one column per field; `source`, `pipeline`, comments and "
        "removed lines are structs, lists are lists, `repairs` is a "
        "`map<string, int64>`, enum values are strings; each column carries its "
        "description, the file its `newsclean.schema_version`.",
        "",
        "## Example record",
        "",
        "```json",
        EXAMPLE_RECORD.to_json().rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/schema.md, or with --check report whether it is current."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.schemadoc",
                                     description=main.__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DOC_PATH)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the file differs from the model instead of writing it")
    args = parser.parse_args(argv)
    text = render_schema_doc()
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is out of date: run python -m pipeline.schemadoc",
                  file=sys.stderr)
            return 1
        return 0
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
