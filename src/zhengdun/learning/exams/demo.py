"""Demo data: the handbook bank, a closed exam with results, an open exam for `officer`."""

from zhengdun.core import demo


def load(admin) -> None:
    """Idempotent: does nothing if the demo bank is already there."""
    from zhengdun.learning.exams.demo_data import load_demo

    load_demo(admin)


demo.register("exams", load)
