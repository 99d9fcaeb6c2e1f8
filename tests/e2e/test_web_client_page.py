"""One client's page: its data and edit form, activity with chart and forms, predictions and their factors."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from flask import Flask

from application.commands import NewClient, ThresholdChange
from domain.activity import BEHAVIOUR_FIELDS
from domain.features import PURCHASE_FEATURES, SALES_FEATURES
from domain.users import User
from entrypoints.container import container_of


def first_client_id(app: Flask) -> int:
    uow = container_of(app).uow()
    with uow:
        return min(row.snapshot.client_id for row in uow.activity.newest_rows(after_client_id=0, limit=1))


def detail_of(app: Flask, client_id: int):  # type: ignore[no-untyped-def]
    return container_of(app).client_page()(client_id)


@pytest.fixture
def client_id(demo_app: Flask) -> int:
    return first_client_id(demo_app)


@pytest.fixture
def signed_in(demo_client, demo_auth, demo_analyst: User):  # type: ignore[no-untyped-def]
    demo_auth.login(demo_analyst.email)
    return demo_client


def test_page_shows_the_client_predictions_and_the_probability_bar(signed_in, demo_app, client_id: int):
    detail = detail_of(demo_app, client_id)

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    assert detail.client.full_name in html and detail.client.email in html
    assert 'id="forecast"' in html and 'id="purchase"' in html
    bar = re.search(r'class="progress-bar probability-(\w+)" data-width="([\d.]+)"', html)
    assert bar is not None
    tone, width = bar.group(1), float(bar.group(2))
    assert width == pytest.approx(detail.overview.purchase.probability * 100, abs=0.01)
    expected = (
        "above"
        if detail.overview.purchase.probability >= 0.7
        else ("near" if detail.overview.purchase.probability >= 0.6 else "below")
    )
    assert tone == expected
    assert 'class="threshold-mark" data-left="70.0"' in html
    assert "segment-badge" in html


def test_page_shows_the_contact_priority_and_what_a_contact_is_worth(signed_in, demo_app, client_id: int):
    overview = detail_of(demo_app, client_id).overview

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    block = html.split('id="contact-tier"')[1].split("</div>\n</div>")[0]
    assert overview.tier is not None
    assert f"tier-badge tier-{overview.tier.value}" in block
    assert f"A contact is worth PLN\xa0{overview.expected_value:,.2f}" in block


def test_page_explains_each_prediction_with_its_strongest_factors(signed_in, client_id: int):
    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    factors = html[html.index('id="factors"') : html.index('id="activity"')]
    assert "Sales forecast" in factors and "Purchase propensity" in factors
    features = set(re.findall(r'data-feature="(\w+)"', factors))
    assert features and features <= {*SALES_FEATURES.names, *PURCHASE_FEATURES.names}
    assert "Pushing it up" in factors or "Pushing it down" in factors
    assert "avg_basket_value" not in re.sub(r"data-feature=\"\w+\"", "", factors)  # names in words, not code


def test_activity_is_listed_newest_first_and_charted(signed_in, demo_app, client_id: int):
    detail = detail_of(demo_app, client_id)

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    table = html[html.index('id="activity-table"') :]
    shown = re.findall(r'data-observed-on="([\d-]+)"', table)
    assert shown == [s.observed_on.isoformat() for s in detail.activity if s.sales_next_month is None]
    data = json.loads(re.search(r'id="activity-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert len(data["labels"]) == len(detail.activity) == 4
    assert data["sales"][-1] is None  # the newest snapshot's outcome is not known yet
    assert 'data-chart="activity"' in html


def test_prediction_history_is_listed(signed_in, client_id: int):
    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    history = html[html.index('id="prediction-history"') :]
    assert "sales v1, purchase v1" in history


def test_editing_the_client_saves_and_confirms(signed_in, demo_auth, demo_app, client_id: int):
    before = detail_of(demo_app, client_id).client

    response = demo_auth.post(
        f"/clients/{client_id}/edit",
        {
            "edit-first_name": "Zofia",
            "edit-last_name": before.last_name,
            "edit-email": before.email,
            "edit-registered_on": before.registered_on.isoformat(),
        },
    )

    assert response.status_code == 302
    assert detail_of(demo_app, client_id).client.first_name == "Zofia"
    html = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The details of Zofia {before.last_name} were saved." in html


def test_bad_edit_shows_errors_keeps_what_was_typed_and_changes_nothing(
    signed_in, demo_auth, demo_app, client_id
):
    before = detail_of(demo_app, client_id).client

    response = demo_auth.post(
        f"/clients/{client_id}/edit",
        {
            "edit-first_name": "",
            "edit-last_name": "Nowak",
            "edit-email": "nowak@",
            "edit-registered_on": "soon",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="edit-first_name-errors"' in html and 'id="edit-email-errors"' in html
    assert 'id="edit-registered_on-errors"' in html
    assert 'value="nowak@"' in html and 'value="soon"' in html
    assert detail_of(demo_app, client_id).client == before


def test_edit_to_an_email_of_another_client_is_refused(signed_in, demo_auth, demo_app, client_id: int):
    other = detail_of(demo_app, client_id + 1).client
    mine = detail_of(demo_app, client_id).client

    response = demo_auth.post(
        f"/clients/{client_id}/edit",
        {
            "edit-first_name": mine.first_name,
            "edit-last_name": mine.last_name,
            "edit-email": other.email.upper(),
            "edit-registered_on": mine.registered_on.isoformat(),
        },
    )

    assert response.status_code == 422
    assert "This email is already taken." in response.get_data(as_text=True)


SNAPSHOT = {
    "snapshot-observed_on": "2025-01-15",
    "snapshot-purchases_30d": "2",
    "snapshot-avg_basket_value": "149.90",
    "snapshot-site_visits_30d": "12",
    "snapshot-days_since_last_purchase": "",
    "snapshot-visits_7d": "4",
    "snapshot-newsletter_opened": "true",
    "snapshot-ad_clicks_7d": "1",
    "snapshot-time_on_site_7d": "18.5",
    "snapshot-sales_next_month": "",
    "snapshot-purchased_next_14d": "",
}


def new_client(app: Flask) -> int:
    command = NewClient.parse(
        {
            "first_name": "Jan",
            "last_name": "Nowy",
            "email": "jan.nowy@example.com",
            "registered_on": "2024-06-01",
        }
    )
    client = container_of(app).register_client()(command)
    assert client.id is not None
    return client.id


def test_adding_a_snapshot_records_it(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)

    response = demo_auth.post(f"/clients/{client_id}/activity", SNAPSHOT)

    assert response.status_code == 302
    [snapshot] = detail_of(demo_app, client_id).activity
    assert snapshot.observed_on == date(2025, 1, 15)
    assert snapshot.newsletter_opened is True and snapshot.days_since_last_purchase is None
    assert snapshot.time_on_site_7d == 18.5 and snapshot.sales_next_month is None
    assert "The snapshot of Jan 15, 2025 was added." in signed_in.get(f"/clients/{client_id}").get_data(
        as_text=True
    )


UNKNOWN_BEHAVIOUR = {
    "snapshot-site_visits_30d": "",
    "snapshot-visits_7d": "",
    "snapshot-newsletter_opened": "",
    "snapshot-ad_clicks_7d": " ",
    "snapshot-time_on_site_7d": "",
}


@pytest.mark.parametrize("language, no_data", [("en", "no data"), ("pl", "brak danych")])
def test_behaviour_left_empty_is_recorded_unknown_and_shown_as_no_data(
    signed_in, demo_auth, demo_app, language, no_data
):
    client_id = new_client(demo_app)
    demo_auth.post(f"/language/{language}")

    response = demo_auth.post(f"/clients/{client_id}/activity", {**SNAPSHOT, **UNKNOWN_BEHAVIOUR})

    assert response.status_code == 302
    [snapshot] = detail_of(demo_app, client_id).activity
    assert [getattr(snapshot, name) for name in BEHAVIOUR_FIELDS] == [None] * 5
    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)
    row = html[html.index("<tbody>", html.index('id="activity"')) :]
    row = row[: row.index("</tr>")]
    assert row.count(no_data) == 5
    assert f'"noData": "{no_data}"' in html


def test_a_bad_snapshot_opens_the_form_with_errors_and_stores_nothing(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)

    response = demo_auth.post(
        f"/clients/{client_id}/activity",
        {**SNAPSHOT, "snapshot-purchases_30d": " ", "snapshot-avg_basket_value": "lots"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="collapse show" id="snapshot-form-box"' in html
    assert "Enter a number, such as 149.90." in html
    assert 'id="snapshot-purchases_30d-errors"' in html and "This value is required." in html
    assert 'value="lots"' in html
    assert detail_of(demo_app, client_id).activity == []


def test_a_bad_number_and_a_future_date_are_shown_together_in_polish(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)
    demo_auth.post("/language/pl")

    response = demo_auth.post(
        f"/clients/{client_id}/activity",
        {**SNAPSHOT, "snapshot-observed_on": "2999-01-01", "snapshot-avg_basket_value": "-5"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="snapshot-observed_on-errors"' in html and "Data nie może być z przyszłości." in html
    assert 'id="snapshot-avg_basket_value-errors"' in html and "Wpisz co najmniej 0." in html
    assert detail_of(demo_app, client_id).activity == []


def test_the_week_cannot_have_more_visits_than_the_month(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)

    response = demo_auth.post(f"/clients/{client_id}/activity", {**SNAPSHOT, "snapshot-site_visits_30d": "3"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="snapshot-visits_7d-errors"' in html
    assert "Cannot exceed the visits of the last 30 days" in html


def test_a_second_snapshot_on_the_same_day_is_refused_next_to_the_date(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)
    demo_auth.post(f"/clients/{client_id}/activity", SNAPSHOT)

    response = demo_auth.post(f"/clients/{client_id}/activity", SNAPSHOT)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="snapshot-observed_on-errors"' in html
    assert "This client already has a snapshot on that date." in html


def test_outcomes_are_filled_in_for_a_snapshot(signed_in, demo_auth, demo_app, client_id: int):
    newest = detail_of(demo_app, client_id).activity[0]
    prefix = f"outcomes-{newest.observed_on.isoformat()}"

    response = demo_auth.post(
        f"/clients/{client_id}/activity/{newest.observed_on.isoformat()}/outcomes",
        {f"{prefix}-sales_next_month": "321.50", f"{prefix}-purchased_next_14d": "true"},
    )

    assert response.status_code == 302
    updated = detail_of(demo_app, client_id).activity[0]
    assert updated.sales_next_month == 321.5 and updated.purchased_next_14d is True


def test_empty_outcomes_are_refused_in_that_rows_form(signed_in, demo_auth, demo_app, client_id: int):
    newest = detail_of(demo_app, client_id).activity[0]
    key = newest.observed_on.isoformat()

    response = demo_auth.post(
        f"/clients/{client_id}/activity/{key}/outcomes",
        {f"outcomes-{key}-sales_next_month": "", f"outcomes-{key}-purchased_next_14d": ""},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'class="collapse outcomes-row show" id="outcomes-{key}"' in html
    assert "Fill in the sales of the following month" in html
    assert detail_of(demo_app, client_id).activity[0] == newest


def test_outcomes_of_a_day_without_a_snapshot_are_not_found(signed_in, demo_auth, client_id: int):
    outcome = {"outcomes-2001-01-01-purchased_next_14d": "false"}
    assert demo_auth.post(f"/clients/{client_id}/activity/2001-01-01/outcomes", outcome).status_code == 404
    assert demo_auth.post(f"/clients/{client_id}/activity/someday/outcomes", {}).status_code == 404


def test_rerunning_the_prediction_adds_to_the_history(signed_in, demo_auth, demo_app, client_id: int):
    response = demo_auth.post(f"/clients/{client_id}/predict")

    assert response.status_code == 302
    assert len(detail_of(demo_app, client_id).prediction_history) == 2
    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)
    assert "New prediction: PLN" in html


def test_predicting_a_client_without_activity_is_a_friendly_warning(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)

    response = demo_auth.post(f"/clients/{client_id}/predict", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Add an activity snapshot first" in html
    assert "alert-warning" in html


def test_predicting_without_trained_models_is_a_friendly_warning(app, client, auth, analyst: User):
    client_id = new_client(app)
    auth.login(analyst.email)
    auth.post(f"/clients/{client_id}/activity", SNAPSHOT)

    response = auth.post(f"/clients/{client_id}/predict", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ask an administrator to train them" in html
    assert "No prediction yet" in html


def test_deleting_a_client_asks_first_then_removes_it(signed_in, demo_auth, demo_app, client_id: int):
    name = detail_of(demo_app, client_id).client.full_name
    page = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)
    assert 'data-bs-target="#delete-client"' in page and f"Delete {name}?" in page

    response = demo_auth.post(f"/clients/{client_id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == "/clients"
    assert f"{name} and their activity were deleted." in signed_in.get("/clients").get_data(as_text=True)
    assert signed_in.get(f"/clients/{client_id}").status_code == 404


def test_unknown_client_is_the_apps_404_page(signed_in):
    response = signed_in.get("/clients/999999")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_admin_sees_the_same_client_tools(demo_client, demo_auth, demo_admin: User, client_id: int):
    demo_auth.login(demo_admin.email)

    html = demo_client.get(f"/clients/{client_id}").get_data(as_text=True)

    assert 'id="rerun-form"' in html and 'id="edit-client-form"' in html and 'id="snapshot-form"' in html


def test_a_new_snapshot_scores_the_client_at_once(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)

    demo_auth.post(f"/clients/{client_id}/activity", SNAPSHOT)

    overview = detail_of(demo_app, client_id).overview
    assert overview.forecast is not None and overview.forecast.observed_on == date(2025, 1, 15)
    assert overview.out_of_date == ()
    assert "New prediction:" in signed_in.get(f"/clients/{client_id}").get_data(as_text=True)


def test_predictions_out_of_date_say_why_and_hide_their_factors_until_predicted_again(
    signed_in, demo_auth, demo_app, client_id: int
):
    container_of(demo_app).change_threshold()(ThresholdChange.parse({"threshold": 0.15}), "admin@example.com")

    page = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)
    assert 'id="out-of-date"' in page and "decided at a threshold no longer in force" in page
    assert 'id="factors"' not in page

    demo_auth.post(f"/clients/{client_id}/predict")
    page = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)
    assert 'id="out-of-date"' not in page and 'id="factors"' in page


def test_a_client_who_never_bought_is_explained_by_the_purchase_history_never_365_days(
    signed_in, demo_auth, demo_app
):
    client_id = new_client(demo_app)
    demo_auth.post(
        f"/clients/{client_id}/activity",
        {**SNAPSHOT, "snapshot-purchases_30d": "0", "snapshot-avg_basket_value": "0"},
    )

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    factors = html[html.index('id="factors"') : html.index('id="activity"')]
    assert 'data-feature="never_bought"' in factors and "Purchase history" in factors
    assert 'data-feature="days_since_last_purchase"' not in factors and "365" not in factors
