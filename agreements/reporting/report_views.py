"""A park's symbiosis report for a year (``agreements/reporting/eip.py``): the printable page
and its workbook, for the park's staff, the officials overseeing it and admins
(``permissions.can_see_park_report``). A signed-out visitor is sent to sign in, anyone else
gets 403."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, View

from agreements import permissions
from agreements.reporting import eip, figures, report_export
from agreements.views.parks import ParkAccessMixin

# The years a report can be asked for: none before the registry's oldest agreements could start,
# none after this one.
FIRST_YEAR = 1990
# How many years the picker offers as links, the latest first.
YEARS_OFFERED = 10


def years_offered(today):
    return list(range(today.year, max(FIRST_YEAR, today.year - YEARS_OFFERED) - 1, -1))


class ReportAccessMixin(ParkAccessMixin):
    http_method_names = ["get", "head", "options"]
    permission_denied_message = gettext_lazy(
        "Only the park's staff and the officials overseeing it see its symbiosis report."
    )

    def allowed(self, user):
        return permissions.can_see_park_report(user, self.park)

    def keep(self, year):
        """The report's figures of ``year`` kept with the park's (``figures.for_park_report``)."""
        park_id = self.park.pk
        return lambda compute: figures.for_park_report(park_id, year=year, compute=compute)

    def report_year(self):
        year = self.kwargs["year"]
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise Http404(_("No report for that year."))
        return year


class ParkReportRedirectView(ReportAccessMixin, View):
    """``/parks/<slug>/report/``: last year's report, or the year of the picker (``?year=``);
    a year that is no number or out of range says so and opens last year's."""

    def get(self, request, slug):
        today = timezone.localdate()
        year = eip.last_year(today)
        asked = request.GET.get("year")
        if asked is not None:
            try:
                chosen = int(asked)
            except ValueError:
                chosen = None
            if chosen is not None and FIRST_YEAR <= chosen <= today.year:
                year = chosen
            else:
                messages.error(
                    request,
                    _("Choose a year from %(first)d to %(last)d.")
                    % {"first": FIRST_YEAR, "last": today.year},
                )
        return redirect("parks:report", slug=self.park.slug, year=year)


class ParkReportView(ReportAccessMixin, DetailView):
    template_name = "reporting/park_report.html"
    context_object_name = "park"

    def get_context_data(self, **kwargs):
        year = self.report_year()
        today = timezone.localdate()
        report = eip.park_report(self.park, year, keep=self.keep(year))
        return super().get_context_data(
            report=report,
            tenant_rows=eip.tenant_rows(report.tenants),
            year=year,
            years=years_offered(today),
            first_year=FIRST_YEAR,
            last_year=today.year,
            today=today,
            xlsx_url=reverse("parks:report-xlsx", kwargs={"slug": self.park.slug, "year": year}),
            **kwargs,
        )


class ParkReportXlsxView(ReportAccessMixin, View):
    def get(self, request, slug, year):
        year = self.report_year()
        report = eip.park_report(self.park, year, keep=self.keep(year))
        output = report_export.workbook(report, generated_on=timezone.localdate())
        return FileResponse(
            output,
            as_attachment=True,
            filename=report_export.file_name(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
