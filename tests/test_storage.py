"""LocalStore: which files under a raw folder are inputs, which links are refused, and how a
file is written whole."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pipeline import storage
from pipeline.storage import Listed, LocalStore, open_store


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


@pytest.fixture(params=["unnamed", "temporary name"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LocalStore:
    """A store writing each way: a file made without a name (Linux), or a renamed one."""
    if request.param == "unnamed" and not storage._UNNAMED_FILES:
        pytest.skip("no O_TMPFILE here")
    made = LocalStore(tmp_path / "clean")
    made._unnamed = request.param == "unnamed"
    return made


def test_a_write_leaves_the_file_whole_and_nothing_else(store: LocalStore) -> None:
    store.write_bytes("sub/a.json", b"first")  # its folder is made
    store.write_bytes("a.json", b"first")
    store.write_bytes("a.json", b"second, longer")  # replaces
    store.write_text("b.json", "é")
    assert store.read_bytes("a.json") == b"second, longer"
    assert store.read_bytes("sub/a.json") == b"first"
    assert store.read_text("b.json") == "é"
    assert sorted(os.listdir(store.root)) == ["a.json", "b.json", "sub"]
    assert oct(os.stat(store.root / "a.json").st_mode & 0o777) == oct(0o644 & ~_umask())


def test_a_write_replaces_a_temporary_file_a_killed_writer_left(store: LocalStore) -> None:
    store.write_bytes("a.json", b"old")
    (store.root / f".a.json.{os.getpid()}.tmp").write_bytes(b"part")
    store.write_bytes("a.json", b"new")
    assert sorted(os.listdir(store.root)) == ["a.json"]
    assert store.read_bytes("a.json") == b"new"


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(
        store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write_bytes("a.json", b"old")

    def failing(source: str, target: str) -> None:
        raise OSError(errno.EIO, "input/output error")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        store.write_bytes("a.json", b"new")
    assert sorted(os.listdir(store.root)) == ["a.json"]
    assert store.read_bytes("a.json") == b"old"


@pytest.mark.parametrize("refused", ["open", "link"])
def test_a_file_system_without_unnamed_files_gets_renamed_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    if not storage._UNNAMED_FILES:
        pytest.skip("no O_TMPFILE here")
    plain_open, plain_link = os.open, os.link

    def refusing_open(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(errno.EOPNOTSUPP, "not supported")
        return plain_open(path, flags, *args, **kwargs)

    def refusing_link(source: str, target: str, **kwargs: int) -> None:
        if source.startswith("/proc/"):
            raise OSError(errno.EXDEV, "cross-device link")
        plain_link(source, target, **kwargs)

    if refused == "open":
        monkeypatch.setattr(os, "open", refusing_open)
    else:
        monkeypatch.setattr(os, "link", refusing_link)
    made = LocalStore(tmp_path)
    made.write_bytes("a.json", b"x")
    made.write_bytes("a.json", b"y")
    assert made.read_bytes("a.json") == b"y" and not made._unnamed
    assert os.listdir(tmp_path) == ["a.json"]


def test_a_refusal_in_a_folder_still_to_make_falls_back_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal comes from the second try, once the missing folder is made."""
    if not storage._UNNAMED_FILES:
        pytest.skip("no O_TMPFILE here")
    plain_open = os.open

    def refusing_open(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            if not os.path.isdir(path):
                raise FileNotFoundError(errno.ENOENT, "no such folder")
            raise OSError(errno.EOPNOTSUPP, "not supported")
        return plain_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    made = LocalStore(tmp_path)
    made.write_bytes("sub/a.json", b"x")
    assert made.read_bytes("sub/a.json") == b"x" and not made._unnamed
    assert os.listdir(tmp_path / "sub") == ["a.json"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("size,limit,expected", [
    (0, -1, 0), (0, 4, 0), (5, -1, 5), (5, 0, 0), (5, 4, 4), (5, 5, 5), (5, 6, 5),
    (200_000, -1, 200_000), (200_000, 150_000, 150_000), (200_000, 200_001, 200_000),
])
@pytest.mark.parametrize("url", [False, True], ids=["folder", "fsspec"])
def test_a_read_gives_the_file_up_to_its_limit(tmp_path: Path, size: int, limit: int,
                                               expected: int, url: bool) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    (tmp_path / "a.txt").write_bytes(data)
    store = open_store(f"local://{tmp_path}" if url else str(tmp_path))
    assert type(store) is (storage.FsspecStore if url else LocalStore)
    assert store.read_bytes("a.txt", limit) == data[:expected]


@pytest.mark.parametrize("limit", [-1, 10, 11, 100])
def test_a_file_longer_than_its_size_said_is_read_on_to_its_end_or_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """As a file being written meanwhile: its size, taken first, says it is empty."""
    data = b"0123456789" * 5
    (tmp_path / "a.txt").write_bytes(data)
    fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*fstat(fd)[:6], 0, *fstat(fd)[7:])))
    monkeypatch.setattr(storage, "_READ_STEP", 7)
    assert LocalStore(tmp_path).read_bytes("a.txt", limit) == data[:limit if limit >= 0 else None]
