"""The catalogues: every message of the panel extracted, translated into Polish, and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "src" / "entrypoints" / "translations"
LOCALES = ["en", "pl"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalogue(locale: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def messages_in_the_code() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)
    return {message[2] if isinstance(message[2], str) else message[2][0] for message in found}


def ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_holds_every_message_of_the_code(locale: str):
    missing = messages_in_the_code() - ids(catalogue(locale))

    assert not missing, "run the extract/update steps of the translations: missing " + repr(sorted(missing))


def test_polish_catalogue_translates_every_message():
    untranslated = [m.id for m in catalogue("pl") if m.id and (not all(_strings(m)) or m.fuzzy)]

    assert not untranslated


def test_polish_translations_keep_their_placeholders():
    for message in catalogue("pl"):
        if message.id and message.python_format:
            assert not message.check(catalogue("pl")), message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_its_source(locale: str):
    directory = TRANSLATIONS / locale / "LC_MESSAGES"
    with (directory / "messages.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    for message in catalogue(locale):
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert translations.gettext(message.id) == message.string, message.id
        else:
            assert translations.ngettext(message.id[0], message.id[1], 1) == message.string[0], message.id


def _strings(message) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)
