"""What a page in Vietnamese must not show: the English words of the registry's own interface.

Names and free text that people typed are data, not interface: text the page marks as English
(``lang="en"``, e.g. an organisation's English name beside its Vietnamese one) is left out, and
the words below are ones no Vietnamese name or proper noun of the demo contains.
"""

import html
import re

ENGLISH_UI_WORDS = re.compile(
    r"\b(?:the|and|of|to|is|are|for|with|by|from|not|yet|this|your|"
    r"Agreements?|Parks?|Resources?|Organisations?|Parties|Party|Documents?|"
    r"Save|Submit|Sign|Search|Edit|Upload|History|Review|Dashboard|Home|Filters?|Apply|"
    r"Verified|Draft|Returned|Title|Reference|Kind|Impact|Signed|Active|Expired|Cancel|"
    r"Provider|Receiver|Quantity|Unit|Category|Total|Previous|Next)\b"
)

_MARKED_ENGLISH = re.compile(r"<(?!html\b)(\w+)\b[^>]*\blang=\"en\"[^>]*>.*?</\1>", re.S)


def page_text(content):
    """A page's text as a reader meets it, without what it marks as English: tags dropped,
    entities decoded, spaces collapsed. Scripts and row templates are left out."""
    content = re.sub(r"<(script|template)\b.*?</\1>", " ", content, flags=re.S)
    content = _MARKED_ENGLISH.sub(" ", content)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def english_words(text):
    """The English interface words found in ``text``, each with a little context."""
    return [
        text[max(0, match.start() - 30) : match.end() + 30]
        for match in ENGLISH_UI_WORDS.finditer(text)
    ]
