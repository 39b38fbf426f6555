"""A page's HTML read as elements, for tests that look at what a form shows: a field's classes
and ARIA attributes, the text of the message tied to it, the options chosen in a list."""

from html.parser import HTMLParser

VOID = {"input", "br", "hr", "img", "meta", "link", "source", "wbr", "area", "base", "col"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []
        self.texts = []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def words(self, name):
        """The space-separated values of attribute ``name`` (``aria-describedby``...)."""
        return (self.attrs.get(name) or "").split()

    @property
    def text(self):
        """What the element reads, whitespace collapsed."""
        return " ".join("".join(self._texts()).split())

    def _texts(self):
        for part in self.texts:
            yield from part._texts() if isinstance(part, Element) else part

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def find_all(self, tag=None, **attrs):
        """Every element below this one with ``tag`` and ``attrs`` (``for_`` for ``for``)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag=None, **attrs):
        """The one element below this one with ``tag`` and ``attrs``."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]

    def contains(self, element):
        while element is not None:
            if element is self:
                return True
            element = element.parent
        return False


class Page(HTMLParser, Element):
    def __init__(self, content):
        HTMLParser.__init__(self, convert_charrefs=True)
        Element.__init__(self, "document", {}, None)
        self.current = self
        self.feed(content if isinstance(content, str) else content.decode())

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.current.texts.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        element = self.current
        while element is not self and element.tag != tag:
            element = element.parent
        if element is not self:
            self.current = element.parent

    def handle_data(self, data):
        self.current.texts.append(data)


def chosen(page, name):
    """The values of the options chosen in the list named ``name``."""
    select = page.find("select", name=name)
    return [
        option.attrs["value"] for option in select.find_all("option") if "selected" in option.attrs
    ]


def admin_form_data(response):
    """What an admin change page posts as it opens: its form and inlines with their current
    values (a file field posts nothing, keeping the stored file)."""
    assert response.status_code == 200
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif value is not None and not hasattr(value, "url"):
                data[field.html_name] = value
    return data
