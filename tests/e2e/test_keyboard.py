"""Park staff enter an agreement with the keyboard alone: Tab and Shift+Tab to move, typing,
arrow keys in the lists and the organisation search, Space on a button, Enter to follow a link
and to save; no click. Wherever the focus lands, it shows (an outline or a focus ring)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Agreement, Party, Resource, ResourceFlow
from parks.models import Organisation
from tests.e2e.test_staff import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the focused element shows once its transitions are over (Bootstrap's focus ring fades in
# over 0.15 s): its outline, or its focus ring (a box-shadow).
FOCUS_SHOWN = """async () => {
  const element = document.activeElement;
  if (!element || element === document.body) return "nothing is focused";
  await Promise.all(element.getAnimations().map(animation => animation.finished));
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow !== "none" && !style.boxShadow.startsWith("rgba(0, 0, 0, 0)");
  const box = element.getBoundingClientRect();
  if ((outline || ring) && box.width > 0 && box.height > 0) return "";
  return element.outerHTML.slice(0, 160);
}"""


class Keyboard:
    """Keys pressed one at a time, the focus checked after each move."""

    def __init__(self, page):
        self.page = page
        self.unseen = []

    def press(self, key):
        self.page.keyboard.press(key)
        if key in {"Tab", "Shift+Tab"} and (hidden := self.page.evaluate(FOCUS_SHOWN)):
            self.unseen.append(f"{self.page.url}: {hidden}")

    def focused(self, selector):
        return self.page.evaluate("s => document.activeElement.matches(s)", selector)

    def tab_to(self, selector, key="Tab", limit=120):
        """Press Tab (or Shift+Tab) until the element matching ``selector`` has the focus."""
        for _ in range(limit):
            if self.focused(selector):
                return
            self.press(key)
        raise AssertionError(f"{selector} is not reached with {key}")

    def type(self, text):
        self.page.keyboard.type(text)

    def arrow_to(self, selector, value):
        """In the focused list (a select), press the down arrow until ``value`` is chosen."""
        for _ in range(60):
            if self.page.locator(selector).input_value() == value:
                return
            self.press("ArrowDown")
        raise AssertionError(f"{value} is not offered in {selector}")

    def choose_organisation(self, row, typed, option):
        """Type in a party row's organisation search, then arrow down to the match, Enter."""
        self.tab_to(f"#id_parties-{row}-organisation-search")
        self.type(typed)
        options = self.page.locator(f"#id_parties-{row}-organisation-options")
        expect(options.get_by_role("option", name=option).first).to_be_visible()
        self.press("ArrowDown")
        self.press("Enter")
        expect(self.page.locator(f"#id_parties-{row}-organisation-search")).to_have_value(
            re.compile("^" + re.escape(option))
        )


def pk(model, slug):
    return str(model.objects.get(slug=slug).pk)


def test_staff_enter_an_agreement_with_the_keyboard_alone(page, registry):
    keys = Keyboard(page)
    page.goto(reverse("login"))
    keys.tab_to("#id_username")
    keys.type("deepc-staff")
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1, name="My agreements")).to_be_visible()

    # From the staff's list to the new agreement's form, by its link.
    keys.tab_to('main a[href$="/agreements/new/"]')
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1, name="New agreement")).to_be_visible()
    keys.tab_to("#id_reference")
    keys.type("DEEPC-2024-KEYS")
    keys.tab_to("#id_kind")
    keys.arrow_to("#id_kind", "industrial_urban")
    keys.tab_to("#id_title_en")
    keys.type("Entered with the keyboard")
    keys.tab_to("#id_starts_on")
    keys.type("2024-03-01")
    # Back up to the signing date, passed on the way.
    keys.tab_to("#id_signed_on", key="Shift+Tab")
    keys.type("2024-02-15")

    # The parties, found by the search.
    keys.choose_organisation(0, "dinh vu", "Dinh Vu Industrial Park Joint Stock Company")
    keys.choose_organisation(1, "cong an quan", "Hai An District Police")
    keys.tab_to('[data-formset="flows"] [data-row] select[name$="-resource"]')

    # The flow: what is shared, from whom, to whom, both ways; a second row added with Space
    # and left empty, which is not saved.
    keys.arrow_to("#id_flows-0-resource", pk(Resource, "fire-fighting-rescue-capacity"))
    keys.tab_to("#id_flows-0-provider")
    keys.arrow_to("#id_flows-0-provider", pk(Organisation, "dinh-vu-ip-jsc"))
    keys.tab_to("#id_flows-0-receiver")
    keys.arrow_to("#id_flows-0-receiver", pk(Organisation, "hai-an-district-police"))
    keys.tab_to("#id_flows-0-direction")
    keys.arrow_to("#id_flows-0-direction", ResourceFlow.Direction.MUTUAL)
    keys.tab_to('[data-formset="flows"] [data-add-row]')
    keys.press("Space")
    expect(page.locator('[data-formset="flows"] [data-rows] [data-row]')).to_have_count(2)
    keys.tab_to('#agreement-form > div > button[type="submit"]')
    keys.press("Enter")

    expect(page.get_by_text("DEEPC-2024-KEYS is saved.")).to_be_visible()
    agreement = Agreement.objects.get(reference="DEEPC-2024-KEYS")
    assert (agreement.kind, agreement.title_en) == (
        Agreement.Kind.INDUSTRIAL_URBAN,
        "Entered with the keyboard",
    )
    assert sorted(agreement.parties.values_list("organisation__slug", "role")) == [
        ("dinh-vu-ip-jsc", Party.Role.SIGNATORY),
        ("hai-an-district-police", Party.Role.SIGNATORY),
    ]
    flow = agreement.flows.get()
    assert (flow.resource.slug, flow.provider.slug, flow.receiver.slug, flow.direction) == (
        "fire-fighting-rescue-capacity",
        "dinh-vu-ip-jsc",
        "hai-an-district-police",
        ResourceFlow.Direction.MUTUAL,
    )
    assert keys.unseen == [], "the focus did not show on:\n" + "\n".join(keys.unseen)
