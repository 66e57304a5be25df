"""The instruments the web app renders, their cadence, and conditional re-downloads."""

from __future__ import annotations

import pytest

from server.instruments import load
from tests.unit.instruments.made_up import LOOKUP, made_up_definition, plug_in


def test_instruments_lists_every_built_in_with_its_cadence(client):
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    body = response.get_json()
    ids = [definition["id"] for definition in body["instruments"]]
    assert ids == ["alongside-checkin", "ons-loneliness", "ons4", "who5"]
    assert body["schedule"] == {
        "alongside-checkin": 7,
        "ons-loneliness": 28,
        "ons4": 28,
        "who5": 14,
    }
    assert response.headers["ETag"] == f'"{body["etag"]}"'
    assert response.headers["Cache-Control"] == "no-cache"


def test_an_unchanged_etag_gets_304_without_a_body(client):
    etag = client.get("/api/v1/instruments").headers["ETag"]
    again = client.get("/api/v1/instruments", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_site_can_change_cadence_and_the_etag_follows(client, make_app):
    before = client.get("/api/v1/instruments").get_json()
    weekly = make_app(CADENCE_DAYS="who5=7,ons4=7").test_client()
    after = weekly.get("/api/v1/instruments").get_json()
    assert after["schedule"]["who5"] == 7
    assert after["schedule"]["ons4"] == 7
    assert after["etag"] != before["etag"]


@pytest.mark.parametrize("setting", ["who5=often", "who5=0", "wemwbs=7"])
def test_a_bad_cadence_setting_stops_start_up(tmp_path, setting):
    with pytest.raises(ValueError, match="CADENCE_DAYS"):
        load(tmp_path, setting)


def test_a_plug_in_instrument_is_served_beside_the_built_ins(tmp_path):
    plug_in(tmp_path / "instruments", LOOKUP)
    served = load(tmp_path, "")
    assert made_up_definition(LOOKUP)["id"] in served.schedule
