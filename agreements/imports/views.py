"""The import's pages: upload a file, its preview (analysed a chunk at a time, with progress),
confirm it, and the template file.

Park staff import into their parks, officials into the parks they oversee
(``permissions.can_import_agreements``, ``can_import_into``); a batch is seen and confirmed by
whoever uploaded it only.

While a batch is analysed, each visit to its preview analyses the next ``CHUNK_ROWS`` rows and
answers with the progress and ``<meta http-equiv="refresh" content="0">``: the browser asks for
the next chunk at once, with JavaScript off too, and no task queue is needed. Once analysed, the
preview reads the batch in one query and lists its rows a page at a time, errors first: the
database orders the outcomes and sends the page's only (``OutcomesPage``), and the batch's
counts without the rest of its state.
"""

import contextlib
import datetime
import tempfile
from operator import itemgetter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import NotSupportedError, transaction
from django.db.models import F, Func, JSONField
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import localize, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from agreements import permissions
from agreements.imports import analysis, reading
from agreements.imports import columns as c
from agreements.imports.services import NotConfirmable, confirm_import, create_batch
from agreements.models import Agreement, ImportBatch, Party, Resource, ResourceFlow
from agreements.reporting.exports import inert
from agreements.services import EditConflict, TransitionError
from parks.models import Organisation

OUTCOMES_PER_PAGE = 50
# A page number asked for beyond this is past the last page all the same (a batch holds at most
# IMPORT_MAX_ROWS outcomes); capped, it stays a small integer in SQL.
LARGEST_PAGE_ASKED = 10**6
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,.csv,{XLSX_TYPE},text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("This file is %(size)s: the largest file accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise ValidationError(_("This file is empty."))
        if reading.file_format(upload) is None:
            raise ValidationError(
                _(
                    "This file is neither an XLSX spreadsheet nor a CSV file: save it as one of "
                    "those."
                )
            )
        return upload


class ConfirmForm(forms.Form):
    on_existing = forms.ChoiceField(
        label=gettext_lazy("An agreement whose reference is already in the registry"),
        choices=ImportBatch.OnExisting.choices,
        initial=ImportBatch.OnExisting.SKIP,
        widget=forms.RadioSelect,
    )


def _require_importer(user):
    if not permissions.can_import_agreements(user):
        raise PermissionDenied(
            _("Only park staff and officials import agreements, into the parks they work for.")
        )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    """The upload form; a valid file is stored as a batch and its preview opened."""
    _require_importer(request.user)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = create_batch(upload=form.cleaned_data["file"], user=request.user)
            except reading.Unreadable as error:
                form.add_error("file", str(error))
            else:
                messages.info(request, _("The file is read: its rows are being checked."))
                return redirect(batch)
    else:
        form = UploadForm()
    return render(
        request,
        "agreements/import_upload.html",
        {
            "form": form,
            "max_rows": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
            "max_size": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        },
    )


def _batch(request, pk):
    """The user's batch, locked until the request ends (two visits never analyse the same rows
    at once), without its rows: they are read only while they are analysed."""
    _require_importer(request.user)
    batches = ImportBatch.objects.filter(created_by=request.user).select_for_update()
    return get_object_or_404(batches.defer("rows"), pk=pk)


# The page shown: ``number``'s if it holds outcomes, else (past either end) the last.
_SHOWN_PAGE = """(ranked.place - 1) / %(per_page)d = CASE
        WHEN %(number)d >= 1 AND (%(number)d - 1) * %(per_page)d < ranked.total
        THEN %(number)d - 1 ELSE (ranked.total - 1) / %(per_page)d END"""


class OutcomesPage(Func):
    """A batch's outcomes of one page in the preview's order, errors first, then by line (the
    file's order), as ``{"count": all its outcomes, "page": [[place, outcome], ...]}``, place
    counted from 1 in that order (with no outcomes, count is null and page null or empty). The
    page is ``number``'s as ``Paginator.get_page`` reads it: not a number, the first; past
    either end, the last.

    Worked out by the database, which sends the page's outcomes only: the batch's outcomes are
    a megabyte of JSON for 1,000 rows, read and decoded in some 25 ms, where this takes 5."""

    output_field = JSONField()
    postgresql = f"""(
      SELECT jsonb_build_object(
        'count', max(ranked.total),
        'page', jsonb_agg(jsonb_build_array(ranked.place, ranked.outcome)))
      FROM (
        SELECT outcome, count(*) OVER () AS total, row_number() OVER (
          ORDER BY coalesce(outcome -> 'errors', '[]') IN ('[]', 'null'), outcome -> 'line', n
        ) AS place
        FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS outcomes (outcome, n)
      ) AS ranked
      WHERE {_SHOWN_PAGE}
    )"""
    sqlite = f"""(
      SELECT json_object(
        'count', max(ranked.total),
        'page', json_group_array(json_array(ranked.place, json(ranked.outcome))))
      FROM (
        SELECT value AS outcome, count(*) OVER () AS total, row_number() OVER (
          ORDER BY coalesce(json_array_length(value, '$.errors'), 0) = 0,
            json_extract(value, '$.line'), key
        ) AS place
        FROM json_each(%(expressions)s)
      ) AS ranked
      WHERE {_SHOWN_PAGE}
    )"""

    def __init__(self, number, per_page=OUTCOMES_PER_PAGE):
        try:
            number = int(number)  # as Paginator.validate_number reads it
        except (TypeError, ValueError):
            number = 1
        number = max(0, min(number, LARGEST_PAGE_ASKED))
        super().__init__(F("outcomes"), number=number, per_page=int(per_page))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(
            f"An import's outcomes are paged by PostgreSQL or SQLite, not {connection.vendor}."
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=self.postgresql, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=self.sqlite, **extra_context)


@login_required
@require_http_methods(["GET", "HEAD"])
def preview(request, pk):
    """The batch's progress while it is analysed (each visit analyses the next chunk), then its
    outcomes, errors first, a page at a time, and the confirm form."""
    _require_importer(request.user)
    # Locked until the request ends (two visits never analyse the same rows at once); its rows,
    # state and outcomes read only while they are analysed.
    batches = (
        ImportBatch.objects.filter(created_by=request.user)
        .select_for_update()
        .defer("rows", "state", "outcomes")
        .annotate(counts=F("state__counts"), outcomes_page=OutcomesPage(request.GET.get("page")))
    )
    batch = get_object_or_404(batches, pk=pk)
    if not batch.is_finished:
        batch.refresh_from_db(fields=["rows", "state", "outcomes"])
        analysis.analyse_next(batch)
        if not batch.is_finished:
            return render(
                request,
                "agreements/import_progress.html",
                {"batch": batch, "refresh": True},
            )
        batch = batches.get(pk=pk)  # analysed by this visit: its counts and page
    # Only the page shown is put in the reader's words (a batch holds up to IMPORT_MAX_ROWS
    # outcomes, a page OUTCOMES_PER_PAGE).
    found = batch.outcomes_page
    page = Paginator(range(found["count"] or 0), OUTCOMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    words = _Words()
    page.object_list = [
        _shown(outcome, words) for _place, outcome in sorted(found["page"] or [], key=itemgetter(0))
    ]
    labels = [str(label) for label in OUTCOME_COLUMNS]
    return render(
        request,
        "agreements/import_preview.html",
        {
            "batch": batch,
            "counts": batch.counts,
            "page_obj": page,
            "labels": labels,
            "rows": _rows(page.object_list, labels),
            "can_confirm": analysis.can_confirm(batch, counts=batch.counts),
            "form": ConfirmForm(initial={"on_existing": batch.on_existing}),
            "ignored": batch.ignored_columns,
        },
    )


@login_required
@require_POST
def confirm(request, pk):
    """Write the batch as previewed, all or nothing, and open "My agreements"."""
    batch = _batch(request, pk)
    form = ConfirmForm(request.POST)
    on_existing = (
        form.cleaned_data["on_existing"] if form.is_valid() else ImportBatch.OnExisting.SKIP
    )
    try:
        with transaction.atomic():
            written = confirm_import(batch=batch, on_existing=on_existing, user=request.user)
    except NotConfirmable:
        messages.error(
            request,
            _(
                "This file cannot be imported as it is: correct the rows with errors and upload it "
                "again."
            )
            if batch.confirmed_at is None
            else _("This file was imported already."),
        )
        return redirect(batch)
    except ValidationError as error:
        messages.error(
            request,
            _("Nothing was imported: %(problem)s Upload the file again to check it anew.")
            % {"problem": " ".join(error.messages)},
        )
        return redirect(batch)
    except (EditConflict, TransitionError) as error:
        # The registry changed since the preview (an agreement saved or submitted meanwhile).
        problem = str(error) or _("Someone saved one of these agreements in the meantime.")
        messages.error(
            request,
            _("Nothing was imported: %(problem)s Upload the file again to check it anew.")
            % {"problem": problem},
        )
        return redirect(batch)
    messages.success(
        request,
        ngettext(
            "%(count)d agreement imported as a draft.",
            "%(count)d agreements imported as drafts.",
            written.agreements,
        )
        % {"count": written.agreements}
        + " "
        + _(
            "%(flows)d flows written, %(updated)d agreements updated, %(skipped)d left as "
            "they were; %(organisations)d organisations and %(resources)d resources proposed."
        )
        % {
            "flows": written.flows,
            "updated": written.updated,
            "skipped": written.skipped,
            "organisations": written.organisations,
            "resources": written.resources,
        },
    )
    return redirect("agreements:mine")


@login_required
@require_http_methods(["GET", "HEAD"])
def template_file(request):
    """An XLSX file with the export's columns and one example row, in the reader's language."""
    _require_importer(request.user)
    park = permissions.importable_parks(request.user).order_by("name_en", "name_vi").first()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Resource flows")[:31])
    bold = Font(bold=True)
    headers = c.template_headers()
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=inert(str(text)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    example = _example(park)
    english = c._headers("en")
    sheet.append([_cell(example.get(key, "")) for key in english])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_("import-template") + ".xlsx",
        content_type=XLSX_TYPE,
    )


def _cell(value):
    return str(value) if hasattr(value, "_proxy____cast") else value


def _example(park):
    """The template's example row, by column key: illustrative names, in the reader's
    language."""
    first, second = _("Example Company A"), _("Example Company B")
    signatory = Party.Role.SIGNATORY.label
    return {
        c.REFERENCE: "EXAMPLE-2025-001",
        c.TITLE: _("Example: treated wastewater reused for cooling"),
        c.PARK: park.name if park else "",
        c.KIND: Agreement.Kind.INDUSTRIAL.label,
        c.SIGNED_ON: datetime.date(2025, 3, 1),
        c.STARTS_ON: "2025-04",
        c.PARTIES: f"{first} ({signatory}); {second} ({signatory})",
        c.PROVIDER: first,
        c.RESOURCE: _("Treated wastewater"),
        c.CATEGORY: Resource.Category.WATER.label,
        c.RECEIVER: second,
        c.DIRECTION: ResourceFlow.Direction.ONE_WAY.label,
        c.QUANTITY: 1200,
        c.UNIT: Resource.Unit.CUBIC_METRE.label,
        c.PERIOD: ResourceFlow.Period.MONTHLY.label,
        c.RESOURCE_UNIT: Resource.Unit.CUBIC_METRE.label,
        c.FLOW_NUMBER: 1,
    }


# How an outcome is shown


class _Words:
    """The preview's texts in the reader's language, each translated once a page: a page
    repeats its column names, messages and kinds of match on every row."""

    def __init__(self):
        self.new = _("New agreement")
        self.existing = _("Already in the registry: skipped or updated, as you choose below")
        self.flow_added = _("Flow added to %(reference)s")
        self.with_flow = _("with its flow %(number)s")
        self.to_propose = _("%(name)s: not in the registry, to be proposed")
        self.matched = _("%(name)s: matched %(match)s (%(by)s)")
        self._texts = {}
        self._by = {}

    def __call__(self, msgid):
        """``msgid`` (a column's key or an analysis message) translated."""
        try:
            return self._texts[msgid]
        except KeyError:
            text = self._texts[msgid] = _(msgid)
            return text

    def by(self, field):
        """What a name was matched by: the organisation field's name."""
        try:
            return self._by[field]
        except KeyError:
            text = self._by[field] = str(BY_LABELS.get(field, field))
            return text


def _message(key, msgid, params, words):
    params = dict(params)
    if "choices" in params and key in c.CHOICES:
        params["choices"] = ", ".join(str(label) for _v, label in c.CHOICES[key].choices)
    text = words(msgid)
    if params:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            text = text % params
    return text


BY_LABELS = {
    "name_en": Organisation._meta.get_field("name_en").verbose_name,
    "name_vi": Organisation._meta.get_field("name_vi").verbose_name,
    "name_own": Organisation._meta.get_field("name_own").verbose_name,
    "aliases": Organisation._meta.get_field("aliases").verbose_name,
}


# The outcomes table's columns: each header labels its column's cells too, for phones, where a
# table's rows are stacked (data-label, the table-stack class).
OUTCOME_COLUMNS = (
    gettext_lazy("Row"),
    gettext_lazy("Reference"),
    gettext_lazy("Outcome"),
    gettext_lazy("Names found"),
    gettext_lazy("Errors"),
)


def _rows(shown, labels):
    """The outcomes table's rows (``import_preview.html``), of the outcomes ``shown`` and the
    columns' ``labels``: written by ``format_html`` (which escapes every value) rather than a
    template loop, a page's 50 rows and their lists of names and errors being most of the page's
    rendering."""
    row_label, reference_label, outcome_label, names_label, errors_label = labels
    rows = []
    for row in shown:
        matches = errors = ""
        if row["matches"]:
            matches = format_html(
                '<ul class="list-unstyled small mb-0">{}</ul>',
                format_html_join(
                    "",
                    '<li><span class="text-body-secondary">{}:</span> {}</li>',
                    ((match["column"], match["text"]) for match in row["matches"]),
                ),
            )
        if row["errors"]:
            errors = format_html(
                '<ul class="mb-0">{}</ul>',
                format_html_join(
                    "",
                    "<li><strong>{}</strong>: {}</li>",
                    ((error["column"], error["message"]) for error in row["errors"]),
                ),
            )
        rows.append(
            format_html(
                "<tr{}>\n"
                '        <th scope="row" data-label="{}">{}</th>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n'
                "      </tr>",
                format_html(' class="{}"', "table-danger") if row["errors"] else "",
                row_label,
                localize(row["line"]),
                reference_label,
                row["reference"],
                outcome_label,
                row["what"],
                names_label,
                matches,
                errors_label,
                errors,
            )
        )
    return format_html_join("\n      ", "{}", ((row,) for row in rows))


def _shown(outcome, words):
    """An outcome as the preview shows it, in the reader's language (``words``)."""
    errors = [
        {"column": words(key), "message": _message(key, msgid, params, words)}
        for key, msgid, params in outcome.get("errors", [])
    ]
    reference = outcome["reference"]
    if outcome.get("agreement") == analysis.NEW:
        what = words.new
    elif outcome.get("agreement") == analysis.EXISTING:
        # Why the agreement cannot be updated, kept with its first row's outcome as in the
        # batch's state.
        if outcome.get("not_updatable"):
            what = _message(
                c.REFERENCE,
                analysis.NOT_UPDATABLE,
                {"reference": reference, "why": words(outcome["not_updatable"])},
                words,
            )
        else:
            what = words.existing
    elif outcome.get("flow"):
        what = words.flow_added % {"reference": reference}
    else:
        what = ""
    if outcome.get("flow") and "agreement" in outcome:
        what += " " + words.with_flow % {"number": outcome["flow"].get("number")}
    matches = []
    for key, typed, matched, by in outcome.get("matches", []):
        if matched is None:
            text = words.to_propose % {"name": typed}
        else:
            text = words.matched % {"name": typed, "match": matched, "by": words.by(by)}
        matches.append({"column": words(key), "text": text})
    return {
        "line": outcome["line"],
        "reference": reference,
        "what": what,
        "errors": errors,
        "matches": matches,
    }
