from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """Study sessions (三学), talks (三谈) and courses: night school, online school, lectures."""

    name = "zhengdun.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.learning import demo, similar  # noqa: F401  (demo loader)
        from zhengdun.learning.permissions import LearningPerm as P
        from zhengdun.org.roles import Role, extend
        from zhengdun.selfcheck import formalism

        extend(Role.ADMIN, {P.VIEW, P.PLAN}, write=True)
        extend(Role.OFFICE, {P.VIEW, P.PLAN}, write=True)
        extend(Role.UNIT_LEADER, {P.VIEW, P.PLAN, P.LEAD}, write=True)
        extend(Role.LIAISON, {P.VIEW, P.PLAN}, write=True)
        extend(Role.VIEWER, {P.VIEW})
        formalism.register_detector("copied_talks", similar.copied_talks)
        # Officers hold no learning permission by their grant; they see their own sessions,
        # talks and courses, so the entries are for every signed-in user.
        register(
            NavItem(
                "learning:session_list",
                _("Study"),
                perm=None,
                order=50,
                also=("learning:rates", "learning:review"),
            )
        )
        register(
            NavItem(
                "learning:talk_round_list",
                _("Three talks"),
                perm=None,
                order=51,
                also=("learning:talk",),
            )
        )
        register(
            NavItem(
                "learning:course_list",
                _("Courses"),
                perm=None,
                order=52,
                also=("learning:course", "learning:lesson", "learning:certificate"),
            )
        )
