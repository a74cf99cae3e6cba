"""Notify's part of the daily tick: the unread counters are checked against the notices."""

import logging
from datetime import date

from zhengdun.notify import tick
from zhengdun.notify.actions import recount_unread

logger = logging.getLogger(__name__)


@tick.register("notify.unread")
def unread(today: date) -> int:
    drifted = recount_unread()
    if drifted:
        logger.warning("%d unread counters had drifted and were recounted", drifted)
    return drifted
