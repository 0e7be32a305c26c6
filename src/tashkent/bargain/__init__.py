"""Bargaining models: expected utility (eu), the spatial model of politics (smp), settlement
packages, and the link to the crisis model.

`tashkent.bargain(...)` is also the API function `tashkent.api.bargain`: the package and the
function share a name, so the package module is made callable and calling it runs the function.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from tashkent.api import bargain

        return bargain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
