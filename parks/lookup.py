"""Finding an organisation by what people type: part of its name in either language, its short
name or its slug, accents and case ignored (``symbiosis.search``), exact names first. The
agreement form's party rows and its organisation search use it.
"""

from dataclasses import dataclass

from django.db.models import Case, Q, Value, When

from parks.models import Organisation
from symbiosis.search import exact_match, fold


def organisation_label(organisation):
    return organisation.label


# How many organisations a search offers at most: type more of the name to narrow it.
FOUND_LIMIT = 20


@dataclass(frozen=True)
class Found:
    """The organisations a search finds: ``matches`` (at most the limit, best first), whether
    there are ``more``, and those whose name, short name or slug is exactly what was typed."""

    matches: list
    more: bool
    exact: list


def find_organisations(query, *, limit=FOUND_LIMIT):
    """Organisations whose name in either language or short name contains ``query``, accents
    and case ignored, or whose slug it is: exact names first, then those starting with it, then
    the others by name. One query."""
    folded = fold(query)
    if not folded:
        return Found(matches=[], more=False, exact=[])
    slug = query.strip().lower()
    exact = Q(slug=slug) | exact_match(folded)
    organisations = list(
        Organisation.objects.filter(Q(search_text__contains=folded) | Q(slug=slug))
        .annotate(is_exact=Case(When(exact, then=Value(True)), default=Value(False)))
        .only("pk", "kind", "slug", "name_en", "name_vi", "name_own", "short_name", "search_text")
        .order_by("-is_exact", "name_en", "name_vi", "pk")[: limit * 5]
    )
    ranked = sorted(
        organisations,
        key=lambda organisation: (
            not organisation.is_exact,
            not fold(organisation_label(organisation)).startswith(folded),
            fold(organisation_label(organisation)),
            organisation.pk,
        ),
    )
    return Found(
        matches=ranked[:limit],
        more=len(ranked) > limit,
        exact=[organisation for organisation in ranked if organisation.is_exact],
    )


def is_found_by(organisation, query):
    """Whether a search for ``query`` finds ``organisation`` (``find_organisations``' rule)."""
    folded = fold(query)
    return bool(folded) and (
        folded in organisation.search_text or organisation.slug == query.strip().lower()
    )
