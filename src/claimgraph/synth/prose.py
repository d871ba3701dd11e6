"""The words of a synthetic corpus: names, outlets, topics and filler, slugs, dates and altered quotes."""

from __future__ import annotations

import random
import unicodedata

__all__ = [
    "ANON_DESCRIPTIONS",
    "FILLER",
    "FIRST_NAMES",
    "LAST_NAMES",
    "MONTHS",
    "OUTLET_WORDS",
    "STATE_ROOTS",
    "TOPICS",
    "WIRES",
    "alter",
    "random_date",
    "slugify",
]

FIRST_NAMES = (
    "Anna",
    "Boris",
    "Carla",
    "Dmytro",
    "Elena",
    "Farid",
    "Greta",
    "Hiro",
    "Inés",
    "Jonas",
    "Katya",
    "Liam",
    "Marta",
    "Nikolai",
    "Olga",
    "Pavel",
    "Rosa",
    "Stefan",
    "Tamar",
    "Viktor",
)
LAST_NAMES = (
    "Adler",
    "Bauer",
    "Costa",
    "Dumas",
    "Eriksen",
    "Fischer",
    "García",
    "Horvat",
    "Ivanova",
    "Jansen",
    "Kovač",
    "Lindqvist",
    "Moreau",
    "Nowak",
    "Orlov",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schulz",
    "Tanaka",
)
STATE_ROOTS = (
    "Aldor",
    "Belvar",
    "Corvia",
    "Drest",
    "Elmar",
    "Fennic",
    "Galdor",
    "Hespa",
    "Istr",
    "Jarv",
    "Kelm",
    "Lorn",
    "Marav",
    "Nort",
    "Ostrav",
    "Pell",
    "Quar",
    "Rusk",
    "Sarn",
    "Tov",
)
OUTLET_WORDS = (
    "Herald",
    "Courier",
    "Observer",
    "Gazette",
    "Ledger",
    "Tribune",
    "Monitor",
    "Post",
    "Chronicle",
    "Dispatch",
    "Sentinel",
    "Review",
)
WIRES = ("Global Wire", "Continental Press", "Meridian News Agency")
ANON_DESCRIPTIONS = (
    "a senior official familiar with the talks",
    "two diplomats briefed on the negotiations",
    "a person with knowledge of the assessments",
    "officials who spoke on condition of anonymity",
    "a military source",
    "a source close to the delegation",
)
TOPICS = (
    "the talks",
    "the ceasefire",
    "the border crossings",
    "grain exports",
    "the prisoner exchange",
    "the energy deal",
    "sanctions relief",
    "the peace framework",
    "air defence deliveries",
    "the reconstruction fund",
)
FILLER = (
    "Others are reading now",
    "Also read",
    "📌 Key points",
    "The situation remains fluid \u2014 and officials\u2019 statements have shifted in recent weeks.",
    "Analysts caution that “facts on the ground” change quickly.",
    "Negotiations under strain",
    "What comes next",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def slugify(label: str) -> str:
    """Lower-case ASCII letters and digits with accents dropped, every other run of characters one hyphen."""
    folded = unicodedata.normalize("NFD", label.lower())
    kept = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in folded if not unicodedata.combining(ch))
    return "-".join(part for part in kept.split("-") if part)


def random_date(rng: random.Random) -> str:
    return f"{rng.choice((2024, 2025))}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def alter(text: str) -> str:
    """The text with one letter in its middle changed (a quote altered by one character)."""
    middle = len(text) // 2
    for i in range(middle, len(text)):
        if text[i].isalpha():
            return text[:i] + ("x" if text[i] != "x" else "y") + text[i + 1 :]
    return text + "!"
