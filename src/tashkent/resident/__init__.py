"""The resident worker: keeps tashkent's libraries and compiled stepper loaded between commands, so
that a command after the first starts in a fraction of a second (decision 0074).

- `client`: the launcher's side (standard library only): find the worker, hand it the command.
- `server`: the worker: warm up once, fork a copy of itself per command.
- `commands`: `tashkent resident start | stop | status`.
"""
