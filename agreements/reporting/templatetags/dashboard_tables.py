"""The officials' dashboard's longer tables, their rows written in Python (``format_html_join``,
which escapes every value) rather than by a template loop over every row:
``{% work_list_rows rows date_header show_state=... show_comment=... %}`` and
``{% park_overview_rows park_overview %}``."""

from django import template

from agreements.reporting import dashboard, eip

register = template.Library()


@register.simple_tag
def work_list_rows(rows, date_header, show_state=False, show_comment=False):
    return dashboard.work_list_table_rows(
        rows, date_header=date_header, show_state=show_state, show_comment=show_comment
    )


@register.simple_tag
def park_overview_rows(rows):
    return eip.overview_table_rows(rows)
