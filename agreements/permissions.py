"""Who may do what: one function per question, used by views, templates and the admin.

Roles:
- anyone (signed in or not) sees verified agreements and their public documents;
- park staff (``ParkMembership``) see every agreement of their parks, in every state, and edit them;
  a park's managers (a membership's role) also manage its members;
- officials (``AuthorityMembership``) see every agreement of the parks their agency manages
  (every park for a national or international agency) and verify or return submitted ones;
- admins (superusers) may do everything.

Signing in with a second factor is asked of admins and officials (``must_use_two_factor``).

The ladder has two rungs, each asked about one park: ``works_in_park`` (its staff, or an admin:
they enter, edit and submit its agreements) and ``reviews_park`` (an official overseeing it, or an
admin: they verify or return them). Seeing an agreement's internal side (every state, its
history, internal documents) is standing on either rung. Every question below is built from
those two and from the agreement's review state (``Agreement.EDITABLE_STATES`` ...); each
question about one row has its twin about a set (``can_see_internal`` and
``internal_agreements``), and the two agree.

Memberships (parks and agencies alike) are read by one query once per request and kept on the
user object, so asking many questions about many rows costs no extra queries; a revoked
membership counts from the next request.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, Value

from agreements.models import Agreement
from parks.models import Organisation, Park, ParkMembership

NATIONWIDE_LEVELS = {Organisation.Level.NATIONAL, Organisation.Level.INTERNATIONAL}

# Which membership a row of _Access's one query is.
_PARK = "park"
_AGENCY = "agency"


class _Access:
    """What one user's memberships allow, read from the database once."""

    def __init__(self, user):
        self.is_admin = bool(user.is_authenticated and user.is_active and user.is_superuser)
        if user.is_authenticated and user.is_active:
            # Both kinds of membership in one query: the park and the role (staff enter
            # agreements, managers also manage the park's members), the agency and its level.
            # Unordered: the answers are sets.
            parks = (
                ParkMembership.objects.filter(user=user)
                .order_by()
                .annotate(membership=Value(_PARK))
                .values_list("park_id", "role", "membership")
            )
            agencies = (
                Organisation.objects.filter(officials__user=user)
                .order_by()
                .annotate(membership=Value(_AGENCY))
                .values_list("pk", "level", "membership")
            )
            rows = list(parks.union(agencies, all=True))
            memberships = [(pk, role) for pk, role, kind in rows if kind == _PARK]
            agencies = [(pk, level) for pk, level, kind in rows if kind == _AGENCY]
        else:
            memberships = []
            agencies = []
        self.staff_park_ids = frozenset(park_id for park_id, _ in memberships)
        self.manager_park_ids = frozenset(
            park_id for park_id, role in memberships if role == ParkMembership.Role.MANAGER
        )
        self.agency_ids = frozenset(pk for pk, _ in agencies)
        self.nationwide = any(level in NATIONWIDE_LEVELS for _, level in agencies)
        self._managed_park_ids = None

    @property
    def managed_park_ids(self):
        """Parks whose agreements this user reviews as an official (not for nationwide ones)."""
        if self._managed_park_ids is None:
            self._managed_park_ids = (
                frozenset(
                    Park.objects.filter(managing_authority_id__in=self.agency_ids).values_list(
                        "pk", flat=True
                    )
                )
                if self.agency_ids
                else frozenset()
            )
        return self._managed_park_ids


def access(user):
    if not hasattr(user, "_symbiosis_access"):
        user._symbiosis_access = _Access(user)
    return user._symbiosis_access


def is_park_staff(user):
    return bool(access(user).staff_park_ids)


def is_reviewer(user):
    """Officials (of any agency) and admins: they verify agreements, see the dashboard and
    export the register."""
    rights = access(user)
    return rights.is_admin or bool(rights.agency_ids)


def must_use_two_factor(user):
    """Whether this user opens no page but the second step of signing in (accounts/) until
    their session has passed it: admins (superusers, and staff of the Django admin) while
    ``MFA_FOR_ADMINS``, officials of any agency while ``MFA_FOR_OFFICIALS``. Park staff may
    choose it without having to."""
    if not (user.is_authenticated and user.is_active):
        return False
    if settings.MFA_FOR_ADMINS and (user.is_staff or user.is_superuser):
        return True
    return settings.MFA_FOR_OFFICIALS and bool(access(user).agency_ids)


def staffed_parks(user):
    """The parks a user may create agreements in."""
    if access(user).is_admin:
        return Park.objects.all()
    return Park.objects.filter(pk__in=access(user).staff_park_ids)


def overseen_parks(user):
    """The parks whose agreements an official oversees: all of them for an admin or a
    national or international agency, else those their agencies manage."""
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return Park.objects.all()
    return Park.objects.filter(managing_authority_id__in=rights.agency_ids)


def oversight_scope(user):
    """What an official's view of the register depends on: "all" for an admin or a national
    or international official, else their agencies. Figures can be shared between users of
    the same scope, never across scopes."""
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return "all"
    return tuple(sorted(rights.agency_ids))


# The two rungs, about one park


def works_in_park(user, park_id):
    """Whether the user enters and submits this park's agreements (its staff, or an admin)."""
    rights = access(user)
    return rights.is_admin or park_id in rights.staff_park_ids


def reviews_park(user, park_id):
    """Whether the user verifies this park's agreements (an official overseeing it, or an
    admin)."""
    rights = access(user)
    return rights.is_admin or rights.nationwide or park_id in rights.managed_park_ids


# Questions about parks


def can_create_park(user):
    """Officials (of any agency) and admins create parks: a provincial official's managed by
    their agency (``park_authorities``), a national or international official's and an admin's
    by any."""
    return is_reviewer(user)


def can_edit_park(user, park):
    """Whether the user maintains this park's record: an official overseeing it (its managing
    agency's, or a national or international one) or an admin, the ``reviews_park`` rung."""
    return reviews_park(user, park.pk)


def can_see_park_history(user, park):
    """The park's staff, the officials overseeing it and admins read its history."""
    return works_in_park(user, park.pk) or reviews_park(user, park.pk)


def can_see_park_report(user, park):
    """A park's symbiosis report (internal documents included): its staff, the officials
    overseeing it and admins."""
    return works_in_park(user, park.pk) or reviews_park(user, park.pk)


def park_authorities(user):
    """The agencies this user may name as a park's managing authority: their own agencies, or
    any agency for an admin or a national or international official."""
    rights = access(user)
    agencies = Organisation.objects.filter(kind=Organisation.Kind.AGENCY)
    if rights.is_admin or rights.nationwide:
        return agencies
    return agencies.filter(pk__in=rights.agency_ids)


def may_leave_park_unmanaged(user):
    """Whether a park this user saves may have no managing authority: only an admin's or a
    national or international official's (anyone else would save a park they no longer
    maintain)."""
    rights = access(user)
    return rights.is_admin or rights.nationwide


# Members: who invites people, changes their roles and revokes their access


def can_manage_members(user, park):
    """A park's members: its managers, the officials over it (``reviews_park``) and admins."""
    rights = access(user)
    return park.pk in rights.manager_park_ids or reviews_park(user, park.pk)


def can_manage_officials(user, agency):
    """An agency's officials: its own officials invite their colleagues; an admin appoints the
    first one."""
    rights = access(user)
    return rights.is_admin or agency.pk in rights.agency_ids


# Questions about one agreement


def can_see_internal(user, agreement):
    """Whether the user sees this agreement's internal side: every state, its history, every
    document (``internal_agreements`` is the same question about a set)."""
    return works_in_park(user, agreement.park_id) or reviews_park(user, agreement.park_id)


def can_create_agreement(user, park=None):
    """In ``park``, or in any park when none is given."""
    if park is None:
        rights = access(user)
        return rights.is_admin or bool(rights.staff_park_ids)
    return works_in_park(user, park.pk)


def can_import_agreements(user):
    """Whether the user imports agreements from a spreadsheet into some park: park staff (into
    their parks), officials (into the parks they oversee) and admins (``importable_parks``)."""
    return is_park_staff(user) or is_reviewer(user)


def can_import_into(user, park_id):
    """Whether a spreadsheet's rows may be imported into this park, as drafts: its staff, the
    officials overseeing it and admins (``importable_parks`` is the same question about a set)."""
    return works_in_park(user, park_id) or reviews_park(user, park_id)


def importable_parks(user):
    """The parks a user imports agreements into (``can_import_into``)."""
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return Park.objects.all()
    condition = Q(pk__in=rights.staff_park_ids)
    if rights.agency_ids:
        condition |= Q(managing_authority_id__in=rights.agency_ids)
    return Park.objects.filter(condition)


def can_add_organisation(user):
    """Park staff, officials and admins may add an organisation missing from the list (staff's
    wait for an official: ``confirms_at_once``)."""
    return can_create_agreement(user) or is_reviewer(user)


def can_create_nationwide_organisation(user):
    """Whether the user may add a national or international agency, or an international
    organisation: officials and admins, not park staff."""
    return is_reviewer(user)


def can_propose_resource(user):
    """Park staff (and admins) may propose a resource missing from the flows' list, for one of
    their parks (``staffed_parks``)."""
    return can_create_agreement(user)


def can_merge(user):
    """Officials of any agency (and admins) merge duplicate organisations and resources
    (``agreements.merging``); park staff cannot."""
    rights = access(user)
    return rights.is_admin or bool(rights.agency_ids)


def confirms_at_once(user):
    """Whether what this user adds (an organisation, a resource) is confirmed as it is created:
    officials' and admins' is; park staff's waits for an official (``can_confirm``)."""
    return is_reviewer(user)


def can_confirm(user, obj):
    """Whether the user may confirm this proposed organisation or resource: for a resource, the
    officials overseeing the park it was proposed for; for an organisation (which any park's
    agreements may name), any official; admins always."""
    if not is_reviewer(user):
        return False
    park_id = getattr(obj, "proposed_for_park_id", None)
    return park_id is None or reviews_park(user, park_id)


def confirmable_resources(user, queryset):
    """The unconfirmed resources of ``queryset`` this user may confirm (``can_confirm``)."""
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return queryset
    if not rights.agency_ids:
        return queryset.none()
    return queryset.filter(
        Q(proposed_for_park__isnull=True)
        | Q(proposed_for_park__managing_authority_id__in=rights.agency_ids)
    )


def offered_resource_park_ids(user):
    """The parks whose proposed resources this user's agreement forms offer: their parks as
    staff (every park for an admin: ``None``)."""
    rights = access(user)
    return None if rights.is_admin else rights.staff_park_ids


def can_edit_agreement(user, agreement):
    return works_in_park(user, agreement.park_id) and agreement.is_editable


def can_submit_agreement(user, agreement):
    return works_in_park(user, agreement.park_id) and agreement.is_submittable


def can_review_agreement(user, agreement):
    return reviews_park(user, agreement.park_id) and agreement.is_awaiting_verification


def can_report_quantities(user, agreement):
    """The quantities measured along a verified agreement's flows are reported and corrected by
    its park's staff (and admins): ``agreements.measurements``; officials accept or return them
    (``reviews_park``)."""
    return works_in_park(user, agreement.park_id) and agreement.is_public


def can_set_emission_factor(user):
    """Officials of any agency and admins set and change resources' emission factors (the
    factor of a resource holds in every park, so no park decides it)."""
    return is_reviewer(user)


def can_download_document(user, document):
    agreement = document.agreement
    if document.is_public and agreement.is_public:
        return True
    return can_see_internal(user, agreement)


# The same questions about sets of agreements


def internal_agreements(user, queryset=None):
    """Agreements whose internal side this user sees (``can_see_internal``): their parks' as
    staff, the parks they oversee as officials, all for admins. Any other agreement answers 404
    on the staff and review pages, even a verified one."""
    queryset = Agreement.objects.all() if queryset is None else queryset
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return queryset
    return queryset.filter(_internal(rights))


def _internal(rights):
    """``internal_agreements``' condition, for a user who is neither an admin nor nationwide."""
    condition = Q(park_id__in=rights.staff_park_ids)
    if rights.agency_ids:
        condition |= Q(park__managing_authority_id__in=rights.agency_ids)
    return condition


def visible_agreements(user, queryset=None):
    """Agreements this user may open: the public ones, and the internal ones
    (``internal_agreements``) in every state."""
    queryset = Agreement.objects.all() if queryset is None else queryset
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return queryset
    return queryset.filter(Q(review_state=Agreement.PUBLIC_STATE) | _internal(rights))


def review_scope(user, prefix=""):
    """What ``reviewable_agreements`` filters by, as a ``Q`` on rows that reach an agreement
    through ``prefix`` (``"flow__agreement__"`` from a reported figure): no condition at all for
    an admin or a nationwide official (every agreement: no join, no subquery, so a count of
    figures reads their index alone), the parks of their agencies for another official; None
    for a user who reviews no park."""
    rights = access(user)
    if rights.is_admin or rights.nationwide:
        return Q()
    if rights.agency_ids:
        return Q(**{f"{prefix}park__managing_authority_id__in": rights.agency_ids})
    return None


def reviewable_agreements(user, queryset=None):
    """Agreements of the parks this user oversees as an official (``reviews_park``), or all,
    for an admin: the dashboard's and the exports' scope (``review_scope``)."""
    queryset = Agreement.objects.all() if queryset is None else queryset
    scope = review_scope(user)
    return queryset.none() if scope is None else queryset.filter(scope)


def staff_agreements(user, queryset=None):
    """The agreements of the parks this user is staff of, in every state ("my agreements")."""
    queryset = Agreement.objects.all() if queryset is None else queryset
    return queryset.filter(park_id__in=access(user).staff_park_ids)


# Who is told


def reviewers(agreement):
    """Who is told that an agreement awaits verification: the active officials of the park's
    managing agency and of every national or international agency."""
    agencies = Organisation.objects.filter(
        Q(pk=agreement.park.managing_authority_id) | Q(level__in=NATIONWIDE_LEVELS),
        kind=Organisation.Kind.AGENCY,
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, authority_memberships__agency__in=agencies)
        .distinct()
    )


def park_staff(agreement):
    """Who is told of a decision on an agreement: the active staff of its park."""
    return (
        get_user_model()
        .objects.filter(is_active=True, park_memberships__park_id=agreement.park_id)
        .distinct()
    )
