"""The client list: filters, sorting both ways, pages, the CSV export and adding a client."""

from __future__ import annotations

import csv
import io
import re

import pytest

from application import queries
from domain.users import User

ROW_NAMES = re.compile(r'class="fw-semibold client-link" href="/clients/(\d+)">([^<]+)</a>')
FORECASTS = re.compile(r'<span class="fw-semibold">PLN\xa0([\d,.]+)</span>')


def listed(html: str) -> list[str]:
    return [name for _, name in ROW_NAMES.findall(html)]


def forecasts(html: str) -> list[float]:
    return [float(value.replace(",", "")) for value in FORECASTS.findall(html)]


@pytest.fixture
def signed_in(demo_client, demo_auth, demo_analyst: User):  # type: ignore[no-untyped-def]
    demo_auth.login(demo_analyst.email)
    return demo_client


def test_list_shows_a_page_with_forecasts_decisions_and_segments(signed_in):
    html = signed_in.get("/clients").get_data(as_text=True)

    assert "300 clients on record" in html
    assert len(listed(html)) == 25
    assert "Showing 1–25 of 300" in html
    assert "Page 1 of 12" in html
    assert "segment-badge" in html and "decision-badge" in html


def test_per_page_and_page_come_from_the_query_string(signed_in):
    html = signed_in.get("/clients?per_page=10&page=3").get_data(as_text=True)

    assert len(listed(html)) == 10
    assert "Showing 21–30 of 300" in html
    # The next page keeps the page size, and the order: the likeliest buyers first once predictions
    # exist; it is read after this page's last client, the one before before its first.
    following = step_link(html, "next")
    preceding = step_link(html, "prev")
    assert following.startswith("/clients?sort=-purchase_probability&page=4&per_page=10&after=")
    assert preceding.startswith("/clients?sort=-purchase_probability&page=2&per_page=10&before=")
    for link, number in [(following, 4), (preceding, 2)]:
        html_of_link = signed_in.get(link).get_data(as_text=True)
        numbered = signed_in.get(f"/clients?per_page=10&page={number}").get_data(as_text=True)
        assert listed(html_of_link) == listed(numbered)
        assert f"Page {number} of 30" in html_of_link


def test_the_next_links_lead_through_every_client_once_and_stop_at_the_last_page(signed_in):
    link: str | None = "/clients?sort=-predicted_sales&per_page=100"
    seen: list[str] = []
    while link is not None:
        html = signed_in.get(link).get_data(as_text=True)
        seen += [client_id for client_id, _ in ROW_NAMES.findall(html)]
        link = step_link(html, "next") if 'rel="next"' in html else None

    assert len(seen) == len(set(seen)) == 300
    assert "Page 3 of 3" in html
    assert '<span class="page-link" aria-disabled="true">' in html


def test_a_position_that_is_not_the_lists_is_explained_and_the_first_page_shown(signed_in):
    response = signed_in.get("/clients?after=nonsense")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This link does not lead to a page of the list" in html
    assert "Showing 1–25 of 300" in html


def step_link(html: str, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    assert found is not None, f"no {rel} link"
    return found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(("sort", "descending"), [("predicted_sales", False), ("-predicted_sales", True)])
def test_list_sorts_by_forecast_both_ways(signed_in, sort: str, descending: bool):
    html = signed_in.get(f"/clients?sort={sort}&per_page=50").get_data(as_text=True)

    values = forecasts(html)
    assert len(values) == 50
    assert values == sorted(values, reverse=descending)


def test_sort_headers_toggle_the_direction_and_show_an_arrow(signed_in):
    ascending = signed_in.get("/clients?sort=email").get_data(as_text=True)
    descending = signed_in.get("/clients?sort=-email").get_data(as_text=True)

    assert 'aria-sort="ascending"' in ascending and 'href="/clients?sort=-email"' in ascending
    assert 'aria-sort="descending"' in descending and 'href="/clients?sort=email"' in descending
    assert "bi-arrow-up" in ascending and 'bi-arrow-down"' in descending
    # other columns start with their most interesting end: the highest forecast first
    assert 'href="/clients?sort=-predicted_sales"' in ascending


@pytest.mark.parametrize(
    "column", ["last_name", "first_name", "email", "registered_on", "purchase_probability"]
)
def test_every_column_sorts_both_ways(signed_in, column: str):
    up = listed(signed_in.get(f"/clients?sort={column}&per_page=100").get_data(as_text=True))
    down = listed(signed_in.get(f"/clients?sort=-{column}&per_page=100").get_data(as_text=True))

    assert len(up) == len(down) == 100
    assert up != down


def test_segment_and_decision_filters_narrow_the_list(signed_in):
    everyone = signed_in.get("/clients?per_page=100").get_data(as_text=True)
    buyers = signed_in.get("/clients?will_buy=true&segment=high&per_page=100").get_data(as_text=True)

    found = int(re.search(r"(\d+) clients? found", buyers).group(1))  # type: ignore[union-attr]
    assert 0 < found < 300
    assert "decision-no" not in buyers.split('id="client-table"')[1]
    assert "segment-low" not in buyers.split('id="client-table"')[1]
    assert 'option value="high" selected' in buyers and 'option value="true" selected' in buyers
    assert len(listed(everyone)) == 100


def test_the_tier_filter_lists_the_top_tenth_by_the_worth_of_a_contact(signed_in):
    html = signed_in.get("/clients?tier=1&per_page=100").get_data(as_text=True)

    found = int(re.search(r"(\d+) clients? found", html).group(1))  # type: ignore[union-attr]
    table = html.split('id="client-table"')[1]
    assert 0 < found <= 30  # at most a tenth of the 300 clients scored
    assert table.count("tier-badge tier-1") == 2 * found  # in its column, and under the name on a phone
    assert "tier-2" not in table and "tier-4" not in table
    assert 'option value="1" selected' in html and "Top 10%" in table
    assert '<input type="hidden" name="tier" value="1">' in export_form(html)


def test_every_scored_client_has_a_tier_and_the_tiers_hold_their_shares(signed_in):
    totals = {}
    for tier in (1, 2, 3, 4):
        html = signed_in.get(f"/clients?tier={tier}").get_data(as_text=True)
        totals[tier] = int(re.search(r"(\d+) clients? found", html).group(1))  # type: ignore[union-attr]

    scored = sum(totals.values())
    assert totals[1] <= 0.1 * scored and totals[1] + totals[2] <= 0.3 * scored
    assert totals[1] + totals[2] + totals[3] <= 0.6 * scored < totals[4] + totals[3] + totals[2] + totals[1]


def test_text_filter_finds_by_name_and_keeps_the_other_filters_in_links(signed_in):
    first = listed(signed_in.get("/clients?sort=last_name").get_data(as_text=True))[0]
    last_name = first.split()[-1]

    html = signed_in.get(f"/clients?q={last_name}&sort=-predicted_sales&per_page=10").get_data(as_text=True)

    assert all(last_name in name for name in listed(html))
    assert f'value="{last_name}"' in html
    assert f'<input type="hidden" name="q" value="{last_name}">' in export_form(html)


def test_a_search_matching_more_clients_than_it_counts_says_more_than_and_pages_on(
    signed_in, demo_auth, monkeypatch
):
    monkeypatch.setattr(queries, "SEARCH_COUNTED_UP_TO", 40)
    link: str | None = "/clients?q=example&sort=last_name&per_page=25"
    seen: list[str] = []
    html = ""
    while link is not None:
        html = signed_in.get(link).get_data(as_text=True)
        seen += [client_id for client_id, _ in ROW_NAMES.findall(html)]
        if len(seen) == 25:
            assert "More than 40 clients found" in html
            assert "Showing 1–25 of more than 40" in html
            assert "Page 1 of more than 2" in html
            assert "All clients of this list (more than 40)" in export_form(html)
        link = step_link(html, "next") if 'rel="next"' in html else None

    assert len(seen) == len(set(seen)) == 300
    assert "Page 12 of more than 2" in html
    signed_in.post("/language/pl", data={"csrf_token": demo_auth.csrf_token("/clients"), "next": "/clients"})
    polish = signed_in.get("/clients?q=example").get_data(as_text=True)
    assert "Znaleziono ponad 40 klientów" in polish
    assert "Strona 1 z ponad 2" in polish


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "Page"),
        ("per_page=1000", "Rows per page"),
        ("sort=shoe_size", "Sort"),
        ("segment=vip", "Segment"),
        ("tier=5", "Contact priority"),
        ("tier=top", "Contact priority"),
    ],
)
def test_bad_query_values_are_explained_not_a_crash(signed_in, query: str, field: str):
    response = signed_in.get(f"/clients?{query}")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"<strong>{field}</strong>" in html
    assert len(listed(html)) == 25  # the whole list, first page, instead of an error page


def test_unknown_query_parameters_are_ignored(signed_in):
    assert signed_in.get("/clients?utm_source=newsletter").status_code == 200


def test_export_streams_the_filtered_list_as_csv(signed_in):
    page = signed_in.get("/clients?segment=medium&per_page=100").get_data(as_text=True)
    expected = int(re.search(r"(\d+) clients? found", page).group(1))  # type: ignore[union-attr]

    response = signed_in.get("/clients/export.csv?segment=medium&sort=-predicted_sales")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="prognoza-clients-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == expected
    assert {row["segment"] for row in rows} == {"medium"}
    sales = [float(row["predicted_sales"]) for row in rows]
    assert sales == sorted(sales, reverse=True)


def test_export_names_each_clients_tier_and_keeps_the_tier_filter(signed_in):
    plain = signed_in.get("/clients/export.csv?tier=2").get_data(as_text=True)
    english = signed_in.get("/clients/export.csv?tier=2&dialect=excel&lang=en").get_data()

    rows = list(csv.DictReader(io.StringIO(plain)))
    assert rows and {row["tier"] for row in rows} == {"2"}
    sheet = list(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    assert sheet[0][-1] == "Contact priority"
    assert {row[-1] for row in sheet[1:]} == {"Next 20%"} and len(sheet) == len(rows) + 1


def export_form(html: str) -> str:
    return html.split('id="export-form"')[1].split("</form>")[0]


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', export_form(html)))


def test_export_form_carries_the_filters_but_not_the_page(signed_in):
    html = signed_in.get("/clients?q=ann&will_buy=false&page=2&per_page=10").get_data(as_text=True)

    assert 'action="/clients/export.csv"' in html
    assert hidden_fields(html) == {"q": "ann", "sort": "-purchase_probability", "will_buy": "false"}
    form = export_form(html)
    assert 'name="limit" id="export-limit"\n                 value="10"' in form  # top N: the page size
    assert 'value="excel" selected' in form and "Excel (English)" in form


def plain_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_of_the_top_n_gives_the_first_n_of_the_list_in_its_order(signed_in):
    html = signed_in.get("/clients?sort=-purchase_probability&per_page=50").get_data(as_text=True)
    on_screen = [int(client_id) for client_id, _ in ROW_NAMES.findall(html)]

    response = signed_in.get(
        "/clients/export.csv?sort=-purchase_probability&scope=top&limit=50&dialect=plain&per_page=50"
    )

    assert response.status_code == 200
    assert [int(row["id"]) for row in plain_rows(response)] == on_screen
    everyone = signed_in.get(
        "/clients/export.csv?sort=-purchase_probability&scope=all&limit=50&dialect=plain"
    )
    assert len(plain_rows(everyone)) == 300  # "all" ignores the number typed for the top N


def test_export_of_the_ticked_rows_gives_just_those_in_the_lists_order(signed_in):
    html = signed_in.get("/clients?sort=-predicted_sales&per_page=10").get_data(as_text=True)
    on_screen = [int(client_id) for client_id, _ in ROW_NAMES.findall(html)]
    ticked = [on_screen[7], on_screen[2], on_screen[4]]

    response = signed_in.get(
        "/clients/export.csv",
        query_string=[("sort", "-predicted_sales"), ("scope", "selected"), ("dialect", "plain")]
        + [("ids", str(client_id)) for client_id in ticked],
    )

    assert [int(row["id"]) for row in plain_rows(response)] == [on_screen[2], on_screen[4], on_screen[7]]
    assert f'name="ids" value="{on_screen[0]}" form="export-form"' in html


def test_export_for_excel_follows_the_panels_language(signed_in):
    response = signed_in.get(
        "/clients/export.csv?sort=-purchase_probability&limit=5&dialect=excel",
        headers={"Accept-Language": "pl"},
    )

    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"].endswith('-PLN-excel-pl.csv"')
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["ID klienta", "Imię", "Nazwisko"]
    assert len(rows) == 6
    assert re.fullmatch(r"\d+,\d\d%", rows[1][6])
    assert rows[1][7] in {"Tak", "Nie"} and rows[1][8] in {"Wysoki", "Średni", "Niski"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("scope=top&limit=0", "Number of clients"),
        ("scope=top&limit=", "Number of clients"),
        ("scope=top&limit=lots", "Number of clients"),
        ("scope=selected", "Chosen clients"),
        ("ids=1&ids=x", "Chosen clients"),
        ("dialect=xls", "Format"),
    ],
)
def test_a_bad_export_is_explained_on_the_list(signed_in, query: str, field: str):
    response = signed_in.get(f"/clients/export.csv?sort=email&{query}")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="export-problems"' in html and f"<strong>{field}</strong>" in html
    assert '<details class="export-control" id="export-control" open>' in html
    assert len(listed(html)) == 25


def test_analyst_adds_a_client_and_lands_on_its_page(signed_in):
    form = {
        "client-first_name": "Ewa",
        "client-last_name": "Zielińska",
        "client-email": "ewa.zielinska@example.com",
        "client-registered_on": "2024-02-29",
    }
    page = signed_in.get("/clients/new").get_data(as_text=True)
    token = re.search(r'name="client-csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    response = signed_in.post("/clients/new", data={**form, "client-csrf_token": token})

    assert response.status_code == 302
    html = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ewa Zielińska was added." in html
    assert "ewa.zielinska@example.com" in html
    assert "301 clients on record" in signed_in.get("/clients").get_data(as_text=True)


def test_bad_new_client_shows_field_errors_keeps_values_and_stores_nothing(signed_in, demo_auth):
    response = demo_auth.post(
        "/clients/new",
        {
            "client-first_name": "Ewa",
            "client-last_name": "",
            "client-email": "not-an-email",
            "client-registered_on": "2024-13-01",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("is-invalid") == 3
    assert "Choose a date in the calendar." in html and "YYYY" not in html
    assert "This value is required." in html
    assert "Enter a valid email address." in html
    assert 'value="not-an-email"' in html and 'value="Ewa"' in html
    assert "300 clients on record" in signed_in.get("/clients").get_data(as_text=True)


def test_new_client_registered_in_the_future_is_refused(signed_in, demo_auth):
    response = demo_auth.post(
        "/clients/new",
        {
            "client-first_name": "A",
            "client-last_name": "B",
            "client-email": "a@b.pl",
            "client-registered_on": "2999-01-01",
        },
    )

    assert response.status_code == 422
    assert "The date must not be in the future." in response.get_data(as_text=True)


def test_new_client_with_a_taken_email_is_refused_next_to_the_email(signed_in, demo_auth):
    taken = re.search(r"[\w.]+@example\.\w+", signed_in.get("/clients").get_data(as_text=True)).group(0)  # type: ignore[union-attr]

    response = demo_auth.post(
        "/clients/new",
        {
            "client-first_name": "A",
            "client-last_name": "B",
            "client-email": taken,
            "client-registered_on": "2024-01-01",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="client-email-errors"' in html and "This email is already taken." in html


def test_empty_list_offers_to_add_or_import(client, auth, analyst: User):
    auth.login(analyst.email)

    html = client.get("/clients").get_data(as_text=True)

    assert "No clients yet" in html
    assert 'href="/clients/new"' in html and 'href="/import"' in html


def test_an_empty_registration_date_asks_for_a_date_from_the_calendar_in_polish(signed_in, demo_auth):
    demo_auth.post("/language/pl")

    response = demo_auth.post(
        "/clients/new",
        {
            "client-first_name": "Ewa",
            "client-last_name": "Nowak",
            "client-email": "ewa@example.com",
            "client-registered_on": "",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wybierz datę w kalendarzu." in html
    assert "RRRR" not in html and "YYYY" not in html
