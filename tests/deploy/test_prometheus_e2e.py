"""End to end: a real Prometheus (Debian's binary, loopback only, scraping
every second with deploy/prometheus's job and alert rules) scrapes a real
polku-server while events are ingested; its HTTP API must show the values
the server reported to the client, the rules must load and evaluate, the
dashboards' expressions must run, and the rejected-events alert must go
pending on real series. Every wait is bounded; both processes are stopped
in `finally`."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse

import pytest
import yaml

from deploylib import (dashboard_queries, dashboard_variable_values, deploy_path,
                       fixture_files, free_port, http_get, load_dashboards,
                       running_server, sample_values, substitute)

SCRAPE_SECONDS = 1


class Prometheus:
    def __init__(self, metrics_port):
        self.dir = tempfile.mkdtemp(prefix="polku-prom-")
        with open(deploy_path("prometheus", "prometheus.yml")) as f:
            config = yaml.safe_load(f)
        # The shipped configuration with a 1 s cadence, the live server as the
        # only target and the shipped rules by absolute path.
        config["global"].update({"scrape_interval": "%ds" % SCRAPE_SECONDS,
                                 "scrape_timeout": "%ds" % SCRAPE_SECONDS,
                                 "evaluation_interval": "%ds" % SCRAPE_SECONDS})
        config["rule_files"] = [deploy_path("prometheus", f) for f in config["rule_files"]]
        (job,) = config["scrape_configs"]
        job["static_configs"] = [{"targets": ["127.0.0.1:%d" % metrics_port]}]
        self.config = os.path.join(self.dir, "prometheus.yml")
        with open(self.config, "w") as f:
            yaml.safe_dump(config, f)
        self.proc = None
        self.port = None

    def start(self, timeout=60):
        for _ in range(3):  # a free port may be taken before Prometheus binds it
            self.port = free_port()
            self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
            self.proc = subprocess.Popen(
                ["prometheus", "--config.file=" + self.config,
                 "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
                 "--web.listen-address=127.0.0.1:%d" % self.port,
                 "--log.level=warn"],
                stdout=self.log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    http_get(self.url("/-/ready"), timeout=2)
                    return self
                except (OSError, urllib.error.URLError):
                    time.sleep(0.2)
            self.stop()
        raise RuntimeError("Prometheus did not start: " + self.tail())

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def api(self, path, **params):
        body = http_get(self.url(path + ("?" + urllib.parse.urlencode(params) if params else "")))
        reply = json.loads(body)
        assert reply["status"] == "success", reply
        return reply["data"]

    def query(self, expr):
        return self.api("/api/v1/query", query=expr)

    def scalar(self, expr):
        """The single value of an instant vector, or None when empty."""
        result = self.query(expr)["result"]
        assert len(result) <= 1, result
        return float(result[0]["value"][1]) if result else None

    def tail(self):
        try:
            with open(os.path.join(self.dir, "prometheus.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self.log.close()
        self.proc = None

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(what, check, timeout=45, interval=0.5, detail=None):
    """Calls check() until it returns a true value; fails after `timeout`,
    with detail() (or the last value) in the message."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail("timed out after %ss waiting for %s: %r"
                % (timeout, what, detail() if detail else last))


def test_prometheus_scrapes_a_live_server():
    files = fixture_files()
    garbage_dir = tempfile.mkdtemp(prefix="polku-garbage-")
    garbage = []
    for i in range(40):  # events no normaliser accepts
        path = os.path.join(garbage_dir, "bad-%02d.json" % i)
        with open(path, "w") as f:
            f.write('{"not": "an event", "n": %d}' % i)
        garbage.append(path)

    with running_server() as server:
        prom = Prometheus(server.metrics_port)
        try:
            prom.start()
            wait_for("the target to be up",
                     lambda: prom.scalar('up{job="polku"}') == 1)

            # Ingest in batches while Prometheus scrapes.
            totals = [0, 0, 0]
            calls = 0
            batches = [(files["moodle"][:60], "moodle", "https://moodle.example.edu"),
                       (files["openedx"][:30], "openedx", "https://lms.example.edu"),
                       (files["xapi"][:30], "xapi", ""),
                       (files["moodle"][:20], "moodle", "https://moodle.example.edu"),
                       (garbage, "caliper", "")]
            for batch, fmt, instance in batches:
                counts = server.ingest(batch, fmt=fmt, instance=instance)
                totals = [a + b for a, b in zip(totals, counts)]
                calls += 1
                time.sleep(SCRAPE_SECONDS * 1.5)
            accepted, duplicates, rejected = totals
            assert accepted > 0 and duplicates > 0 and rejected >= 40, totals

            # Prometheus holds what the server told the client (the client's
            # "rejected" counts conflicts too), once it scraped after the
            # last call.
            expected = {
                'sum(polku_events_ingested_total{job="polku",result="accepted"})': accepted,
                'sum(polku_events_ingested_total{result="duplicate"})': duplicates,
                'sum(polku_events_ingested_total{result=~"rejected|conflict"})': rejected,
                'sum(polku_grpc_requests_total{method="Ingest",code="OK"})': calls,
                'sum(polku_grpc_request_duration_seconds_count{method="Ingest"})': calls,
            }
            seen = {}

            def all_counted():
                seen.update({q: prom.scalar(q) for q in expected})
                return seen == expected
            wait_for("the ingested events in Prometheus", all_counted,
                     detail=lambda: {"expected": expected, "seen": seen})
            assert prom.scalar('max(polku_build_info)') == 1
            # Every event checked in the store went through a group commit.
            assert prom.scalar('sum(polku_store_commit_batch_events_sum)') >= accepted
            # The counters were seen rising, over several scrapes.
            assert prom.scalar(
                'sum(count_over_time(polku_grpc_requests_total{method="Ingest"}[5m]))') >= 4
            assert prom.scalar(
                'sum(increase(polku_events_ingested_total{result="accepted"}[5m]))') > 0

            # The per-tenant counter holds the same accepted events (all sent
            # as tenant acme), split by tagged mode.
            assert prom.scalar('sum(polku_tenant_events_total{job="polku",tenant="acme"})') \
                == accepted
            assert prom.scalar('count(polku_tenant_events_total{tenant!="acme"})') is None
            # Series the dashboards and alerts need before anything happens:
            # 10 nudge kinds served, 10 kinds x 4 feedback outcomes, 6 reasons.
            assert prom.scalar('count(polku_recommendations_served_total)') == 10
            assert prom.scalar('count(polku_feedback_total)') == 40
            assert prom.scalar('count(polku_rejected_requests_total)') == 6
            assert prom.scalar('max(polku_store_database_bytes)') > 0

            # The same numbers as the server's own /metrics page.
            text = server.metrics()
            assert sum(sample_values(text, "polku_events_ingested_total",
                                     result="accepted")) == accepted

            # The shipped rules load and evaluate without error.
            with open(deploy_path("prometheus", "alerts.yml")) as f:
                shipped = sum(len(g["rules"]) for g in yaml.safe_load(f)["groups"])

            def rules_healthy():
                groups = prom.api("/api/v1/rules")["groups"]
                rules = [r for g in groups for r in g["rules"]]
                return len(rules) == shipped and all(r["health"] == "ok" for r in rules) \
                    and rules
            rules = wait_for("every rule evaluated", rules_healthy)
            bad = [r["name"] for r in rules if r.get("lastError")]
            assert not bad, bad

            # Every dashboard expression runs on real data.
            for name, d in load_dashboards().items():
                values = dashboard_variable_values(d)
                for title, ref, expr in dashboard_queries(d):
                    try:
                        prom.query(substitute(expr, values))
                    except urllib.error.HTTPError as e:
                        pytest.fail("%s %s %s: %s" % (name, title, ref, e.read()[:300]))

            # 40 unreadable events and nothing else from that source: the
            # rejected-events alert goes pending (it fires after 15 minutes).
            # Its source label is where the server counts events it could not
            # read (today: "unspecified").
            sources = {s for s in ("caliper", "unspecified")
                       if sum(sample_values(text, "polku_events_ingested_total",
                                            source=s, result="rejected")) >= 40}
            assert sources, "the garbage was not counted as rejected"

            def rejected_alerts():
                alerts = [a for a in prom.api("/api/v1/alerts")["alerts"]
                          if a["labels"]["alertname"] == "PolkuEventsRejected"]
                return {a["labels"].get("source") for a in alerts} >= sources and alerts
            alerts = wait_for("PolkuEventsRejected pending", rejected_alerts, timeout=30)
            for a in alerts:
                assert a["state"] in ("pending", "firing") and a["labels"]["severity"] == "warning"
            # And no target alert while the server is up, nor a quiet-tenant
            # alert for a tenant that just sent events.
            alerts = prom.api("/api/v1/alerts")["alerts"]
            assert not [a for a in alerts if a["labels"]["alertname"].startswith("PolkuTarget")
                        or a["labels"]["alertname"] == "PolkuNoEventsFromTenant"]
        finally:
            prom.stop()
            prom.remove()
            shutil.rmtree(garbage_dir, ignore_errors=True)
