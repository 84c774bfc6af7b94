"""newsclean: turn raw scraped news articles into clean, normalised article records."""

__version__ = "0.1.0"
