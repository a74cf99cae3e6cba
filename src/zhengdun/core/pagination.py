from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from zhengdun.core.db import server_bound


def paginate(request, queryset: QuerySet, per_page: int | None = None) -> Page:
    """One COUNT and one LIMIT/OFFSET query; a bad page number shows the nearest valid page."""
    paginator = Paginator(queryset, per_page or settings.ZHENGDUN_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


MAX_PAGE_SIZE = 200
# Far beyond any list, and small enough that the OFFSET stays a 64-bit integer.
MAX_PAGE = 1_000_000


def clamp(page: int, page_size: int) -> tuple[int, int]:
    """A page number between 1 and MAX_PAGE and a page size between 1 and MAX_PAGE_SIZE."""
    return min(max(page, 1), MAX_PAGE), min(max(page_size, 1), MAX_PAGE_SIZE)


def page_dict(items, page: int, page_size: int) -> dict:
    """One page for the API: a COUNT (or a known count) and one LIMIT/OFFSET query."""
    page, page_size = clamp(page, page_size)
    start = (page - 1) * page_size
    return {
        "count": items.count(),
        "page": page,
        "page_size": page_size,
        "items": list(items[start : start + page_size]),
    }


class IdsFirst:
    """A filtered, ordered queryset for the paginator (or page_dict), its count given when known
    (from tallies) and otherwise counted, whose page is read ids first: the page's ids from an
    index alone, then those rows with their joins. An OFFSET deep into a long list then skips
    index entries rather than joined rows. One query more than a plain page."""

    def __init__(self, queryset: QuerySet, count: int | None = None):
        self.queryset = queryset
        self._count = count
        self.ordered = True

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self.queryset[item]
        ids = list(self.queryset.values_list("pk", flat=True)[item])
        # Looked up by primary key alone: repeating the list's conditions could lead the
        # database to walk the list's index again instead.
        rows = self.queryset.model._base_manager.filter(pk__in=ids).order_by()
        rows.query.select_related = self.queryset.query.select_related
        with server_bound():  # the same query on every page: planned once (core.db)
            by_pk = {row.pk: row for row in rows}
        return [by_pk[pk] for pk in ids]
