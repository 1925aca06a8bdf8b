"""Naming conventions: one upstream system, one way of spelling its columns."""

from __future__ import annotations

from typing import Literal

Convention = Literal["snake", "camel", "pascal", "upper", "abbrev"]
CONVENTIONS: tuple[Convention, ...] = ("snake", "camel", "pascal", "upper", "abbrev")

# Abbreviations as head-end and mainframe exports write them.
_ABBREV = {
    "amount": "amt",
    "quantity": "qty",
    "number": "no",
    "identifier": "id",
    "timestamp": "ts",
    "date": "dt",
    "code": "cd",
    "name": "nm",
    "region": "rgn",
    "category": "cat",
    "price": "prc",
    "rate": "rt",
    "total": "tot",
    "average": "avg",
    "count": "cnt",
    "flag": "flg",
    "status": "sts",
    "period": "prd",
    "start": "strt",
    "charge": "chg",
    "weight": "wt",
    "share": "shr",
    "value": "val",
    "minutes": "mins",
    "hours": "hrs",
    "revenue": "rev",
    "customer": "cust",
    "account": "acct",
    "station": "stn",
    "patient": "pt",
    "admission": "adm",
    "admissions": "adms",
    "employee": "emp",
    "shipment": "shp",
    "meter": "mtr",
    "reading": "rdg",
    "readings": "rdgs",
    "impressions": "imps",
    "campaign": "cmp",
    "return": "rtn",
    "returns": "rtns",
    "department": "dept",
    "warehouse": "whse",
    "daily": "dly",
    "monthly": "mthly",
    "weekly": "wkly",
    "event": "evt",
    "events": "evts",
    "label": "lbl",
    "type": "typ",
    "band": "bnd",
}


def spell(words: tuple[str, ...] | list[str], convention: Convention) -> str:
    words = [w.lower() for w in words]
    if convention == "snake":
        return "_".join(words)
    if convention == "upper":
        return "_".join(words).upper()
    if convention == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if convention == "pascal":
        return "".join(w.capitalize() for w in words)
    return "_".join(_ABBREV.get(w, w) for w in words)


def table_name(words: tuple[str, ...] | list[str], convention: Convention) -> str:
    """Tables stay snake case (the file stem); an abbreviating system abbreviates them too."""
    return spell(words, "abbrev" if convention == "abbrev" else "snake")
