"""Dates are read one way and taken in UTC, wherever the machine thinks it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bulletin.dates import parse_date
from bulletin.errors import InputError
from bulletin.script import dump_script
from conftest import script_of

SHOW_DATE = ("import sys; from bulletin.script import load_script; "
             "print(load_script(sys.argv[1]).date)")


def test_a_script_without_a_date_is_dated_today_in_utc_in_every_time_zone(tmp_path):
    """UTC+14 and UTC−12 are 26 hours apart: their local dates always differ, the UTC one not."""
    data = json.loads(dump_script(script_of("Words to say."), "json"))
    del data["date"]
    script = tmp_path / "s.json"
    script.write_text(json.dumps(data))
    dates = {subprocess.run([sys.executable, "-c", SHOW_DATE, str(script)], check=True,
                            capture_output=True, text=True,
                            env={**os.environ, "TZ": zone}).stdout.strip()
             for zone in ("Etc/GMT-14", "Etc/GMT+12")}
    assert len(dates) == 1, dates


@pytest.mark.parametrize("value, day", [
    ("2026-11-30", "2026-11-30"),
    ("2026-11-30T23:59:59-05:00", "2026-11-30"),  # the date as written, not moved to UTC
    ("2026-11-30 08:00", "2026-11-30"),
])
def test_dates_and_timestamps_give_their_written_day(value, day):
    assert parse_date(value, "x").isoformat() == day


@pytest.mark.parametrize("value", ["30/11/2026", "yesterday", "2026-13-01", "2026-02-30"])
def test_what_is_not_a_date_is_refused_naming_where(value):
    with pytest.raises(InputError, match=r"^front matter: date .* is not a date \(use YYYY-"):
        parse_date(value, "front matter")
