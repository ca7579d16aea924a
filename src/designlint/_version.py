"""designlint's version, in a module of its own: the cache and the integrations need it
without importing the package's public API (and through it the runner)."""

__version__ = "0.1.0"
