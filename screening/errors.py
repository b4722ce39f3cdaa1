"""Errors the user can act on.

Every error raised for bad input is a :class:`ScreeningError`; the CLI prints
its message as one line and exits non-zero without a traceback.
"""


class ScreeningError(Exception):
    """A problem with the user's input or configuration, stated in one line."""


class StructureError(ScreeningError):
    """A structure file or structure that cannot be used."""


class CatalogError(ScreeningError):
    """A catalog entry that is missing, duplicated or malformed."""


class SlabError(ScreeningError):
    """A slab that cannot be built as requested."""


class SettingsError(ScreeningError):
    """A settings file or environment variable with a bad value."""
