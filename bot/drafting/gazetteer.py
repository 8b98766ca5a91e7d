"""Places and institutions the drafting steps recognise.

Countries (from pycountry), demonyms, organisations, and the words that make a capitalised phrase
an institution rather than a person.
"""

from __future__ import annotations

import functools
import re

# Common English names that ISO 3166 spells otherwise ("Russian Federation", "Türkiye").
_COUNTRY_ALIASES = {
    "Russia": "Russia",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "UK": "United Kingdom",
    "U.K.": "United Kingdom",
    "United Kingdom": "United Kingdom",
    "England": "United Kingdom",
    "US": "United States",
    "U.S.": "United States",
    "USA": "United States",
    "America": "United States",
    "United States": "United States",
    "Turkey": "Turkey",
    "Türkiye": "Turkey",
    "Iran": "Iran",
    "Syria": "Syria",
    "South Korea": "South Korea",
    "North Korea": "North Korea",
    "Vietnam": "Vietnam",
    "Taiwan": "Taiwan",
    "Venezuela": "Venezuela",
    "Bolivia": "Bolivia",
    "Tanzania": "Tanzania",
    "Moldova": "Moldova",
    "Laos": "Laos",
    "Czech Republic": "Czechia",
    "Palestine": "Palestine",
    "Gaza": "Gaza",
    "Kosovo": "Kosovo",
    "Ivory Coast": "Côte d'Ivoire",
    "Vatican": "Vatican",
    "Holy See": "Vatican",
    "Congo": "Congo",
    "Netherlands": "Netherlands",
}

# Adjective -> country, for titles such as "French President" and lists of nationalities.
DEMONYMS = {
    "afghan": "Afghanistan",
    "albanian": "Albania",
    "algerian": "Algeria",
    "american": "United States",
    "argentine": "Argentina",
    "argentinian": "Argentina",
    "armenian": "Armenia",
    "australian": "Australia",
    "austrian": "Austria",
    "azerbaijani": "Azerbaijan",
    "bahraini": "Bahrain",
    "belarusian": "Belarus",
    "belgian": "Belgium",
    "bosnian": "Bosnia and Herzegovina",
    "brazilian": "Brazil",
    "british": "United Kingdom",
    "bulgarian": "Bulgaria",
    "canadian": "Canada",
    "chilean": "Chile",
    "chinese": "China",
    "colombian": "Colombia",
    "croatian": "Croatia",
    "cypriot": "Cyprus",
    "czech": "Czechia",
    "danish": "Denmark",
    "dutch": "Netherlands",
    "egyptian": "Egypt",
    "emirati": "United Arab Emirates",
    "estonian": "Estonia",
    "ethiopian": "Ethiopia",
    "finnish": "Finland",
    "french": "France",
    "georgian": "Georgia",
    "german": "Germany",
    "greek": "Greece",
    "hungarian": "Hungary",
    "icelandic": "Iceland",
    "indian": "India",
    "indonesian": "Indonesia",
    "iranian": "Iran",
    "iraqi": "Iraq",
    "irish": "Ireland",
    "israeli": "Israel",
    "italian": "Italy",
    "japanese": "Japan",
    "jordanian": "Jordan",
    "kazakh": "Kazakhstan",
    "kenyan": "Kenya",
    "korean": "South Korea",
    "kuwaiti": "Kuwait",
    "latvian": "Latvia",
    "lebanese": "Lebanon",
    "libyan": "Libya",
    "lithuanian": "Lithuania",
    "luxembourgish": "Luxembourg",
    "malaysian": "Malaysia",
    "maltese": "Malta",
    "mexican": "Mexico",
    "moldovan": "Moldova",
    "moroccan": "Morocco",
    "nigerian": "Nigeria",
    "norwegian": "Norway",
    "omani": "Oman",
    "pakistani": "Pakistan",
    "palestinian": "Palestine",
    "polish": "Poland",
    "portuguese": "Portugal",
    "qatari": "Qatar",
    "romanian": "Romania",
    "russian": "Russia",
    "saudi": "Saudi Arabia",
    "serbian": "Serbia",
    "slovak": "Slovakia",
    "slovenian": "Slovenia",
    "spanish": "Spain",
    "sudanese": "Sudan",
    "swedish": "Sweden",
    "swiss": "Switzerland",
    "syrian": "Syria",
    "taiwanese": "Taiwan",
    "thai": "Thailand",
    "tunisian": "Tunisia",
    "turkish": "Turkey",
    "ukrainian": "Ukraine",
    "venezuelan": "Venezuela",
    "vietnamese": "Vietnam",
    "yemeni": "Yemen",
}

# Capitalised words that make a phrase an organisation or a place, not a person.
INSTITUTION_WORDS = frozenset(
    [
        "street",
        "house",
        "kremlin",
        "pentagon",
        "élysée",
        "elysee",
        "ministry",
        "commission",
        "council",
        "government",
        "parliament",
        "congress",
        "senate",
        "assembly",
        "department",
        "office",
        "agency",
        "bank",
        "fund",
        "union",
        "nations",
        "organisation",
        "organization",
        "party",
        "army",
        "forces",
        "court",
        "committee",
        "cabinet",
        "administration",
        "embassy",
        "nato",
        "eu",
        "un",
        "who",
        "imf",
        "opec",
        "g7",
        "g20",
        "brics",
        "asean",
        "iaea",
        "interpol",
        "europol",
        "hamas",
        "hezbollah",
        "university",
        "institute",
        "foundation",
        "group",
        "company",
        "corporation",
        "police",
        "authority",
        "authorities",
        "presidency",
        "palace",
        "federation",
        "alliance",
        "coalition",
        "league",
        "association",
        "centre",
        "center",
    ]
)

# Metonyms: the article may call one institution by several names.
INSTITUTION_ALIASES = {
    "uk government": "Downing Street",
    "british government": "Downing Street",
    "russian government": "the Kremlin",
    "us administration": "the White House",
    "u.s. administration": "the White House",
    "french presidency": "the Élysée",
}

_WORD_SPLIT = re.compile(r"[\s,]+")


@functools.cache
def countries() -> dict[str, str]:
    """Country names as written (case-sensitive) -> the name a briefing uses."""
    import pycountry

    table: dict[str, str] = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        if "," in name:  # "Korea, Republic of" is never how an article writes it
            continue
        table[name] = name
    table.update(_COUNTRY_ALIASES)
    return table


def country_of(phrase: str) -> str | None:
    """The country a phrase names, or whose demonym it is ("French" -> "France")."""
    phrase = phrase.strip()
    found = countries().get(phrase.removeprefix("the ").removeprefix("The "))
    if found:
        return found
    return DEMONYMS.get(phrase.lower())


def country_in_title(title: str) -> str | None:
    """The country a title refers to: "French President" or "Prime Minister of Spain"."""
    for word in _WORD_SPLIT.split(title):
        bare = re.sub(r"['’]s$", "", word)
        found = DEMONYMS.get(bare.lower()) or countries().get(bare)
        if found:
            return found
    match = re.search(r"\bof (?:the )?([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*)", title)
    if match:
        return countries().get(match.group(1))
    return None
