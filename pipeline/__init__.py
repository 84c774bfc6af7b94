"""newsclean: turn raw scraped news articles into clean, normalised article records.

Downstream code reads records with :func:`read_records`:

>>> from pipeline import read_records  # doctest: +SKIP
>>> for article in read_records("clean"):  # doctest: +SKIP
...     print(article.id, article.published_at, article.title)
"""

__version__ = "0.1.0"

from pipeline.reader import InvalidRecord, read_records
from pipeline.record import Article

__all__ = ["Article", "InvalidRecord", "__version__", "read_records"]
