"""The client export for a spreadsheet (Excel) in a reader's language, shared by the panel, the API
and the command line: the columns and values are labelled by the panel's catalogues (Flask-Babel), the
delimiter and decimal separator follow the language's number format (a decimal comma goes with `;`,
as Excel in that language expects)."""

from __future__ import annotations

from babel import Locale
from babel.numbers import get_decimal_symbol
from flask_babel import force_locale

from application.commands import ClientExport, ExportDialect
from entrypoints.csv_files import PlainCsv, SemicolonCsv, Sheet
from entrypoints.web.i18n import DEFAULT_LOCALE, LANGUAGES
from entrypoints.web.labels import DECISION_WORDS, EXPORT_HEADERS, SEGMENT_LABELS, TIER_LABELS


def sheet_for(language: str, currency: str) -> Sheet:
    """The spreadsheet export in `language` (en or pl); `currency` names the forecast's money.

    Needs an app context (the catalogues)."""
    language = language if language in LANGUAGES else DEFAULT_LOCALE
    decimal = get_decimal_symbol(Locale.parse(language))
    with force_locale(language):
        return Sheet(
            dialect=SemicolonCsv if decimal == "," else PlainCsv,
            decimal=decimal,
            headers={column: str(label) % {"currency": currency} for column, label in EXPORT_HEADERS.items()},
            segments={segment: str(label) for segment, label in SEGMENT_LABELS.items()},
            tiers={tier: str(label) for tier, label in TIER_LABELS.items()},
            yes=str(DECISION_WORDS[True]),
            no=str(DECISION_WORDS[False]),
        )


def sheet_of(export: ClientExport, language: str, currency: str) -> Sheet | None:
    """The sheet an export asks for: None for the plain CSV, else a spreadsheet in its `lang` or, when
    it names none, in `language` (the panel's, or the one the API caller's browser accepts)."""
    if export.dialect is ExportDialect.PLAIN:
        return None
    return sheet_for(export.lang.value if export.lang is not None else language, currency)


def export_filename(stem: str, export: ClientExport, language: str, currency: str) -> str:
    """`stem-PLN.csv` for the plain CSV, `stem-PLN-excel-pl.csv` for a spreadsheet in Polish."""
    if export.dialect is ExportDialect.PLAIN:
        return f"{stem}-{currency}.csv"
    chosen = export.lang.value if export.lang is not None else language
    return f"{stem}-{currency}-excel-{chosen if chosen in LANGUAGES else DEFAULT_LOCALE}.csv"
