from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    """The question bank and online exams: rule-based draws, server-side time limits, grading."""

    name = "zhengdun.learning.exams"
    label = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.learning.exams import demo, jobs  # noqa: F401  (tick job, demo loader)
        from zhengdun.learning.exams.permissions import ExamPerm as P
        from zhengdun.org.roles import Role, extend

        extend(Role.ADMIN, {P.BANK, P.MANAGE, P.RESULTS}, write=True)
        extend(Role.OFFICE, {P.BANK, P.MANAGE, P.RESULTS}, write=True)
        extend(Role.UNIT_LEADER, {P.RESULTS})
        extend(Role.LIAISON, {P.RESULTS})
        extend(Role.VIEWER, {P.RESULTS})
        register(
            NavItem(
                "exams:my_exams",
                _("Exams"),
                perm=None,
                order=60,
                also=("exams:exam", "exams:attempt"),
            )
        )
        register(
            NavItem(
                "exams:question_list",
                _("Question bank"),
                perm=P.BANK,
                order=61,
                also=("exams:question",),
            )
        )
        register(
            NavItem(
                "exams:manage_list",
                _("Exam management"),
                perm=P.MANAGE,
                order=62,
                also=("exams:manage", "exams:results", "exams:statistics"),
            )
        )
