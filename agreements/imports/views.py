"""The import's pages: upload a file, its preview (analysed a chunk at a time, with progress),
confirm it, and the template file.

Park staff import into their parks, officials into the parks they oversee
(``permissions.can_import_agreements``, ``can_import_into``); a batch is seen and confirmed by
whoever uploaded it only.

While a batch is analysed, each visit to its preview analyses the next ``CHUNK_ROWS`` rows and
answers with the progress and ``<meta http-equiv="refresh" content="0">``: the browser asks for
the next chunk at once, with JavaScript off too, and no task queue is needed. Once analysed, the
preview reads the batch in one query and lists its rows a page at a time, errors first.
"""

import contextlib
import datetime
import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
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


@login_required
@require_http_methods(["GET", "HEAD"])
def preview(request, pk):
    """The batch's progress while it is analysed (each visit analyses the next chunk), then its
    outcomes, errors first, and the confirm form."""
    batch = _batch(request, pk)
    if not batch.is_finished:
        batch.refresh_from_db(fields=["rows"])
        analysis.analyse_next(batch)
        if not batch.is_finished:
            return render(
                request,
                "agreements/import_progress.html",
                {"batch": batch, "refresh": True},
            )
    # Errors first; only the page shown is put in the reader's words (a batch holds up to
    # IMPORT_MAX_ROWS outcomes, a page OUTCOMES_PER_PAGE).
    outcomes = sorted(batch.outcomes, key=lambda row: (not row.get("errors"), row["line"]))
    page = Paginator(outcomes, OUTCOMES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [_shown(outcome, batch) for outcome in page.object_list]
    counts = batch.state["counts"]
    return render(
        request,
        "agreements/import_preview.html",
        {
            "batch": batch,
            "counts": counts,
            "page_obj": page,
            "can_confirm": analysis.can_confirm(batch),
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


def _message(key, msgid, params):
    params = dict(params)
    if "choices" in params and key in c.CHOICES:
        params["choices"] = ", ".join(str(label) for _v, label in c.CHOICES[key].choices)
    text = _(msgid)
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


def _shown(outcome, batch):
    """An outcome as the preview shows it, in the reader's language."""
    errors = [
        {"column": _(key), "message": _message(key, msgid, params)}
        for key, msgid, params in outcome.get("errors", [])
    ]
    reference = outcome["reference"]
    agreement = batch.state.get("agreements", {}).get(reference, {})
    if outcome.get("agreement") == analysis.NEW:
        what = _("New agreement")
    elif outcome.get("agreement") == analysis.EXISTING:
        if agreement.get("not_updatable"):
            what = _message(
                c.REFERENCE,
                analysis.NOT_UPDATABLE,
                {"reference": reference, "why": _(agreement["not_updatable"])},
            )
        else:
            what = _("Already in the registry: skipped or updated, as you choose below")
    elif outcome.get("flow"):
        what = _("Flow added to %(reference)s") % {"reference": reference}
    else:
        what = ""
    if outcome.get("flow") and "agreement" in outcome:
        what += " " + _("with its flow %(number)s") % {"number": outcome["flow"].get("number")}
    matches = []
    for key, typed, matched, by in outcome.get("matches", []):
        if matched is None:
            text = _("%(name)s: not in the registry, to be proposed") % {"name": typed}
        else:
            text = _("%(name)s: matched %(match)s (%(by)s)") % {
                "name": typed,
                "match": matched,
                "by": BY_LABELS.get(by, by),
            }
        matches.append({"column": _(key), "text": text})
    return {
        "line": outcome["line"],
        "reference": reference,
        "what": what,
        "errors": errors,
        "matches": matches,
    }
