"""Pages that list many rows, 25 at a time, whatever the number in the registry.

A page number out of range shows the nearest page instead of a 404, so a link kept from a
longer list still leads somewhere. The template side is ``{% load pagination %}``
(``symbiosis/templatetags/pagination.py``) and ``templates/includes/_pagination.html``.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.views.generic.detail import SingleObjectMixin

PER_PAGE = 25
# How many rows a list of the whole registry counts, at most: 10 pages of 25, past which a
# reader narrows the list rather than pages on. The count stops there, but a filter matching one
# agreement in twenty reads twenty rows for each it counts: at 100,000 agreements, counting up
# to 1,000 read 20,000 index entries (9 ms; 0.4 ms at 1,000 agreements), up to 250 a quarter.
COUNT_LIMIT = 250


class CappedPaginator(Paginator):
    """Counts the rows up to ``count_limit`` and no further, so that counting costs the same
    for 1,000 matches or 100,000 (the database stops at the first ``count_limit + 1``):
    ``has_more`` says that there are more than the ``count`` pages show."""

    count_limit = COUNT_LIMIT

    @cached_property
    def _counted(self):
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.count_limit)

    @cached_property
    def has_more(self):
        return self._counted > self.count_limit


class PageNumberClampMixin:
    """For a ``ListView``: out of range, the nearest page."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class DetailWithListMixin(PageNumberClampMixin, SingleObjectMixin):
    """A page about one object with a paginated list under it, Django's "SingleObjectMixin
    with ListView" pattern (put ``ListView`` after this mixin): ``self.object`` comes from
    ``object_queryset`` by its slug, ``get_queryset()`` is the list, ``page_obj`` its page, also
    in the context as ``list_context_name``."""

    paginate_by = PER_PAGE
    object_queryset = None
    list_context_name = "object_list"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=self.object_queryset.all())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.list_context_name] = context["object_list"]
        return context


def page_of(request, queryset, page_kwarg, *, per_page=PER_PAGE):
    """A second list's page on a page that has two, by its own query parameter (out of range:
    the nearest page, as ``PageNumberClampMixin`` does)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(page_kwarg))
