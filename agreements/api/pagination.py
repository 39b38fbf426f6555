"""The API's pages: 25 rows (``page_size`` up to 100), numbered as the site's lists are, and, like
them, a page number out of range (or not a number) gives the nearest page rather than an error
(``symbiosis.pagination``)."""

from rest_framework.pagination import PageNumberPagination

from symbiosis.pagination import PER_PAGE

MAX_PAGE_SIZE = 100


class Pagination(PageNumberPagination):
    page_size = PER_PAGE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        self.page = paginator.get_page(request.query_params.get(self.page_query_param))
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["description"] = "A page number; out of range, the nearest page."
        return parameters
