"""py3langid's language identifier, scoring a text with whole-array steps.

py3langid finds the byte n-grams of a text by walking its automaton one byte at
a time in Python, then widens the table rows of those n-grams from half floats
one element at a time: most of the identification's cost. :class:`Identifier`
gives the same scores, bit for bit, with a few NumPy operations over all
positions at once, in about half the time (1,000 characters of an article:
~110 µs against ~210 µs):

- The automaton forgets: after any :data:`WINDOW` bytes it is in the same state
  whatever state it started from (``tests/test_language.py`` proves this of the
  model whose digest is :data:`MODEL_SHA256`). So the state after each byte is
  the state reached from the start by the :data:`WINDOW` bytes that end there,
  and :data:`WINDOW` gathers compute it for every position together.
- The table holds log-probabilities, all negative normal half floats. The float32
  of such a half has the half's bits moved up 13 places and its exponent
  rebased: two integer operations, exact.

Any other model, or a table with other values, is scored by py3langid's own code.
This module is imported only when a language is first identified, so importing
the library stays free of NumPy.

The model's file is LZMA-compressed: py3langid unpacks it anew in every
process (~0.3 s), and its tables then take ~75 MB of that process's own
memory. The tables of the proven model are therefore kept unpacked in a cache
folder (:func:`cache_folder`) and mapped from there: the worker processes of a
run share one copy through the page cache, and start without unpacking it.
(Each has the pages it has read resident: ~20 MB after its warm-up, nearly all
of them after thousands of texts.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

# py3langid 0.4's model file, for which WINDOW is proven.
MODEL_SHA256 = "f4f4a2c3465ca1f081541037f9cac23021d68151c2f709c55ae5eedfca522963"
# After this many bytes the automaton's state no longer depends on where it began.
WINDOW = 6
# Negative normal half floats: sign bit set, exponent neither 0 (zero, subnormal)
# nor 31 (infinity, NaN).
_HALF_FROM, _HALF_TO = 0x8400, 0xFC00
# Half bits << 13 leave the sign at bit 28 and the exponent biased by 15; adding
# this wraps the sign to bit 31 and adds 127 - 15 to the exponent.
_REBASE = (1 << 31) - (1 << 28) + ((127 - 15) << 23)


class Identifier(LanguageIdentifier):  # type: ignore[misc]
    """A ``LanguageIdentifier`` whose raw scores come from whole-array steps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vectorised = False

    @classmethod
    def load(cls, cache: Path | None = None) -> Identifier:
        """py3langid's own model, normalised to probabilities as ``classify`` reports them.

        The proven model's tables are mapped from ``cache`` (by default
        :func:`cache_folder`), which is filled from the model file the first
        time; without a usable cache folder they are loaded into memory.
        """
        path = Path(MODEL_DIR) / MODEL_FILE
        proven = hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256
        cache = cache_folder() if cache is None else cache
        folder = cache / f"py3langid-{MODEL_SHA256[:16]}" if proven and cache.parts else None
        if folder is not None and folder.is_dir():
            try:
                return cls._mapped(folder)
            except (OSError, ValueError):
                shutil.rmtree(folder, ignore_errors=True)  # damaged: filled again below
        identifier: Identifier = cls.from_model_file(path, norm_probs=True)
        if proven:
            identifier.vectorise()
            if identifier.vectorised and folder is not None and identifier._save(folder):
                with contextlib.suppress(OSError, ValueError):
                    return cls._mapped(folder)  # the unpacked tables in memory go
        return identifier

    @classmethod
    def _mapped(cls, folder: Path) -> Identifier:
        """The identifier whose tables :meth:`_save` wrote to ``folder``, the two big
        ones mapped read-only; raises ValueError or OSError if they do not fit together."""
        # plain arrays over the mappings: np.memmap, a subclass, costs a little on
        # every operation, and scoring makes a dozen small ones a text
        halves = np.load(folder / "ptc.npy", mmap_mode="r").view(np.ndarray)
        moves = np.load(folder / "nextmove.npy", mmap_mode="r").view(np.ndarray)
        small = {name: np.load(folder / f"{name}.npy", allow_pickle=False)
                 for name in ("pc", "classes", "row", "out")}
        pc, row, out = small["pc"], small["row"], small["out"]
        if not (halves.dtype == np.uint16 and halves.ndim == 2
                and halves.shape[1] == len(pc) == len(small["classes"])
                and moves.ndim == 1 and moves.size % 256 == 0 and len(row) == len(out)
                and len(row) and int(row.max()) < moves.size // 256
                and int(out.max()) < len(halves)):
            raise ValueError(f"{folder}: tables that do not fit together")
        identifier: Identifier = cls(halves.view(np.float16), pc, small["classes"].tolist(),
                                     moves, out.tolist(), norm_probs=True, tk_row=row.tolist())
        identifier._halves, identifier._moves = halves, moves
        identifier._row_starts = row.astype(np.intp) << 8
        identifier._outputs = out.astype(np.intp)
        identifier.vectorised = True
        return identifier

    def _save(self, folder: Path) -> bool:
        """Write the tables to ``folder`` for :meth:`_mapped`, all or nothing: they are
        written to a fresh folder beside it, which is then renamed. Whether the
        folder is there now: another process may have been first; any failure
        (a read-only disk, a full one) leaves things as they were."""
        tables = {"ptc": self._halves, "nextmove": self._moves,
                  "pc": np.asarray(self.nb_pc, dtype=np.float32),
                  "classes": np.array(self.nb_classes),
                  "row": np.asarray(self.tk_row), "out": np.asarray(self.tk_output, np.int32)}
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            draft = Path(tempfile.mkdtemp(prefix=".draft-", dir=folder.parent))
        except OSError:
            return False
        try:
            for name, table in tables.items():
                with open(draft / f"{name}.npy", "wb") as f:
                    np.save(f, table, allow_pickle=False)
                    f.flush()
                    os.fsync(f.fileno())  # complete on disk before the folder is visible
            os.rename(draft, folder)  # fails when another process renamed its folder first
        except OSError:
            pass
        finally:
            shutil.rmtree(draft, ignore_errors=True)
        return folder.is_dir()

    def vectorise(self) -> None:
        """Score with whole-array steps from now on, if the table's values allow it."""
        halves = np.ascontiguousarray(self.nb_ptc).view(np.uint16)
        if self.nb_ptc.dtype != np.float16 or not (
                (halves >= _HALF_FROM) & (halves < _HALF_TO)).all():
            return
        self._halves = halves
        self._moves = np.frombuffer(self.tk_nextmove, dtype=f"u{self.tk_nextmove.itemsize}")
        self._row_starts = np.asarray(self.tk_row, dtype=np.intp) << 8
        self._outputs = np.asarray(self.tk_output, dtype=np.intp)
        self.vectorised = True

    def _raw_score(self, text: bytes) -> Any:
        if not self.vectorised:
            return super()._raw_score(text)
        features, counts = self.features(text)
        if not len(features):
            return super()._raw_score(text)  # py3langid's score for a featureless text
        rows = self._halves[features].astype(np.uint32)
        rows <<= 13
        rows += _REBASE
        return np.log1p(counts.astype(np.float32)) @ rows.view(np.float32) + self.nb_pc

    def features(self, text: bytes) -> tuple[Any, Any]:
        """The n-gram features of ``text`` and their counts, in order of first sight.

        py3langid sums the features' rows in that order; floats summed in another
        order could differ in the last bit.
        """
        data = np.frombuffer(text, dtype=np.uint8)
        size = len(data)
        states = np.zeros(size, dtype=np.intp)
        for lag in range(min(WINDOW, size) - 1, -1, -1):
            # every position at least `lag` bytes in moves on the byte `lag` back
            states[lag:] = self._moves[self._row_starts[states[lag:]] + data[:size - lag]]
        features = self._outputs[states]
        features = features[features >= 0]
        return _first_seen(features)


def _first_seen(values: Any) -> tuple[Any, Any]:
    """The distinct non-negative ``values`` in order of first sight, and their counts.

    ``np.unique`` with its first indices, then an argsort of those, gives the
    same at ~1.6 times the cost for the few hundred values of a text: here one
    sort of keys that hold each value and its position, and no second sort, since
    the first positions are distinct and are put in order by a scatter.

    >>> [a.tolist() for a in _first_seen(np.array([7, 3, 7, 0, 3, 7]))]
    [[7, 3, 0], [3, 2, 1]]
    """
    size = len(values)
    if not size:
        return values, np.zeros(0, dtype=np.intp)
    shift = size.bit_length()
    keys = (values.astype(np.int64) << shift) | np.arange(size)
    keys.sort()  # by value, then by position
    ordered = keys >> shift
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(starts, append=size)
    rank = np.full(size, -1, dtype=np.intp)  # rank[first position] = index of its value
    rank[keys[starts] & ((1 << shift) - 1)] = np.arange(len(starts))
    order = rank[rank >= 0]
    return ordered[starts][order], counts[order]


def cache_folder() -> Path:
    """Where unpacked model tables are kept: ``$NEWSCLEAN_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/newsclean``, else ``~/.cache/newsclean``. An empty
    ``NEWSCLEAN_CACHE_DIR``, or no home folder, turns the cache off (``Path()``)."""
    if (chosen := os.environ.get("NEWSCLEAN_CACHE_DIR")) is not None:
        return Path(chosen)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "newsclean"
    home = os.path.expanduser("~")
    return Path(home) / ".cache" / "newsclean" if home != "~" else Path()
