"""The plain rules of learning, apart from the database: attendance rate, lesson completion,
course completion. Kept pure so that tests can pin them on crafted numbers."""

from dataclasses import dataclass
from decimal import Decimal

# A lesson to watch counts as done at this share of the video; a text must be read to the end
# (the page reports 1.0 once its end has been scrolled into view).
WATCH_DONE = 0.9
READ_DONE = 1.0


def attendance_rate(present: int, absent: int) -> float | None:
    """Present out of those expected. Excused absence (请假) is neither for nor against: the
    person was released from the session. None when nobody was expected."""
    expected = present + absent
    if expected == 0:
        return None
    return present / expected


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(100 * rate)}%"


def lesson_done(kind: str, fraction: float) -> bool:
    return fraction >= (WATCH_DONE if kind == "watch" else READ_DONE)


@dataclass
class Completion:
    """Where one enrolee stands against a course's rules."""

    present: int
    absent: int  # marked absent, or not marked at a class already held
    excused: int
    sessions: int  # all the course's classes
    held: int  # those whose date has passed
    lessons_done: int
    lessons: int
    min_attendance: int  # percent
    exam_required: bool
    exam_passed: bool
    exam_score: Decimal | None = None

    @property
    def rate(self) -> float | None:
        """Present out of the classes the enrolee was expected at (excused ones are not).
        Excused from every class held counts as 100 %: nothing expected was missed. None
        while no class has been held or marked."""
        if self.present + self.absent == 0:
            return 1.0 if self.excused and self.held else None
        return attendance_rate(self.present, self.absent)

    @property
    def attendance_ok(self) -> bool:
        """Met when the course has no classes, or, once a class has been held (or marked),
        when the rate reaches the minimum; a minimum of 0 asks for no presence at all."""
        if self.sessions == 0 or self.min_attendance <= 0:
            return True
        rate = self.rate
        return rate is not None and rate * 100 >= self.min_attendance

    @property
    def lessons_ok(self) -> bool:
        return self.lessons_done >= self.lessons

    @property
    def exam_ok(self) -> bool:
        return not self.exam_required or self.exam_passed

    @property
    def completed(self) -> bool:
        return self.attendance_ok and self.lessons_ok and self.exam_ok
