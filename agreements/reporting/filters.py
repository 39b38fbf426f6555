"""The dashboard's filters: a GET form whose state lives in the URL, so a view is bookmarkable.

The figures, charts, work lists and exports all read the same ``Filters``, so what a page
shows and what its export holds cannot drift apart.
"""

import datetime
from dataclasses import dataclass, fields

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Resource, ResourceFlow
from parks.provinces import province_label
from symbiosis.form_layout import layout_helper
from symbiosis.typed_dates import TypedDateField


@dataclass(frozen=True)
class Filters:
    """The filters in force. Empty values filter nothing."""

    park: str = ""  # a park's slug
    province: str = ""
    kind: str = ""
    category: str = ""
    signed_from: datetime.date | None = None
    signed_to: datetime.date | None = None

    @property
    def choose_parks_only(self):
        """Whether these filters narrow the register to some parks and nothing else (then the
        dashboard adds up the parks' kept figures)."""
        return not (self.kind or self.category or self.signed_from or self.signed_to)

    def agreements(self, agreements):
        """Narrow a queryset of agreements."""
        if self.park:
            agreements = agreements.filter(park__slug=self.park)
        if self.province:
            agreements = agreements.filter(park__province=self.province)
        if self.kind:
            agreements = agreements.filter(kind=self.kind)
        if self.category:
            agreements = agreements.sharing(self.category)
        if self.signed_from:
            agreements = agreements.filter(signed_on__gte=self.signed_from)
        if self.signed_to:
            agreements = agreements.filter(signed_on__lte=self.signed_to)
        return agreements

    def flows(self, agreements):
        """The resource flows of the (already narrowed) agreements: with a resource category
        chosen, only the flows of that category (an agreement that also shares energy does
        not bring its energy flow into a water-only view)."""
        flows = ResourceFlow.objects.filter(agreement__in=agreements)
        if self.category:
            flows = flows.filter(resource__category=self.category)
        return flows

    def parks(self, parks):
        """Narrow a queryset of parks by the park and province filters."""
        if self.park:
            parks = parks.filter(slug=self.park)
        if self.province:
            parks = parks.filter(province=self.province)
        return parks

    def query_string(self, **changes):
        """These filters (with ``changes``) as a URL query string, empty values left out."""
        # The fields read one by one: ``asdict`` deep-copies, and a dashboard asks for a query
        # string per row of its charts.
        values = {**{name: getattr(self, name) for name in FIELDS}, **changes}
        return urlencode(
            {
                name: value.isoformat() if isinstance(value, datetime.date) else value
                for name, value in values.items()
                if value
            }
        )


FIELDS = tuple(field.name for field in fields(Filters))


class DashboardFilterForm(forms.Form):
    helper = layout_helper("reporting/_dashboard_filter_fields.html")

    park = forms.ChoiceField(label=_("Park"), required=False)
    province = forms.ChoiceField(label=_("Province or city"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Agreement.Kind.choices],
    )
    category = forms.ChoiceField(
        label=_("Resource category"),
        required=False,
        choices=[("", _("All categories")), *Resource.Category.choices],
    )
    signed_from = TypedDateField(
        label=_("Signed from"),
        required=False,
        help_text=_("Agreements with no signing date are left out when a date is set."),
    )
    signed_to = TypedDateField(label=_("Signed until"), required=False)

    def __init__(self, data=None, *, parks):
        """``parks``: the parks the user oversees (their names and provinces become choices)."""
        super().__init__(data)
        self.fields["park"].choices = [
            ("", _("All parks")),
            *((park.slug, park.name) for park in parks),
        ]
        provinces = sorted({park.province for park in parks if park.province})
        self.fields["province"].choices = [
            ("", _("All provinces")),
            *((province, province_label(province)) for province in provinces),
        ]

    def clean(self):
        cleaned_data = super().clean()
        signed_from, signed_to = cleaned_data.get("signed_from"), cleaned_data.get("signed_to")
        if signed_from and signed_to and signed_from > signed_to:
            self.add_error(
                "signed_to", _("The end of the date range must not be before its start.")
            )
        return cleaned_data

    def filters(self):
        """The filters to apply: every field that is valid (an invalid one is left out and
        its message shown, so the rest of the choice still counts)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        return Filters(
            **{
                name: value
                for name, value in self.cleaned_data.items()
                if name in Filters.__dataclass_fields__ and value
            }
        )

    @property
    def ignored_labels(self):
        """Labels of the fields whose value could not be applied."""
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]
