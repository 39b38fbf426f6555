"""Permission questions for templates, answered by ``agreements.permissions`` under the same
names: ``{% if agreement|editable_by:user %}``, ``{% if user|can_see_internal:agreement %}``."""

from django import template

from agreements import permissions

register = template.Library()


@register.filter
def editable_by(agreement, user):
    return permissions.can_edit_agreement(user, agreement)


@register.filter
def submittable_by(agreement, user):
    return permissions.can_submit_agreement(user, agreement)


@register.filter
def reviewable_by(agreement, user):
    return permissions.can_review_agreement(user, agreement)


@register.filter
def can_see_internal(user, agreement):
    """Whether the user sees the agreement's internal side: every state, its history."""
    return permissions.can_see_internal(user, agreement)


@register.filter
def is_reviewer(user):
    """Officials and admins: the dashboard, the review pages."""
    return permissions.is_reviewer(user)


@register.filter
def can_merge(user):
    """Officials and admins merge duplicate organisations and resources."""
    return permissions.can_merge(user)


@register.filter
def has_agreements_to_tend(user):
    """Park staff, officials and admins have a "My agreements" page."""
    return permissions.is_park_staff(user) or permissions.is_reviewer(user)


@register.filter
def can_manage_members(user, park):
    """A park's managers, the officials over it and admins: its members page."""
    return permissions.can_manage_members(user, park)
