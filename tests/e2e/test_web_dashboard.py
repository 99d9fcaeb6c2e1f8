"""The dashboard: headline cards, segments with their rule, the sales trend, and the state before training."""

from __future__ import annotations

import json
import re

from domain.users import User
from e2e.conftest import clients_with_snapshots, with_bands


def stat_value(html: str, stat_id: str) -> str:
    found = re.search(rf'id="{stat_id}".*?<p class="stat-value mb-0">([^<]*)</p>', html, re.S)
    assert found, f"no {stat_id} card"
    return found.group(1)


def chart_data(html: str, block_id: str) -> dict:  # type: ignore[type-arg]
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert found, f"no {block_id} data"
    return json.loads(found.group(1))


def test_dashboard_shows_the_cards_of_a_scored_company(demo_app, demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/").get_data(as_text=True)

    assert stat_value(html, "stat-clients") == "300"
    assert stat_value(html, "stat-average").startswith("PLN\N{NO-BREAK SPACE}")
    assert re.fullmatch(r"\d+\.\d%", stat_value(html, "stat-buyers"))
    assert "Purchase probability ≥ 70%" in html
    assert f"of {clients_with_snapshots(demo_app)} clients" in html
    assert 'id="models-missing"' not in html


def test_dashboard_names_the_segment_rule_in_words(demo_app, demo_client, demo_auth, demo_analyst: User):
    with_bands(demo_app, 300, 1000)
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/").get_data(as_text=True)

    assert "from PLN\N{NO-BREAK SPACE}1,000" in html
    assert "from PLN\N{NO-BREAK SPACE}300 to under PLN\N{NO-BREAK SPACE}1,000" in html
    assert "under PLN\N{NO-BREAK SPACE}300" in html
    counts = re.findall(r'data-segment-count="(\w+)">([\d,]+)<', html)
    assert [name for name, _ in counts] == ["high", "medium", "low"]
    assert sum(int(count.replace(",", "")) for _, count in counts) == clients_with_snapshots(demo_app)


def test_sales_trend_sets_the_forecast_month_apart(demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)

    trend = chart_data(demo_client.get("/").get_data(as_text=True), "sales-trend-data")

    months = len(trend["labels"])
    assert months == 4  # three months of actual sales, then the month forecast
    assert trend["actual"][-1] is None and all(v is not None for v in trend["actual"][:-1])
    assert trend["forecast"][-1] > 0
    assert trend["forecast"][-2] == trend["actual"][-2]  # the dashed line starts at the last actual month
    assert trend["forecast"][:-2] == [None] * (months - 2)
    assert trend["actualLabel"] == "Actual sales" and trend["forecastLabel"] == "Forecast"


def test_dashboard_loads_the_chart_script_from_the_app(demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/").get_data(as_text=True)

    assert '<script src="/static/vendor/chartjs/chart.umd.min.js"></script>' in html
    assert '<script src="/static/js/charts.js"></script>' in html
    assert "<script>" not in html and "style=" not in html


def test_pages_forbid_inline_scripts_and_styles(demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)

    policy = demo_client.get("/").headers["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_admin_without_models_is_sent_to_the_ml_panel(client, auth, admin: User):
    auth.login(admin.email)

    html = client.get("/").get_data(as_text=True)

    assert 'id="models-missing"' in html
    assert "Train the sales and the purchase model in the ML panel" in html
    assert 'href="/ml"' in html
    assert stat_value(html, "stat-average") == "—"


def test_analyst_without_models_is_told_to_ask_an_admin(client, auth, analyst: User):
    auth.login(analyst.email)

    html = client.get("/").get_data(as_text=True)

    assert "Ask an administrator to train them" in html
    assert "Open the ML panel" not in html


def test_dashboard_speaks_polish(demo_app, demo_client, demo_auth, demo_analyst: User):
    with_bands(demo_app, 300, 1000)
    demo_client.post("/language/pl", data={"csrf_token": demo_auth.csrf_token(), "next": "/login"})
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/").get_data(as_text=True)

    assert "Prawdopodobieństwo zakupu ≥ 70%" in html
    assert "od 1\N{NO-BREAK SPACE}000\N{NO-BREAK SPACE}zł" in html
    assert chart_data(html, "sales-trend-data")["actualLabel"] == "Rzeczywista sprzedaż"


def test_every_card_and_segment_leads_to_the_clients_it_counts(demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/").get_data(as_text=True)

    start = html.index('id="stat-buyers"')
    buyers = html[start : html.index("</section>", start)]
    assert 'href="/clients?will_buy=true&amp;sort=-purchase_probability"' in buyers
    for segment in ("high", "medium", "low"):
        assert f'href="/clients?segment={segment}&amp;sort=-predicted_sales"' in html


def test_who_to_contact_next_lists_the_clients_worth_most_with_the_whole_list_a_click_away(
    demo_app, demo_client, demo_auth, demo_analyst: User
):
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/").get_data(as_text=True)

    table = html[html.index('id="contact-next"') : html.index("</table>", html.index('id="contact-next"'))]
    shown = [int(client_id) for client_id in re.findall(r'data-client="(\d+)"', table)]
    listed = demo_client.get("/clients?sort=-expected_value&per_page=5").get_data(as_text=True)
    assert len(shown) == 5
    assert shown == [int(i) for i in re.findall(r'href="/clients/(\d+)"', listed)][:5]
    assert 'href="/clients?sort=-expected_value"' in html
    assert 'href="/clients/export.csv?sort=-expected_value"' in html


def test_the_client_list_opens_with_the_likeliest_buyers_first_once_predictions_exist(
    demo_client, demo_auth, demo_analyst: User
):
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/clients").get_data(as_text=True)
    by_name = demo_client.get("/clients?sort=last_name").get_data(as_text=True)

    assert 'value="-purchase_probability" selected' in html
    assert 'value="last_name" selected' in by_name  # an order asked for stays asked for
