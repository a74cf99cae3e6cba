from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ZhengdunBackend(ModelBackend):
    """Django's backend, except that demo logins work only in demo mode."""

    def get_user(self, user_id):
        """The signed-in user of every request, with the person (named in the page header), the
        account flags (checked below) and the unread counter in the same query, not three more."""
        try:
            user = (
                get_user_model()
                ._default_manager.select_related("person", "zhengdun_flags", "inbox")
                .get(pk=user_id)
            )
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if settings.DEMO_MODE:
            return True
        flags = getattr(user, "zhengdun_flags", None)
        return not (flags is not None and flags.is_demo)
