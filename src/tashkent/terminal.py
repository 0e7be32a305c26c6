"""The rich consoles the commands print with.

rich decides at a console's creation whether its stream is a terminal (colour, live progress,
interactivity). A process forked from the resident worker (`tashkent.resident`) inherits consoles
made for the worker's own streams, so each console here remembers how it was made and
`remake_all()` makes it again for the streams the forked process was handed."""

from __future__ import annotations

import sys
import weakref
from typing import Any, ClassVar

from rich.console import Console as RichConsole


class Console(RichConsole):
    """rich's Console. `piped_width`: the width to use when standard output is not a terminal
    (rich's default is 80 columns), decided again whenever the console is remade."""

    made: ClassVar[weakref.WeakSet[Console]] = weakref.WeakSet()

    def __init__(self, *, piped_width: int | None = None, **kwargs: Any) -> None:
        self._piped_width = piped_width
        self._kwargs = kwargs
        super().__init__(**self._settings())
        Console.made.add(self)

    def _settings(self) -> dict[str, Any]:
        if self._piped_width is not None and not sys.stdout.isatty():
            return {**self._kwargs, "width": self._piped_width}
        return dict(self._kwargs)

    def remake(self) -> None:
        """Make this console again for the current standard streams."""
        RichConsole.__init__(self, **self._settings())


def remake_all() -> None:
    """Remake every console made so far (after a fork that replaced the standard streams)."""
    for console in list(Console.made):
        console.remake()
