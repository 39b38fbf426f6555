"""Accent-, case- and script-insensitive search that works alike on SQLite and PostgreSQL.

Each searchable row keeps a folded copy of its names (``search_text``); queries are folded
the same way, so "hai an" finds "Hải An", "asnaes" finds "Asnæs", "orsted" finds "Ørsted" and
"gimchi" finds "김치" on either database. A stored copy folded by an older rule is refolded by
a data migration (parks 0003, agreements 0013) whenever ``fold`` changes.
"""

import json
import unicodedata

from anyascii import anyascii
from django.db.models import Aggregate, BooleanField, Expression, F, Q, TextField

SEPARATOR = " | "  # between the names in ``search_text``

# Letters Vietnamese readers type as one plain letter, where transliteration would give two
# or none: "đ" is "d" (anyascii agrees), "ß" "ss"; kept here so the rule is stated, not implied.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ß": "ss"})


def fold(text):
    """Lower-case ``text``, strip its accents and write it in Latin letters:
    "Công an quận Hải An" -> "cong an quan hai an", "Asnæs" -> "asnaes", "Ørsted" -> "orsted".

    Accents are stripped first (Unicode decomposition), so Vietnamese letters fold as before;
    what is left outside ASCII (æ, ø, ł, Hangul, Han...) is transliterated by anyascii, whose
    romanisations run together without spaces ("北京" -> "beijing")."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_SPECIAL))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(anyascii(stripped).casefold().split())


def search_text(*parts):
    """The folded text a row is found by, from its names in every language: each part a text,
    or a list of texts (a country's names in both languages)."""
    texts = [
        text for part in parts for text in (part if isinstance(part, list | tuple) else [part])
    ]
    return SEPARATOR.join(fold(text) for text in texts if text)


def exact_match(query, field="search_text"):
    """A condition on a folded ``field`` kept by ``search_text()``: one of the row's names is
    exactly ``query`` once folded (not merely contains it)."""
    folded = fold(query)
    return (
        Q(**{field: folded})
        | Q(**{f"{field}__startswith": f"{folded}{SEPARATOR}"})
        | Q(**{f"{field}__endswith": f"{SEPARATOR}{folded}"})
        | Q(**{f"{field}__contains": f"{SEPARATOR}{folded}{SEPARATOR}"})
    )


class BearsOneOf(Expression):
    """A condition: one of the row's names in ``field`` (kept by ``search_text()``) is one of
    ``names`` (folded), as ``exact_match`` of each of them OR-ed together: for a name typed
    (``Organisation.objects.called``, ``Resource.objects.called``) and the import's look-up
    of many names at once.

    On PostgreSQL each name is looked up in the GIN index of the row's names as an array
    (``string_to_array(search_text, ' | ')``, agreements migration 0023), one index scan a
    name, and the rows found by their keys: the plan does not rest on an estimate. Fifty names
    OR-ed as ``exact_match`` conditions were planned as one sequential scan testing 200 patterns
    on each row (464 ms over 20,000 organisations; about 1 ms so), and one name's four patterns
    as four trigram index scans (4-7 ms; 0.1 ms so). Elsewhere (SQLite), the names
    are read from a JSON array and each tested against the row's names between separators."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, names, field="search_text"):
        super().__init__()
        self.names = sorted({fold(name) for name in names} - {""})
        self.field_name = field
        self.key, self.text = F("pk"), F(field)

    def get_source_expressions(self):
        return [self.key, self.text]

    def set_source_expressions(self, expressions):
        self.key, self.text = expressions

    def resolve_expression(self, query=None, *args, **kwargs):
        resolved = super().resolve_expression(query, *args, **kwargs)
        resolved.model = query.model
        return resolved

    def as_sql(self, compiler, connection):
        text, params = compiler.compile(self.text)
        between = f"'{SEPARATOR}'"
        return (
            f"EXISTS (SELECT 1 FROM json_each(%s) AS name WHERE instr({between} || {text} || "
            f"{between}, {between} || name.value || {between}) > 0)",
            [json.dumps(self.names), *params],
        )

    def as_postgresql(self, compiler, connection):
        pk, params = compiler.compile(self.key)
        quote = connection.ops.quote_name
        meta = self.model._meta
        table, key = quote(meta.db_table), quote(meta.pk.column)
        column = quote(meta.get_field(self.field_name).column)
        found = (
            f"SELECT {key} FROM {table} WHERE string_to_array({column}, '{SEPARATOR}') "
            "@> ARRAY[name]"
        )
        return (
            f"{pk} = ANY(ARRAY(SELECT found.{key} FROM unnest(%s::text[]) AS names (name) "
            f"CROSS JOIN LATERAL ({found}) AS found))",
            [*params, self.names],
        )


class SearchTextMixin:
    """Keeps a model's ``search_text`` (its ``searched_fields``, folded) true on every save."""

    searched_fields = ()

    def save(self, *args, **kwargs):
        self.search_text = search_text(*(getattr(self, name) for name in self.searched_fields))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class AliasesMixin:
    """For a model with an ``aliases`` text field: the other names a row is known by, one a
    line (a merged duplicate's names, ``agreements.merging``), found by its search like its
    own names (list ``alias_list`` in ``searched_fields``)."""

    @property
    def alias_list(self):
        return [line.strip() for line in (self.aliases or "").splitlines() if line.strip()]

    def add_aliases(self, names, *, own_names=()):
        """Add ``names`` to ``aliases``, leaving out blanks, the row's ``own_names`` and those
        it has already (case ignored; accents count: "Asnaes" is kept beside "Asnæs", as the
        other spelling it is known by, though search would find it either way)."""
        kept = self.alias_list
        known = {_spelling(name) for name in (*own_names, *kept)}
        for name in names:
            name = " ".join((name or "").split())
            if name and _spelling(name) not in known:
                kept.append(name)
                known.add(_spelling(name))
        self.aliases = "\n".join(kept)


def _spelling(name):
    return " ".join((name or "").split()).casefold()


class FoldedSearchMixin:
    """For a ``ModelAdmin``: search that ignores case and accents: "hai an" finds "Hải An"."""

    folded_search_field = "search_text"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded:
            results |= queryset.filter(**{f"{self.folded_search_field}__contains": folded})
        return results, may_have_duplicates


class JoinedText(Aggregate):
    """The texts of a group joined by ``SEPARATOR``, alike on PostgreSQL (``STRING_AGG``) and
    SQLite (``GROUP_CONCAT``): to keep, in one UPDATE, a row's copy of its related rows' names."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{SEPARATOR}')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)
