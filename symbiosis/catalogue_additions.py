"""Strings of Django and of the apps we use that our pages show, whose own Vietnamese catalogue
misses them or gets them wrong.

Nothing imports this module: it is here for ``makemessages``, which copies these strings into
``locale/vi/LC_MESSAGES/django.po``. That catalogue (``LOCALE_PATHS``) takes precedence over
Django's and the apps', so its translation is the one shown. Keep each string exactly as its
source writes it (the version of the source is in requirements.txt), and remove it when the
source's own catalogue is right.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

STRINGS = [
    # Django's form fields and validators: "số tổng thể" for "whole number" is wrong, the limits
    # have stray spaces, and the rest have no Vietnamese at all.
    gettext_noop("Enter a whole number."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    gettext_noop("Enter a complete value."),
    # Django's formsets (the party and flow rows of the agreement form).
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "%(field_names)s. You may need to file a bug report if the issue persists."
    ),
    ngettext_lazy(
        "Please submit at most %(num)d form.", "Please submit at most %(num)d forms.", "num"
    ),
    # django-simple-history's admin pages (history of agreements, parties and flows).
    gettext_noop("Change history: %s"),
    gettext_noop("View history: %s"),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("Object"),
    gettext_noop("Revert"),
    ngettext_lazy("entry", "entries", "counter"),
]
