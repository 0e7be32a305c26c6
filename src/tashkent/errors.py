"""User-facing errors.

Anything a user can cause (a bad file, an unknown name, an out-of-range value) raises
`UserError` with a one-line message that names the file, line or field and says the fix.
The CLI prints the message and exits with status 2; it never shows a traceback for these.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by user input: printed as one line, exit status 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Interrupted(UserError):
    """The user pressed Ctrl-C: finished work is kept; exit status 130 as for SIGINT."""

    exit_code = 130
