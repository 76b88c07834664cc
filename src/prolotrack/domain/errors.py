"""The one family of errors prolotrack raises on purpose, each with its exit status.

The command line turns any of these into one line on standard error and exits with
``exit_code``; nothing else should reach the user.
"""


class ProlotrackError(Exception):
    """Something the user can act on. Exit status 1 unless a subclass says otherwise."""

    exit_code = 1


class InvalidInput(ProlotrackError):
    """A value typed by the user is not one prolotrack accepts."""


class NotFound(ProlotrackError):
    """A reference names no record."""


class Ambiguous(ProlotrackError):
    """A reference names more than one record."""


class Refused(ProlotrackError):
    """The action is valid input but would break a rule of the record (a closed course...)."""


class DatabaseMissing(ProlotrackError):
    """A read command was pointed at a file that does not exist."""


class DatabaseUnusable(ProlotrackError):
    """The file cannot be used: not a database, damaged, newer, locked or read-only."""

    exit_code = 3


class DatabaseBusy(DatabaseUnusable):
    """Another process held the write lock longer than the busy wait."""
