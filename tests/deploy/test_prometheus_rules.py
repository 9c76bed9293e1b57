"""deploy/prometheus: promtool accepts the configuration and the rules, the
rule unit tests pass, and the rules name only what polku-server exports."""
import re

import yaml

from deploylib import LATE_METRICS, check_against_scrape, deploy_path, run

CONFIG = deploy_path("prometheus", "prometheus.yml")
ALERTS = deploy_path("prometheus", "alerts.yml")
ALERTS_TEST = deploy_path("prometheus", "alerts_test.yml")

# The alerts the operations issue asks for, by what they watch.
REQUIRED_ALERTS = {
    "PolkuHighErrorRate",        # error rate
    "PolkuHighLatency",          # latency
    "PolkuStoreErrors",          # store errors
    "PolkuNoEventsFromTenant",   # no events from a tenant for 30 minutes
    "PolkuRuleReloadFailed",     # rule reload failure
    "PolkuTargetDown",           # target down
    "PolkuRequestsRejectedByLimits",  # sustained refusals by a limit
}


def load_rules():
    with open(ALERTS) as f:
        return [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]


def test_promtool_check_config():
    result = run(["promtool", "check", "config", CONFIG])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_check_rules():
    result = run(["promtool", "check", "rules", ALERTS])
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules():
    result = run(["promtool", "test", "rules", ALERTS_TEST])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_config_loads_the_rules_and_scrapes_polku():
    with open(CONFIG) as f:
        config = yaml.safe_load(f)
    assert config["rule_files"] == ["alerts.yml"]
    jobs = [j["job_name"] for j in config["scrape_configs"]]
    assert jobs == ["polku"], "the alert rules select job=\"polku\""


def test_required_alerts_exist_with_severity_and_text():
    rules = load_rules()
    names = {r["alert"] for r in rules}
    assert REQUIRED_ALERTS <= names, REQUIRED_ALERTS - names
    for r in rules:
        assert r["labels"]["severity"] in ("critical", "warning"), r["alert"]
        assert r["annotations"]["summary"] and r["annotations"]["description"], r["alert"]
        assert r["annotations"].get("runbook"), "%s has no runbook hint" % r["alert"]


def test_every_alert_has_a_unit_test():
    with open(ALERTS_TEST) as f:
        tests = yaml.safe_load(f)["tests"]
    cases = [case for t in tests for case in t.get("alert_rule_test", [])]
    names = {r["alert"] for r in load_rules()}
    firing = {c["alertname"] for c in cases if c.get("exp_alerts")}
    quiet = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert not names - firing, "alerts never shown firing in alerts_test.yml: %s" % (
        names - firing)
    assert not names - quiet, "alerts never shown quiet in alerts_test.yml: %s" % (
        names - quiet)


def test_no_events_from_tenant_needs_events_before():
    """The alert compares the last 30 minutes with the day before, so a
    tenant without events (no series) cannot make it fire: its expression
    starts from events seen before, never from an absence."""
    (rule,) = [r for r in load_rules() if r["alert"] == "PolkuNoEventsFromTenant"]
    expr = " ".join(rule["expr"].split())
    assert "absent(" not in expr and " or " not in expr
    first = expr.split(" unless ")[0]
    assert "offset 30m" in first and "> 0" in first, first
    assert "by (job, tenant)" in first


def test_alert_labels_are_bounded():
    """Alerts group by bounded labels only; never a learner or activity."""
    allowed = {"job", "instance", "method", "source", "tenant", "reason", "result", "le"}
    for r in load_rules():
        for group in re.findall(r"\b(?:by|on)\s*\(([^)]*)\)", r["expr"]):
            labels = {x.strip() for x in group.split(",") if x.strip()}
            assert labels <= allowed, (r["alert"], labels - allowed)


def test_rules_name_only_exported_metrics(scrape, known_values):
    problems = []
    for r in load_rules():
        # `up` is the series Prometheus itself makes for every target.
        for p in check_against_scrape(r["expr"], scrape["series"], extra_metrics={"up"},
                                      known_values=known_values, late_metrics=LATE_METRICS):
            problems.append("%s: %s" % (r["alert"], p))
    assert not problems, "\n".join(problems)
