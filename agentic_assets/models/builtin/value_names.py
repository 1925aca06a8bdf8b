"""Names that general English gives to coded values: countries for their ISO 3166 alpha-2 codes and
currencies for their ISO 4217 codes. A ticket says 'made in Spain' or 'charged in euros' where the
column holds ES or EUR; a name is read as a code only when that code is a sample value of the column.
"""

from __future__ import annotations

# ISO 3166-1 alpha-2, by the English short name (and its common alternatives)
COUNTRIES: dict[str, str] = {
    "austria": "AT", "belgium": "BE", "bulgaria": "BG", "croatia": "HR", "cyprus": "CY", "czechia": "CZ",
    "czech republic": "CZ", "denmark": "DK", "estonia": "EE", "finland": "FI", "france": "FR", "germany": "DE",
    "greece": "GR", "hungary": "HU", "ireland": "IE", "italy": "IT", "latvia": "LV", "lithuania": "LT",
    "luxembourg": "LU", "malta": "MT", "netherlands": "NL", "the netherlands": "NL", "holland": "NL",
    "poland": "PL", "portugal": "PT", "romania": "RO", "slovakia": "SK", "slovenia": "SI", "spain": "ES",
    "sweden": "SE", "norway": "NO", "iceland": "IS", "switzerland": "CH", "united kingdom": "GB", "uk": "GB",
    "great britain": "GB", "britain": "GB", "united states": "US", "usa": "US", "canada": "CA", "mexico": "MX",
    "brazil": "BR", "argentina": "AR", "japan": "JP", "china": "CN", "india": "IN", "australia": "AU",
    "new zealand": "NZ", "south africa": "ZA", "turkey": "TR", "ukraine": "UA",
}  # fmt: skip
# ISO 4217, by the currency's English name, singular and plural
CURRENCIES: dict[str, str] = {
    "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "pounds sterling": "GBP",
    "dollar": "USD", "dollars": "USD", "us dollars": "USD", "yen": "JPY", "swiss franc": "CHF",
    "swiss francs": "CHF", "zloty": "PLN", "krona": "SEK", "kronor": "SEK",
}  # fmt: skip
NAMES: dict[str, str] = {**COUNTRIES, **CURRENCIES}


def names_of(code: str) -> list[list[str]]:
    """The word sequences that name `code` ('united kingdom' -> ['united', 'kingdom'])."""
    return [name.split() for name, c in NAMES.items() if c == code]
