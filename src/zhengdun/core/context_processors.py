from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from zhengdun.core.nav import items_for

# Each entry's address, reversed once per URL configuration rather than on every page.
_urls: dict[tuple, str] = {}


def _url(name: str) -> str:
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    if key not in _urls:
        _urls[key] = reverse(name)
    return _urls[key]


def shell(request):
    """Navigation and the inbox badge for the page shell (the unread counter comes with the
    signed-in user: no query of its own)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from zhengdun.notify.queries import unread_count

    current = request.resolver_match.view_name if request.resolver_match else ""
    nav = [
        {
            "url": _url(item.url_name),
            "label": item.label,
            "icon": item.icon,
            "active": item.is_current(current),
        }
        for item in items_for(user)
    ]
    return {"nav_items": nav, "unread_count": unread_count(user)}
