"""An agreement's summary and place signed, a party's representative's title and a flow's
notes, each in Vietnamese and English (either may be blank), like the names and titles.

Each old field becomes the English one (a rename: no value is copied, none can be lost), and
then every value written in Vietnamese moves to the new Vietnamese field. Which language a
value is in is not recorded anywhere, so the rule is the one a reader would apply: text with a
letter of the Vietnamese alphabet that English lacks (ă, â, đ, ê, ô, ơ, ư, or a vowel with a
tone mark: "Hải Phòng", "Phó Trưởng ban") is Vietnamese; anything else ("Hai Phong", "Deputy
Head", and text in another language, such as Danish "Asnæs") stays in the English field. A
value put on the wrong side is still shown to every reader, since each side falls back to the
other when it is blank (``symbiosis.bilingual.pick``). The history tables get the same fields
and the same rule, so that a past version reads as it did.

Going back joins each pair into the old field: the English text, else the Vietnamese; where
both were given, the texts (summary, notes) are kept one after the other, and of a short field
(place, title) the English one.

Agreements are also found by their summary now (``Agreement.searched_fields``): the stored
``search_text`` of each agreement is computed again."""

import unicodedata

from django.db import migrations, models

from symbiosis.search import search_text

# The old field name -> (model names that have it, whether it is a long text).
FIELDS = {
    "summary": (("agreement", "historicalagreement"), True),
    "signed_at": (("agreement", "historicalagreement"), False),
    "representative_title": (("party", "historicalparty"), False),
    "notes": (("resourceflow", "historicalresourceflow"), True),
}
SEARCHED_FIELDS = ("reference", "title_vi", "title_en", "summary_vi", "summary_en")
BATCH = 1000

# Written out here, not imported: what this migration did must not change with later code.
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # grave acute hook tilde dot
VIETNAMESE_LETTERS = frozenset(
    {
        unicodedata.normalize("NFC", base + tone)
        for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
        for tone in _TONES
    }
    - set("aeiouy")
) | {"đ"}


def is_vietnamese(text):
    """Whether ``text`` has a letter of the Vietnamese alphabet that English does not have."""
    return not VIETNAMESE_LETTERS.isdisjoint(unicodedata.normalize("NFC", text.casefold()))


def _models(apps, name):
    return [apps.get_model("agreements", model_name) for model_name in FIELDS[name][0]]


def _in_batches(queryset):
    rows = []
    for row in queryset.iterator(chunk_size=BATCH):
        rows.append(row)
        if len(rows) == BATCH:
            yield rows
            rows = []
    if rows:
        yield rows


def _checks_done(schema_editor):
    """On PostgreSQL, the foreign key checks the updates queued, run now: the schema steps
    after a data step (going back) cannot alter a table with checks still pending."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _pk(model):
    return "history_id" if model.__name__.startswith("Historical") else "pk"


def sort_by_language(apps, schema_editor):
    """Each Vietnamese value from the English field (the old one, renamed) to the Vietnamese."""
    for name in FIELDS:
        english, vietnamese = f"{name}_en", f"{name}_vi"
        for model in _models(apps, name):
            # Only text beyond ASCII can hold a Vietnamese letter; the rest is read no further.
            candidates = model.objects.exclude(**{english: ""}).only(_pk(model), english)
            for rows in _in_batches(candidates.order_by(_pk(model))):
                moved = [row for row in rows if is_vietnamese(getattr(row, english))]
                for row in moved:
                    setattr(row, vietnamese, getattr(row, english))
                    setattr(row, english, "")
                model.objects.bulk_update(moved, [english, vietnamese])
    _checks_done(schema_editor)


def join_languages(apps, schema_editor):
    """Back to one field (still named ``<name>_en`` until the rename is undone)."""
    for name, (_names, long_text) in FIELDS.items():
        english, vietnamese = f"{name}_en", f"{name}_vi"
        for model in _models(apps, name):
            given = model.objects.exclude(**{vietnamese: ""}).only(_pk(model), english, vietnamese)
            for rows in _in_batches(given.order_by(_pk(model))):
                for row in rows:
                    first, second = getattr(row, english), getattr(row, vietnamese)
                    if not first:
                        setattr(row, english, second)
                    elif long_text:
                        setattr(row, english, f"{first}\n\n{second}")
                model.objects.bulk_update(rows, [english])
    _checks_done(schema_editor)


def compute_search_text(apps, schema_editor):
    """Each agreement's ``search_text`` from ``SEARCHED_FIELDS``, as its save() keeps it."""
    Agreement = apps.get_model("agreements", "Agreement")
    agreements = Agreement.objects.only("pk", "search_text", *SEARCHED_FIELDS).order_by("pk")
    for rows in _in_batches(agreements):
        for row in rows:
            row.search_text = search_text(*(getattr(row, field) for field in SEARCHED_FIELDS))
        Agreement.objects.bulk_update(rows, ["search_text"])


def compute_search_text_before(apps, schema_editor):
    """Going back: the title and reference only, as before this migration."""
    Agreement = apps.get_model("agreements", "Agreement")
    fields = ("reference", "title_vi", "title_en")
    for rows in _in_batches(Agreement.objects.only("pk", "search_text", *fields).order_by("pk")):
        for row in rows:
            row.search_text = search_text(*(getattr(row, field) for field in fields))
        Agreement.objects.bulk_update(rows, ["search_text"])
    _checks_done(schema_editor)


def _pair(model_name, name, english_label, vietnamese_label, long_text):
    def field(label):
        if long_text:
            return models.TextField(blank=True, verbose_name=label)
        return models.CharField(blank=True, max_length=200, verbose_name=label)

    return [
        migrations.RenameField(model_name=model_name, old_name=name, new_name=f"{name}_en"),
        migrations.AlterField(
            model_name=model_name, name=f"{name}_en", field=field(english_label)
        ),
        migrations.AddField(
            model_name=model_name, name=f"{name}_vi", field=field(vietnamese_label)
        ),
    ]


def _pairs():
    labels = {
        "summary": ("summary in English", "summary in Vietnamese"),
        "signed_at": ("place signed in English", "place signed in Vietnamese"),
        "representative_title": (
            "representative's title in English",
            "representative's title in Vietnamese",
        ),
        "notes": ("notes in English", "notes in Vietnamese"),
    }
    operations = []
    for name, (model_names, long_text) in FIELDS.items():
        for model_name in model_names:
            operations += _pair(model_name, name, *labels[name], long_text)
    return operations


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0011_chains_and_frameworks"),
    ]

    operations = [
        *_pairs(),
        migrations.RunPython(sort_by_language, join_languages),
        migrations.RunPython(compute_search_text, compute_search_text_before),
    ]
