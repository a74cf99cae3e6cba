"""The daily job. Modules register functions; ``zhengdun tick`` runs them all.

Each job receives the bureau's local date and returns how many notices it sent. Jobs must be
idempotent: they claim due rows with a conditional update or send with a dedupe key, so running
tick twice on a day sends nothing twice.
"""

from collections.abc import Callable
from datetime import date

Job = Callable[[date], int]
_jobs: dict[str, Job] = {}


def register(name: str) -> Callable[[Job], Job]:
    def decorator(func: Job) -> Job:
        _jobs[name] = func
        return func

    return decorator


def jobs() -> dict[str, Job]:
    return dict(_jobs)


def run(today: date) -> dict[str, int]:
    return {name: job(today) for name, job in sorted(_jobs.items())}
