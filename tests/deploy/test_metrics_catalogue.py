"""The metric catalogue: the metrics polku-server registers (its source), the
metrics its /metrics page shows, the README's Metrics table, and what the
dashboards and alert rules name must all agree. Labels stay bounded."""
import re

import pytest
import yaml

from deploylib import (LATE_METRICS, catalogued_series_names, dashboard_queries,
                       dashboard_variable_values, deploy_path, load_dashboards,
                       metric_catalogue, metric_names, readme_metrics, substitute)

CATALOGUE = metric_catalogue()
SERIES = catalogued_series_names(CATALOGUE)

# Label names that would carry a learner, an activity or another unbounded
# id. A metric label must never be one of these.
UNBOUNDED = re.compile(r"learner|activity|course|user|actor|email|session|statement|(^|_)id$")


def referenced_metrics():
    """{series name: [where]} of every metric the dashboards and the alert
    rules name (variables substituted)."""
    out = {}
    for name, d in load_dashboards().items():
        values = dashboard_variable_values(d)
        exprs = [(title, expr) for title, _, expr in dashboard_queries(d)]
        for v in d["templating"]["list"]:
            if v["type"] == "query":
                q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
                exprs.append(("variable " + v["name"],
                              re.fullmatch(r"label_values\((.+),\s*\w+\)", q.strip()).group(1)))
        for title, expr in exprs:
            for metric in metric_names(substitute(expr, values)):
                out.setdefault(metric, []).append("%s: %s" % (name, title))
    with open(deploy_path("prometheus", "alerts.yml")) as f:
        for group in yaml.safe_load(f)["groups"]:
            for rule in group["rules"]:
                for metric in metric_names(rule["expr"]):
                    out.setdefault(metric, []).append("alerts.yml: " + rule["alert"])
    return out


def test_the_catalogue_is_read_from_the_source():
    # The learning side and the foundation, as registered in services/api.
    for name in ("polku_grpc_requests_total", "polku_rejected_requests_total",
                 "polku_recommendations_served_total", "polku_feedback_total",
                 "polku_tenant_events_total", "polku_tenant_self_directed_share"):
        assert name in CATALOGUE, name
    assert CATALOGUE["polku_grpc_request_duration_seconds"] == "histogram"
    assert CATALOGUE["polku_tenant_learners"] == "gauge"


def test_dashboards_and_alerts_name_only_catalogued_metrics():
    refs = referenced_metrics()
    assert len(refs) >= 15
    unknown = {m: where for m, where in refs.items() if m != "up" and m not in SERIES}
    assert not unknown, "metrics the server does not register: %s" % unknown


def test_late_metrics_are_catalogued_and_used():
    """LATE_METRICS only excuses metrics the server registers, and each of
    them is there because a dashboard or an alert uses it."""
    refs = referenced_metrics()
    for name, labels in LATE_METRICS.items():
        assert name in CATALOGUE, "%s is not registered by the server" % name
        assert name in refs, "%s is listed but nothing uses it" % name
        assert labels and not any(UNBOUNDED.search(label) for label in labels), name


def test_the_live_page_shows_the_catalogue(scrape):
    """Every polku_ series on a live server's page is catalogued, and every
    catalogued metric has series there, except the LATE_METRICS."""
    shown = {n for n in scrape["series"] if n.startswith("polku_")}
    uncatalogued = shown - set(SERIES)
    assert not uncatalogued, "registered somewhere the catalogue does not read: %s" % (
        uncatalogued)
    missing = {SERIES[n] for n in set(SERIES) - shown} - set(LATE_METRICS)
    assert not missing, "catalogued but no series after ingest: %s" % missing


def test_labels_are_bounded(scrape):
    for name, series in scrape["series"].items():
        if not name.startswith("polku_"):
            continue
        for labels in series:
            bad = [label for label in labels if UNBOUNDED.search(label)]
            assert not bad, "%s has unbounded labels %s" % (name, bad)
    # Tenants are the one label whose values the server does not fix; the
    # fixture's single tenant gives one value.
    tenants = {s["tenant"] for s in scrape["series"].get("polku_tenant_events_total", [])}
    assert tenants == {"acme"}, tenants


def labels_on_page(scrape, name):
    kind = CATALOGUE[name]
    series_name = name + "_bucket" if kind == "histogram" else name
    found = set()
    for labels in scrape["series"].get(series_name, []):
        found |= set(labels) - {"le", "quantile"}
    return found


def test_readme_lists_every_metric(scrape):
    """README, "Metrics": one row per registered metric with its type and
    its labels as a live server shows them."""
    readme = readme_metrics()
    assert readme, "README.md has no Metrics table"
    problems = []
    for name, kind in sorted(CATALOGUE.items()):
        if name not in readme:
            problems.append("%s is not in the README" % name)
            continue
        doc_kind, doc_labels = readme[name]
        if doc_kind != kind:
            problems.append("%s: README says %s, the server registers a %s"
                            % (name, doc_kind, kind))
        labels = LATE_METRICS[name] if name in LATE_METRICS and \
            not labels_on_page(scrape, name) else labels_on_page(scrape, name)
        if doc_labels != labels:
            problems.append("%s: README labels %s, the server's %s"
                            % (name, sorted(doc_labels), sorted(labels)))
    for name in sorted(set(readme) - set(CATALOGUE)):
        problems.append("%s is in the README but not registered" % name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text, expected", [
    ('x = BuildCounter()\n   .Name("a_total")\n', {"a_total": "counter"}),
    ('BuildHistogram().Name( "h_seconds" )', {"h_seconds": "histogram"}),
    ('.Name("not_registered")', {}),
])
def test_registration_pattern(text, expected):
    from deploylib import _REGISTRATION
    assert {n: k.lower() for k, n in _REGISTRATION.findall(text)} == expected
