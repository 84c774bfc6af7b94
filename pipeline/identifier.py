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
"""

from __future__ import annotations

import hashlib
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
    def load(cls) -> Identifier:
        """py3langid's own model, normalised to probabilities as ``classify`` reports them."""
        path = Path(MODEL_DIR) / MODEL_FILE
        identifier: Identifier = cls.from_model_file(path, norm_probs=True)
        if hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256:
            identifier.vectorise()
        return identifier

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
        unique, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        return unique[order], counts[order]
