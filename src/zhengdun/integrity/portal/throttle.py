"""Rate limits kept in the database, never keyed by address (the portal keeps none).

Each limit counts events in fixed windows and estimates the sliding window over the current and
the previous one (the previous weighted by how much of it still overlaps). Only window starts
and counts are stored; windows older than that are purged as they pass.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhengdun.integrity.portal.models import RateCounter

# name -> (events allowed in the sliding window, window seconds)
DEFAULTS = {
    # Reports and reporters' replies, all together: against flooding.
    "submit": (120, 3600),
    # Failed receipt look-ups, all together: at most this many guesses an hour, whoever makes
    # them, against 2**140 codes.
    "lookup": (300, 3600),
    # Failed look-ups of codes starting with the same group.
    "lookup_prefix": (5, 900),
}


@dataclass(frozen=True)
class Limit:
    scope: str
    allowed: int
    window: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, self.window // 60)


def limit(name: str, key: str = "") -> Limit:
    configured = {**DEFAULTS, **getattr(settings, "ZHENGDUN_PORTAL_LIMITS", {})}
    allowed, window = configured[name]
    return Limit(scope=f"{name}:{key}" if key else name, allowed=allowed, window=window)


def _start(now: datetime, window: int) -> datetime:
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % window, tz=timezone.get_current_timezone())


def _counts(rule: Limit, now: datetime) -> tuple[datetime, int, int]:
    current = _start(now, rule.window)
    previous = current - timedelta(seconds=rule.window)
    counts = dict(
        RateCounter.objects.filter(
            scope=rule.scope, window_start__in=[current, previous]
        ).values_list("window_start", "count")
    )
    return current, counts.get(current, 0), counts.get(previous, 0)


def _weighted(rule: Limit, at: datetime, current: datetime, now_count: int, before: int) -> float:
    """The sliding estimate at ``at``, from the counts of the window starting at ``current``
    and of the one before it (no new events)."""
    elapsed = (at - current).total_seconds()
    if elapsed < rule.window:
        return now_count + before * (1 - elapsed / rule.window)
    if elapsed < 2 * rule.window:
        return now_count * (1 - (elapsed - rule.window) / rule.window)
    return 0.0


def estimate(rule: Limit, now: datetime | None = None) -> float:
    now = now or timezone.now()
    current, now_count, before = _counts(rule, now)
    return _weighted(rule, now, current, now_count, before)


def exceeded(rule: Limit, now: datetime | None = None) -> bool:
    return estimate(rule, now) >= rule.allowed


def minutes_to_wait(rule: Limit, now: datetime | None = None) -> int:
    """Whole minutes until the limit lets an event through again (if nothing else happens)."""
    now = now or timezone.now()
    current, now_count, before = _counts(rule, now)
    for minutes in range(0, 2 * rule.minutes + 2):
        at = now + timedelta(minutes=minutes)
        if _weighted(rule, at, current, now_count, before) < rule.allowed:
            return max(1, minutes)
    return 2 * rule.minutes


def hit(rule: Limit, now: datetime | None = None) -> None:
    """Count one event in the current window (and forget windows that no longer count)."""
    now = now or timezone.now()
    current = _start(now, rule.window)
    with transaction.atomic():
        RateCounter.objects.filter(
            scope=rule.scope, window_start__lt=current - timedelta(seconds=rule.window)
        ).delete()
        if RateCounter.objects.filter(scope=rule.scope, window_start=current).update(
            count=F("count") + 1
        ):
            return
        try:
            with transaction.atomic():
                RateCounter.objects.create(scope=rule.scope, window_start=current, count=1)
        except IntegrityError:
            RateCounter.objects.filter(scope=rule.scope, window_start=current).update(
                count=F("count") + 1
            )


def purge(now: datetime | None = None) -> int:
    """Drop every window older than the longest limit's two windows (the daily tick)."""
    now = now or timezone.now()
    longest = max(window for _allowed, window in DEFAULTS.values())
    longest = max(
        [longest, *(w for _a, w in getattr(settings, "ZHENGDUN_PORTAL_LIMITS", {}).values())]
    )
    deleted, _ = RateCounter.objects.filter(
        window_start__lt=now - timedelta(seconds=2 * longest)
    ).delete()
    return deleted
