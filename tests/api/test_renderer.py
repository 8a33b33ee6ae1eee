"""The orjson renderer writes the bytes DRF's ``JSONRenderer`` writes (API.md's formats)."""

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from config.api.renderers import OrjsonRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")

PAYLOAD = {
    "count": 3,
    "next": None,
    "results": ReturnList(
        [
            ReturnDict(
                {
                    "id": 7,
                    "title": "招商引资\u2028第二行\u2029",
                    "amount": "30000.00",
                    "raw_decimal": Decimal("12.50"),
                    "deadline": dt.date(2024, 6, 30),
                    "at_utc": dt.datetime(2024, 6, 28, 2, 0, tzinfo=dt.UTC),
                    "at_local": dt.datetime(2024, 6, 28, 10, 0, 0, 123456, tzinfo=SHANGHAI),
                    "naive": dt.datetime(2024, 6, 28, 10, 0),  # noqa: DTZ001 — DRF writes it as is
                    "time": dt.time(9, 30),
                    "took": dt.timedelta(minutes=3),
                    "uid": uuid.UUID(int=1),
                    "label": gettext_lazy("红灯"),
                    "flags": [True, False, None],
                    "nested": {"a": [1, 2, {"b": "c"}], 5: "int key"},
                    "ids": (1, 2),
                    "ratio": 0.5,
                },
                serializer=None,
            ),
        ],
        serializer=None,
    ),
}


def test_same_bytes_as_drf():
    assert OrjsonRenderer().render(PAYLOAD) == JSONRenderer().render(PAYLOAD)


def test_pretty_printing_still_honoured():
    ours = OrjsonRenderer().render(PAYLOAD, "application/json; indent=2")
    assert ours == JSONRenderer().render(PAYLOAD, "application/json; indent=2")
    assert b"\n  " in ours


def test_a_huge_integer_falls_back_to_drf():
    data = {"n": 2**70}
    assert (
        OrjsonRenderer().render(data)
        == JSONRenderer().render(data)
        == b'{"n":1180591620717411303424}'
    )


def test_none_renders_nothing():
    assert OrjsonRenderer().render(None) == b""
