from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def paginate(request, queryset: QuerySet, per_page: int | None = None) -> Page:
    """One COUNT and one LIMIT/OFFSET query; a bad page number shows the nearest valid page."""
    paginator = Paginator(queryset, per_page or settings.ZHENGDUN_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


MAX_PAGE_SIZE = 200


def clamp(page: int, page_size: int) -> tuple[int, int]:
    """A page number of at least 1 and a page size between 1 and MAX_PAGE_SIZE."""
    return max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)


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
