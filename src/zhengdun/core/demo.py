"""Demo loaders: the organisation first, then each module's demo data (``zhengdun demo``).

Each module registers a function that loads its part idempotently, given the demo's
administrator; loaders run in the order registered (INSTALLED_APPS order).
"""

from collections.abc import Callable

_loaders: list[tuple[str, Callable]] = []


def register(name: str, loader: Callable) -> None:
    if all(existing != name for existing, _loader in _loaders):
        _loaders.append((name, loader))


def loaders() -> list[tuple[str, Callable]]:
    return list(_loaders)
