"""How ``{% crispy %}`` draws the project's forms that have a layout of their own."""

from crispy_forms.helper import FormHelper


def layout_helper(template):
    """A helper drawing a form with ``template``, which lays its fields out (each drawn by the
    pack's field template, ``{% include field_template with field=form.name %}``), inside the
    page's own <form>. Set once on a form class: the layout is the same for every form of the
    kind, and a party or flow row is drawn several times a page.

    The layout is a template rather than crispy's ``Layout(Row(Column(...)))``, which renders
    a template for every row and column and costs a form as much again as its fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.template = template
    return helper
