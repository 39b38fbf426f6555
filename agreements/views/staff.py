"""Park staff's and officials' pages: my agreements, entering and editing an agreement with its
parties and flows, documents, submission, review, history, and the organisation picker.

Every agreement is looked up in ``permissions.internal_agreements(user)``: an agreement the
user has no part in answers 404, whatever its state. A user who sees it but may not take the
step gets 403 with the reason (``AgreementStepMixin``); a signed-out visitor is sent to sign in.
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Window
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from agreements import permissions, services
from agreements.documents import DocumentForm
from agreements.forms import AgreementEntry, ResourceProposalForm, ReviewForm, resource_label
from agreements.history import agreement_changes
from agreements.models import Agreement, Resource, SymbiosisKind
from agreements.symbiosis_kinds import suggested_kind_of
from parks.forms import OrganisationForm
from parks.lookup import find_organisations, organisation_label
from parks.models import Organisation
from symbiosis.pagination import PageNumberClampMixin
from symbiosis.search import fold

ORGANISATION_PREFIX = "organisation"
RESOURCE_PREFIX = "resource"


def blank_organisation_fields():
    """The fields of the "add a missing organisation" dialog as it opens, unfilled. Their lists
    (every country, every language, the ISIC divisions, Viet Nam's provinces: some 470 choices)
    are the same for everyone and change only with the code, so they are drawn once per
    language and process, not on every agreement form (with debug on, every time, so that an
    edited template shows at once)."""
    if settings.DEBUG:
        return _draw_blank_organisation_fields()
    return _blank_organisation_fields(get_language())


@functools.cache
def _blank_organisation_fields(language):
    return _draw_blank_organisation_fields()


def _draw_blank_organisation_fields():
    return render_to_string(
        "agreements/_organisation_fields.html",
        {"form": OrganisationForm(prefix=ORGANISATION_PREFIX)},
    )


SEARCH_MIN_LETTERS = 2
SEARCH_MAX_RESULTS = 20


def _base_url(request):
    return request.build_absolute_uri("/")


def _mine_url(agreement=None):
    url = reverse("agreements:mine")
    return f"{url}#agreement-{agreement.pk}" if agreement else url


class AgreementStepMixin(UserPassesTestMixin):
    """A page for one step on the agreement named in the URL: ``self.agreement``, looked up
    among the user's internal agreements (404 for any other), once the user is known to stand
    on the rung of ``permissions`` the step needs (``step_rung``: ``works_in_park`` or
    ``reviews_park``; None when seeing the internal side is enough) and the agreement to be in
    a state that allows the step (``step_allowed``). Otherwise 403 saying why: ``not_your_step``
    or ``not_now``; a signed-out visitor is sent to sign in."""

    step_rung = staticmethod(permissions.works_in_park)
    step_allowed = staticmethod(lambda agreement: True)
    not_your_step = ""
    not_now = ""

    def agreement_queryset(self):
        return Agreement.objects.all()

    def dispatch(self, request, *args, **kwargs):
        # A signed-out visitor is sent to sign in, and a method the page does not take is
        # refused, before the agreement is looked up.
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def test_func(self):
        user = self.request.user
        self.agreement = agreement = get_object_or_404(
            permissions.internal_agreements(user, self.agreement_queryset()),
            reference=self.kwargs["reference"],
        )
        if self.step_rung is not None and not self.step_rung(user, agreement.park_id):
            self.permission_denied_message = self.not_your_step
            return False
        if not self.step_allowed(agreement):
            state = agreement.get_review_state_display().lower()
            self.permission_denied_message = self.not_now % {"state": state}
            return False
        return True

    def get_context_data(self, **kwargs):
        return super().get_context_data(agreement=self.agreement, **kwargs)


class MyAgreementsView(LoginRequiredMixin, PageNumberClampMixin, ListView):
    """The staff member's parks' agreements in every state, 25 a page, the last saved first,
    narrowed to one state by ``?state=``; above them, what needs their attention: the
    agreements returned to them (the latest returns first) and, for officials, those awaiting
    their review (the longest waiting first), the first few of each with how many there are in
    all."""

    template_name = "agreements/agreement_mine.html"
    http_method_names = ["get", "head", "options"]
    context_object_name = "agreements"
    paginate_by = 25
    work_list_limit = 10

    STATES = {
        Agreement.ReviewState.RETURNED: gettext_lazy("Returned to you for changes"),
        Agreement.ReviewState.DRAFT: gettext_lazy("Drafts"),
        Agreement.ReviewState.SUBMITTED: gettext_lazy("Awaiting verification"),
        Agreement.ReviewState.VERIFIED: gettext_lazy("Verified and public"),
    }

    def get_queryset(self):
        state = self.request.GET.get("state", "")
        self.state = state if state in self.STATES else ""
        own = permissions.staff_agreements(self.request.user)
        if self.state:
            own = own.filter(review_state=self.state)
        return own.select_related("park", "reviewed_by").order_by("-updated_at", "reference")

    def get_context_data(self, **kwargs):
        user = self.request.user
        own = permissions.staff_agreements(user)
        counts = dict(
            own.order_by().values_list("review_state").annotate(count=Count("pk")).order_by()
        )
        states = [
            {"state": state, "title": title, "count": counts.get(state, 0)}
            for state, title in self.STATES.items()
        ]
        is_park_staff = permissions.is_park_staff(user)
        is_reviewer = permissions.is_reviewer(user)
        returned, awaiting = [], []
        if not self.state:
            if is_park_staff:
                returned = list(
                    own.returned_for_changes()
                    .reverse()
                    .select_related("park", "reviewed_by")[: self.work_list_limit]
                )
            if is_reviewer:
                awaiting = list(
                    permissions.reviewable_agreements(user)
                    .awaiting_verification()
                    .select_related("park")
                    .annotate(total=Window(Count("pk")))[: self.work_list_limit]
                )
        return super().get_context_data(
            state=self.state,
            state_title=self.STATES.get(self.state, ""),
            states=states,
            own_count=sum(counts.values()),
            returned=returned,
            returned_count=counts.get(Agreement.ReviewState.RETURNED, 0),
            awaiting_review=awaiting,
            awaiting_count=awaiting[0].total if awaiting else 0,
            is_reviewer=is_reviewer,
            is_park_staff=is_park_staff,
            can_create=permissions.can_create_agreement(user),
            can_import=permissions.can_import_agreements(user),
            **kwargs,
        )


class AgreementEntryMixin:
    """One page for the agreement, its parties and its flows (``AgreementEntry``, shown as
    ``entry``): all saved, or none. For ``CreateView`` and ``UpdateView``."""

    template_name = "agreements/agreement_form.html"
    http_method_names = ["get", "post", "head", "options"]
    form_class = AgreementEntry
    context_object_name = "agreement"
    # A form sent with more fields than a request may carry is shown again from those read.
    shows_cut_forms = True

    def get_form_kwargs(self):
        kwargs = {"user": self.request.user, "instance": self.object, "initial": self.get_initial()}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
            kwargs["cut"] = getattr(self.request, "form_cut", False)
        return kwargs

    def form_valid(self, entry):
        adding = entry.instance.pk is None
        try:
            agreement, reverted = services.save_agreement(
                **entry.cleaned_data_for_service(), user=self.request.user
            )
        except services.TransitionError as error:
            entry.form.add_error(None, str(error))
            return self.form_invalid(entry)
        except services.EditConflict:
            if adding:
                # Another save took this reference (or row) a moment before this one.
                entry.instance.pk = None
                entry.instance._state.adding = True
                entry.form.add_error(
                    None,
                    _(
                        "Another save changed the registry at the same moment (perhaps with "
                        "the same reference), so nothing is saved. Check the form and save "
                        "again."
                    ),
                )
            else:
                entry.add_conflict()
            return self.form_invalid(entry)
        messages.success(
            self.request,
            _(
                "%(reference)s is saved. When its signed document is uploaded and "
                "everything is right, submit it for verification."
            )
            % {"reference": agreement.reference},
        )
        if reverted:
            messages.warning(
                self.request,
                services.BACK_TO_DRAFT % {"reference": agreement.reference},
            )
        return redirect(_mine_url(agreement))

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"] = self.get_form()
        kwargs["entry"] = kwargs["form"]
        return super().get_context_data(
            organisation_fields=blank_organisation_fields(),
            resource_form=ResourceProposalForm(prefix=RESOURCE_PREFIX, user=self.request.user)
            if permissions.can_propose_resource(self.request.user)
            else None,
            **kwargs,
        )


class AgreementCreateView(UserPassesTestMixin, AgreementEntryMixin, CreateView):
    permission_denied_message = gettext_lazy("Only park staff enter agreements.")

    def test_func(self):
        return permissions.can_create_agreement(self.request.user)

    def get_initial(self):
        initial = {}
        # ?kind=shared_service: the form opens with that kind and its kind of symbiosis.
        if (kind := self.request.GET.get("kind")) in Agreement.Kind.values:
            initial["kind"] = kind
        park = self.request.GET.get("park")
        if park:
            chosen = permissions.staffed_parks(self.request.user).filter(slug=park).first()
            if chosen:
                initial["park"] = chosen.pk
        return initial


class AgreementUpdateView(AgreementStepMixin, AgreementEntryMixin, UpdateView):
    step_allowed = staticmethod(lambda agreement: agreement.is_editable)
    not_your_step = gettext_lazy("Only the park's staff edit its agreements.")
    not_now = services.EDITS_AWAIT_VERIFICATION

    def get_object(self, queryset=None):
        return self.agreement


@login_required
@require_POST
def submit(request, reference):
    agreement = get_object_or_404(
        permissions.internal_agreements(request.user), reference=reference
    )
    if not permissions.works_in_park(request.user, agreement.park_id):
        raise PermissionDenied(_("Only the park's staff submit its agreements."))
    try:
        services.submit_agreement(
            agreement=agreement, user=request.user, base_url=_base_url(request)
        )
    except services.TransitionError as error:
        messages.error(
            request,
            _("%(reference)s was not submitted. %(reason)s")
            % {"reference": agreement.reference, "reason": error},
        )
    else:
        messages.success(
            request,
            _("%(reference)s is submitted: the officials are told it awaits their verification.")
            % {"reference": agreement.reference},
        )
    return redirect(_mine_url(agreement))


class ReviewView(AgreementStepMixin, FormView):
    """An official reads a submitted agreement, then verifies or returns it."""

    template_name = "agreements/agreement_review.html"
    http_method_names = ["get", "post", "head", "options"]
    form_class = ReviewForm
    step_rung = staticmethod(permissions.reviews_park)
    step_allowed = staticmethod(lambda agreement: agreement.is_awaiting_verification)
    not_your_step = services.REVIEWED_BY_OVERSEEING_OFFICIALS
    not_now = gettext_lazy("This agreement is not awaiting verification (it is %(state)s).")

    def agreement_queryset(self):
        return Agreement.objects.for_detail_page()

    def form_valid(self, form):
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        step, message = {
            ReviewForm.VERIFY: (
                services.verify_agreement,
                _("%(reference)s is verified: it is now on the public pages."),
            ),
            ReviewForm.RETURN: (
                services.return_agreement,
                _("%(reference)s is returned to the park staff with your comment."),
            ),
        }[decision]
        try:
            step(
                agreement=self.agreement,
                user=self.request.user,
                comment=comment,
                base_url=_base_url(self.request),
            )
        except services.TransitionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, message % {"reference": self.agreement.reference})
        return redirect("agreements:mine")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            problems=services.completeness_problems(self.agreement),
            proposals=services.proposals_of(self.agreement),
            suggested_symbiosis_kind=SymbiosisKind(suggested_kind_of(self.agreement)),
            **kwargs,
        )


class DocumentUploadView(AgreementStepMixin, CreateView):
    template_name = "agreements/document_form.html"
    http_method_names = ["get", "post", "head", "options"]
    form_class = DocumentForm
    step_allowed = staticmethod(lambda agreement: agreement.is_editable)
    not_your_step = gettext_lazy("Only the park's staff add documents to its agreements.")
    not_now = services.DOCUMENTS_AWAIT_VERIFICATION

    def form_valid(self, form):
        try:
            document, reverted = services.attach_document(
                agreement=self.agreement, **form.cleaned_data_for_service(), user=self.request.user
            )
        except services.TransitionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(title)s” is added to %(reference)s.")
            % {"title": document.title, "reference": self.agreement.reference},
        )
        if reverted:
            messages.warning(
                self.request,
                _(
                    "%(reference)s was verified: with this document it is a draft again and "
                    "leaves the public pages until an official verifies it. Submit it when "
                    "it is ready."
                )
                % {"reference": self.agreement.reference},
            )
        return redirect(_mine_url(self.agreement))

    def get_context_data(self, **kwargs):
        documents = self.agreement.documents.order_by("-uploaded_at")
        return super().get_context_data(documents=documents, **kwargs)


class HistoryView(AgreementStepMixin, DetailView):
    """Every change to an agreement, its parties and flows: for whoever sees its internal
    side (``permissions.can_see_internal``)."""

    template_name = "agreements/agreement_history.html"
    http_method_names = ["get", "head", "options"]
    step_rung = None  # internal_agreements is the whole check

    def get_object(self, queryset=None):
        return self.agreement

    def get_context_data(self, **kwargs):
        return super().get_context_data(entries=agreement_changes(self.agreement), **kwargs)


@login_required
@require_GET
def organisation_search(request):
    """Organisations whose name, in either language, contains what was typed, accents and case
    ignored, exact names first: {"results": [{"id", "label", "kind"}]}."""
    query = request.GET.get("q", "")[:100]
    results = []
    if len(fold(query)) >= SEARCH_MIN_LETTERS:
        results = [
            {
                "id": organisation.pk,
                "label": organisation_label(organisation),
                "kind": organisation.get_kind_display(),
            }
            for organisation in find_organisations(query, limit=SEARCH_MAX_RESULTS).matches
        ]
    return JsonResponse({"results": results})


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_create(request):
    """Add a missing organisation: from the agreement form's dialog (JSON), or as a page of its
    own (opened in a new tab without JavaScript)."""
    user = request.user
    if not permissions.can_add_organisation(user):
        raise PermissionDenied(_("Only park staff and officials add organisations."))
    may_add_nationwide = permissions.can_create_nationwide_organisation(user)
    if request.method == "POST":
        form = OrganisationForm(
            request.POST, prefix=ORGANISATION_PREFIX, may_add_nationwide=may_add_nationwide
        )
        if form.is_valid():
            organisation = form.save(commit=False)
            organisation.mark_proposed(by=user, confirmed=permissions.confirms_at_once(user))
            organisation.save()
            if _wants_json(request):
                return JsonResponse(
                    {"id": organisation.pk, "label": organisation_label(organisation)},
                    status=201,
                )
            messages.success(
                request,
                _(
                    "%(name)s is added. Go back to the agreement's tab and type its name in a "
                    "party's “Or find it by name” box: it is looked up when you save."
                )
                % {"name": organisation_label(organisation)},
            )
            if not organisation.is_confirmed:
                messages.info(request, AWAITS_CONFIRMATION)
            return redirect("agreements:organisation-create")
        if _wants_json(request):
            html = render_to_string(
                "agreements/_organisation_fields.html", {"form": form}, request=request
            )
            return JsonResponse({"html": html}, status=400)
    else:
        form = OrganisationForm(prefix=ORGANISATION_PREFIX)
    return render(request, "agreements/organisation_form.html", {"form": form})


AWAITS_CONFIRMATION = gettext_lazy(
    "It can be used in your park's agreements at once; it shows on the public pages once an "
    "official has confirmed it (verifying an agreement that uses it confirms it)."
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_create(request):
    """Propose a resource missing from the flows' list: from the agreement form's dialog (JSON),
    or as a page of its own (opened in a new tab without JavaScript)."""
    user = request.user
    if not permissions.can_propose_resource(user):
        raise PermissionDenied(_("Only park staff propose resources."))
    if request.method == "POST":
        form = ResourceProposalForm(request.POST, prefix=RESOURCE_PREFIX, user=user)
        if form.is_valid():
            resource = form.save()
            if _wants_json(request):
                return JsonResponse(
                    {"id": resource.pk, "label": str(resource_label(resource))}, status=201
                )
            messages.success(
                request,
                _(
                    "%(name)s is added. Go back to the agreement's tab and reload it: the "
                    "resource is in the flows' lists (what you typed there is kept only once "
                    "saved)."
                )
                % {"name": resource.name},
            )
            if not resource.is_confirmed:
                messages.info(request, AWAITS_CONFIRMATION)
            return redirect("agreements:resource-create")
        if _wants_json(request):
            html = render_to_string(
                "agreements/_resource_fields.html", {"form": form}, request=request
            )
            return JsonResponse({"html": html}, status=400)
    else:
        form = ResourceProposalForm(prefix=RESOURCE_PREFIX, user=user)
    return render(request, "agreements/resource_form.html", {"form": form})


class ProposalsView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Officials' queue of what park staff proposed: the unconfirmed resources of the parks they
    oversee and the unconfirmed organisations, the oldest first, each with a Confirm button
    (``proposal_confirm``). Verifying an agreement confirms those it uses, too."""

    template_name = "agreements/proposals.html"
    http_method_names = ["get", "head", "options"]
    permission_denied_message = gettext_lazy("Only officials confirm proposals.")
    limit = 50

    def test_func(self):
        return permissions.is_reviewer(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        resources = list(
            permissions.confirmable_resources(user, Resource.objects.unconfirmed())
            .select_related("proposed_by", "proposed_for_park")
            .annotate(total=Window(Count("pk")))
            .order_by("pk")[: self.limit]
        )
        organisations = list(
            Organisation.objects.unconfirmed()
            .select_related("proposed_by", "park")
            .annotate(total=Window(Count("pk")))
            .order_by("pk")[: self.limit]
        )
        return super().get_context_data(
            resources=resources,
            organisations=organisations,
            resource_count=resources[0].total if resources else 0,
            organisation_count=organisations[0].total if organisations else 0,
            limit=self.limit,
            **kwargs,
        )


PROPOSAL_MODELS = {"resource": Resource, "organisation": Organisation}


@login_required
@require_POST
def proposal_confirm(request, kind, pk):
    """An official confirms one proposed resource or organisation: it shows on the public pages."""
    model = PROPOSAL_MODELS.get(kind)
    if model is None:
        raise Http404
    proposal = get_object_or_404(model.objects.select_for_update(), pk=pk)
    if not permissions.can_confirm(request.user, proposal):
        raise PermissionDenied(_("Only the officials overseeing its park confirm it."))
    name = proposal.label if kind == "organisation" else proposal.name
    if proposal.confirm(by=request.user):
        messages.success(
            request, _("%(name)s is confirmed: it shows on the public pages.") % {"name": name}
        )
    else:
        messages.info(request, _("%(name)s was already confirmed.") % {"name": name})
    return redirect("agreements:proposals")
