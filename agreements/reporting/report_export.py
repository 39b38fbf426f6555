"""A park's symbiosis report as a workbook: one sheet per section of the page (activities,
tenants, criteria, about), the same figures (``eip.park_report``), in the reader's language.
Text that a spreadsheet would run as a formula is made inert (``exports.inert``)."""

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from agreements.reporting.exports import inert


def file_name(report):
    return f"symbiosis-report-{report.park.slug}-{report.year}.xlsx"


def _cell(value):
    return inert(value) if isinstance(value, str) else value


def _sheet(workbook, title, header, rows, widths=()):
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append([_cell(str(text)) for text in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    return sheet


def _yes_no(value):
    return _("yes") if value else _("no")


def activity_rows(report):
    for group in report.groups:
        for activity in group.activities:
            agreement = activity.agreement
            parties = "; ".join(
                f"{party.organisation.name} ({party.role_label})"
                for party in agreement.parties.all()
            )
            documents = "; ".join(document.title for document in agreement.documents.all())
            common = [
                str(group.label),
                agreement.reference,
                agreement.title,
                parties,
                documents,
                _yes_no(activity.has_evidence),
            ]
            if not activity.flows:
                yield common
            for flow in activity.flows:
                resource = flow.resource
                yield [
                    *common,
                    flow.provider.name,
                    resource.name,
                    flow.receiver.name,
                    str(flow.figures_unit_label),
                    flow.agreed.quantity if flow.agreed else None,
                    flow.measured.quantity if flow.measured else None,
                    flow.agreed.tonnes_co2e if flow.agreed else None,
                    flow.measured.tonnes_co2e if flow.measured else None,
                    *_factor(flow),
                    flow.baseline_text,
                    flow.claimed_by_label if flow.claimed_by else "",
                ]


def _factor(flow):
    """The emission factor of the year the flow's tonnes use: value, its unit, source, year."""
    resource = flow.resource
    if resource.emission_factor is None:
        return [None, "", "", None]
    if flow.year_factor_value is not None:
        return [
            flow.year_factor_value,
            str(flow.year_factor_unit_label),
            flow.year_factor_source,
            flow.year_factor_year,
        ]
    current = resource.current_factor
    return [
        resource.emission_factor,
        resource.get_unit_display(),
        resource.emission_factor_source,
        current.year if current is not None else None,
    ]


def activity_header():
    return [
        _("Kind of symbiosis"),
        _("Reference"),
        _("Title"),
        _("Parties"),
        _("Documents"),
        _("Evidence"),
        _("Provider"),
        _("Resource"),
        _("Receiver"),
        _("Unit"),
        _("Agreed quantity per year"),
        _("Measured quantity in the year (accepted)"),
        _("t CO2e avoided per year, agreed"),
        _("t CO2e avoided in the year, measured"),
        _("Emission factor (kg CO2e per unit)"),
        _("Unit of the emission factor"),
        _("Source of the emission factor"),
        _("Year of the emission factor"),
        _("Baseline"),
        _("Avoided emissions claimed by"),
    ]


def criterion_rows(report):
    for result in report.criteria:
        criterion = result.criterion
        yield [
            result.text,
            criterion.legal_reference,
            criterion.get_indicator_display(),
            criterion.get_comparison_display(),
            criterion.threshold,
            result.figure,
            str(result.outcome_label),
        ]


def workbook(report, *, generated_on):
    """A temporary file holding the report's workbook, rewound to its start (the response that
    sends it closes it)."""
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        _("Activities"),
        activity_header(),
        activity_rows(report),
        widths=[30, 18, 40, 50, 30, 10, 30, 30, 30, 10, 14, 14, 14, 14, 14, 10, 30, 10, 24, 18],
    )
    tenants = _sheet(
        book,
        _("Tenants"),
        [_("Tenant company"), _("Takes part in a symbiosis activity")],
        ([tenant.name, _yes_no(tenant.takes_part)] for tenant in report.tenants),
        widths=[50, 20],
    )
    tenants.append([])
    tenants.append([_("Tenant companies"), report.tenant_count])
    tenants.append([_("Taking part"), report.taking_part])
    tenants.append([_("Share taking part (%)"), report.tenant_share])
    _sheet(
        book,
        _("Criteria"),
        [
            _("Criterion"),
            _("Legal reference"),
            _("Indicator"),
            _("Comparison"),
            _("Threshold"),
            _("Figure"),
            _("Outcome"),
        ],
        criterion_rows(report),
        widths=[60, 30, 50, 12, 12, 12, 16],
    )
    _sheet(
        book,
        _("About"),
        [_("Symbiosis report"), report.park.name],
        [
            [_("Year"), report.year],
            [_("Generated on"), generated_on],
            [_("Symbiosis activities"), report.activity_count],
            [_("Activities without evidence"), report.activities_without_evidence],
            [_("Resource flows"), report.flow_count],
            [_("Flows with an accepted measured quantity"), report.measured_flow_count],
            [_("Share of flows measured (%)"), report.measured_share],
            [_("t CO2e avoided in the year, agreed"), report.agreed_tonnes],
            [_("t CO2e avoided in the year, measured"), report.measured_tonnes],
            [
                _("Notes"),
                _(
                    "Symbiosis activities: verified agreements of the park in force on at least "
                    "one day of the year. Agreed quantities are per year as the agreement states "
                    "them; measured quantities are the accepted figures reported for the year. "
                    "Both are in one unit per dimension (MWh, t, m³); their tonnes of CO2e use "
                    "the emission factor in force that year. The two are never added together."
                ),
            ],
        ],
        widths=[40, 80],
    )
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    book.save(output)
    output.seek(0)
    return output
