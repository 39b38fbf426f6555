"""``/api/``: the API's version 1 (``v1/``), its OpenAPI schema and its documentation page.

An agreement's reference may contain slashes ("HEZA/2023/01"), so its address takes the rest of
the path, as the agreement page's does."""

from django.urls import path

from agreements.api import docs, views

app_name = "api"


def endpoint(viewset, prefix, name, lookup=None):
    patterns = [path(f"v1/{prefix}/", viewset.as_view({"get": "list"}), name=f"{name}-list")]
    if lookup:
        patterns.append(
            path(
                f"v1/{prefix}/{lookup}/",
                viewset.as_view({"get": "retrieve"}),
                name=f"{name}-detail",
            )
        )
    return patterns


urlpatterns = [
    *endpoint(views.AgreementViewSet, "agreements", "agreement", "<path:reference>"),
    *endpoint(views.ParkViewSet, "parks", "park", "<slug:slug>"),
    *endpoint(views.OrganisationViewSet, "organisations", "organisation", "<slug:slug>"),
    *endpoint(views.ResourceViewSet, "resources", "resource", "<slug:slug>"),
    *endpoint(views.FlowViewSet, "flows", "flow", "<int:pk>"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
]
