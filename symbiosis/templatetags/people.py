"""``{{ agreement.reviewed_by|display_name }}``: a person as the pages name them, "a former
user" once the account is deleted (``symbiosis.people``)."""

from django import template

from symbiosis import people

register = template.Library()


@register.filter
def display_name(user):
    return people.display_name(user)
