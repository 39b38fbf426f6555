"""The API's endpoints: agreements, parks, organisations, resources and flows, each a list and a
detail, reading exactly what the public pages show (this package's docstring).

Every answer is in the language Accept-Language asks for (the API keeps no session, so no cookie
chooses it) and carries an ETag and a Last-Modified made from the content generation of
``symbiosis.caching``, which every committed change moves on: a client asking again with
If-None-Match or If-Modified-Since gets 304 Not Modified before any query runs. Each endpoint
runs a fixed number of queries whatever the number of rows."""

import hashlib
import math

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import trans_real
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from agreements.api import serializers as api
from agreements.api.errors import TooManyRequests
from agreements.filters import AgreementFilterForm
from agreements.models import Agreement, Resource, ResourceFlow
from parks.models import Organisation, Park
from symbiosis.caching import changed_at, generation

# How long a client or a shared cache may keep an answer before asking again (with its ETag).
MAX_AGE = 60
# The years the ``year`` filter takes (the list page offers the years signed; the API any year a
# signing date may have).
FIRST_YEAR, LAST_YEAR = 1800, 2200


def accept_language(request):
    """The language of the site that the request's Accept-Language prefers, else the default."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class Error(serializers.Serializer):
    detail = serializers.CharField()


FILTER_ERRORS = OpenApiResponse(
    response={
        "oneOf": [
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            {"$ref": "#/components/schemas/Error"},
        ]
    },
    description=(
        "A filter's value is not valid (each such filter with its messages), or the address "
        "holds characters the API cannot read."
    ),
)
BAD_REQUEST = OpenApiResponse(
    response=Error, description="The address holds characters the API cannot read."
)
NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag or the date asked about.")
THROTTLED = OpenApiResponse(
    response=Error, description="Too many requests: ask again after Retry-After seconds."
)
NOT_FOUND = OpenApiResponse(response=Error, description="No such row is public.")


def answers(serializer, *, one=False, filters=False):
    """What an endpoint may answer: its rows (one, or a page of them), 304 to a conditional
    request, 400, 404 for one row, 429 past the rate."""
    return {
        200: serializer,
        304: NOT_MODIFIED,
        400: FILTER_ERRORS if filters else BAD_REQUEST,
        **({404: NOT_FOUND} if one else {}),
        429: THROTTLED,
    }


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """What every endpoint shares: the reader's language, conditional GET, Cache-Control."""

    def initial(self, request, *args, **kwargs):
        language = accept_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        self.today = timezone.localdate()
        super().initial(request, *args, **kwargs)

    def throttled(self, request, wait):
        raise TooManyRequests(wait)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today}

    def validators(self):
        """The ETag and the Last-Modified timestamp of this answer: the content generation, with
        everything else it depends on (address, query, language, today's date)."""
        request = self.request
        parts = [
            generation(),
            request.path,
            sorted(request.GET.lists()),
            translation.get_language(),
            self.today.isoformat(),
        ]
        digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        return f'"{digest}"', math.ceil(changed_at())

    def conditionally(self, answer, request, *args, **kwargs):
        etag, last_modified = self.validators()
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = answer(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    def list(self, request, *args, **kwargs):
        return self.conditionally(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.conditionally(super().retrieve, request, *args, **kwargs)


def filter_parameters():
    """The agreement list page's filters (``AgreementFilterForm``) as the schema's query
    parameters, read from the form itself."""
    parameters = []
    for name, field in AgreementFilterForm.base_fields.items():
        if name == "year":
            schema = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}
        elif name == "park":
            schema = {"type": "string", "description": "A park's slug."}
        elif hasattr(field, "choices"):
            schema = {"type": "string", "enum": [value for value, _label in field.choices if value]}
        else:
            schema = {"type": "string", "maxLength": field.max_length}
        help_text = str(field.help_text) if field.help_text else str(field.label)
        parameters.append(
            OpenApiParameter(
                name, type=schema, location=OpenApiParameter.QUERY, description=help_text
            )
        )
    return parameters


@extend_schema_view(
    list=extend_schema(
        summary="Verified agreements",
        description=(
            "The verified agreements, newest signed first, searched and filtered as the "
            "agreement list page is."
        ),
        parameters=filter_parameters(),
        responses=answers(api.AgreementSerializer, filters=True),
    ),
    retrieve=extend_schema(
        summary="A verified agreement",
        responses=answers(api.AgreementSerializer, one=True),
    ),
)
class AgreementViewSet(PublicReadOnlyViewSet):
    serializer_class = api.AgreementSerializer
    lookup_field = "reference"
    lookup_url_kwarg = "reference"

    def get_queryset(self):
        public = Agreement.objects.public()
        if self.action == "list":
            form = AgreementFilterForm(self.request.GET, years=range(LAST_YEAR, FIRST_YEAR - 1, -1))
            if not form.is_valid():
                # Unlike the page, which leaves an invalid filter out and says so on the form,
                # the API refuses it: a client would otherwise take the whole list for an answer.
                raise ValidationError(
                    {
                        name: [error["message"] for error in errors]
                        for name, errors in form.errors.get_json_data().items()
                    }
                )
            public = form.filter(public, today=self.today).latest_first()
        return public.for_api()


@extend_schema_view(
    list=extend_schema(
        summary="Parks",
        responses=answers(api.ParkSerializer),
    ),
    retrieve=extend_schema(
        summary="A park",
        responses=answers(api.ParkSerializer, one=True),
    ),
)
class ParkViewSet(PublicReadOnlyViewSet):
    serializer_class = api.ParkSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Park.objects.for_list_page()
            .annotate(
                agreement_count=Count(
                    "agreements", filter=Q(agreements__review_state=Agreement.PUBLIC_STATE)
                )
            )
            .order_by("name_en", "name_vi", "slug")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Organisations",
        description=(
            "The confirmed organisations (a proposal is public once an official confirms it)."
        ),
        responses=answers(api.OrganisationSerializer),
    ),
    retrieve=extend_schema(
        summary="An organisation",
        responses=answers(api.OrganisationSerializer, one=True),
    ),
)
class OrganisationViewSet(PublicReadOnlyViewSet):
    serializer_class = api.OrganisationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Organisation.objects.confirmed()
            .select_related("park")
            .order_by("name_en", "name_vi", "slug")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Resources",
        description="The confirmed resources (a proposal is public once an official confirms it).",
        responses=answers(api.ResourceSerializer),
    ),
    retrieve=extend_schema(
        summary="A resource",
        responses=answers(api.ResourceSerializer, one=True),
    ),
)
class ResourceViewSet(PublicReadOnlyViewSet):
    serializer_class = api.ResourceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Resource.objects.confirmed()
            .annotate(
                agreement_count=Count(
                    "flows__agreement",
                    filter=Q(flows__agreement__review_state=Agreement.PUBLIC_STATE),
                    distinct=True,
                )
            )
            .order_by("category", "name_en", "name_vi", "slug")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Resource flows",
        description="The flows of the verified agreements, newest agreement first.",
        responses=answers(api.FlowListSerializer),
    ),
    retrieve=extend_schema(
        summary="A resource flow",
        responses=answers(api.FlowListSerializer, one=True),
    ),
)
class FlowViewSet(PublicReadOnlyViewSet):
    serializer_class = api.FlowListSerializer

    def get_queryset(self):
        return (
            ResourceFlow.objects.public()
            .for_api()
            .select_related("agreement__park")
            .order_by(F("agreement__signed_on").desc(nulls_last=True), "agreement__reference", "pk")
        )
