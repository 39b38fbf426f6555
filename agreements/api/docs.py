"""The API's OpenAPI 3 schema and its documentation page.

The page is Swagger UI from drf-spectacular's sidecar (vendored, served from our static files)
in the site's layout, started by a static script (``static/js/api-docs.js``): drf-spectacular's
own page has an inline script and style, which the Content-Security-Policy refuses."""

from django.urls import reverse
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The schema, in YAML (or JSON, for ``Accept: application/json``)."""


class DocsView(TemplateView):
    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(schema_url=reverse("api:schema"), **kwargs)
