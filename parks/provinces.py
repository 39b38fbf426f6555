"""The provinces and centrally-run cities of Viet Nam, as they are since the 2025 merger left 34,
read from ``parks/data/vietnam_provinces.json``: what a Vietnamese park's or organisation's
province is chosen from. A province is stored as its Vietnamese name ("Hải Phòng") and shown in
the reader's language ("Hai Phong"); outside Viet Nam the province or region is free text.

``current_province`` maps a name written before the merger ("Hải Dương", "Binh Duong",
"Tỉnh Quảng Nam") to the province that absorbed it: migration 0003 moves stored names with it.
"""

import json
import re
from functools import cache
from pathlib import Path

from symbiosis.bilingual import pick
from symbiosis.search import fold

DATA = Path(__file__).resolve().parent / "data" / "vietnam_provinces.json"


@cache
def _provinces():
    return json.loads(DATA.read_text(encoding="utf-8"))["provinces"]


@cache
def _english():
    return {province["short"]: province["en"] for province in _provinces()}


def province_names():
    """The 34 Vietnamese names, as stored, in the official order (cities first)."""
    return list(_english())


def province_choices():
    """(stored name, label in the active language) of each province, sorted by that label."""
    choices = [(name, pick(english, name)) for name, english in _english().items()]
    return sorted(choices, key=lambda choice: fold(choice[1]))


def province_label(name):
    """A stored province shown in the active language: its English name for a reader of English
    when it is one of Viet Nam's, else as it was typed."""
    english = _english().get(name)
    return pick(english, name) if english else name


def _key(name):
    """A name compared without accents, spaces, dashes or an administrative prefix or suffix:
    "Thành phố Hà Nội", "Hanoi" and "Ha Noi" are one key."""
    folded = fold(name)
    folded = re.sub(r"^(tinh|thanh pho|tp\.?)\s+|\s+(province|city)$", "", folded)
    return re.sub(r"[\s.\-–]", "", folded)


@cache
def _keys():
    keys = {}
    for province in _provinces():
        for name in (province["short"], province["vi"], province["en"], *province["absorbed"]):
            keys[_key(name)] = province["short"]
    return keys


def is_absorbed(name):
    """Whether ``name`` is a province the 2025 merger joined to another (not merely another
    spelling of one of today's)."""
    current = current_province(name)
    if current is None:
        return False
    own = next(province for province in _provinces() if province["short"] == current)
    return _key(name) not in {_key(own[key]) for key in ("short", "vi", "en")}


def current_province(name):
    """The stored name of the province ``name`` (of today or before the 2025 merger) is now
    part of, or None when it names none."""
    return _keys().get(_key(name)) if name else None
