"""Regions a text names ("in the EU", "US customers", "Kanada"), and what contains them.

Support articles often differ by region only (EU delivery takes 2 to 4 days, US delivery
5 to 8), so a region is one more shape of name the offline provider tells apart
(app/llm/relevance.py). A region contains others: an article about the EU answers a
customer in Germany, one about France does not.
"""

from __future__ import annotations

import re

_EU = """austria belgium bulgaria croatia cyprus czechia denmark estonia finland france
germany greece hungary ireland italy latvia lithuania luxembourg malta netherlands poland
portugal romania slovakia slovenia spain sweden""".split()
PARENT: dict[str, str] = {
    **dict.fromkeys(_EU, "eu"),
    **dict.fromkeys(
        ["eu", "uk", "switzerland", "norway", "iceland", "andorra", "monaco", "liechtenstein"],
        "europe",
    ),
    **dict.fromkeys(["us", "canada", "mexico"], "north america"),
    **dict.fromkeys(["brazil", "argentina", "chile", "colombia", "peru"], "latin america"),
    **dict.fromkeys(["australia", "new zealand"], "oceania"),
    **dict.fromkeys(["japan", "china", "india", "singapore", "south korea"], "asia"),
    **dict.fromkeys(["europe", "middle east", "africa"], "emea"),
    **dict.fromkeys(["asia", "oceania"], "apac"),
}
"""The region that contains each region (one level; :func:`with_parents` climbs)."""

_ALIASES = {
    "eu": "EU|EEA|E.U.|European Union",
    "us": "US|USA|U.S.|U.S.A.|United States|United States of America|États-Unis|Estados Unidos",
    "uk": "UK|U.K.|United Kingdom|Great Britain|Britain|Royaume-Uni|Reino Unido",
    "europe": "Europe|Europa",
    "latin america": "Latin America|LATAM|South America",
    "germany": "Germany|Deutschland|Allemagne|Alemania",
    "france": "France|Frankreich|Francia",
    "spain": "Spain|España|Spanien|Espagne",
    "italy": "Italy|Italia|Italien|Italie",
    "netherlands": "Netherlands|Holland|Niederlande|Pays-Bas",
    "switzerland": "Switzerland|Schweiz|Suisse|Suiza",
    "canada": "Canada|Kanada",
    # Help centres write in their customers' languages: the countries' French, German and
    # Spanish names (those equal to the English one need no alias).
    "austria": "Austria|Österreich|Autriche",
    "belgium": "Belgium|Belgique|Belgien|Bélgica",
    "croatia": "Croatia|Croatie|Kroatien|Croacia",
    "cyprus": "Cyprus|Chypre|Zypern|Chipre",
    "czechia": "Czechia|Czech Republic|Tchéquie|Tschechien|Chequia",
    "denmark": "Denmark|Danemark|Dänemark|Dinamarca",
    "estonia": "Estonia|Estonie|Estland",
    "finland": "Finland|Finlande|Finnland|Finlandia",
    "greece": "Greece|Grèce|Griechenland|Grecia",
    "hungary": "Hungary|Hongrie|Ungarn|Hungría",
    "ireland": "Ireland|Irlande|Irland|Irlanda",
    "latvia": "Latvia|Lettonie|Lettland|Letonia",
    "lithuania": "Lithuania|Lituanie|Litauen|Lituania",
    "luxembourg": "Luxembourg|Luxemburg|Luxemburgo",
    "malta": "Malta|Malte",
    "poland": "Poland|Pologne|Polen|Polonia",
    "portugal": "Portugal",
    "romania": "Romania|Roumanie|Rumänien|Rumanía",
    "slovakia": "Slovakia|Slovaquie|Slowakei|Eslovaquia",
    "slovenia": "Slovenia|Slovénie|Slowenien|Eslovenia",
    "sweden": "Sweden|Suède|Schweden|Suecia",
    "norway": "Norway|Norvège|Norwegen|Noruega",
    "iceland": "Iceland|Islande|Islandia",  # not "Island" (German): an English word
    "andorra": "Andorra|Andorre",
    "monaco": "Monaco|Mónaco",
    "mexico": "Mexico|Mexique|Mexiko|México",
    "brazil": "Brazil|Brésil|Brasilien|Brasil",
    "argentina": "Argentina|Argentine|Argentinien",
    "chile": "Chile",
    "colombia": "Colombia|Colombie|Kolumbien",
    "peru": "Peru|Pérou|Perú",
    "australia": "Australia|Australie|Australien",
    "new zealand": "New Zealand|Nouvelle-Zélande|Neuseeland|Nueva Zelanda",
    "japan": "Japan|Japon|Japón",
    "china": "China|Chine",
    "india": "India|Inde|Indien",
    "singapore": "Singapore|Singapour|Singapur",
    "south korea": "South Korea|Corée du Sud|Südkorea|Corea del Sur",
    "emea": "EMEA",
    "apac": "APAC|Asia-Pacific|Asia Pacific",
}
# Written as the regions are written: "US" and "EU" only in capitals ("us" is a
# pronoun), names capitalised.
_NAMES = {
    name: region
    for region in set(PARENT) | set(PARENT.values())
    for name in _ALIASES.get(region, region.title()).split("|")
}
_REGION = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(_NAMES, key=len, reverse=True))
    + r")(?!\w)"
)


def regions(text: str) -> set[str]:
    """The regions ``text`` names, each once, by its canonical name ("eu", "us")."""
    return {_canonical(m.group(1)) for m in _REGION.finditer(text)}


def _canonical(written: str) -> str:
    return _NAMES[re.sub(r"\s+", " ", written)]


def with_parents(region: str) -> set[str]:
    """``region`` and every region that contains it (Germany: the EU, Europe, EMEA)."""
    found = {region}
    while region in PARENT:
        region = PARENT[region]
        found.add(region)
    return found


_COUNTRY_CODES = {
    "at": "austria", "au": "australia", "be": "belgium", "br": "brazil", "ca": "canada",
    "ch": "switzerland", "de": "germany", "dk": "denmark", "es": "spain", "fi": "finland",
    "fr": "france", "gb": "uk", "ie": "ireland", "it": "italy", "jp": "japan", "mx": "mexico",
    "nl": "netherlands", "no": "norway", "nz": "new zealand", "pl": "poland", "pt": "portugal",
    "se": "sweden", "uk": "uk", "us": "us",
}  # fmt: skip


def locale_region(locale: str) -> str:
    """The region a locale's country names, written as a text names it ("fr-FR" ->
    "France", "en-GB" -> "UK"); "" for a locale without a known country ("fr")."""
    _, _, country = locale.replace("_", "-").partition("-")
    region = _COUNTRY_CODES.get(country.lower())
    if region is None:
        return ""
    return _ALIASES.get(region, region.title()).split("|")[0]
