"""A client's activity snapshots through the API: history, new snapshots, outcomes filled in later."""

from __future__ import annotations

from datetime import timedelta

from domain.activity import BEHAVIOUR_FIELDS
from e2e.api.conftest import TODAY, V1, Api, a_snapshot, create_client, fields, problem


def test_a_recorded_snapshot_answers_201_with_its_location_and_is_listed_newest_first(admin_api: Api) -> None:
    client = create_client(admin_api)
    older, newer = TODAY - timedelta(days=60), TODAY - timedelta(days=30)

    first = admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot(older))
    admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot(newer, days_since_last_purchase=None))

    assert first.status_code == 201
    assert (
        first.headers["Location"]
        == f"{V1}/clients/{client['id']}/activity/{older}"
        == first.get_json()["url"]
    )
    assert admin_api.get(first.headers["Location"]).get_json() == first.get_json()
    items = admin_api.get(f"/clients/{client['id']}/activity").get_json()["items"]
    assert [i["observed_on"] for i in items] == [str(newer), str(older)]
    assert items[0]["days_since_last_purchase"] is None and items[0]["has_purchase_history"] is True
    assert admin_api.get(f"/clients/{client['id']}").get_json()["latest_observed_on"] == str(newer)


def test_outcomes_are_filled_in_once_known_and_one_left_out_keeps_its_value(admin_api: Api) -> None:
    client = create_client(admin_api)
    day = TODAY - timedelta(days=40)
    admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot(day))
    url = f"/clients/{client['id']}/activity/{day}"

    sales = admin_api.patch(url, json={"sales_next_month": 420.5})
    both = admin_api.patch(url, json={"purchased_next_14d": False})

    assert sales.status_code == 200 and sales.get_json()["sales_next_month"] == 420.5
    assert (both.get_json()["sales_next_month"], both.get_json()["purchased_next_14d"]) == (420.5, False)


def test_outcomes_need_at_least_one_known_value(admin_api: Api) -> None:
    client = create_client(admin_api)
    day = TODAY - timedelta(days=40)
    admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot(day))

    body = problem(admin_api.patch(f"/clients/{client['id']}/activity/{day}", json={}), 422)

    assert "give sales_next_month, purchased_next_14d or both" in body["detail"]
    assert fields(
        admin_api.patch(f"/clients/{client['id']}/activity/{day}", json={"sales_next_month": -1})
    ) == ["sales_next_month"]


def test_a_second_snapshot_on_the_same_day_is_a_409(admin_api: Api) -> None:
    client = create_client(admin_api)
    admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot())

    body = problem(admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot()), 409)

    assert body["errors"][0]["field"] == "observed_on"


def test_a_snapshot_breaking_the_rules_names_each_field(admin_api: Api) -> None:
    client = create_client(admin_api)
    broken = a_snapshot(
        purchases_30d=-1,
        avg_basket_value="lots",
        site_visits_30d=3,
        visits_7d=4,
        time_on_site_7d=99999,
        newsletter_opened="sometimes",
    )

    response = admin_api.post(f"/clients/{client['id']}/activity", json=broken)

    assert sorted(fields(response)) == [
        "avg_basket_value",
        "newsletter_opened",
        "purchases_30d",
        "time_on_site_7d",
        "visits_7d",
    ]


def test_a_snapshot_without_behaviour_is_recorded_with_it_unknown(admin_api: Api) -> None:
    client = create_client(admin_api)
    snapshot = a_snapshot(site_visits_30d=None, newsletter_opened=None)
    for unknown in ("visits_7d", "ad_clicks_7d", "time_on_site_7d"):
        del snapshot[unknown]

    response = admin_api.post(f"/clients/{client['id']}/activity", json=snapshot)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [body[name] for name in BEHAVIOUR_FIELDS] == [None] * 5
    assert body["purchases_30d"] == snapshot["purchases_30d"]


def test_the_week_is_checked_against_the_month_only_when_both_are_known(admin_api: Api) -> None:
    client = create_client(admin_api)
    snapshot = a_snapshot(site_visits_30d=None, visits_7d=40)

    assert admin_api.post(f"/clients/{client['id']}/activity", json=snapshot).status_code == 201


def test_a_snapshot_in_the_future_or_before_registration_is_refused(admin_api: Api) -> None:
    client = create_client(admin_api, registered_on="2023-01-15")

    future = admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot(TODAY + timedelta(days=1)))
    early = admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot("2022-12-31"))

    assert fields(future) == fields(early) == ["observed_on"]


def test_unknown_clients_snapshots_and_dates_are_refused(admin_api: Api) -> None:
    client = create_client(admin_api)

    problem(admin_api.get("/clients/424242/activity"), 404)
    problem(admin_api.post("/clients/424242/activity", json=a_snapshot()), 404)
    problem(admin_api.get(f"/clients/{client['id']}/activity/2024-01-01"), 404)
    problem(
        admin_api.patch(f"/clients/{client['id']}/activity/2024-01-01", json={"sales_next_month": 1}), 404
    )
    assert fields(admin_api.get(f"/clients/{client['id']}/activity/2024-02-30")) == ["observed_on"]
    assert fields(admin_api.get(f"/clients/{client['id']}/activity/yesterday")) == ["observed_on"]


def test_an_unusual_value_is_a_422_until_the_body_confirms_it(admin_api: Api) -> None:
    client = create_client(admin_api)
    for days in range(41, 61):  # 20 usual snapshots: enough to say what is usual
        admin_api.post(f"/clients/{client['id']}/activity", json=a_snapshot(TODAY - timedelta(days=days)))
    unusual = a_snapshot(avg_basket_value=a_snapshot()["avg_basket_value"] * 100)

    body = problem(admin_api.post(f"/clients/{client['id']}/activity", json=unusual), 422)
    confirmed = admin_api.post(f"/clients/{client['id']}/activity", json={**unusual, "confirm_unusual": True})

    assert body["code"] == "implausible_value"
    [error] = body["errors"]
    assert (error["field"], error["code"]) == ("avg_basket_value", "implausible_value")
    assert error["params"]["typical_max"] == a_snapshot()["avg_basket_value"]
    assert confirmed.status_code == 201
    assert confirmed.get_json()["avg_basket_value"] == unusual["avg_basket_value"]
    assert "confirm_unusual" not in confirmed.get_json()


def test_unusual_sales_filled_in_later_are_a_422_until_confirmed(admin_api: Api) -> None:
    client = create_client(admin_api)
    for days in range(41, 61):
        admin_api.post(
            f"/clients/{client['id']}/activity",
            json=a_snapshot(TODAY - timedelta(days=days), sales_next_month=200.0),
        )
    snapshot = f"/clients/{client['id']}/activity/{TODAY - timedelta(days=41)}"

    body = problem(admin_api.patch(snapshot, json={"sales_next_month": 200_000.0}), 422)
    confirmed = admin_api.patch(snapshot, json={"sales_next_month": 200_000.0, "confirm_unusual": True})

    assert body["code"] == "implausible_value"
    assert [e["field"] for e in body["errors"]] == ["sales_next_month"]
    assert confirmed.status_code == 200 and confirmed.get_json()["sales_next_month"] == 200_000.0
