"""sitegen: a static site generator for exercise progressions."""

__version__ = "0.1.0"
