"""The forms park staff enter agreements with, and the forms officials review them with.

An agreement, its parties and its resource flows are one page: ``AgreementEntry`` bundles the
agreement form and the two inline formsets, validates them together (a flow's provider and
receiver must be among the party rows being saved, not only the stored ones) and leaves the
saving to ``agreements.services.save_agreement``.

A registry holds tens of thousands of organisations, so no list offers them all: a party's
organisation list holds the one chosen, and the page's script finds the others as the user
types (``agreements:organisation-search``). Without the script, the name typed in the row's
"find it by name" box is looked up when the form is sent: one match is chosen, several are
offered in the list to choose from. A flow's provider and receiver lists offer the parties.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.formsets import TOTAL_FORM_COUNT
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements import permissions, services, units
from agreements.models import (
    FIRST_FACTOR_YEAR,
    LAST_FACTOR_YEAR,
    Agreement,
    Party,
    Resource,
    ResourceFlow,
    SymbiosisKind,
)
from agreements.symbiosis_kinds import suggested_kind
from parks.lookup import find_organisations, is_found_by, organisation_label
from parks.models import Organisation, Park
from symbiosis.bilingual import language_marked_formfield
from symbiosis.form_layout import layout_helper
from symbiosis.partial_dates import PartialDatesFormMixin
from symbiosis.read_once import (
    ReadTogetherChoiceField,
    RelationsReadFormMixin,
    RowsRead,
    as_key,
    stored_row_field,
)
from symbiosis.search import fold
from symbiosis.typed_dates import TypedDateField

CONFLICT_MESSAGE = _(
    "Someone else saved this agreement after you opened it, so your changes have not been "
    "saved and theirs have not been overwritten. What you typed is kept below: open the "
    "agreement again in a new tab to see the current version, then bring your changes over "
    "and save there."
)


def offered_resources(user):
    """The resources a flow row of this user's offers: the confirmed ones, and those proposed
    for the user's parks and not yet confirmed (every proposal, for an admin)."""
    park_ids = permissions.offered_resource_park_ids(user)
    resources = Resource.objects.all()
    return resources if park_ids is None else resources.offered_in(park_ids)


def resource_label(resource):
    """A resource as the flows' list names it: its name and unit, and whether it awaits an
    official's confirmation."""
    if resource.is_confirmed:
        return f"{resource.name} ({resource.get_unit_display()})"
    return _("%(resource)s (%(unit)s), proposed, awaiting confirmation") % {
        "resource": resource.name,
        "unit": resource.get_unit_display(),
    }


def resource_choices(resources):
    """The flow rows' resource list, by name: one query, whatever the number of rows."""
    resources = resources.only("pk", "name_en", "name_vi", "unit", "confirmed_at")
    choices = sorted(
        ((resource.pk, resource_label(resource)) for resource in resources),
        key=lambda choice: fold(str(choice[1])),
    )
    return [("", "---------"), *choices]


def _version_number(version):
    try:
        return int(version)
    except (TypeError, ValueError):
        return None


class VersionCheckMixin:
    """A form editing a stored agreement carries, in its hidden ``version`` field, the version
    it was opened on, and refuses to save over a newer one (``CONFLICT_MESSAGE``). The staff
    form and the admin's both check it here; ``services.save_agreement`` checks it again with
    the agreement's row locked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=self.instance.version if self.instance.pk else None,
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.is_current_version(cleaned.get("version")):
            self.add_error(None, ValidationError(CONFLICT_MESSAGE, code="conflict"))
        return cleaned

    def is_current_version(self, version):
        return _version_number(version) == self.instance.version

    @property
    def opened_version(self):
        """The version the valid form was opened on (None if missing or tampered with)."""
        return _version_number(self.cleaned_data.get("version"))

    @property
    def has_conflict(self):
        return any(error.code == "conflict" for error in self.non_field_errors().as_data())


class AgreementReferenceField(forms.ModelChoiceField):
    """Another agreement, typed by its reference: a park can hold thousands, too many for a
    list. Only agreements of ``queryset`` (those of the user's parks) are found."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.update(queryset=Agreement.objects.none(), to_field_name="reference")
        super().__init__(**kwargs)
        self.error_messages["invalid_choice"] = _(
            "No agreement of your parks has the reference “%(value)s”: check it, or leave this "
            "blank."
        )

    def prepare_value(self, value):
        if isinstance(value, Agreement):
            return value.reference
        return super().prepare_value(value)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


# The rule of ``agreements.symbiosis_kinds``, as the agreement form's help for the kind.
SYMBIOSIS_KIND_HELP = _(
    "Left as suggested, it is set when you save: symbiosis with parties outside the park for an "
    "industrial-urban agreement or one with a party located outside the park; shared production "
    "infrastructure for a shared infrastructure or service agreement sharing only energy, water "
    "or infrastructure, shared services for any other; exchange of inputs and outputs for "
    "industrial symbiosis between the park's enterprises. An official confirms it when "
    "verifying the agreement."
)


class AgreementForm(
    PartialDatesFormMixin, VersionCheckMixin, RelationsReadFormMixin, forms.ModelForm
):
    # Typed as a year, a month or a day (symbiosis.partial_dates), their precision set from it.
    partial_date_fields = ("signed_on", "starts_on")
    helper = layout_helper("agreements/_agreement_fields.html")

    class Meta:
        model = Agreement
        formfield_callback = language_marked_formfield
        fields = [
            "reference",
            "park",
            "kind",
            "symbiosis_kind",
            "title_en",
            "title_vi",
            "summary_en",
            "summary_vi",
            "signed_on",
            "signed_at_en",
            "signed_at_vi",
            "starts_on",
            "ends_on",
            "terminated_on",
            "framework",
            "amends",
            "amendment_kind",
        ]
        field_classes = {
            "framework": AgreementReferenceField,
            "amends": AgreementReferenceField,
            "ends_on": TypedDateField,
            "terminated_on": TypedDateField,
        }
        widgets = {
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "summary_vi": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "reference": {
                "unique": _("Another agreement already has this reference: choose another one.")
            },
        }

    # What a valid form gives ``services.save_agreement``: its fields and the dates' precisions.
    saved_fields = (
        *Meta.fields,
        *(f"{name}_precision" for name in partial_date_fields),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parks = permissions.staffed_parks(user)
        self.fields["park"].queryset = parks
        # Agreements the user may see in their parks; the model keeps both in one park.
        for name, help_text in [
            ("framework", _("The reference of the framework agreement it was made under, if any.")),
            ("amends", _("The reference of the earlier agreement it amends, renews or replaces.")),
        ]:
            self.fields[name].queryset = Agreement.objects.filter(park__in=parks)
            self.fields[name].help_text = help_text
            if getattr(self.instance, f"{name}_id") is not None:
                self.initial[name] = getattr(self.instance, name)
        kind = self.fields["symbiosis_kind"]
        kind.choices = [("", _("the suggested kind")), *SymbiosisKind.choices]
        kind.help_text = SYMBIOSIS_KIND_HELP
        if self.instance.pk is None and not self.initial.get("symbiosis_kind"):
            # A new agreement starts with the suggestion for its kind, when it has one (left as
            # suggested, its rows refine it when it is saved).
            self.initial["symbiosis_kind"] = suggested_kind(
                self.initial.get("kind"), (), all_in_park=True
            )
        if self.instance.pk is None and not self.initial.get("park"):
            only_parks = list(parks[:2])
            if len(only_parks) == 1:
                self.initial["park"] = only_parks[0].pk

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and "symbiosis_kind" not in self.changed_data:
            # Left as pre-filled: the service suggests it from the rows saved with it.
            cleaned["symbiosis_kind"] = ""
        starts_on = cleaned.get("starts_on")
        for name, message in [
            ("ends_on", _("The end date cannot be before the start date.")),
            ("terminated_on", _("The termination date cannot be before the start date.")),
        ]:
            day = cleaned.get(name)
            if starts_on and day and day < starts_on:
                self.add_error(name, message)
        titles_failed = {"title_en", "title_vi"} & set(self.errors)
        if not titles_failed and not cleaned.get("title_en") and not cleaned.get("title_vi"):
            self.add_error("title_en", _("Give the title in English, in Vietnamese, or both."))
        return cleaned


def organisation_field_choices(field, choices):
    """Let ``choices()`` fill an organisation list when it is drawn, after validation: then
    the rows' choices and lookups are known, and one query reads them all."""
    field.choices = choices


class PartyForm(RelationsReadFormMixin, forms.ModelForm):
    organisation_query = forms.CharField(
        label=_("Or find it by name"),
        required=False,
        max_length=100,
        help_text=_(
            "Type part of its name, in either language, or its short name: it is looked up "
            "when you save."
        ),
    )

    helper = layout_helper("agreements/_party_fields.html")

    class Meta:
        model = Party
        formfield_callback = language_marked_formfield
        fields = list(services.PARTY_FIELDS)  # what the service saves of each row
        # Read with the other rows' organisations (``AgreementEntry``).
        field_classes = {"organisation": ReadTogetherChoiceField}
        error_messages = {
            "organisation": {"required": _("Choose the organisation, or type its name.")}
        }

    def __init__(self, *args, organisation_choices=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        if organisations is not None:
            organisation.read_with(organisations)
        # Chosen in the list, or found by the name typed (in clean()).
        organisation.required = not (
            self.is_bound and str(self.data.get(self.add_prefix("organisation_query"), "")).strip()
        )
        if organisation_choices is not None:
            organisation_field_choices(
                organisation, lambda: organisation_choices(self, "organisation")
            )
        organisation.widget.attrs["data-organisation-select"] = ""
        organisation.help_text = _("Type a few letters of its name, in either language.")
        self.fields["organisation_query"].widget.attrs.update(
            {"data-organisation-query": "", "autocomplete": "off"}
        )
        self.organisation_candidates = []

    def clean(self):
        cleaned = super().clean()
        query = cleaned.get("organisation_query", "").strip()
        if query and not self.has_error("organisation"):
            self.look_up(query, chosen=cleaned.get("organisation"))
        if not self.cleaned_data.get("organisation") and not (
            self.has_error("organisation") or self.has_error("organisation_query")
        ):
            self.add_error("organisation", self.fields["organisation"].error_messages["required"])
        return self.cleaned_data

    def look_up(self, query, *, chosen):
        """Choose the organisation named ``query``, unless the one chosen in the list is among
        those it finds (it was picked from an earlier lookup's matches); if several match,
        offer them in the list and say so."""
        if chosen is not None and is_found_by(chosen, query):
            return
        found = find_organisations(query)
        if len(found.exact) == 1:
            match = found.exact[0]
        elif len(found.matches) == 1 and not found.more:
            match = found.matches[0]
        else:
            self.organisation_candidates = found.matches
            self.cleaned_data["organisation"] = None
            self.add_error("organisation_query", lookup_error(query, found))
            return
        self.cleaned_data["organisation"] = match
        # Shown again, the row has the organisation chosen in its list and an empty box.
        self.data = self.data.copy()
        self.data[self.add_prefix("organisation")] = str(match.pk)
        self.data[self.add_prefix("organisation_query")] = ""


def lookup_error(query, found):
    if not found.matches:
        return ValidationError(
            _(
                "No organisation is called “%(query)s”. Check the spelling, try its name in "
                "the other language, or add it as a missing organisation."
            ),
            params={"query": query},
            code="not_found",
        )
    if found.more:
        return ValidationError(
            _(
                "More than %(count)d organisations match “%(query)s”: type more of its name. "
                "The list above offers the first %(count)d."
            ),
            params={"query": query, "count": len(found.matches)},
            code="too_many_found",
        )
    return ValidationError(
        ngettext(
            "%(count)d organisation matches “%(query)s”: choose it in the list above.",
            "%(count)d organisations match “%(query)s”: choose one in the list above.",
            len(found.matches),
        ),
        params={"query": query, "count": len(found.matches)},
        code="several_found",
    )


# More rows than any agreement has, few enough that a forged row count costs little. A request
# may carry every field of that many rows of each kind: the field limit is reckoned from it.
MAX_ROWS = settings.AGREEMENT_MAX_ROWS

ROWS_ALTERED = _(
    "The rows sent do not match this page as it was opened (it was altered or is out of date), "
    "so nothing is saved. Open the page again in a new tab and bring over what you typed below."
)


class AgreementRowsFormSet(BaseInlineFormSet):
    """The rows of an agreement's page (its parties, flows or documents), on the staff's page and
    in the admin alike.

    The counts a page sends with its rows are trusted for nothing: the rows it says are stored
    (its first INITIAL_FORMS) must be the agreement's stored rows, each once, and every other row
    is a new one; counts out of range or rows that do not match are refused (``ROWS_ALTERED``),
    so nothing is saved. ``kept_forms()`` are the rows that saving keeps or adds: the rules run
    on those, and ``formset_rows()`` hands those to the services.

    ``saved_with``: a dict shared by the formsets of one page, each under its model, so that one
    can see the rows saved with its own (the flows' ends are checked against the party rows).
    """

    default_error_messages = {
        "missing_management_form": ROWS_ALTERED,
        "too_many_forms": _(
            "At most %(num)d rows can be saved here: remove the rows you do not need."
        ),
    }

    def __init__(self, *args, saved_with=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_with = {} if saved_with is None else saved_with
        self.saved_with[self.model] = self

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A stored row's hidden key is found among the rows read, not read once more.
        stored_row_field(self, form)

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.management_form.is_valid() and not self.rows_match():
            self._non_form_errors.append(ValidationError(ROWS_ALTERED, code="rows_altered"))

    def rows_match(self):
        """Whether the rows sent as stored are the agreement's stored rows, each once, and the
        counts sent are in range (more rows than allowed are refused with their own message)."""
        total = self.management_form.cleaned_data[TOTAL_FORM_COUNT]
        initial = self.initial_form_count()
        if not 0 <= initial <= total or initial != len(self.get_queryset()):
            return False
        stored = {form.instance.pk for form in self.initial_forms if form.instance.pk is not None}
        return len(stored) == initial

    def kept_forms(self):
        """The rows saving keeps or adds: every stored row not marked for removal, and every
        new row filled in (an untouched spare row is no row)."""
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form)
            and (form.instance.pk is not None or form.has_changed())
        ]


class PartyRowsFormSet(AgreementRowsFormSet):
    def get_unique_error_message(self, unique_check):
        return _("Each organisation can be a party only once: remove the repeated row.")

    def organisation_ids(self):
        """The organisations of the party rows about to be saved."""
        return {
            form.cleaned_data["organisation"].pk
            for form in self.kept_forms()
            if form.cleaned_data.get("organisation")
        }


class PartyFormSet(PartyRowsFormSet):
    """The staff's party rows: at least two parties, one of them a signatory."""

    def clean(self):
        errors = []
        rows = [form for form in self.kept_forms() if form.cleaned_data.get("organisation")]
        if len(rows) < 2:
            errors.append(
                ValidationError(
                    _(
                        "An agreement needs at least two parties: add every organisation that "
                        "signed or witnessed it."
                    ),
                    code="too_few_parties",
                )
            )
        if rows and not any(form.cleaned_data.get("role") == Party.Role.SIGNATORY for form in rows):
            errors.append(
                ValidationError(_("At least one party must be a signatory."), code="no_signatory")
            )
        try:
            super().clean()
        except ValidationError as error:
            errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)


class ResourceFlowForm(RelationsReadFormMixin, forms.ModelForm):
    helper = layout_helper("agreements/_flow_fields.html")

    class Meta:
        model = ResourceFlow
        formfield_callback = language_marked_formfield
        fields = list(services.FLOW_FIELDS)  # what the service saves of each row
        # Read with the other rows' (``AgreementEntry``).
        field_classes = {
            "resource": ReadTogetherChoiceField,
            "provider": ReadTogetherChoiceField,
            "receiver": ReadTogetherChoiceField,
        }
        widgets = {
            "notes_en": forms.Textarea(attrs={"rows": 2}),
            "notes_vi": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args,
        organisation_choices=None,
        organisations=None,
        resources=None,
        resource_choices=None,
        made_from_choices=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if made_from_choices is not None:
            organisation_field_choices(self.fields["made_from"], lambda: made_from_choices(self))
        for name in ["provider", "receiver"]:
            field = self.fields[name]
            if organisations is not None:
                field.read_with(organisations)
            if organisation_choices is not None:
                organisation_field_choices(
                    field, lambda name=name: organisation_choices(self, name)
                )
            field.widget.attrs["data-party-select"] = ""
        self.fields["provider"].error_messages["required"] = _(
            "Choose the provider among the parties."
        )
        self.fields["receiver"].error_messages["required"] = _(
            "Choose the receiver among the parties."
        )
        self.fields["provider"].help_text = _("A party to this agreement.")
        self.fields["receiver"].help_text = _(
            "Another party to this agreement. For a mutual flow, either way round."
        )
        if resources is not None:
            field = self.fields["resource"]
            # Only what the list offers is accepted (a resource proposed for another park is
            # not): the queryset checks the value sent (read with the other rows'), the
            # choices (``resource_choices()``, read when the list is drawn) draw the list.
            field.read_with(resources)
            if resource_choices is not None:
                field.choices = resource_choices
            field.error_messages["invalid_choice"] = _(
                "That resource is not offered in your parks' agreements: choose one from the "
                "list, or propose it as a new resource."
            )
        self.fields["unit"].choices = [
            ("", _("the resource's unit")),
            *units.grouped_choices(),
        ]
        self.fields["symbiosis_kind"].choices = [
            ("", _("the agreement's")),
            *SymbiosisKind.choices,
        ]
        self.fields["claimed_by"].choices = [
            ("", _("not stated")),
            *ResourceFlow.Claimant.choices,
        ]
        self.fields["baseline_en"].help_text = _("Blank: the resource's baseline.")
        quantity = self.fields["quantity"]
        quantity.validators.append(MinValueValidator(0))
        quantity.error_messages["min_value"] = _("The quantity cannot be negative.")
        quantity.widget.attrs.update({"min": "0", "step": "any"})

    def clean(self):
        cleaned = super().clean()
        provider, receiver = cleaned.get("provider"), cleaned.get("receiver")
        if provider and receiver and provider == receiver:
            self.add_error("receiver", _("The provider and the receiver must differ."))
        resource = cleaned.get("resource")
        if resource is not None and not cleaned.get("unit") and "unit" in cleaned:
            # Left blank: the resource's own unit (what ``ResourceFlow.clean_unit`` checks).
            cleaned["unit"] = resource.unit
        return cleaned


class ResourceFlowFormSet(AgreementRowsFormSet):
    def full_clean(self):
        if self.is_bound:
            # The model checks each flow's provider and receiver against these, and that
            # following what each is made from never loops, with the rows' new links.
            party_ids = self.party_organisation_ids()
            overrides = self.made_from_overrides()
            for form in self.forms:
                form.instance.party_organisation_ids = party_ids
                form.instance.made_from_overrides = overrides
        super().full_clean()

    def made_from_overrides(self):
        """{pk: the pk of the flow it is made from} of the stored rows, as sent."""
        overrides = {}
        for form in self.forms:
            if form.instance.pk is not None and "made_from" in form.fields:
                value = form["made_from"].value()
                try:
                    overrides[form.instance.pk] = int(value) if value else None
                except (TypeError, ValueError):
                    overrides[form.instance.pk] = None
        return overrides

    def clean(self):
        super().clean()
        removed = {
            form.instance.pk
            for form in self.forms
            if form.instance.pk is not None and self._should_delete_form(form)
        }
        for form in self.kept_forms():
            made_from = form.cleaned_data.get("made_from")
            if made_from is not None and made_from.pk in removed:
                form.add_error(
                    "made_from", _("That flow is removed here: choose another, or keep it.")
                )

    def party_organisation_ids(self):
        """The organisations the agreement has for parties once saved: those of the party rows
        saved with the flows or, where the page has none, of its stored parties."""
        parties = self.saved_with.get(Party)
        if parties is not None:
            parties.is_valid()
            return parties.organisation_ids()
        if self.instance.pk is None:
            return set()
        return set(self.instance.parties.values_list("organisation_id", flat=True))


PartyInlineFormSet = inlineformset_factory(
    Agreement,
    Party,
    form=PartyForm,
    formset=PartyFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)
ResourceFlowInlineFormSet = inlineformset_factory(
    Agreement,
    ResourceFlow,
    form=ResourceFlowForm,
    formset=ResourceFlowFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)

# Spare rows shown without JavaScript (with it, rows are added on demand too).
NEW_AGREEMENT_PARTY_ROWS = 3
NEW_AGREEMENT_FLOW_ROWS = 1
SPARE_ROWS = 1


FORM_CUT_MESSAGE = _(
    "The form sent more fields than the registry reads at once (%(limit)d), so nothing is saved. "
    "What could be read is shown below. An agreement has at most %(rows)d parties and "
    "%(rows)d resource flows."
)


class AgreementEntry:
    """The agreement form with its party and flow rows: validated together, shown together.

    ``cut``: the data is only the first fields the form sent, as many as a request may carry
    (``symbiosis.form_limits``): it is shown again, and never valid."""

    def __init__(self, *, user, instance=None, data=None, initial=None, cut=False):
        self.cut = cut
        self.instance = instance if instance is not None else Agreement()
        self.form = AgreementForm(data, instance=self.instance, user=user, initial=initial)
        saved_with = {}
        self.resources = offered_resources(user)
        # What the rows chose, read in one query for all of them: the organisations of the
        # parties and of the flows' ends, the flows' resources.
        organisations = RowsRead(
            Organisation.objects.all(),
            lambda: [
                *self.sent(self.parties, "organisation"),
                *self.sent(self.flows, "provider", "receiver"),
            ],
        )
        resources = RowsRead(self.resources, lambda: self.sent(self.flows, "resource"))
        self.parties = PartyInlineFormSet(
            data,
            instance=self.instance,
            prefix="parties",
            queryset=Party.objects.order_by("role", "pk"),
            form_kwargs={
                "organisation_choices": self.organisation_choices,
                "organisations": organisations,
            },
            saved_with=saved_with,
        )
        self.flows = ResourceFlowInlineFormSet(
            data,
            instance=self.instance,
            prefix="flows",
            queryset=ResourceFlow.objects.order_by("pk"),
            saved_with=saved_with,
            form_kwargs={
                "organisation_choices": self.organisation_choices,
                "organisations": organisations,
                "resources": resources,
                "resource_choices": self.resource_choices,
                "made_from_choices": self.made_from_choices,
            },
        )
        self._resource_choices = None
        self._labels = None
        self._made_from_candidates = None
        adding = self.instance.pk is None
        self.parties.extra = NEW_AGREEMENT_PARTY_ROWS if adding else SPARE_ROWS
        self.flows.extra = NEW_AGREEMENT_FLOW_ROWS if adding else SPARE_ROWS

    def is_valid(self):
        form_valid = self.form.is_valid()
        parties_valid = self.parties.is_valid()
        flows_valid = self.flows.is_valid()  # against the party rows (``saved_with``)
        if self.cut:
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            self.form.add_error(
                None,
                ValidationError(
                    FORM_CUT_MESSAGE, params={"limit": limit, "rows": MAX_ROWS}, code="cut"
                ),
            )
            return False
        return form_valid and parties_valid and flows_valid

    def add_conflict(self):
        self.form.add_error(None, ValidationError(CONFLICT_MESSAGE, code="conflict"))

    # The rows the page's script copies to add a row

    @cached_property
    def spare_party_row(self):
        return spare_row(self.parties)

    @cached_property
    def spare_flow_row(self):
        return spare_row(self.flows)

    def cleaned_data_for_service(self):
        """The valid entry as ``services.save_agreement``'s arguments (all but the user)."""
        return {
            "agreement": self.instance if self.instance.pk else None,
            "values": {name: self.form.cleaned_data[name] for name in AgreementForm.saved_fields},
            "parties": formset_rows(self.parties, services.PARTY_FIELDS),
            "flows": formset_rows(self.flows, services.FLOW_FIELDS),
            "version": self.form.opened_version,
        }

    @staticmethod
    def sent(formset, *names):
        """The values the rows of a bound ``formset`` sent for fields ``names``."""
        if not formset.is_bound:
            return []
        return [
            value
            for form in formset.forms
            for name in names
            if (value := form.data.get(form.add_prefix(name)))
        ]

    def resource_choices(self):
        """The flow rows' resource list, read when the first row's list is drawn."""
        if self._resource_choices is None:
            self._resource_choices = resource_choices(self.resources)
        return self._resource_choices

    # The organisation lists, filled when the page is drawn

    def organisation_choices(self, form, name):
        """The choices of a row's organisation list: for a party, the organisation chosen and
        those its lookup found; for a flow's provider or receiver, the parties and the one
        chosen. Sorted by name, after an empty choice."""
        labels = self.organisation_labels()
        if name == "organisation":
            wanted = [
                chosen_pk(form, name),
                *(organisation.pk for organisation in form.organisation_candidates),
            ]
        else:
            wanted = [*self.party_organisation_pks(), chosen_pk(form, name)]
        choices = {pk: labels[pk] for pk in wanted if pk in labels}
        return [("", "---------"), *sorted(choices.items(), key=lambda choice: fold(choice[1]))]

    # The flows a flow can be made from, read when the page is drawn

    def made_from_choices(self, form):
        """The choices of a flow row's "made from" list: the stored flows of the agreement's
        park (this agreement's among them, but not the row itself) received by the row's
        provider, or by any party while it has none, and the one chosen. New rows of this
        agreement have no key yet: they can be chosen once it is saved."""
        provider = chosen_pk(form, "provider")
        receivers = {provider} if provider is not None else set(self.party_organisation_pks())
        chosen = chosen_pk(form, "made_from")
        choices = [
            (flow.pk, made_from_label(flow))
            for flow in self.made_from_candidates()
            if flow.pk != form.instance.pk and (flow.receiver_id in receivers or flow.pk == chosen)
        ]
        return [("", "---------"), *choices]

    def made_from_candidates(self):
        """The stored flows of the agreement's park (one of the user's parks) received by a
        party of the page: one query, the first time a list is drawn."""
        if self._made_from_candidates is None:
            park = chosen_pk(self.form, "park")
            receivers = set(self.party_organisation_pks())
            chosen = {pk for form in self.flows.forms if (pk := chosen_pk(form, "made_from"))}
            if park is None or not (receivers or chosen):
                self._made_from_candidates = []
            else:
                self._made_from_candidates = list(
                    ResourceFlow.objects.filter(
                        Q(receiver_id__in=receivers) | Q(pk__in=chosen),
                        agreement__park_id=park,
                        agreement__park__in=self.form.fields["park"].queryset,
                    )
                    .select_related("resource", "provider", "receiver", "agreement")
                    .only(*MADE_FROM_FIELDS)
                    .order_by("agreement__reference", "pk")[:MADE_FROM_CHOICES]
                )
        return self._made_from_candidates

    def party_organisation_pks(self):
        """The organisations of the party rows (not those marked for removal), as shown."""
        return [
            pk
            for form in self.parties.forms
            if not form["DELETE"].value() and (pk := chosen_pk(form, "organisation")) is not None
        ]

    def organisation_labels(self):
        """The label of every organisation chosen in a row or found by a lookup, read in one
        query the first time a list is drawn."""
        if self._labels is None:
            pks = {
                pk
                for forms, names in [
                    (self.parties.forms, ["organisation"]),
                    (self.flows.forms, ["provider", "receiver"]),
                ]
                for form in forms
                for name in names
                if (pk := chosen_pk(form, name)) is not None
            }
            found = [
                organisation
                for form in self.parties.forms
                for organisation in form.organisation_candidates
            ]
            organisations = [
                *Organisation.objects.filter(pk__in=pks - {o.pk for o in found}).only(
                    "pk", "kind", "name_en", "name_vi", "name_own", "short_name"
                ),
                *found,
            ]
            self._labels = {o.pk: organisation_label(o) for o in organisations}
        return self._labels


# The most flows a "made from" list offers: a park's flows received by the agreement's parties.
MADE_FROM_CHOICES = 200
# What a "made from" list reads of each flow: its receiver, and what its label names.
MADE_FROM_FIELDS = [
    "receiver_id",
    "agreement__reference",
    *(f"resource__{name}" for name in ["name_en", "name_vi"]),
    *(
        f"{end}__{name}"
        for end in ["provider", "receiver"]
        for name in ["kind", "name_en", "name_vi", "name_own"]
    ),
]


def spare_row(formset):
    """The last spare row of ``formset`` left blank, or None. The page's script copies it, its
    number changed, to add a row: the page draws an empty row for that (``empty_form``, in a
    ``<template>``) only when no spare row is blank, which saves drawing a row's fields twice."""
    for form in reversed(formset.forms[formset.initial_form_count() :]):
        if not form.is_bound or not form.has_changed():
            return form
    return None


def made_from_label(flow):
    """A flow as a "made from" list names it: "Treated wastewater: A → B (REF-1)"."""
    return (
        f"{flow.resource.name}: {flow.provider.name} → {flow.receiver.name} "
        f"({flow.agreement.reference})"
    )


def formset_rows(formset, fields):
    """The rows a valid ``AgreementRowsFormSet`` keeps and adds (its ``kept_forms()``, the rows
    its rules ran on), as dicts of ``fields`` with the ``id`` of the stored row each keeps (None
    for a new one), less the fields a row does not offer (a kept row keeps their value)."""
    return [
        {
            "id": form.instance.pk,
            **{name: form.cleaned_data[name] for name in fields if name in form.cleaned_data},
        }
        for form in formset.kept_forms()
    ]


def chosen_pk(form, name):
    """The primary key a row's organisation list shows as chosen (typed or stored), if any: a
    number sent that no organisation can have is none."""
    value = form[name].value()
    if isinstance(value, Organisation):
        return value.pk
    return as_key(value)


class ReviewForm(forms.Form):
    VERIFY = "verify"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VERIFY, _("Verify: the agreement is correct and becomes public")),
            (RETURN, _("Return it to the park staff for changes")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_("Required when you return it: say what needs changing."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what needs changing before you return it."))
        return cleaned


class ResourceForm(forms.ModelForm):
    """A resource, with the rule for changing its unit (the admin's form).

    A flow keeps the unit its quantity was entered in, so changing its resource's unit never
    rewrites a quantity; what it changes is what the emission factor is per, and which units
    the resource's flows may be given in. Hence:

    - into a unit of another dimension (or another count), only while no flow uses the resource
      (its flows' units would no longer fit it);
    - into another unit of the same dimension, with flows, only when ``change_unit`` is ticked:
      every figure converts the flows' quantities into the new unit;
    - the emission factor the impact figures use is per the resource's unit, so it is restated
      from the current factor as it was set (its value per its own unit) into the new unit
      (500 kg per MWh is 0.5 kg per kWh); a unit it cannot be restated into (another dimension,
      or more than four decimals) is refused while the resource has a factor.

    The emission factor itself is not edited here: officials and admins set it on the resource's
    factor page (``agreements:resource-factor``, ``services.set_emission_factor``), which keeps
    every earlier factor.
    """

    change_unit = forms.BooleanField(
        label=_("Convert existing quantities into the new unit"),
        required=False,
        help_text=_(
            "Needed to change the unit of a resource that flows use. Their quantities keep the "
            "units they were entered in; totals convert them into the new unit."
        ),
    )

    class Meta:
        model = Resource
        fields = [
            "name_vi",
            "name_en",
            "aliases",
            "slug",
            "category",
            "unit",
            "description",
            "waste_code",
            "baseline_vi",
            "baseline_en",
        ]

    def clean(self):
        cleaned = super().clean()
        before, after = self.instance_unit_before(), cleaned.get("unit")
        if not before or not after or before == after:
            return cleaned
        flow_units = set(self.instance.flows.values_list("unit", flat=True).distinct().order_by())
        flow_units.discard("")
        if flow_units and not all(units.convertible(unit, after) for unit in flow_units):
            self.add_error(
                "unit",
                _(
                    "Flows use this resource in %(units)s, which do not convert into "
                    "%(unit)s: its unit can change only into one of the same dimension, or "
                    "once no flow uses it."
                )
                % {
                    "units": ", ".join(sorted(str(units.label(unit)) for unit in flow_units)),
                    "unit": units.label(after),
                },
            )
            return cleaned
        if flow_units and not cleaned.get("change_unit"):
            self.add_error(
                "change_unit",
                _(
                    "Flows use this resource: tick this box to change its unit from %(before)s "
                    "to %(after)s."
                )
                % {"before": units.label(before), "after": units.label(after)},
            )
        self.restate_emission_factor(cleaned, before, after)
        return cleaned

    def instance_unit_before(self):
        if self.instance.pk is None:
            return None
        return Resource.objects.filter(pk=self.instance.pk).values_list("unit", flat=True).first()

    def restate_emission_factor(self, cleaned, before, after):
        """The emission factor restated per ``after`` from the current factor as it was set
        (or, for a factor recorded without one, from the factor per ``before``); refused when
        it cannot be."""
        resource = self.instance
        factor = resource.current_factor
        if factor is not None:
            value, unit = factor.value, factor.unit
        elif resource.emission_factor is not None:
            value, unit = resource.emission_factor, before
        else:
            return
        if problem := services.restating_error(value, unit, after):
            self.add_error("unit", problem)
            return
        # Not a field of this form: set on the resource when it is saved.
        self.restated_emission_factor = services.restated_factor(value, unit, after)

    def save(self, commit=True):
        if getattr(self, "restated_emission_factor", None) is not None:
            self.instance.emission_factor = self.restated_emission_factor
        return super().save(commit)


class EmissionFactorForm(forms.Form):
    """A new emission factor for ``resource``: kg CO2e avoided per a unit of the resource's
    dimension (a factor per kWh for a resource measured in MWh), where it comes from and the
    year it was published; saved by ``services.set_emission_factor``."""

    value = forms.DecimalField(
        label=_("kg CO2e avoided per unit"),
        max_digits=12,
        decimal_places=4,
        min_value=0,
        error_messages={"min_value": _("An emission factor cannot be negative.")},
    )
    unit = forms.ChoiceField(label=_("Per unit"))
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        error_messages={"required": _("Say where this factor comes from.")},
        help_text=_("The publication, e.g. “Viet Nam grid emission factor 2022, MONRE”."),
    )
    year = forms.IntegerField(
        label=_("Year published"),
        min_value=FIRST_FACTOR_YEAR,
        max_value=LAST_FACTOR_YEAR,
    )

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        field = self.fields["unit"]
        field.choices = units.convertible_units(resource.unit)
        field.initial = resource.unit
        field.error_messages["invalid_choice"] = _(
            "Choose a unit of %(dimension)s, the dimension of this resource's unit (%(unit)s)."
        ) % {
            "dimension": units.dimension(resource.unit).label,
            "unit": units.label(resource.unit),
        }
        field.help_text = _("Any unit of %(dimension)s: the figures convert it into %(unit)s.") % {
            "dimension": units.dimension(resource.unit).label,
            "unit": units.label(resource.unit),
        }

    def save(self, *, by):
        """The new factor, or None with the service's objections added to the form."""
        try:
            return services.set_emission_factor(
                resource=self.resource,
                value=self.cleaned_data["value"],
                unit=self.cleaned_data["unit"],
                source=self.cleaned_data["source"],
                year=self.cleaned_data["year"],
                by=by,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return None


class OrganisationByNameField(forms.CharField):
    """An organisation typed by its name in any language (or an alias, ``called``) or by the
    last part of its page's address (its slug): a registry of tens of thousands offers no list."""

    def __init__(self, **kwargs):
        super().__init__(max_length=255, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        organisation = Organisation.objects.filter(slug=value.strip().lower()).first()
        if organisation is None:
            organisation = Organisation.objects.called(value)
        if organisation is None:
            raise ValidationError(
                _(
                    "No organisation is called “%(name)s”: type its name as the registry "
                    "writes it, or the last part of its page's address."
                ),
                params={"name": value},
                code="not_found",
            )
        return organisation

    def prepare_value(self, value):
        return value.slug if isinstance(value, Organisation) else value


class MergeForm(forms.Form):
    """The duplicate and the record it is merged into, two different ones."""

    different_message = _("Choose two different records: one to keep, one to merge into it.")

    def clean(self):
        cleaned = super().clean()
        duplicate, keep = cleaned.get("duplicate"), cleaned.get("keep")
        if duplicate is not None and keep is not None and duplicate.pk == keep.pk:
            raise ValidationError(self.different_message, code="same")
        return cleaned


class OrganisationMergeForm(MergeForm):
    duplicate = OrganisationByNameField(
        label=_("The duplicate"),
        help_text=_("Its parties, flows and history move to the other; then it is deleted."),
    )
    keep = OrganisationByNameField(
        label=_("Merge it into"),
        help_text=_("The organisation that is kept, with the duplicate's names as its aliases."),
    )


class ResourceMergeForm(MergeForm):
    duplicate = forms.ModelChoiceField(
        label=_("The duplicate"),
        queryset=Resource.objects.all(),
        to_field_name="slug",
        help_text=_("Its flows and history move to the other; then it is deleted."),
    )
    keep = forms.ModelChoiceField(
        label=_("Merge it into"),
        queryset=Resource.objects.all(),
        to_field_name="slug",
        help_text=_("The resource that is kept, with the duplicate's names as its aliases."),
    )


class ResourceProposalForm(forms.ModelForm):
    """A resource missing from the flows' list, proposed from the agreement form: by park staff
    for one of their parks (usable at once in its agreements, public once an official confirms
    it), or by an admin (confirmed at once)."""

    park = forms.ModelChoiceField(
        label=_("For the park"),
        queryset=Park.objects.none(),
        help_text=_(
            "It can be chosen at once in this park's agreements, and shows on the public pages "
            "once an official has confirmed it."
        ),
    )

    class Meta:
        model = Resource
        fields = ["name_vi", "name_en", "category", "unit", "waste_code"]
        formfield_callback = language_marked_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].choices = [("", "---------"), *units.grouped_choices()]
        self.fields["unit"].help_text = _("Every quantity of it is recorded in this unit.")
        if permissions.confirms_at_once(user):
            del self.fields["park"]
        else:
            field = self.fields["park"]
            field.queryset = parks = permissions.staffed_parks(user)
            # The user's parks, read once for the list; staff of one park (most of them) find
            # it chosen.
            listed = list(parks.only("pk", "name_en", "name_vi").order_by("name_en", "name_vi"))
            field.choices = [("", "---------"), *((park.pk, park.name) for park in listed)]
            if len(listed) == 1:
                field.initial = listed[0].pk

    def clean(self):
        cleaned = super().clean()
        names = [cleaned.get(name) for name in ("name_vi", "name_en") if cleaned.get(name)]
        if not names and not self.has_error("name_en") and not self.has_error("name_vi"):
            self.add_error(
                "name_en", _("Give the name in Vietnamese, in English, or in both languages.")
            )
        for name in names:
            existing = Resource.objects.called(name)
            if existing is None:
                continue
            park_ids = permissions.offered_resource_park_ids(self.user)
            offered = (
                park_ids is None
                or existing.is_confirmed
                or existing.proposed_for_park_id in park_ids
            )
            if offered:
                message = _("%(name)s is already in the registry: choose it from the list.")
            else:
                message = _(
                    "%(name)s is already proposed in another park and awaits an official's "
                    "confirmation: ask an official overseeing your park to confirm it."
                )
            self.add_error(None, message % {"name": existing.name})
            break
        return cleaned

    def save(self, commit=True):
        resource = super().save(commit=False)
        resource.slug = unique_resource_slug(resource.name_en or resource.name_vi)
        confirmed = permissions.confirms_at_once(self.user)
        resource.mark_proposed(by=self.user, confirmed=confirmed)
        resource.proposed_for_park = None if confirmed else self.cleaned_data["park"]
        if commit:
            resource.save()
        return resource


# Words the resource pages' addresses use after /resources/: no resource's slug is one of them.
RESERVED_RESOURCE_SLUGS = frozenset({"new"})


def unique_resource_slug(name):
    """A slug from ``name`` that no resource has yet, numbered if need be: one query."""
    base = slugify(fold(name))[:100].strip("-") or "resource"
    taken = set(Resource.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_RESOURCE_SLUGS
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
