"""The form park staff add a missing organisation with, from the agreement form. Its rules (a
name, a level for agencies only, no second organisation of the same name) are the model's:
the admin checks them too."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from parks.models import Organisation
from symbiosis.search import fold


class OrganisationForm(forms.ModelForm):
    """A missing organisation, added by park staff from the agreement form."""

    class Meta:
        model = Organisation
        fields = ["kind", "name_vi", "name_en", "short_name", "level", "province"]
        help_texts = {
            "level": _("Agencies only."),
            "short_name": _("An acronym people know it by, e.g. HEZA."),
        }

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
