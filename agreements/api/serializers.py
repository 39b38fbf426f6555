"""What the API answers, row by row. Every name and text kept in two languages is given in both
(``name_en``, ``name_vi``; ``name_own`` for organisations) and in the reader's language
(``name``, chosen by Accept-Language: ``symbiosis.bilingual.pick``, as the pages show it)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import Agreement, Party, Resource, ResourceFlow
from parks.models import Organisation, Park
from symbiosis.bilingual import pick
from symbiosis.partial_dates import Precision


@extend_schema_field(OpenApiTypes.URI)
class PageField(serializers.Field):
    """The address of the row's page on the site (``get_absolute_url``), absolute."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


@extend_schema_field({"type": "string", "pattern": "^([A-Z]{2})?$"})
class CountryField(serializers.Field):
    """A country as its ISO 3166 code ("VN", "DK"), or "" when not recorded."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return value.code or ""


class PartialDateSerializer(serializers.Serializer):
    """A date as precise as its source (``symbiosis.partial_dates``): a month is given as its 1st,
    a year as its 1 January, and ``precision`` says how much of it is known."""

    date = serializers.DateField()
    precision = serializers.ChoiceField(choices=Precision.choices)


def bilingual(*names):
    """The read-only text fields ``<name>``, ``<name>_en`` and ``<name>_vi`` of each name."""
    return [field for name in names for field in (name, f"{name}_en", f"{name}_vi")]


class ParkSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:park-detail", lookup_field="slug")
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Park
        fields = ["slug", "url", *bilingual("name")]


class OrganisationSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "url", *bilingual("name"), "name_own", "kind"]


class ResourceSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resource-detail", lookup_field="slug")
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Resource
        fields = ["slug", "url", *bilingual("name"), "category", "unit"]


class PartySerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer()
    representative_title = serializers.CharField(read_only=True)

    class Meta:
        model = Party
        fields = ["organisation", "role", "representative_name", *bilingual("representative_title")]


class FlowSerializer(serializers.ModelSerializer):
    """A resource flow as its agreement's page shows it: provider → resource → receiver."""

    url = serializers.HyperlinkedIdentityField(view_name="api:flow-detail")
    resource = ResourceSummarySerializer()
    provider = OrganisationSummarySerializer()
    receiver = OrganisationSummarySerializer()
    notes = serializers.CharField(read_only=True)
    made_from = serializers.SerializerMethodField(
        help_text="The flow this one is made from (its id), where its agreement is verified."
    )
    symbiosis_kind = serializers.SerializerMethodField(
        help_text=(
            "Its kind of symbiosis (Circular 05/2025) where it differs from its agreement's, "
            "once an official has confirmed its agreement's kinds."
        )
    )

    class Meta:
        model = ResourceFlow
        fields = [
            "id",
            "url",
            "resource",
            "provider",
            "receiver",
            "direction",
            "quantity",
            "unit",
            "period",
            *bilingual("notes"),
            "made_from",
            "symbiosis_kind",
            "claimed_by",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_made_from(self, flow):
        source = flow.made_from
        return source.pk if source is not None and source.agreement.is_public else None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=ResourceFlow._meta.get_field("symbiosis_kind").choices, allow_null=True
        )
    )
    def get_symbiosis_kind(self, flow):
        if flow.agreement.symbiosis_kind_confirmed_at is None:
            return None
        return flow.symbiosis_kind or None


class FlowListSerializer(FlowSerializer):
    """A flow on its own (``/api/v1/flows/``), with the agreement and park it belongs to."""

    agreement = serializers.HyperlinkedRelatedField(
        view_name="api:agreement-detail", lookup_field="reference", read_only=True
    )
    reference = serializers.CharField(source="agreement.reference", read_only=True)
    park = ParkSummarySerializer(source="agreement.park", read_only=True)

    class Meta(FlowSerializer.Meta):
        fields = ["reference", "agreement", "park", *FlowSerializer.Meta.fields]


class AgreementSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:agreement-detail", lookup_field="reference"
    )
    page = PageField()
    park = ParkSummarySerializer()
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    signed_at = serializers.CharField(read_only=True)
    signed = PartialDateSerializer(allow_null=True, help_text="When it was signed, if recorded.")
    start = PartialDateSerializer(allow_null=True, help_text="When it starts, if recorded.")
    is_active = serializers.SerializerMethodField(
        help_text="In force today: started (or its start not recorded), not ended, not terminated."
    )
    symbiosis_kind = serializers.SerializerMethodField(
        help_text="Its kind of symbiosis (Circular 05/2025), once an official has confirmed it."
    )
    framework = serializers.SerializerMethodField(
        help_text="The reference of the framework agreement it was made under, if verified."
    )
    amends = serializers.SerializerMethodField(
        help_text=(
            "The reference of the earlier agreement it amends, renews or replaces, if verified."
        )
    )
    parties = PartySerializer(many=True)
    flows = FlowSerializer(many=True)

    class Meta:
        model = Agreement
        fields = [
            "reference",
            "url",
            "page",
            *bilingual("title"),
            "kind",
            "symbiosis_kind",
            "park",
            *bilingual("summary"),
            "signed",
            *bilingual("signed_at"),
            "start",
            "ends_on",
            "terminated_on",
            "is_active",
            "framework",
            "amends",
            "amendment_kind",
            "parties",
            "flows",
            "reviewed_at",
        ]
        extra_kwargs = {"reviewed_at": {"help_text": "When an official verified it."}}

    def get_is_active(self, agreement) -> bool:
        return agreement.is_active_on(self.context.get("today") or timezone.localdate())

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Agreement._meta.get_field("symbiosis_kind").choices, allow_null=True
        )
    )
    def get_symbiosis_kind(self, agreement):
        if agreement.symbiosis_kind_confirmed_at is None:
            return None
        return agreement.symbiosis_kind or None

    def _public_reference(self, other):
        return other.reference if other is not None and other.is_public else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_framework(self, agreement):
        return self._public_reference(agreement.framework)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_amends(self, agreement):
        return self._public_reference(agreement.amends)


class ParkSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:park-detail", lookup_field="slug")
    page = PageField()
    name = serializers.CharField(read_only=True)
    country = CountryField()
    province = serializers.CharField(source="province_name", read_only=True)
    developer = OrganisationSummarySerializer(allow_null=True)
    managing_authority = OrganisationSummarySerializer(allow_null=True)
    agreement_count = serializers.IntegerField(read_only=True, help_text="Its verified agreements.")

    class Meta:
        model = Park
        fields = [
            "slug",
            "url",
            "page",
            *bilingual("name"),
            "kind",
            "country",
            "province",
            "developer",
            "managing_authority",
            "area_ha",
            "established_year",
            "eip_status",
            "latitude",
            "longitude",
            "website",
            "agreement_count",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )
    page = PageField()
    name = serializers.CharField(read_only=True)
    country = CountryField()
    province = serializers.CharField(source="province_name", read_only=True)
    park = ParkSummarySerializer(allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "url",
            "page",
            *bilingual("name"),
            "name_own",
            "name_own_language",
            "short_name",
            "kind",
            "country",
            "province",
            "website",
            "sector",
            "sector_code",
            "park",
            "level",
            "jurisdiction",
        ]


class ResourceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resource-detail", lookup_field="slug")
    page = PageField()
    name = serializers.CharField(read_only=True)
    baseline = serializers.SerializerMethodField()
    agreement_count = serializers.IntegerField(
        read_only=True, help_text="The verified agreements sharing it."
    )

    class Meta:
        model = Resource
        fields = [
            "slug",
            "url",
            "page",
            *bilingual("name"),
            "category",
            "unit",
            "description",
            "waste_code",
            "emission_factor",
            "emission_factor_source",
            "baseline",
            "baseline_en",
            "baseline_vi",
            "agreement_count",
        ]

    def get_baseline(self, resource) -> str:
        return pick(resource.baseline_en, resource.baseline_vi)
