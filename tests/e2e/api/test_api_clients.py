"""Clients through the API: the list with filters, sorting and pages, and one client's life cycle."""

from __future__ import annotations

import pytest
from flask import Flask

from application import queries
from application.commands import ListPosition, position_token
from e2e.api.conftest import V1, Api, a_client, create_client, fields, problem


def test_a_created_client_answers_201_with_its_location(admin_api: Api) -> None:
    response = admin_api.post("/clients", json=a_client("Anna", email="Anna.Nowak@Example.pl"))

    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"{V1}/clients/{body['id']}" == body["url"]
    assert body | {"id": 0, "url": ""} == {
        "id": 0,
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": "Anna.Nowak@example.pl",  # the domain of an address is case-insensitive: normalised
        "registered_on": "2023-01-15",
        "url": "",
    }
    assert admin_api.get(response.headers["Location"]).status_code == 200


def test_a_client_is_read_with_no_predictions_before_the_models_ran(admin_api: Api) -> None:
    client = create_client(admin_api)

    body = admin_api.get(f"/clients/{client['id']}").get_json()

    assert (body["forecast"], body["purchase"], body["segment"], body["latest_observed_on"]) == (
        None,
        None,
        None,
        None,
    )
    assert body["links"] == {
        "activity": f"{V1}/clients/{client['id']}/activity",
        "predictions": f"{V1}/clients/{client['id']}/predictions",
    }


def test_an_email_taken_in_another_case_is_a_409_naming_the_field(admin_api: Api) -> None:
    create_client(admin_api, email="anna@example.pl")

    body = problem(admin_api.post("/clients", json=a_client("Beata", email="ANNA@example.pl")), 409)

    assert body["code"] == "email_taken"
    assert body["errors"] == [
        {
            "field": "email",
            "code": "email_taken",
            "message": "The email ANNA@example.pl is already taken.",
            "params": {"email": "ANNA@example.pl"},
        }
    ]


def test_every_bad_field_of_a_new_client_is_named(admin_api: Api) -> None:
    response = admin_api.post(
        "/clients",
        json={
            "first_name": " ",
            "last_name": "x" * 101,
            "email": "not-an-email",
            "registered_on": "1989-12-31",
        },
    )

    assert sorted(fields(response)) == ["email", "first_name", "last_name", "registered_on"]


def test_a_future_registration_and_an_unknown_field_are_refused(admin_api: Api) -> None:
    assert fields(admin_api.post("/clients", json=a_client(registered_on="2999-01-01"))) == ["registered_on"]
    assert fields(admin_api.post("/clients", json=a_client(vip=True))) == ["vip"]


def test_control_characters_in_a_name_are_refused(admin_api: Api) -> None:
    assert fields(admin_api.post("/clients", json=a_client("An\x00na", email="anna@example.pl"))) == [
        "first_name"
    ]


def test_malformed_json_is_a_400_and_another_media_type_a_415(admin_api: Api) -> None:
    malformed = problem(admin_api.post("/clients", data="{first_name", content_type="application/json"), 400)
    form = problem(admin_api.post("/clients", data={"first_name": "Anna"}), 415)
    empty = problem(admin_api.post("/clients", data="", content_type="application/json"), 400)

    assert malformed["detail"] == empty["detail"] == "The body is not valid JSON."
    assert "application/json" in form["detail"]


def test_every_refused_field_has_a_stable_code_and_the_rules_values(admin_api: Api) -> None:
    client = create_client(admin_api)
    snapshot = {
        "observed_on": "2999-01-01",
        "purchases_30d": 1,
        "avg_basket_value": -5,
        "site_visits_30d": 3,
        "visits_7d": 1,
        "newsletter_opened": False,
        "ad_clicks_7d": 0,
        "time_on_site_7d": 1,
    }

    body = problem(admin_api.post(f"/clients/{client['id']}/activity", json=snapshot), 422)

    assert body["code"] == "invalid_input"
    assert [(e["field"], e["code"], e["params"]) for e in body["errors"]] == [
        ("observed_on", "date_in_future", {"today": body["errors"][0]["params"]["today"]}),
        ("avg_basket_value", "greater_than_equal", {"ge": 0}),
    ]


def test_json_that_is_not_an_object_is_a_422(admin_api: Api) -> None:
    for value in ([a_client()], "Anna", 42):
        assert fields(admin_api.post("/clients", json=value)) == ["body"]


def test_a_partial_update_changes_only_the_fields_given(admin_api: Api) -> None:
    client = create_client(admin_api)

    response = admin_api.patch(f"/clients/{client['id']}", json={"last_name": "Kowalska"})

    assert response.status_code == 200
    assert response.get_json() == client | {"last_name": "Kowalska"}
    assert admin_api.patch(f"/clients/{client['id']}", json={}).get_json() == client | {
        "last_name": "Kowalska"
    }


def test_an_update_to_a_taken_email_or_a_bad_value_is_refused(admin_api: Api) -> None:
    create_client(admin_api, "Anna")
    beata = create_client(admin_api, "Beata")

    problem(admin_api.patch(f"/clients/{beata['id']}", json={"email": "ANNA@example.pl"}), 409)
    assert fields(admin_api.patch(f"/clients/{beata['id']}", json={"registered_on": "yesterday"})) == [
        "registered_on"
    ]
    assert admin_api.get(f"/clients/{beata['id']}").get_json()["email"] == "beata@example.pl"


def test_a_deleted_client_is_gone(admin_api: Api) -> None:
    client = create_client(admin_api)

    response = admin_api.delete(f"/clients/{client['id']}")

    assert response.status_code == 204 and response.data == b""
    problem(admin_api.get(f"/clients/{client['id']}"), 404)
    problem(admin_api.delete(f"/clients/{client['id']}"), 404)
    problem(admin_api.patch(f"/clients/{client['id']}", json={}), 404)


def test_an_unknown_or_out_of_range_id_is_a_404(admin_api: Api) -> None:
    problem(admin_api.get("/clients/424242"), 404)
    problem(admin_api.get("/clients/0"), 404)
    problem(admin_api.get("/clients/99999999999999999999999"), 404)
    problem(admin_api.get("/clients/anna"), 404)


def test_the_list_pages_with_links_that_keep_the_filters(admin_api: Api) -> None:
    ids = {name: create_client(admin_api, name)["id"] for name in ["Ala", "Ola", "Ela", "Iza", "Ula"]}
    listed = f"{V1}/clients?q=LA&sort=-first_name&per_page=2"

    body = admin_api.get(
        "/clients", query_string={"q": "LA", "sort": "-first_name", "per_page": 2}
    ).get_json()

    assert [c["first_name"] for c in body["items"]] == ["Ula", "Ola"]
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (4, 1, 2, 2)
    links = body["links"]
    assert links["self"] == links["first"] == f"{listed}&page=1"
    assert links["last"] == f"{listed}&page=2"
    after_ola = position_token(ListPosition("-first_name", "ola", ids["Ola"]))
    assert links["next"] == f"{listed}&page=2&after={after_ola}"
    assert links["prev"] is None
    last = admin_api.get(links["next"]).get_json()
    assert [c["first_name"] for c in last["items"]] == ["Ela", "Ala"]
    assert (last["page"], last["links"]["self"], last["links"]["next"]) == (2, links["next"], None)
    before_ela = position_token(ListPosition("-first_name", "ela", ids["Ela"]))
    assert last["links"]["prev"] == f"{listed}&page=1&before={before_ela}"
    assert admin_api.get(last["links"]["prev"]).get_json()["items"] == body["items"]


def test_a_search_that_matches_more_clients_than_it_counts_says_so_and_links_no_last_page(
    admin_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "SEARCH_COUNTED_UP_TO", 3)
    for name in ["Ala", "Ola", "Ela", "Iza", "Ula"]:
        create_client(admin_api, name)

    body = admin_api.get("/clients", query_string={"q": "a", "per_page": 2}).get_json()
    within = admin_api.get("/clients", query_string={"q": "ul", "per_page": 2}).get_json()

    assert (body["total"], body["total_exact"], body["pages"], body["links"]["last"]) == (3, False, 2, None)
    assert body["links"]["next"] is not None
    seen = [c["first_name"] for c in body["items"]]
    while body["links"]["next"] is not None:
        body = admin_api.get(body["links"]["next"]).get_json()
        seen += [c["first_name"] for c in body["items"]]
    assert sorted(seen) == ["Ala", "Ela", "Iza", "Ola", "Ula"]
    assert (within["total"], within["total_exact"]) == (1, True)
    assert within["links"]["last"] is not None


def test_a_position_that_is_not_one_of_the_lists_is_a_422_naming_it(admin_api: Api) -> None:
    by_name = position_token(ListPosition("first_name", "ola", 1))

    for given, code in [("abc", "invalid_cursor"), (by_name, "cursor_of_another_sort")]:
        body = problem(admin_api.get("/clients", query_string={"sort": "-first_name", "after": given}), 422)

        assert [(e["field"], e["code"]) for e in body["errors"]] == [("after", code)]


def test_the_list_items_carry_their_predictions_fields(admin_api: Api) -> None:
    create_client(admin_api)

    (item,) = admin_api.get("/clients").get_json()["items"]

    assert {
        k: item[k] for k in ("predicted_sales", "purchase_probability", "will_buy", "segment", "tier")
    } == dict.fromkeys(("predicted_sales", "purchase_probability", "will_buy", "segment", "tier"))


def test_a_bad_list_query_names_each_parameter(admin_api: Api) -> None:
    response = admin_api.get(
        "/clients",
        query_string={
            "sort": "password",
            "per_page": 1000,
            "page": 0,
            "segment": "vip",
            "will_buy": "maybe",
            "tier": 5,
        },
    )

    assert sorted(fields(response)) == ["page", "per_page", "segment", "sort", "tier", "will_buy"]


def test_a_tier_is_one_of_four_and_refused_otherwise_with_a_stable_code(admin_api: Api) -> None:
    body = problem(admin_api.get("/clients", query_string={"tier": "top"}), 422)

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("tier", "enum")]
    assert admin_api.get("/clients", query_string={"tier": 4}).get_json()["total"] == 0


def test_an_unsupported_method_is_a_405_with_the_allowed_ones(admin_api: Api) -> None:
    response = admin_api.put("/clients", json={})

    problem(response, 405)
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_an_unknown_api_path_is_a_problem_not_a_page(admin_api: Api) -> None:
    problem(admin_api.get("/clientz"), 404)


def test_a_json_body_beyond_the_upload_limit_is_a_413(app: Flask, admin_api: Api) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024

    problem(admin_api.post("/clients", json=a_client(last_name="x" * 2000)), 413)


@pytest.mark.parametrize("client_id", ["0", "-3", "2147483648", "99999999999999999999"])
def test_an_id_out_of_range_names_no_client_for_every_method(admin_api: Api, client_id: str) -> None:
    for method, path in (
        ("get", f"/clients/{client_id}"),
        ("delete", f"/clients/{client_id}"),
        ("get", f"/clients/{client_id}/predictions"),
        ("post", f"/clients/{client_id}/activity"),
    ):
        answer = getattr(admin_api, method)(path, **({"json": {}} if method == "post" else {}))
        assert answer.status_code in (404, 422), (method, path, answer.status_code)
        assert answer.status_code != 405


def test_an_unknown_model_kind_is_a_documented_404(admin_api: Api) -> None:
    assert problem(admin_api.get("/models/forest/runs"), 404)["status"] == 404
