"""Where inputs and records live: a local folder, or any fsspec URL (``s3://bucket/raw``).

A :class:`Store` is a root plus the few operations a run needs: list the files
under it, read one, write one atomically, delete one. Local folders use the
operating system directly (symlink checks, ``os.replace``); other URLs go
through fsspec, imported only when one is used, where a whole-object upload is
already atomic.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Listed:
    """A file found under a store's root: its '/'-separated path and, for a link
    leading out of the root, the place it points to."""

    rel: str
    escapes_to: str | None = None


def is_url(location: str) -> bool:
    """Whether ``location`` names an fsspec URL rather than a local path.

    >>> is_url("s3://bucket/raw"), is_url("raw"), is_url("file:///tmp/raw"), is_url("C:/x")
    (True, False, True, False)
    """
    scheme, sep, _ = location.partition("://")
    return bool(sep) and len(scheme) > 1 and scheme.replace("+", "").isalnum()


class Store:
    """Operations on the files below one root; paths are relative, '/'-separated."""

    url: str
    # Reads worth having in flight at once: remote storage hides its latency behind
    # several, while a local disk reads from the page cache faster on one thread.
    concurrent_reads: int = 8
    # Writes worth having in flight at once, for the same reason.
    concurrent_writes: int = 8

    def walk(self, *, follow_symlinks: bool = False) -> Iterator[Listed]:
        """Every regular file below the root, sorted, hidden names ('.x') skipped."""
        raise NotImplementedError

    def size(self, rel: str) -> int:
        """Size in bytes of one file."""
        raise NotImplementedError

    def read_bytes(self, rel: str, limit: int = -1) -> bytes:
        """The bytes of one file (at most ``limit`` when it is not negative)."""
        raise NotImplementedError

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write one file so that readers see either the old or the complete new content."""
        raise NotImplementedError

    def delete(self, rel: str) -> None:
        """Remove one file; a missing file is not an error."""
        raise NotImplementedError

    def names(self, folder: str = "") -> set[str]:
        """Names of the files directly in ``folder`` (not recursive); empty when it is absent."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        """Whether the file exists."""
        raise NotImplementedError

    def is_folder(self) -> bool:
        """Whether the root exists and is a folder."""
        raise NotImplementedError

    def make_root(self) -> None:
        """Create the root folder if needed."""
        raise NotImplementedError

    @property
    def local_root(self) -> Path | None:
        """The root on the local disk, or None for a remote store."""
        return None

    @property
    def shared(self) -> bool:
        """Whether other processes see these files (worker processes read and write them)."""
        return True

    def sweep(self, folders: tuple[str, ...] = ("",)) -> int:
        """Remove temporary files a killed writer left in ``folders``; return how many."""
        return 0

    def write_text(self, rel: str, text: str) -> None:
        """Write UTF-8 text atomically (see :meth:`write_bytes`)."""
        self.write_bytes(rel, text.encode("utf-8"))

    def read_text(self, rel: str) -> str:
        """The UTF-8 text of one file."""
        return self.read_bytes(rel).decode("utf-8")


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # a link to a folder counts as one, as in os.walk
    except OSError:
        return False


# Files made without a name and linked in once written (LocalStore._write_unnamed):
# Linux, with /proc mounted; a file system without them answers one of these errors.
_UNNAMED_FILES = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
_NO_UNNAMED_FILES = frozenset({errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.EXDEV})
# The least a read asks for: a file may be longer than its size said (it is growing).
_READ_STEP = 1 << 16


def _temporary_name(path: str) -> str:
    """A hidden name beside ``path`` that no other process writing it uses (its pid)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{os.getpid()}.tmp")


def _open_in(folder: str, target: str, flags: int) -> int:
    """``os.open(target, flags, 0o644)``, making ``folder`` first if it is missing."""
    try:
        return os.open(target, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        return os.open(target, flags, 0o644)


def _read_up_to(fh: Any, limit: int, size: int | None) -> bytes:
    """At most ``limit`` bytes of the open file ``fh`` (all of it when ``limit`` is
    negative), whose size was ``size`` bytes when opened, if known.

    ``fh.read(limit)`` would first allocate ``limit`` bytes: the whole input limit
    for each file of a few kB. Each read asks for the file's size (at least
    :data:`_READ_STEP`), on to the file's end or the limit.
    """
    if limit < 0:
        whole: bytes = fh.read()
        return whole
    step = max((size or 0) + 1, _READ_STEP)
    chunks: list[bytes] = []
    while limit > 0 and (chunk := fh.read(min(limit, step))):
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


@contextlib.contextmanager
def _removed_on_failure(tmp: str) -> Iterator[None]:
    """Remove the temporary file ``tmp`` if the block fails before it is moved into place."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class LocalStore(Store):
    """A folder on the local disk."""

    # measured on 20,000 inputs: hashing them took 0.26 s on one thread, 0.30 s on
    # two and 0.47 s on eight (the threads contend for the interpreter lock)
    concurrent_reads = 1
    # measured on 20,000 records rewritten by the duplicate pass (a read, a new file
    # replacing the old one): 3.4-3.8 s on one thread, 2.6-2.8 s on two, 3.2 s on four
    concurrent_writes = 2

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.url = str(self.root)
        # file paths are joined strings: a Path per call was 7 % of the CPU time of
        # the duplicate pass rewriting 20,000 records (2.63 s, 2.44 s without)
        self._prefix = os.path.join(self.url, "")
        self._unnamed = _UNNAMED_FILES  # until the folder's file system refuses them

    @property
    def local_root(self) -> Path:
        return self.root

    def _path(self, rel: str) -> str:
        return self._prefix + rel

    def walk(self, *, follow_symlinks: bool = False) -> Iterator[Listed]:
        # os.scandir rather than os.walk and Path objects: a folder's entries carry
        # their type, so a walk over 20,000 inputs costs no stat call per file
        root = self.root.resolve()
        found: list[Listed] = []
        seen: set[Path] = {root}  # followed links may form loops
        pending = [(str(root), "")]  # folders to read, depth first in name order
        while pending:
            folder, prefix = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError:  # gone or unreadable meanwhile: as os.walk, skipped
                continue
            folders = []
            for entry in entries:
                if _hidden(entry.name):
                    continue
                rel = prefix + entry.name
                if _is_dir(entry):
                    if entry.is_symlink():
                        target = Path(entry.path).resolve()
                        if not follow_symlinks:
                            if not target.is_relative_to(root):
                                found.append(Listed(rel, str(target)))
                            continue  # a link inside the root: its files are listed there
                        if target in seen:
                            continue
                        seen.add(target)
                    folders.append((entry.path, rel + "/"))
                    continue
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not target.exists():  # dangling: listed, so that reading it is reported
                        found.append(Listed(rel))
                        continue
                    if not follow_symlinks:
                        if not target.is_relative_to(root):
                            found.append(Listed(rel, str(target)))
                        # a link to a file inside the root: that file is listed itself
                        continue
                if entry.is_file():  # regular files only: never open a FIFO or a device
                    found.append(Listed(rel))
            pending.extend(reversed(folders))
        found.sort(key=lambda listed: listed.rel)
        return iter(found)

    def size(self, rel: str) -> int:
        return os.stat(self._path(rel)).st_size

    def sweep(self, folders: tuple[str, ...] = ("",)) -> int:
        swept = 0
        for folder in folders:
            for name in self.names(folder):
                if name.startswith(".") and name.endswith(".tmp"):
                    self.delete(f"{folder}/{name}" if folder else name)
                    swept += 1
        return swept

    def read_bytes(self, rel: str, limit: int = -1) -> bytes:
        with open(self._path(rel), "rb", buffering=0) as fh:
            return _read_up_to(fh, limit, os.fstat(fh.fileno()).st_size)

    def write_bytes(self, rel: str, data: bytes) -> None:
        # After a kill at any moment the target is the old file or the new one, never a
        # part. No fsync per record (it costs ~4 ms a file here): a killed process loses
        # nothing already written, and a power cut costs at most a re-run.
        path = self._path(rel)
        folder = os.path.dirname(path) or "."
        if self._unnamed and self._write_unnamed(folder, path, data):
            return
        tmp = _temporary_name(path)
        fd = _open_in(folder, tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with _removed_on_failure(tmp):
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)

    def _write_unnamed(self, folder: str, path: str, data: bytes) -> bool:
        """Write a file made without a name (Linux's O_TMPFILE), then give it its name;
        False, with nothing written, where the folder's file system cannot.

        No temporary name is created, renamed, or left behind by a kill: the file
        vanishes with the process. On the ext4 disk of the benchmarks, a run of 20,000
        documents right after 20,000 files were deleted spent 3.2-5.9 s of system
        time instead of 8.5-9.1 s (the disk then searches longer for a free inode
        to name); on a quiet disk the two ways cost the same (bench/README.md).
        """
        try:
            fd = _open_in(folder, folder, os.O_TMPFILE | os.O_WRONLY)
        except OSError as exc:
            if exc.errno not in _NO_UNNAMED_FILES:
                raise
            self._unnamed = False
            return False
        try:
            with os.fdopen(fd, "wb", closefd=False) as fh:
                fh.write(data)
            # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N names the file (AT_EMPTY_PATH
            # would need privileges); the source being absolute, src_dir_fd is ignored:
            # it is given only because os.link calls plain link() without it
            source = f"/proc/self/fd/{fd}"
            try:
                os.link(source, path, src_dir_fd=fd)
            except OSError as exc:
                if exc.errno in _NO_UNNAMED_FILES:  # made, but not linkable here
                    self._unnamed = False
                    return False
                if exc.errno != errno.EEXIST:
                    raise
                # a file to replace: under a temporary name, then over it
                tmp = _temporary_name(path)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)  # a killed writer's
                os.link(source, tmp, src_dir_fd=fd)
                with _removed_on_failure(tmp):
                    os.replace(tmp, path)
        finally:
            os.close(fd)
        return True

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(rel))

    def names(self, folder: str = "") -> set[str]:
        try:
            with os.scandir(self._path(folder)) as entries:
                return {e.name for e in entries if e.is_file()}
        except (FileNotFoundError, NotADirectoryError):
            return set()

    def exists(self, rel: str) -> bool:
        return Path(self._path(rel)).exists()

    def is_folder(self) -> bool:
        return self.root.is_dir()

    def make_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)


class FsspecStore(Store):
    """A folder behind an fsspec URL (``s3://``, ``gs://``, ``memory://`` …)."""

    def __init__(self, url: str, **options: Any) -> None:
        import fsspec  # only runs that use a URL pay for the import

        self.url = url.rstrip("/")
        self.fs, root = fsspec.core.url_to_fs(self.url, **options)
        self.root = root.rstrip("/")

    def _path(self, rel: str) -> str:
        return f"{self.root}/{rel}" if rel else self.root

    @property
    def shared(self) -> bool:
        # fsspec's memory filesystem lives in one process
        return "memory" not in self.fs.protocol

    def walk(self, *, follow_symlinks: bool = False) -> Iterator[Listed]:
        try:
            paths = self.fs.find(self.root, withdirs=False)
        except FileNotFoundError:
            return iter(())
        prefix = self.root + "/"
        found = []
        for path in paths:
            rel = path[len(prefix):] if path.startswith(prefix) else path
            if rel and not any(_hidden(part) for part in rel.split("/")):
                found.append(Listed(rel))
        found.sort(key=lambda listed: listed.rel)
        return iter(found)

    def size(self, rel: str) -> int:
        return int(self.fs.size(self._path(rel)))

    def read_bytes(self, rel: str, limit: int = -1) -> bytes:
        with self.fs.open(self._path(rel), "rb") as fh:
            # fsspec's files know their size once open (a local one, an object's)
            return _read_up_to(fh, limit, getattr(fh, "size", None))

    def write_bytes(self, rel: str, data: bytes) -> None:
        # one upload of the whole object: object stores never show a partial one
        path = self._path(rel)
        try:
            self.fs.pipe_file(path, data)
        except FileNotFoundError:  # a file system with real folders (fsspec's local one)
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(path, data)

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._path(rel))

    def names(self, folder: str = "") -> set[str]:
        try:
            listed = self.fs.ls(self._path(folder), detail=True, refresh=True)
        except FileNotFoundError:
            return set()
        return {str(e["name"]).rstrip("/").rsplit("/", 1)[-1] for e in listed
                if e.get("type") == "file"}

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self._path(rel)))

    def is_folder(self) -> bool:
        try:
            return bool(self.fs.isdir(self.root))
        except FileNotFoundError:
            return False

    def make_root(self) -> None:
        # a bucket may exist without being listable, or refuse creation to this user
        with contextlib.suppress(FileExistsError, PermissionError):
            self.fs.makedirs(self.root, exist_ok=True)


@lru_cache(maxsize=32)
def open_store(location: str) -> Store:
    """The store for a local path or an fsspec URL (one instance per location and process).

    >>> open_store("raw").local_root
    PosixPath('raw')
    """
    if location.startswith("file://"):
        return LocalStore(location.removeprefix("file://"))
    if is_url(location):
        return FsspecStore(location)
    return LocalStore(location)
