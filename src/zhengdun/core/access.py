"""Every view declares who may open it. A test walks the URL resolver to enforce this.

- ``@public``: anyone, signed in or not (login page, language switch).
- ``@signed_in``: any signed-in user; object-level checks happen in the view's gate.
- ``@requires(perm)``: a signed-in user who holds ``perm`` on some unit; others get 404,
  so a page they may not use looks like a page that does not exist.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

ACCESS_ATTR = "zhengdun_access"


def public(view: Callable) -> Callable:
    setattr(view, ACCESS_ATTR, "public")
    return view


def signed_in(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "signed_in")
    return wrapper


def requires(perm: str) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from zhengdun.org import scope

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not scope.holds(request.user, perm):
                raise Http404
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, f"perm:{perm}")
        return wrapper

    return decorator
