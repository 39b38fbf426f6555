"""The search and filters of the public agreement list: a plain GET form."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Resource, ResourceFlow, SymbiosisKind
from parks.models import Park


class AgreementFilterForm(forms.Form):
    """Every field is optional; an invalid one is reported and left out, the others still apply."""

    ACTIVE = "active"
    EXPIRED = "expired"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
        help_text=_(
            "Reference, title, summary, party or resource; accents and case do not matter."
        ),
    )
    park = forms.ModelChoiceField(
        label=_("Park"),
        queryset=Park.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All parks"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Agreement.Kind.choices],
        required=False,
    )
    symbiosis_kind = forms.ChoiceField(
        label=_("Kind of symbiosis (Circular 05/2025)"),
        choices=[("", _("All kinds of symbiosis")), *SymbiosisKind.choices],
        required=False,
        help_text=_("As confirmed by an official, the agreement's or one of its flows'."),
    )
    category = forms.ChoiceField(
        label=_("Resource category"),
        choices=[("", _("All categories")), *Resource.Category.choices],
        required=False,
    )
    year = forms.TypedChoiceField(
        label=_("Year signed"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Active or expired"),
        choices=[("", _("Active or expired")), (ACTIVE, _("Active")), (EXPIRED, _("Expired"))],
        required=False,
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any year")), *((y, str(y)) for y in years)]
        park = self.fields["park"]
        park.choices = [("", park.empty_label), *park.queryset.as_choices()]

    def filter(self, queryset, *, today=None):
        """``queryset`` narrowed by every valid filter."""
        data = getattr(self, "cleaned_data", {})
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("park"):
            queryset = queryset.in_park(data["park"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("symbiosis_kind"):
            queryset = of_symbiosis_kind(queryset, data["symbiosis_kind"])
        if data.get("category"):
            queryset = queryset.sharing(data["category"])
        if data.get("year"):
            queryset = queryset.filter(signed_on__year=data["year"])
        if data.get("status"):
            today = today or timezone.localdate()
            if data["status"] == self.ACTIVE:
                queryset = queryset.active_on(today)
            else:
                queryset = queryset.expired_on(today)
        return queryset

    def active_filters(self):
        """(name, label, shown value) of each filter in use, for "remove this filter" links."""
        data = getattr(self, "cleaned_data", {})
        active = []
        for name, field in self.fields.items():
            value = data.get(name)
            if value in (None, ""):
                continue
            if isinstance(field, forms.ModelChoiceField):
                shown = str(value)
            elif isinstance(field, forms.ChoiceField):
                shown = dict(field.choices).get(value, value)
            else:
                shown = value
            active.append((name, field.label, shown))
        return active


def of_symbiosis_kind(agreements, kind):
    """The agreements whose confirmed kind of symbiosis is ``kind``, or that have a flow of that
    kind (a flow's own kind counts once its agreement's kinds are confirmed)."""
    confirmed = Q(symbiosis_kind_confirmed_at__isnull=False)
    flow_of_kind = Exists(
        ResourceFlow.objects.filter(agreement=OuterRef("pk"), symbiosis_kind=kind)
    )
    return agreements.filter(confirmed & (Q(symbiosis_kind=kind) | flow_of_kind))
