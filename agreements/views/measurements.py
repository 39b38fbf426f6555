"""Measured quantities (``agreements.measurements``): one page per agreement where its park's
staff report and correct what was shared along each flow, year by year or month by month, and
where the officials over the park read them; and the officials' list of the figures awaiting
their review, where they accept or return them.

The agreement is looked up among the user's internal agreements (404 for any other); a signed-
out visitor is sent to sign in; a user who sees the page but may not take a step gets 403."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import ListView, TemplateView

from agreements import measurements, permissions, units
from agreements.history import quantity_changes
from agreements.models import ReportedQuantity
from agreements.views.staff import AgreementStepMixin
from symbiosis.pagination import PageNumberClampMixin

State = ReportedQuantity.ReviewState


# The forms: they read the fields; every rule is the service's (``agreements.measurements``).


class FigureForm(forms.Form):
    """A figure's quantity, unit, source, evidence and notes: what a correction changes.
    ``documents``: the agreement's documents, the evidence to choose from (a list, read once
    for the page)."""

    quantity = forms.DecimalField(label=gettext_lazy("Quantity"), max_digits=16, decimal_places=3)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=units.Unit.choices)
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), choices=ReportedQuantity.Source.choices
    )
    evidence = forms.TypedChoiceField(
        label=gettext_lazy("Evidence"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "A document of the agreement that shows the figure: a meter reading, an invoice. "
            "Upload it on the agreement's documents page first."
        ),
    )
    notes_en = forms.CharField(
        label=gettext_lazy("Notes in English"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes_vi = forms.CharField(
        label=gettext_lazy("Notes in Vietnamese"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = {document.pk: document for document in documents}
        self.fields["evidence"].choices = [("", gettext_lazy("None"))] + [
            (document.pk, document.title) for document in documents
        ]

    def values(self):
        """The cleaned values, as the service takes them."""
        data = dict(self.cleaned_data)
        data["evidence"] = self.documents.get(data.get("evidence"))
        return data


class NewFigureForm(FigureForm):
    """A new figure: for a flow of the agreement, a year, and a month or the whole year. A unit
    left blank is the flow's."""

    field_order = ["flow", "year", "month", "quantity", "unit", "source", "evidence"]

    flow = forms.TypedChoiceField(label=gettext_lazy("Resource flow"), coerce=int)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=2100)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("The whole year"))] + list(MONTHS.items()),
        help_text=gettext_lazy("A year is reported whole or month by month, not both."),
    )

    def __init__(self, *args, flows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.flows = {flow.pk: flow for flow in flows}
        self.fields["flow"].choices = [(flow.pk, flow.label) for flow in flows]
        self.fields["unit"].required = False
        self.fields["unit"].choices = [("", gettext_lazy("The flow's unit"))] + list(
            units.Unit.choices
        )
        if len(flows) == 1:
            self.fields["flow"].initial = flows[0].pk
            self.fields["unit"].initial = flows[0].unit
        self.fields["year"].initial = timezone.localdate().year - 1

    def values(self):
        data = super().values()
        data["flow"] = flow = self.flows[data["flow"]]
        data["unit"] = data["unit"] or flow.unit or flow.resource.unit
        return data


def _add_errors(form, error):
    """A service's ValidationError onto the form: by field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The page of one agreement


class QuantitiesView(AgreementStepMixin, TemplateView):
    """Each flow of the agreement with its reported years and months, their history, a form to
    add a figure and one to correct a figure (``?correct=<id>``): for the park's staff; the
    officials over the park and admins read it and accept or return the figures awaiting
    review (``quantities_review``)."""

    template_name = "agreements/agreement_quantities.html"
    http_method_names = ["get", "post", "head", "options"]
    step_rung = None  # seeing the internal side is enough to read it

    def agreement_queryset(self):
        return super().agreement_queryset().select_related("park")

    def setup_page(self):
        agreement = self.agreement
        self.can_report = permissions.can_report_quantities(self.request.user, agreement)
        self.flows = list(
            agreement.flows.select_related("resource", "provider", "receiver").order_by("pk")
        )
        for flow in self.flows:
            flow.label = f"{flow.resource}: {flow.provider} → {flow.receiver}"
        self.documents = (
            list(agreement.documents.order_by("title", "pk")) if self.can_report else []
        )

    def post(self, request, *args, **kwargs):
        self.setup_page()
        if not self.can_report:
            raise PermissionDenied(
                measurements.NOT_YOUR_PARK
                if not permissions.works_in_park(request.user, self.agreement.park_id)
                else measurements.NOT_VERIFIED
                % {
                    "reference": self.agreement.reference,
                    "state": self.agreement.get_review_state_display().lower(),
                }
            )
        if request.POST.get("action") == "correct":
            return self.correct()
        return self.add()

    def add(self):
        form = NewFigureForm(self.request.POST, flows=self.flows, documents=self.documents)
        if form.is_valid():
            try:
                figure = measurements.report_quantity(**form.values(), user=self.request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    self.request,
                    _("The figure for %(period)s is reported: it awaits an official's review.")
                    % {"period": measurements.period_label(figure.year, figure.month)},
                )
                return redirect(self.page_url(figure))
        return self.render_to_response(self.get_context_data(new_form=form))

    def correct(self):
        figure = self.figure_to_correct(self.request.POST.get("figure"))
        if figure is None:
            messages.error(self.request, _("That figure is no longer on this page."))
            return redirect(self.page_url())
        form = FigureForm(self.request.POST, documents=self.documents, prefix="correct")
        if form.is_valid():
            try:
                figure, was_accepted = measurements.correct_quantity(
                    reported=figure, **form.values(), user=self.request.user
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                period = measurements.period_label(figure.year, figure.month)
                messages.success(
                    self.request,
                    _("The figure for %(period)s is corrected: it awaits an official's review.")
                    % {"period": period},
                )
                if was_accepted:
                    messages.warning(
                        self.request,
                        _(
                            "The figure for %(period)s was accepted: corrected, it leaves the "
                            "public pages until an official accepts it again."
                        )
                        % {"period": period},
                    )
                return redirect(self.page_url(figure))
        return self.render_to_response(self.get_context_data(correct_form=form, correcting=figure))

    def figure_to_correct(self, value):
        if not self.can_report or not str(value or "").isdigit():
            return None
        return (
            ReportedQuantity.objects.filter(flow__agreement=self.agreement, pk=int(value))
            .select_related("flow__resource", "flow__provider", "flow__receiver")
            .first()
        )

    def page_url(self, figure=None):
        url = reverse("agreements:quantities", kwargs={"reference": self.agreement.reference})
        return f"{url}#figure-{figure.pk}" if figure else url

    def get(self, request, *args, **kwargs):
        self.setup_page()
        context = {}
        figure = self.figure_to_correct(request.GET.get("correct"))
        if figure is not None:
            context["correcting"] = figure
            context["correct_form"] = FigureForm(
                documents=self.documents,
                prefix="correct",
                initial={
                    "quantity": figure.quantity,
                    "unit": figure.unit,
                    "source": figure.source,
                    "evidence": figure.evidence_id,
                    "notes_en": figure.notes_en,
                    "notes_vi": figure.notes_vi,
                },
            )
        return self.render_to_response(self.get_context_data(**context))

    def get_context_data(self, **kwargs):
        user = self.request.user
        figures = list(
            ReportedQuantity.objects.filter(flow__in=self.flows)
            .select_related("evidence", "reported_by", "reviewed_by")
            .order_by("flow_id", "year", "month")
        )
        history = {}
        for entry in quantity_changes([flow.pk for flow in self.flows]) if figures else []:
            history.setdefault(entry.row, []).append(entry)
        by_flow = {flow.pk: [] for flow in self.flows}
        for figure in figures:
            figure.entries = history.get(figure.pk, [])
            by_flow[figure.flow_id].append(figure)
        for flow in self.flows:
            flow.figures = by_flow[flow.pk]
        if self.can_report and self.flows and "new_form" not in kwargs:
            kwargs["new_form"] = NewFigureForm(flows=self.flows, documents=self.documents)
        return super().get_context_data(
            flows=self.flows,
            can_report=self.can_report,
            can_review=permissions.reviews_park(user, self.agreement.park_id),
            figure_count=len(figures),
            **kwargs,
        )


# The officials' review


class QuantitiesReviewView(LoginRequiredMixin, UserPassesTestMixin, PageNumberClampMixin, ListView):
    """The figures awaiting review in the official's scope (``permissions.
    reviewable_agreements``), the longest waiting first, 25 a page; POST accepts the figures
    ticked (``action=accept``, ``figure`` for each) or returns one with a comment
    (``action=return``), then goes back to ``next`` (a page of this site) or this list."""

    template_name = "agreements/quantities_review.html"
    http_method_names = ["get", "post", "head", "options"]
    context_object_name = "figures"
    paginate_by = 25

    def test_func(self):
        return permissions.is_reviewer(self.request.user)

    def awaiting(self):
        return measurements.awaiting_review(self.request.user)

    def get_queryset(self):
        return (
            self.awaiting()
            .select_related(
                "flow__agreement",
                "flow__resource",
                "flow__provider",
                "flow__receiver",
                "evidence",
            )
            # Not joined: with one outer join more PostgreSQL took 11 ms to plan the query at
            # 100,000 agreements, 5 ms without, more than a small query of the page's users
            # takes (none at all when no figure of the page names its reporter).
            .prefetch_related("reported_by")
            .order_by("reported_at", "pk")
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        chosen = [value for value in request.POST.getlist("figure") if value.isdigit()]
        figures = list(self.awaiting().filter(pk__in=chosen)) if chosen else []
        try:
            if action == "return":
                if len(figures) != 1:
                    raise ValidationError(measurements.NOTHING_CHOSEN)
                figure = measurements.return_quantity(
                    reported=figures[0], comment=request.POST.get("comment", ""), user=request.user
                )
                messages.success(
                    request,
                    _("The figure for %(period)s is returned to the park staff with your comment.")
                    % {"period": measurements.period_label(figure.year, figure.month)},
                )
            else:
                count = measurements.accept_quantities(reported_list=figures, user=request.user)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d figure accepted: it is now on the public pages.",
                        "%(count)d figures accepted: they are now on the public pages.",
                        count,
                    )
                    % {"count": count},
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(self.next_url())

    def next_url(self):
        url = self.request.POST.get("next", "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return reverse("agreements:quantities-review")
