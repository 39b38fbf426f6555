"""The form park staff add a missing organisation with, from the agreement form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from parks.lookup import organisation_label
from parks.models import Organisation
from symbiosis.search import exact_match, fold


class OrganisationForm(forms.ModelForm):
    """A missing organisation, added by park staff from the agreement form."""

    class Meta:
        model = Organisation
        fields = ["kind", "name_vi", "name_en", "short_name", "level", "province"]
        help_texts = {
            "level": _("Agencies only."),
            "short_name": _("An acronym people know it by, e.g. HEZA."),
        }

    def clean(self):
        cleaned = super().clean()
        names = [cleaned.get("name_vi"), cleaned.get("name_en")]
        if not any(names) and not {"name_vi", "name_en"} & set(self.errors):
            self.add_error("name_en", _("Give the name in Vietnamese, in English, or both."))
        if cleaned.get("level") and cleaned.get("kind") != Organisation.Kind.AGENCY:
            self.add_error("level", _("Only a government agency has a level."))
        for name in filter(None, names):
            existing = self.existing_organisation(name)
            if existing is not None:
                self.add_error(
                    None,
                    ValidationError(
                        _("%(name)s is already in the registry: choose it from the list."),
                        params={"name": organisation_label(existing)},
                        code="duplicate",
                    ),
                )
                break
        return cleaned

    @staticmethod
    def existing_organisation(name):
        """An organisation already called ``name`` in either language, accents and case
        ignored (its few exact matches read, not every name containing it)."""
        folded = fold(name)
        for organisation in Organisation.objects.filter(exact_match(name)).order_by("pk")[:20]:
            if folded in {fold(organisation.name_vi), fold(organisation.name_en)}:
                return organisation
        return None

    def save(self, commit=True):
        organisation = super().save(commit=False)
        organisation.slug = unique_slug(organisation.name_en or organisation.name_vi)
        if commit:
            organisation.save()
        return organisation


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
