"""Navigation by role: each app registers its entries; the shell shows those the user may use."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    # A scope permission (see org.roles) the user must hold on some unit; None: any signed-in user.
    perm: str | None
    order: int = 100
    icon: str = ""
    staff_only: bool = False
    # Further view-name prefixes that mark the entry as current (pages reached from it).
    also: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        """Views whose name starts with this mark the entry as current ("org:unit" for
        "org:unit_list", "org:unit_detail", ...)."""
        return self.url_name.removesuffix("_list")

    def is_current(self, view_name: str) -> bool:
        return view_name.startswith((self.section, *self.also))


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def items_for(user) -> list[NavItem]:
    from zhengdun.org import scope

    if not user.is_authenticated:
        return []
    held = scope.permissions_held(user)
    return [
        item
        for item in _items
        if (not item.staff_only or user.is_staff) and (item.perm is None or item.perm in held)
    ]
