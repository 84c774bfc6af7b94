"""LocalStore.walk: which files under a raw folder are inputs, and which links are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.storage import Listed, LocalStore


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A raw folder with every kind of entry a walk meets, and a folder outside it."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "far.txt").write_text("far")
    (outside / "sub" / "deep.txt").write_text("deep")
    raw = tmp_path / "raw"
    for folder in ("a", "a/b", "z", ".hidden", "a/.cache"):
        (raw / folder).mkdir(parents=True)
    for name in ("top.txt", "a/one.html", "a/b/two.jsonl", "z/last.txt", ".hidden/secret.txt",
                 "a/.cache/x.txt", ".dotfile", "a/.x.json.tmp", "é t'é.txt"):
        (raw / name).write_text(name)
    (raw / "link-in.txt").symlink_to(raw / "top.txt")  # a file inside: listed where it is
    (raw / "link-out.txt").symlink_to(outside / "far.txt")
    (raw / "dangling.txt").symlink_to(raw / "missing.txt")
    (raw / "dir-in").symlink_to(raw / "a" / "b")  # a folder inside: walked where it is
    (raw / "dir-out").symlink_to(outside / "sub")
    (raw / "z" / "loop").symlink_to(raw / "z")
    os.mkfifo(raw / "pipe")  # never opened: a read would block
    return raw


def test_a_walk_lists_regular_files_and_refuses_links_out(tree: Path) -> None:
    outside = tree.parent / "outside"
    assert list(LocalStore(tree).walk()) == [
        Listed("a/b/two.jsonl"),
        Listed("a/one.html"),
        Listed("dangling.txt"),  # listed, so that reading it is reported
        Listed("dir-out", str(outside / "sub")),
        Listed("link-out.txt", str(outside / "far.txt")),
        Listed("top.txt"),
        Listed("z/last.txt"),
        Listed("é t'é.txt"),
    ]


def test_a_walk_asked_to_follow_links_reads_through_them_once(tree: Path) -> None:
    assert list(LocalStore(tree).walk(follow_symlinks=True)) == [
        Listed("a/b/two.jsonl"),
        Listed("a/one.html"),
        Listed("dangling.txt"),
        Listed("dir-in/two.jsonl"),
        Listed("dir-out/deep.txt"),
        Listed("link-in.txt"),
        Listed("link-out.txt"),
        Listed("top.txt"),
        Listed("z/last.txt"),
        Listed("z/loop/last.txt"),
        Listed("é t'é.txt"),
    ]


def test_a_missing_root_lists_nothing(tmp_path: Path) -> None:
    assert list(LocalStore(tmp_path / "missing").walk()) == []
