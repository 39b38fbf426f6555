"""The forms organisations and parks are entered with: the one park staff add a missing
organisation with, from the agreement form, and the admin's. Their rules (a name, a level for
agencies only, a sector for a sector, a class code within its division, a Vietnamese province
from the list, no second organisation of the same name) are the models': every way in checks
them alike."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from parks.models import Organisation, Park
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


def unique_slug(name):
    """A slug from ``name`` that no organisation has yet, numbered if need be: one query,
    however many organisations share the name."""
    base = slugify(fold(name))[:100].strip("-") or "organisation"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
