"""Members invited by email, not created by an admin: invite, accept (a new person sets a
password and a language; an existing account just accepts), withdraw an invitation, change a
park member's role, revoke an access. Each step is recorded as a ``MembershipEvent``.

Keyword-only functions taking cleaned data, called alike by the pages and the admin. An
invitation's raw token exists only in its email: the database keeps its hash.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from agreements.accounts.models import AccountSettings, Invitation, MembershipEvent, hash_token
from parks.models import AuthorityMembership, ParkMembership

Action = MembershipEvent.Action


class InvitationRefused(Exception):
    """The invitation cannot be used (any more); the message says why, for the visitor."""


def _where(*, park=None, agency=None):
    return {"park": park} if park is not None else {"agency": agency}


def _record(action, *, actor, park=None, agency=None, member=None, email="", **fields):
    return MembershipEvent.objects.create(
        action=action,
        actor=actor,
        member=member,
        email=email or (member.email if member else ""),
        **_where(park=park, agency=agency),
        **fields,
    )


def invite(
    *, email, by, language, park=None, agency=None, role=ParkMembership.Role.STAFF, base_url
):
    """Send an invitation to ``email`` to join ``park`` with ``role``, or ``agency`` as an
    official; the email (in ``language``) is sent once the transaction commits. Returns the
    invitation."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        **_where(park=park, agency=agency),
        role=role if park is not None else ParkMembership.Role.STAFF,
        language=language,
        token_hash=hash_token(token),
        invited_by=by,
        created_at=now,
        expires_at=now + Invitation.VALID_FOR,
    )
    _record(
        Action.INVITED,
        actor=by,
        park=park,
        agency=agency,
        email=email,
        role=invitation.role if park is not None else "",
    )
    link = f"{base_url.rstrip('/')}{reverse('accounts:invitation', kwargs={'token': token})}"
    context = {"invitation": invitation, "inviter": by, "link": link, "target": invitation.target}
    with translation.override(language):
        subject = " ".join(
            render_to_string("accounts/email/invitation_subject.txt", context).split()
        )
        body = render_to_string("accounts/email/invitation_body.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    transaction.on_commit(message.send)
    return invitation


def find(token):
    """The invitation a link's token opens, or None."""
    return (
        Invitation.objects.select_related("park", "agency", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def refusal(invitation, now=None):
    """Why this invitation no longer opens anything, or None while it does."""
    if invitation.accepted_at is not None:
        return _("This invitation was already used: each invitation link works once.")
    if invitation.withdrawn_at is not None:
        return _("This invitation was withdrawn by the person who sent it.")
    if invitation.is_expired(now):
        return _("This invitation has expired: invitation links work for seven days.")
    return None


def account_for(email):
    """The active account an invitation to ``email`` is for, if one exists."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(email__iexact=email).first() or users.filter(username__iexact=email).first()


def accept(*, invitation, user):
    """``user`` accepts the invitation: a membership of the park (with the invitation's role) or
    the agency. Raises ``InvitationRefused`` when it was used, withdrawn or expired meanwhile."""
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        problem = refusal(current)
        if problem:
            raise InvitationRefused(problem)
        if current.park_id is not None:
            membership, created = ParkMembership.objects.get_or_create(
                user=user, park_id=current.park_id, defaults={"role": current.role}
            )
            if not created and membership.role != current.role:
                membership.role = current.role
                membership.save(update_fields=["role"])
        else:
            AuthorityMembership.objects.get_or_create(user=user, agency_id=current.agency_id)
        current.accepted_at = timezone.now()
        current.accepted_by = user
        current.save(update_fields=["accepted_at", "accepted_by"])
        _record(
            Action.ACCEPTED,
            actor=user,
            park=current.park,
            agency=current.agency,
            member=user,
            email=current.email,
            role=current.role if current.park_id else "",
        )
    return current


def create_account_and_accept(*, invitation, password, language):
    """A new person: their account (user name and email the address invited), their password
    and language, and the membership. Returns the user."""
    with transaction.atomic():
        problem = refusal(invitation)
        if problem:
            raise InvitationRefused(problem)
        if get_user_model().objects.filter(username__iexact=invitation.email).exists():
            raise InvitationRefused(
                _("An account with this address exists but is closed: ask an admin to reopen it.")
            )
        user = get_user_model().objects.create_user(
            username=invitation.email, email=invitation.email, password=password
        )
        AccountSettings.objects.create(user=user, language=language)
        accept(invitation=invitation, user=user)
    return user


def withdraw(*, invitation, by):
    """The invitation's link stops working."""
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.accepted_at is not None or current.withdrawn_at is not None:
            return current
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at"])
        _record(
            Action.WITHDRAWN,
            actor=by,
            park=current.park,
            agency=current.agency,
            email=current.email,
        )
    return current


def change_role(*, membership, role, by):
    """A park member's new role (staff or manager); no entry when it is the same."""
    if membership.role == role:
        return membership
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _record(
        Action.ROLE_CHANGED,
        actor=by,
        park=membership.park,
        member=membership.user,
        role=role,
        previous_role=previous,
    )
    return membership


def revoke(*, membership, by):
    """A park member or an official loses the access at once: the membership is deleted (the
    permissions read memberships afresh on every request)."""
    if isinstance(membership, ParkMembership):
        where = {"park": membership.park, "role": membership.role}
    else:
        where = {"agency": membership.agency}
    member = membership.user
    membership.delete()
    _record(Action.REVOKED, actor=by, member=member, **where)
