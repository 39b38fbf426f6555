"""The forms organisations and parks are entered with: the one park staff add a missing
organisation with, from the agreement form, the one officials create and edit parks with, and
the admin's. Their rules (a name, a level for agencies only, a sector for a sector, a class code
within its division, a Vietnamese province from the list, no second organisation of the same
name) are the models': every way in checks them alike."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from parks.lookup import find_organisations
from parks.models import DEVELOPER_KINDS, Organisation, Park
from parks.provinces import current_province, province_choices
from symbiosis.search import fold


class ProvinceFieldsMixin(forms.ModelForm):
    """A province chosen from Viet Nam's 34 (``vietnam_province``) for a row in Viet Nam, typed
    (``province``) anywhere else: two fields, one stored ``province``. What was typed in the
    one that does not apply is not silently kept: the form says which to use."""

    vietnam_province = forms.ChoiceField(
        label=_("Province or centrally-run city (Viet Nam)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self._meta.fields, list | tuple):
            self.order_fields(self._meta.fields)
        self.fields["vietnam_province"].choices = [("", "---------"), *province_choices()]
        province = self.fields["province"]
        province.label = _("Province or region (outside Viet Nam)")
        province.help_text = ""
        province.required = False
        instance = self.instance
        # A Vietnamese row's province is offered in the list, the one it is now part of when
        # it was stored by an older name ("Hai Duong" is in Hải Phòng since 2025).
        current = current_province(instance.province) if instance.country == "VN" else None
        if instance.pk and current:
            self.initial.setdefault("vietnam_province", current)
            self.initial["province"] = ""

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country")
        chosen, typed = cleaned.get("vietnam_province", ""), cleaned.get("province", "")
        if country == "VN":
            if typed and not chosen:
                self.add_error(
                    "vietnam_province",
                    _("In Viet Nam, choose the province from the list."),
                )
            cleaned["province"] = chosen
        elif chosen:
            self.add_error(
                "province",
                _("That list is Viet Nam's: type the province or region of this country."),
            )
            cleaned["province"] = typed
        if self.province_required and not cleaned.get("province") and not self.errors:
            field = "vietnam_province" if country == "VN" else "province"
            self.add_error(field, _("Give the province or city."))
        self.instance.province = cleaned.get("province", "")
        return cleaned

    province_required = False


class OrganisationForm(ProvinceFieldsMixin):
    """A missing organisation, added by park staff (or officials) from the agreement form.

    ``may_add_nationwide``: whether the user may add a national or international agency or an
    international organisation (officials and admins may; park staff may not, since such a
    body speaks for a whole country or more: ``agreements.permissions``)."""

    NATIONWIDE_LEVELS = (Organisation.Level.NATIONAL, Organisation.Level.INTERNATIONAL)

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name_vi",
            "name_en",
            "name_own",
            "name_own_language",
            "short_name",
            "country",
            "vietnam_province",
            "province",
            "sector",
            "sector_code",
            "level",
        ]
        help_texts = {
            "level": _("Agencies only."),
            "short_name": _("An acronym people know it by, e.g. HEZA."),
            "kind": _(
                "A counterpart known only as a sector (“the cement industry”, “the grid”) is "
                "a sector: give the name it is known by and choose its sector."
            ),
        }

    def __init__(self, *args, may_add_nationwide=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_add_nationwide = may_add_nationwide

    def clean(self):
        cleaned = super().clean()
        if self.may_add_nationwide:
            return cleaned
        if cleaned.get("kind") == Organisation.Kind.INTERNATIONAL:
            self.add_error(
                "kind",
                _(
                    "Only officials add international organisations: ask an official "
                    "overseeing your park to add it."
                ),
            )
        if (
            cleaned.get("kind") == Organisation.Kind.AGENCY
            and cleaned.get("level") in self.NATIONWIDE_LEVELS
        ):
            self.add_error(
                "level",
                _(
                    "Only officials add national and international agencies: ask an official "
                    "overseeing your park to add it."
                ),
            )
        return cleaned

    def save(self, commit=True):
        organisation = super().save(commit=False)
        organisation.slug = unique_slug(
            organisation.name_en or organisation.name_own or organisation.name_vi
        )
        if commit:
            organisation.save()
        return organisation


class OrganisationAdminForm(ProvinceFieldsMixin):
    """The admin's (its fieldsets choose the fields it shows)."""

    class Meta:
        model = Organisation
        fields = [
            *OrganisationForm.Meta.fields,
            "aliases",
            "slug",
            "website",
            "sector_classification",
            "park",
            "jurisdiction",
            "successor",
        ]


class ParkAdminForm(ProvinceFieldsMixin):
    """The admin's: a park always has a province (its fieldsets choose the fields it shows)."""

    province_required = True

    class Meta:
        model = Park
        fields = [
            "name_vi",
            "name_en",
            "slug",
            "kind",
            "eip_status",
            "country",
            "vietnam_province",
            "province",
            "latitude",
            "longitude",
            "developer",
            "managing_authority",
            "area_ha",
            "established_year",
            "website",
        ]


# How many of the park's own tenants the developer list offers, besides the one chosen: others
# are found by name (``developer_query``), so the page never lists every company.
DEVELOPER_CHOICES = 30


class ParkForm(ProvinceFieldsMixin):
    """A park, created or edited by an official of its managing agency (or a national one, or
    an admin). ``authorities``: the agencies the user may name as its managing authority
    (``agreements.permissions.park_authorities``); ``authority_required``: whether it must have
    one. The developer is chosen from a short list (the current one, the park's tenants) or
    found by the name typed, as an agreement's parties are."""

    province_required = True

    developer_query = forms.CharField(
        label=_("Or find the developer by name"),
        required=False,
        max_length=100,
        help_text=_(
            "Type part of its name, in either language, or its short name: it is looked up "
            "when you save."
        ),
    )

    class Meta:
        model = Park
        fields = [
            "name_vi",
            "name_en",
            "slug",
            "kind",
            "country",
            "vietnam_province",
            "province",
            "developer",
            "developer_query",
            "managing_authority",
            "area_ha",
            "established_year",
            "eip_status",
            "latitude",
            "longitude",
            "website",
        ]
        help_texts = {
            "slug": _(
                "Its address on the registry, e.g. deep-c: lower-case letters, digits and "
                "hyphens. Left blank, it is made from the name."
            ),
            "developer": _("The company or public utility that develops and runs the park."),
        }
        error_messages = {
            "slug": {"unique": _("Another park already has this slug: choose another one.")},
        }

    def __init__(self, *args, authorities, authority_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        authority = self.fields["managing_authority"]
        authority.queryset = authorities
        authority.required = authority_required
        # Checked against every developer, offered from a few (``developer_options``).
        developer = self.fields["developer"]
        developer.queryset = Organisation.objects.filter(kind__in=DEVELOPER_KINDS)
        developer.choices = self.developer_options
        self.developer_candidates = []
        self._developer_options = None

    def clean_slug(self):
        return self.cleaned_data["slug"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        names_failed = {"name_en", "name_vi"} & set(self.errors)
        if not names_failed and not cleaned.get("name_en") and not cleaned.get("name_vi"):
            self.add_error("name_en", _("Give the name in English, in Vietnamese, or both."))
        elif not cleaned.get("slug") and "slug" not in self.errors:
            cleaned["slug"] = unique_slug(
                cleaned.get("name_en") or cleaned.get("name_vi"), model=Park, fallback="park"
            )
        query = cleaned.get("developer_query", "").strip()
        if query and not self.has_error("developer"):
            self.look_up_developer(query)
        return cleaned

    def look_up_developer(self, query):
        """Choose the developer named ``query`` (unless the one chosen is among those found);
        if several match, offer them in the list and say so."""
        found = find_organisations(query)
        matches = [match for match in found.matches if match.kind in DEVELOPER_KINDS]
        exact = [match for match in found.exact if match.kind in DEVELOPER_KINDS]
        chosen = self.cleaned_data.get("developer")
        if chosen is not None and chosen in matches:
            return
        if len(exact) == 1 or (len(matches) == 1 and not found.more):
            match = exact[0] if len(exact) == 1 else matches[0]
            self.cleaned_data["developer"] = match
            # Shown again, the form has it chosen in the list and an empty box.
            self.data = self.data.copy()
            self.data[self.add_prefix("developer")] = str(match.pk)
            self.data[self.add_prefix("developer_query")] = ""
            return
        self.developer_candidates = matches
        self.cleaned_data["developer"] = None
        if not matches:
            error = _(
                "No company or public utility is called “%(query)s”. Check the spelling or try "
                "its name in the other language."
            )
        else:
            error = _("Several match “%(query)s”: choose the developer in the list above.")
        self.add_error("developer_query", ValidationError(error, params={"query": query}))

    def developer_options(self):
        """The developer list as drawn (a callable of the field's, read when the form is
        drawn): none, the developer chosen and the one stored, the candidates of a name that
        matched several, and the first of the park's own companies and utilities. Read once
        (the field and its widget both ask), when the form is drawn: after validation."""
        if self._developer_options is None:
            self._developer_options = self._read_developer_options()
        return self._developer_options

    def _read_developer_options(self):
        kept = []
        chosen = getattr(self, "cleaned_data", {}).get("developer")
        if chosen is not None:
            kept.append(chosen)
        if self.instance.developer_id:
            kept.append(self.instance.developer)
        kept += self.developer_candidates
        if self.instance.pk:
            kept += self.instance.tenants.filter(kind__in=DEVELOPER_KINDS).order_by(
                "name_en", "name_vi", "pk"
            )[:DEVELOPER_CHOICES]
        options = {}
        for organisation in kept:
            options.setdefault(organisation.pk, organisation.label)
        return [("", "---------"), *options.items()]

    def cleaned_data_for_service(self):
        """The park's fields as ``agreements.park_services`` sets them."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name not in {"vietnam_province", "developer_query"}
        }


def unique_slug(name, *, model=Organisation, fallback="organisation"):
    """A slug from ``name`` that no row of ``model`` has yet, numbered if need be: one query,
    however many rows share the name."""
    base = slugify(fold(name))[:100].strip("-") or fallback
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
