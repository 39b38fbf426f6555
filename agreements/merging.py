"""Merging duplicates: two organisations, or two resources, that are the same ("Asnaes Power
Station" and "Asnæs Power Station") become one. Officials do it (``permissions.can_merge``),
from the merge pages or the admin, through these functions.

A merge runs in one transaction and loses nothing a verified agreement needs:

- every row pointing at the duplicate points at the kept record instead: parties, flows
  (provider, receiver, resource), parks it develops or manages, its officials, its
  predecessors, and the history records of parties and flows (django-simple-history keeps the
  organisation's and resource's keys: rewritten, so that history pages name a record that
  exists). The rows are found from the models themselves (``_repoint``), so a model added later
  with a foreign key to an organisation or a resource moves with the others;
- the parties and flows changed get a history record each, by the official, whose change
  reason names the merge (``MERGE_REASON``): an agreement's history says what happened;
- when both were parties to one agreement, the duplicate's party row is folded into the kept
  one: the kept party takes the stricter role (signatory, then witness, then facilitator: the
  one that commits the organisation most) and, if it names no representative, the
  duplicate's; the folded row is deleted (with its history record);
- a merge that would make a flow's provider its receiver (a flow between the two) is
  refused, as is a resource merge that would leave a flow in a unit the kept resource cannot
  be measured in: the official corrects the agreement first;
- the duplicate's names (each language, its short name, its own aliases) become the kept
  record's aliases, found by every search; its blank details are filled from the duplicate's;
- a ``Merge`` records it; the agreements' copies of their parties' and resources' names are
  refreshed, and the cached pages dropped.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from agreements import units
from agreements.models import Agreement, Merge, Party, Resource, ResourceFlow
from parks.models import AuthorityMembership, Organisation
from symbiosis.caching import bulk_written

# The change reason of the history records a merge writes: "merge:<pk of the Merge>", read by
# ``agreements.history`` to say "merged into ...".
MERGE_REASON = "merge:{pk}"
# Roles from the one that commits an organisation most.
ROLE_ORDER = [Party.Role.SIGNATORY, Party.Role.WITNESS, Party.Role.FACILITATOR]
# How many agreements a refusal names at most.
NAMED_AT_MOST = 5


class MergeRefused(Exception):
    """A merge that cannot be made; its message says why, for the official."""


@dataclass
class MergePlan:
    """What a merge would move, and why it cannot be made, if it cannot (``problems``)."""

    parties: int = 0
    flows: int = 0
    agreements: int = 0
    verified_agreements: int = 0
    folded_parties: int = 0
    problems: list = field(default_factory=list)

    @property
    def possible(self):
        return not self.problems


def _references(agreement_ids):
    references = Agreement.objects.filter(pk__in=agreement_ids).order_by("reference")
    return ", ".join(references.values_list("reference", flat=True)[:NAMED_AT_MOST])


def plan_organisation_merge(*, keep, duplicate):
    """What merging ``duplicate`` into ``keep`` would move: a fixed number of queries."""
    if keep.pk == duplicate.pk:
        return MergePlan(problems=[_("Choose two different organisations.")])
    parties = Party.objects.filter(organisation=duplicate)
    flows = ResourceFlow.objects.filter(Q(provider=duplicate) | Q(receiver=duplicate))
    agreements = Agreement.objects.filter(
        Q(pk__in=parties.values("agreement_id")) | Q(pk__in=flows.values("agreement_id"))
    )
    plan = MergePlan(
        parties=parties.count(),
        flows=flows.count(),
        agreements=agreements.count(),
        verified_agreements=agreements.public().count(),
        folded_parties=parties.filter(agreement__parties__organisation=keep).count(),
    )
    between = ResourceFlow.objects.filter(
        Q(provider=duplicate, receiver=keep) | Q(provider=keep, receiver=duplicate)
    ).values("agreement_id")
    named = _references(between)
    if named:
        plan.problems.append(
            _(
                "%(duplicate)s and %(kept)s exchange a resource in %(references)s: merged, "
                "that flow would go from an organisation to itself. Correct the flow first."
            )
            % {"duplicate": duplicate.label, "kept": keep.label, "references": named}
        )
    return plan


def plan_resource_merge(*, keep, duplicate):
    """What merging ``duplicate`` into ``keep`` would move: a fixed number of queries."""
    if keep.pk == duplicate.pk:
        return MergePlan(problems=[_("Choose two different resources.")])
    flows = ResourceFlow.objects.filter(resource=duplicate)
    agreements = Agreement.objects.filter(pk__in=flows.values("agreement_id"))
    plan = MergePlan(
        flows=flows.count(),
        agreements=agreements.count(),
        verified_agreements=agreements.public().count(),
    )
    flow_units = {unit or duplicate.unit for unit in flows.values_list("unit", flat=True)}
    if not units.convertible(duplicate.unit, keep.unit):
        flow_units.add(duplicate.unit)
    unfit = sorted(unit for unit in flow_units if not units.convertible(unit, keep.unit))
    if unfit:
        plan.problems.append(
            _(
                "%(kept)s is measured in %(unit)s, and flows of %(duplicate)s are in %(units)s, "
                "which cannot be converted to it: choose resources measured alike."
            )
            % {
                "kept": keep.name,
                "unit": keep.get_unit_display(),
                "duplicate": duplicate.name,
                "units": ", ".join(str(units.label(unit)) for unit in unfit),
            }
        )
    return plan


def _foreign_keys_to(model):
    """Every foreign key (model, field) of every installed model, the history records'
    included, that points at ``model``."""
    for related in apps.get_models():
        if related._meta.proxy or not related._meta.managed:  # their table is another's
            continue
        for model_field in related._meta.concrete_fields:
            if (
                model_field.is_relation
                and model_field.many_to_one
                and model_field.related_model._meta.concrete_model is model
            ):
                yield related, model_field


def _repoint(model, *, duplicate, keep, skip=()):
    """Point every row that points at ``duplicate`` at ``keep`` instead, one UPDATE per foreign
    key, but those of ``skip`` ((model, field name) already moved)."""
    for related, model_field in _foreign_keys_to(model):
        if (related, model_field.name) in skip:
            continue
        related._base_manager.filter(**{model_field.attname: duplicate.pk}).update(
            **{model_field.attname: keep.pk}
        )


def _locked(model, *records):
    """The rows of ``records`` read again under lock, or MergeRefused if one is gone (merged by
    someone else meanwhile)."""
    pks = [record.pk for record in records]
    found = model._base_manager.select_for_update().in_bulk(pks)
    if len(found) != len(set(pks)):
        raise MergeRefused(_("One of them has just been merged or deleted: start again."))
    return [found[pk] for pk in pks]


def _stricter(one, other):
    return min(one, other, key=ROLE_ORDER.index)


def _fill_blanks(keep, duplicate, names):
    for name in names:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))


def _confirm_if_the_duplicate_was(keep, duplicate, *, by):
    """A public duplicate merged into a proposal awaiting confirmation would vanish from the
    public pages: the official merging them confirms the kept record then."""
    if duplicate.is_confirmed and not keep.is_confirmed:
        keep.confirmed_at = timezone.now()
        keep.confirmed_by = by


def _finish(merge, *, agreement_ids):
    """Refresh the copies the affected agreements keep of their parties' and resources' names
    and categories, and drop the cached pages and figures."""
    Agreement.objects.filter(pk__in=agreement_ids).keep_linked_copies()
    merge.agreements_affected = len(agreement_ids)
    merge.save(update_fields=["parties_moved", "flows_moved", "agreements_affected"])
    bulk_written()


def merge_organisations(*, keep, duplicate, by):
    """Merge ``duplicate`` into ``keep`` (see the module) and return the ``Merge``, or raise
    ``MergeRefused`` saying why not; nothing is changed then."""
    with transaction.atomic():
        keep, duplicate = _locked(Organisation, keep, duplicate)
        plan = plan_organisation_merge(keep=keep, duplicate=duplicate)
        if not plan.possible:
            raise MergeRefused(" ".join(str(problem) for problem in plan.problems))
        merge = Merge.objects.create(
            kind=Merge.Kind.ORGANISATION,
            kept_organisation=keep,
            duplicate_name=duplicate.label[:255],
            duplicate_names="\n".join(_organisation_names(duplicate)),
            duplicate_slug=duplicate.slug,
            merged_by=by,
        )
        reason = MERGE_REASON.format(pk=merge.pk)
        parties = list(Party.objects.filter(organisation=duplicate))
        kept_parties = {
            party.agreement_id: party
            for party in Party.objects.filter(
                organisation=keep, agreement_id__in=[party.agreement_id for party in parties]
            )
        }
        moved = []
        for party in parties:
            kept = kept_parties.get(party.agreement_id)
            if kept is None:
                party.organisation = keep
                moved.append(party)
                continue
            kept.role = _stricter(kept.role, party.role)
            if not kept.representative_name and party.representative_name:
                kept.representative_name = party.representative_name
                kept.representative_title_vi = party.representative_title_vi
                kept.representative_title_en = party.representative_title_en
            for row in (kept, party):
                row._history_user = by
                row._change_reason = reason
            party.delete()
            kept.save()
        bulk_update_with_history(
            moved, Party, ["organisation"], default_user=by, default_change_reason=reason
        )
        flows = list(ResourceFlow.objects.filter(Q(provider=duplicate) | Q(receiver=duplicate)))
        for flow in flows:
            if flow.provider_id == duplicate.pk:
                flow.provider = keep
            if flow.receiver_id == duplicate.pk:
                flow.receiver = keep
        bulk_update_with_history(
            flows,
            ResourceFlow,
            ["provider", "receiver"],
            default_user=by,
            default_change_reason=reason,
        )
        # An official of both agencies stays an official of the kept one, once.
        AuthorityMembership.objects.filter(
            agency=duplicate, user__authority_memberships__agency=keep
        ).delete()
        # The two are one: neither is the other's successor.
        if keep.successor_id == duplicate.pk:
            keep.successor_id = None
        if keep.successor_id is None and duplicate.successor_id not in (None, keep.pk):
            keep.successor_id = duplicate.successor_id
        keep.save(update_fields=["successor"])
        _repoint(
            Organisation,
            duplicate=duplicate,
            keep=keep,
            skip={
                (Party, "organisation"),
                (ResourceFlow, "provider"),
                (ResourceFlow, "receiver"),
            },
        )
        agreement_ids = {party.agreement_id for party in parties} | {
            flow.agreement_id for flow in flows
        }
        merge.parties_moved = len(parties)
        merge.flows_moved = len(flows)
        own_names = _organisation_names(duplicate)
        _fill_blanks(keep, duplicate, ["name_vi", "name_en", "short_name", "website"])
        if keep.kind == Organisation.Kind.AGENCY:
            _fill_blanks(keep, duplicate, ["jurisdiction"])
        if not keep.name_own and duplicate.name_own:
            keep.name_own = duplicate.name_own
            keep.name_own_language = duplicate.name_own_language
        if keep.park_id is None and keep.kind in Organisation.TENANT_KINDS:
            keep.park_id = duplicate.park_id
        _confirm_if_the_duplicate_was(keep, duplicate, by=by)
        duplicate.delete()
        keep.add_aliases(
            own_names,
            own_names=(keep.name_vi, keep.name_en, keep.name_own, keep.short_name),
        )
        keep.save()
        _finish(merge, agreement_ids=agreement_ids)
    return merge


def _organisation_names(organisation):
    names = [
        organisation.name_vi,
        organisation.name_en,
        organisation.name_own,
        organisation.short_name,
        *organisation.alias_list,
    ]
    return [name for name in names if name]


def merge_resources(*, keep, duplicate, by):
    """Merge ``duplicate`` into ``keep`` (see the module) and return the ``Merge``, or raise
    ``MergeRefused`` saying why not; nothing is changed then."""
    with transaction.atomic():
        keep, duplicate = _locked(Resource, keep, duplicate)
        plan = plan_resource_merge(keep=keep, duplicate=duplicate)
        if not plan.possible:
            raise MergeRefused(" ".join(str(problem) for problem in plan.problems))
        names = [
            name for name in (duplicate.name_vi, duplicate.name_en, *duplicate.alias_list) if name
        ]
        merge = Merge.objects.create(
            kind=Merge.Kind.RESOURCE,
            kept_resource=keep,
            duplicate_name=duplicate.name[:255],
            duplicate_names="\n".join(names),
            duplicate_slug=duplicate.slug,
            merged_by=by,
        )
        flows = list(ResourceFlow.objects.filter(resource=duplicate))
        for flow in flows:
            flow.resource = keep
            # A flow left in its resource's unit stays in the unit it was entered in.
            flow.unit = flow.unit or duplicate.unit
        bulk_update_with_history(
            flows,
            ResourceFlow,
            ["resource", "unit"],
            default_user=by,
            default_change_reason=MERGE_REASON.format(pk=merge.pk),
        )
        _repoint(Resource, duplicate=duplicate, keep=keep, skip={(ResourceFlow, "resource")})
        merge.flows_moved = len(flows)
        _fill_blanks(keep, duplicate, ["name_vi", "name_en", "description", "waste_code"])
        # An emission factor is per its resource's unit: taken only in the same unit.
        if keep.emission_factor is None and duplicate.unit == keep.unit:
            _fill_blanks(
                keep, duplicate, ["emission_factor", "emission_factor_source", "current_factor"]
            )
        _confirm_if_the_duplicate_was(keep, duplicate, by=by)
        duplicate.delete()
        keep.add_aliases(names, own_names=(keep.name_vi, keep.name_en))
        keep.save()
        _finish(merge, agreement_ids={flow.agreement_id for flow in flows})
    return merge
