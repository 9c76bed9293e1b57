"""Fixtures of the deploy/ tests. `scrape` starts one real polku-server
(development mode, free loopback ports), ingests real LMS events and makes
one HTTP call so that every metric has series (but those in
deploylib.LATE_METRICS), and hands the parsed /metrics page to the tests
that compare dashboards and alert rules with what the server exports."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import deploylib  # noqa: E402


@pytest.fixture(scope="session")
def scrape():
    if not deploylib.BIN_DIR:
        pytest.fail("POLKU_BIN_DIR is not set: run through ctest or make test")
    files = deploylib.fixture_files()
    with deploylib.running_server() as server:
        server.ingest(files["moodle"][:40], fmt="moodle",
                      instance="https://moodle.example.edu")
        server.ingest(files["openedx"][:20], fmt="openedx",
                      instance="https://lms.example.edu")
        server.ingest(files["xapi"][:20], fmt="xapi")
        # One HTTP request, so that the HTTP metrics have series.
        deploylib.http_get("http://127.0.0.1:%d/xapi/about" % server.http_port)
        text = server.metrics()
    return {"text": text, "series": deploylib.parse_exposition(text)}


@pytest.fixture(scope="session")
def known_values():
    """Label values that appear only once something happened."""
    return {"code": deploylib.grpc_code_names(), "method": deploylib.rpc_method_names(),
            # polku_tenant_events_total gets a mode series with the first
            # accepted event of that mode.
            "mode": deploylib.mode_label_values()}
