"""Who may do what with the portal in the back office. The public side needs no account; the
handler side (replies, status) is reached from a clue, whose gate decides who handles it."""

from django.core.exceptions import PermissionDenied

from zhengdun.org import scope


class PortalPerm:
    MANAGE = "portal.manage"  # the landing page's numbers, mailbox, hours and notices


def may_manage(user) -> bool:
    return bool(user and user.is_authenticated) and scope.holds(user, PortalPerm.MANAGE)


def require_manage(user) -> None:
    if not may_manage(user):
        raise PermissionDenied


def require_handler(user) -> None:
    """The clue pages have checked that the user handles the report's clue; here only that
    someone signed in is acting."""
    if not (user is not None and getattr(user, "is_authenticated", False)):
        raise PermissionDenied
