"""Organisations and resources found by the names a file gives them: by a name in any of
their languages or one of their other names (aliases: a merged duplicate's), accents, case and
script ignored (``symbiosis.search.fold``: "Cong an quan Hai An" finds "Công an quận Hải An",
"Asnaes Kraftvaerk" finds "Asnæs Kraftværk"). Where several rows bear the name, the oldest
is taken, as the agreement form's look-up does (``Organisation.objects.called``).

The candidates for all the names of a chunk of rows are read in a few queries
(``NAMES_PER_QUERY`` names each, through the folded ``search_text`` every row keeps, by
``symbiosis.search.BearsOneOf``), never one per row."""

from agreements.models import Resource
from parks.models import Organisation
from symbiosis.search import BearsOneOf, fold

NAMES_PER_QUERY = 50

# What a name matched, by the field it matched (each the field's verbose name, translated
# where shown).
BY_NAME_EN, BY_NAME_VI, BY_NAME_OWN, BY_ALIAS = "name_en", "name_vi", "name_own", "aliases"


def _candidates(model, folded_names, fields):
    """The rows bearing one of the names, oldest first, each once."""
    names = sorted(folded_names)
    found = {}
    for start in range(0, len(names), NAMES_PER_QUERY):
        part = names[start : start + NAMES_PER_QUERY]
        for row in model.objects.filter(BearsOneOf(part)).only(*fields):
            found[row.pk] = row
    return [found[pk] for pk in sorted(found)]


def _found(rows, folded_names, name_fields):
    """{folded name: (row, field matched, the name matched)}, the oldest row for each name."""
    found = {}
    for row in rows:
        names = [(field, getattr(row, field)) for field in name_fields]
        names += [(BY_ALIAS, alias) for alias in row.alias_list]
        for field, name in names:
            key = fold(name)
            if name and key in folded_names and key not in found:
                found[key] = (row, field, name)
    return found


def organisations(names):
    """{folded name: (organisation, field matched, name matched)} for those of ``names`` (as
    typed) that an organisation bears."""
    folded = {fold(name) for name in names if fold(name)}
    if not folded:
        return {}
    fields = ("pk", "kind", "name_en", "name_vi", "name_own", "aliases", "slug", "confirmed_at")
    rows = _candidates(Organisation, folded, fields)
    return _found(rows, folded, (BY_NAME_EN, BY_NAME_VI, BY_NAME_OWN))


def resources(names):
    """{folded name: (resource, field matched, name matched)} for those of ``names`` that a
    resource bears."""
    folded = {fold(name) for name in names if fold(name)}
    if not folded:
        return {}
    fields = (
        "pk",
        "name_en",
        "name_vi",
        "aliases",
        "slug",
        "unit",
        "category",
        "confirmed_at",
        "proposed_for_park",
    )
    rows = _candidates(Resource, folded, fields)
    return _found(rows, folded, (BY_NAME_EN, BY_NAME_VI))
