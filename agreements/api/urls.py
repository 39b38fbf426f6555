"""``/api/``: the API's version 1 (``v1/``), its OpenAPI schema and its documentation page.

An agreement's reference may contain slashes ("HEZA/2023/01"), so its address takes the rest of
the path, as the agreement page's does."""

from django.db import transaction
from django.urls import path

from agreements.api import docs, views

app_name = "api"


def endpoint(viewset, prefix, name, lookup):
    """The list and the detail of ``viewset``. They only read, so they run outside
    ATOMIC_REQUESTS' transaction, as the cached public pages do: a 304 runs no query at all."""
    return [
        path(
            f"v1/{prefix}/",
            transaction.non_atomic_requests(viewset.as_view({"get": "list"})),
            name=f"{name}-list",
        ),
        path(
            f"v1/{prefix}/{lookup}/",
            transaction.non_atomic_requests(viewset.as_view({"get": "retrieve"})),
            name=f"{name}-detail",
        ),
    ]


urlpatterns = [
    *endpoint(views.AgreementViewSet, "agreements", "agreement", "<path:reference>"),
    *endpoint(views.ParkViewSet, "parks", "park", "<slug:slug>"),
    *endpoint(views.OrganisationViewSet, "organisations", "organisation", "<slug:slug>"),
    *endpoint(views.ResourceViewSet, "resources", "resource", "<slug:slug>"),
    *endpoint(views.FlowViewSet, "flows", "flow", "<int:pk>"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
]
