"""The page numbers of a long list and the links to them (``symbiosis.pagination``)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number, page_kwarg="page"):
    """This page's query string with ``page_kwarg`` set to ``number``, every other parameter
    (search, filters, another list's page) kept: Django's ``querystring`` for a page parameter
    named by a variable, as when one page has two paginated lists."""
    params = context.request.GET.copy()
    params[page_kwarg] = number
    return f"?{params.urlencode()}"


@register.simple_tag
def page_numbers(page_obj):
    """Page numbers around the current one, with the first and last; None marks a gap."""
    numbers = page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]
