"""The district cockpit (/district/, its chart data) and the API's dashboard/ and
report-cards/ cost the same number of queries at two sizes of data (issue 18), each page
at most 30 (issue 17, as ``test_query_counts``); computed fresh, the summaries' cache
cleared before each request."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.clients import bearer_client, session_client
from tests.rankings.test_query_counts import build
from tests.web.test_query_counts import MAX_QUERIES

pytestmark = pytest.mark.django_db
PATHS = (
    "/district/",
    "/district/charts/",
    "/api/v1/dashboard/",
    "/api/v1/report-cards/?period=2024Q2",
)


def client_for(user, path):
    return bearer_client(user) if path.startswith("/api/") else session_client(user)


def test_district_pages_cost_the_same_whatever_the_data(
    supervisor, settings, django_assert_num_queries
):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    build(5, "S")
    small = {}
    for path in PATHS:
        client = client_for(supervisor, path)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        small[path] = len(queries)
        assert small[path] <= MAX_QUERIES, path
    build(60, "M")
    for path in PATHS:
        client = client_for(supervisor, path)
        cache.clear()
        with django_assert_num_queries(small[path]):
            assert client.get(path).status_code == 200, path
