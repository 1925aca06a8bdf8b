"""Naming conventions of the upstream systems: one logical name, spelled the way each system spells it."""

from __future__ import annotations

from enum import StrEnum


class Naming(StrEnum):
    snake = "snake"  # admission_id
    camel = "camel"  # admissionId
    pascal = "pascal"  # AdmissionId
    upper = "upper"  # ADMISSION_ID
    abbrev = "abbrev"  # adm_id: head-end systems that clip every word

    def spell(self, logical: str) -> str:
        words = logical.split("_")
        if self is Naming.snake:
            return logical
        if self is Naming.camel:
            return words[0] + "".join(w.capitalize() for w in words[1:])
        if self is Naming.pascal:
            return "".join(w.capitalize() for w in words)
        if self is Naming.upper:
            return logical.upper()
        return "_".join(_clip(w) for w in words)


def _clip(word: str) -> str:
    """Four letters at most, dropping inner vowels first (`admission` -> `admn`), as meter head-ends do."""
    if len(word) <= 4:
        return word
    consonants = word[0] + "".join(c for c in word[1:] if c not in "aeiou")
    return (consonants if len(consonants) >= 3 else word)[:4]
