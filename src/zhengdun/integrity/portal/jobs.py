"""The portal's part of the daily tick: yesterday's public writes enter the audit chain (in a
batch, a day late, so no event's time points at a reporter) and spent rate windows go."""

from datetime import date

from zhengdun.integrity.portal import actions, throttle
from zhengdun.notify import tick


@tick.register("portal.1_log_public_writes")
def log_public_writes(on: date) -> int:
    return actions.log_public_writes(on)


@tick.register("portal.2_purge_rate_windows")
def purge_rate_windows(on: date) -> int:
    return throttle.purge()
