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


def one_line(exc: BaseException, with_type: bool = False) -> str:
    """The first line of an exception's message, or its class name if it has none.

    With ``with_type`` a message is prefixed by the class name (``Type: message``).
    """
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = text.splitlines()[0]
    return f"{type(exc).__name__}: {line}" if with_type else line
