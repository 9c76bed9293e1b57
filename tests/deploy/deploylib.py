"""Helpers of the deploy/ tests: paths, a real polku-server on free loopback
ports, the Prometheus text format, and a small PromQL reader that lists the
selectors (metric name and label matchers) of an expression.

Every wait here is bounded in time and in tries."""
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

SOURCE_DIR = os.environ.get(
    "POLKU_SOURCE_DIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN_DIR = os.environ.get("POLKU_BIN_DIR", "")
DEPLOY = os.path.join(SOURCE_DIR, "deploy")
SHARED_FIXTURES = os.path.join(os.path.dirname(SOURCE_DIR), "shared", "fixtures")


def deploy_path(*parts):
    return os.path.join(DEPLOY, *parts)


def binary(name):
    if not BIN_DIR:
        raise RuntimeError("POLKU_BIN_DIR is not set: run through ctest or make test")
    path = os.path.join(BIN_DIR, name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(path + " is not built")
    return path


def run(args, timeout=60, **kw):
    """Runs a command with a time limit; returns CompletedProcess (text)."""
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


# --------------------------------------------------------------------------
# polku-server


class Server:
    """A polku-server on free loopback ports (port 0) with its own data
    directory, in development mode unless `dev_mode` is False."""

    def __init__(self, extra_flags=(), dev_mode=True, config=None):
        self.data_dir = tempfile.mkdtemp(prefix="polku-deploy-")
        self.ready = os.path.join(self.data_dir, "ready.json")
        self.log_path = os.path.join(self.data_dir, "server.log")
        args = [binary("polku-server")]
        if config:
            args.append("--config=" + config)
        args += ["--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--http_address=127.0.0.1:0", "--data_dir=" + self.data_dir,
                 "--ready_file=" + self.ready,
                 "--rules=" + os.path.join(DEPLOY, "config", "rules.yaml"),
                 "--shutdown_grace_seconds=2"]
        if dev_mode:
            args.append("--dev_mode")
        self.args = args + list(extra_flags)
        self.proc = None
        self.grpc_port = self.metrics_port = self.http_port = None

    def start(self, timeout=60):
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code, log = self.proc.returncode, self.log()
                self.stop()
                raise RuntimeError("polku-server exited with %s: %s" % (code, log))
            try:
                with open(self.ready) as f:
                    ports = json.load(f)
                self.grpc_port = ports["grpc_port"]
                self.metrics_port = ports["metrics_port"]
                self.http_port = ports["http_port"]
                return self
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        log = self.log()
        self.stop()
        raise RuntimeError("polku-server did not become ready in %ss: %s" % (timeout, log))

    @property
    def address(self):
        return "127.0.0.1:%d" % self.grpc_port

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()
        self.proc = None
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def metrics(self):
        return http_get("http://127.0.0.1:%d/metrics" % self.metrics_port)

    def ingest(self, files, fmt="auto", tenant="acme", instance=""):
        """Sends `files` with `polku ingest`; returns (accepted, duplicates,
        rejected) as the server reported them."""
        args = [binary("polku"), "ingest", "--address=" + self.address,
                "--tenant=" + tenant, "--format=" + fmt]
        if instance:
            args.append("--instance=" + instance)
        result = run(args + list(files), timeout=120)
        match = re.search(r"accepted (\d+), duplicates (\d+), rejected (\d+)", result.stdout)
        if result.returncode != 0 or not match:
            raise RuntimeError("polku ingest failed (%d): %s %s"
                               % (result.returncode, result.stdout, result.stderr[-2000:]))
        return tuple(int(g) for g in match.groups())


@contextlib.contextmanager
def running_server(**kw):
    server = Server(**kw)
    try:
        yield server.start()
    finally:
        server.stop()


def fixture_files():
    """A mix of real LMS events from ../shared/fixtures, by format."""
    moodle = sorted(
        os.path.join(root, "event.json")
        for root, _, files in os.walk(os.path.join(SHARED_FIXTURES, "moodle"))
        if "event.json" in files)
    tracking_dir = os.path.join(SHARED_FIXTURES, "openedx", "tracking")
    xapi_dir = os.path.join(SHARED_FIXTURES, "openedx", "xapi")
    tracking = sorted(os.path.join(tracking_dir, f) for f in os.listdir(tracking_dir)
                      if f.endswith(".json"))
    xapi = sorted(os.path.join(xapi_dir, f) for f in os.listdir(xapi_dir)
                  if f.endswith(".json"))
    return {"moodle": moodle, "openedx": tracking, "xapi": xapi}


# --------------------------------------------------------------------------
# Network


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=10):
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


# --------------------------------------------------------------------------
# Prometheus text format

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"')


def parse_exposition(text):
    """{metric name: [ {label: value} per series ]} of a /metrics page."""
    series = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = dict(_LABEL.findall(m.group(3) or ""))
        series.setdefault(m.group(1), []).append(labels)
    return series


def sample_values(text, name, **match):
    """Values of the samples of `name` whose labels include `match`."""
    out = []
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if not m or m.group(1) != name:
            continue
        labels = dict(_LABEL.findall(m.group(3) or ""))
        if all(labels.get(k) == v for k, v in match.items()):
            out.append(float(m.group(4)))
    return out


# --------------------------------------------------------------------------
# PromQL: the selectors of an expression

_TOKEN = re.compile(r'''
    (?P<ws>\s+|\#[^\n]*)
  | (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<num>\d[\w.]*|\.\d[\w.]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_:]*|:[A-Za-z0-9_:]+)
  | (?P<op>=~|!~|!=|==|>=|<=|[-+*/%^=<>(){}\[\],@:])
''', re.X)

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
                "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "atan2", "bool", "offset", "inf", "nan"}


def _tokens(expr):
    out, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise ValueError("cannot read PromQL at %r" % expr[pos:pos + 20])
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


def _skip_balanced(toks, i, open_, close):
    depth = 0
    while i < len(toks):
        if toks[i][1] == open_:
            depth += 1
        elif toks[i][1] == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced %s" % open_)


def _unquote(s):
    if s[0] == "`":
        return s[1:-1]
    return re.sub(r"\\(.)", r"\1", s[1:-1])


def _matchers(toks, i):
    """Reads `{a="x", b=~"y"}` from toks[i] == '{'; returns (matchers, next i)."""
    end = _skip_balanced(toks, i, "{", "}")
    body = [t for t in toks[i + 1:end - 1] if t[1] != ","]
    if len(body) % 3:
        raise ValueError("cannot read label matchers %s" % [t[1] for t in body])
    matchers = []
    for k in range(0, len(body), 3):
        (kind_l, label), (_, op), (kind_v, value) = body[k:k + 3]
        if kind_l != "ident" or op not in ("=", "!=", "=~", "!~") or kind_v != "str":
            raise ValueError("cannot read label matcher %s%s%s" % (label, op, value))
        matchers.append((label, op, _unquote(value)))
    return matchers, end


def selectors(expr):
    """[(metric name, [(label, op, value)])] of every vector selector in a
    PromQL expression. Function, aggregation and grouping names, keywords,
    numbers, durations and strings are not metric names."""
    toks = _tokens(expr)
    found = []
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        nxt = toks[i + 1][1] if i + 1 < len(toks) else None
        if text == "[":
            i = _skip_balanced(toks, i, "[", "]")
            continue
        if kind == "ident":
            low = text.lower()
            if low in GROUPING:
                i = _skip_balanced(toks, i + 1, "(", ")") if nxt == "(" else i + 1
                continue
            if low in KEYWORDS or low in AGGREGATIONS or nxt == "(":
                i += 1
                continue
            if nxt == "{":
                matchers, i = _matchers(toks, i + 1)
            else:
                matchers, i = [], i + 1
            found.append((text, matchers))
            continue
        if text == "{":
            matchers, i = _matchers(toks, i)
            names = [v for (l, op, v) in matchers if l == "__name__" and op == "="]
            if len(names) != 1:
                raise ValueError("a selector without a plain metric name: %s" % expr)
            found.append((names[0], [m for m in matchers if m[0] != "__name__"]))
            continue
        i += 1
    return found


def metric_names(expr):
    return {name for name, _ in selectors(expr)}


# Labels Prometheus adds to every series of a target; never on /metrics.
TARGET_LABELS = {"job", "instance"}


def check_against_scrape(expr, scraped, extra_metrics=(), known_values=None,
                         late_metrics=None):
    """Problems (strings) with `expr` against a parsed /metrics page: metric
    names the server does not export, label names its series lack, and label
    values (of = matchers and of plain lists such as code=~"A|B") that no
    series has. `known_values` {label: set} lists values a label takes only
    once something happened (an error code, a method called).
    `late_metrics` {name: labels} lists metrics that may have no series yet
    (LATE_METRICS); when absent from the page only their label names are
    checked, against the labels listed."""
    known_values = known_values or {}
    late_metrics = late_metrics or {}
    problems = []
    for name, matchers in selectors(expr):
        if name in extra_metrics:
            continue
        if name not in scraped and name in late_metrics:
            for label, _, _ in matchers:
                if label not in TARGET_LABELS and label not in late_metrics[name]:
                    problems.append("%s has no label %s" % (name, label))
            continue
        if name not in scraped:
            problems.append("metric %s is not exported" % name)
            continue
        series = scraped[name]
        for label, op, value in matchers:
            if label in TARGET_LABELS:
                continue
            if not any(label in s for s in series):
                problems.append("%s has no label %s" % (name, label))
                continue
            if op == "=":
                values = [value]
            elif re.fullmatch(r"[A-Za-z0-9_-]+(\|[A-Za-z0-9_-]+)*", value):
                values = value.split("|")
            else:
                continue  # a real pattern (".*") or a negative matcher of one
            for v in values:
                if v not in known_values.get(label, ()) and \
                        not any(s.get(label) == v for s in series):
                    problems.append('%s has no series with %s="%s"' % (name, label, v))
    return problems


# --------------------------------------------------------------------------
# The metric catalogue: what polku-server registers


# Metrics the server registers but that have no series until something has
# happened that the live-scrape fixture (conftest.scrape) does not wait for,
# with the labels they carry. Dashboards and alerts may use them; the checks
# against a live /metrics page then compare only their label names with
# these. Keep it short: every other metric must show on that page.
LATE_METRICS = {
    # Per-tenant gauges set by the server's periodic refresh (every minute
    # by default), only for tenants with profiles; the two shares only for
    # tenants with at least min_group_size learners.
    "polku_tenant_learners": {"tenant"},
    "polku_tenant_share_in_band": {"tenant"},
    "polku_tenant_self_directed_share": {"tenant"},
}

_REGISTRATION = re.compile(
    r'Build(Counter|Gauge|Histogram|Summary)\(\)\s*\.Name\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"\s*\)')


def metric_catalogue():
    """{metric name: type} of every metric the server's source registers
    (prometheus-cpp's BuildCounter()/BuildGauge()/BuildHistogram() .Name())."""
    found = {}
    for root, _, files in os.walk(os.path.join(SOURCE_DIR, "services")):
        for f in files:
            if not f.endswith(".cc") or f.endswith("_test.cc"):
                continue
            with open(os.path.join(root, f)) as src:
                for kind, name in _REGISTRATION.findall(src.read()):
                    found[name] = kind.lower()
    return found


def catalogued_series_names(catalogue):
    """{series name on /metrics: metric name}: a histogram exports _bucket,
    _sum and _count; a summary _sum and _count besides its own name."""
    out = {}
    for name, kind in catalogue.items():
        suffixes = {"histogram": ("_bucket", "_sum", "_count"),
                    "summary": ("", "_sum", "_count")}.get(kind, ("",))
        for suffix in suffixes:
            out[name + suffix] = name
    return out


def readme_metrics():
    """{name: (type, {labels})} of the table in README.md, section Metrics."""
    with open(os.path.join(SOURCE_DIR, "README.md")) as f:
        text = f.read()
    m = re.search(r"^### Metrics\n(.*?)(?=^#)", text, re.M | re.S)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"`\w+`", cells[0]):
            continue
        labels = set(re.findall(r"`(\w+)`", cells[2]))
        out[cells[0].strip("`")] = (cells[1], labels)
    return out


def mode_label_values():
    """The mode label values of a tagged event (structured, self_directed,
    blended), as the server writes them: lower-case model mode names."""
    with open(os.path.join(SOURCE_DIR, "services", "model", "tags.cc")) as f:
        m = re.search(r"kModeNames = \{(.*?)\}", f.read(), re.S)
    names = {n.lower() for n in re.findall(r'"(\w+)"', m.group(1))}
    return {n for n in names if "unspecified" not in n}


def grpc_code_names():
    """The gRPC code names the server writes in the `code` label."""
    with open(os.path.join(SOURCE_DIR, "services", "api", "grpc_status.cc")) as f:
        return set(re.findall(r'return "([A-Z_]+)";', f.read()))


def rpc_method_names():
    """The RPC method names the server writes in the `method` label."""
    names = set()
    for rel in ("handlers.cc", "services.cc"):
        path = os.path.join(SOURCE_DIR, "services", "api", rel)
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            names |= set(re.findall(r'\{"\w+Service", "(\w+)"', text))
            names |= set(re.findall(r'RpcScope scope\([^,]+, "(\w+)"\)', text))
    return names


# --------------------------------------------------------------------------
# Grafana


BUILTIN_VARIABLES = {
    "__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000",
    "__range": "1h", "__range_s": "3600", "__range_ms": "3600000",
}


def substitute(expr, values):
    """Replaces Grafana variables ($name, ${name}, ${name:fmt}, [[name]])."""
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in values:
            raise KeyError("undefined dashboard variable $" + name)
        return values[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]", repl, expr)


def dashboard_variable_values(dashboard, job="polku"):
    """A value for each template variable of a dashboard, to make its
    expressions plain PromQL: the job, 'match all' for multi-value
    variables, the first option of an interval variable."""
    values = dict(BUILTIN_VARIABLES)
    for v in dashboard["templating"]["list"]:
        if v["type"] == "datasource":
            values[v["name"]] = "polku-prometheus"
        elif v["name"] == "job":
            values["job"] = job
        elif v["type"] == "interval":
            values[v["name"]] = v["query"].split(",")[0].strip()
        elif v["type"] == "query":
            values[v["name"]] = v.get("allValue", ".*") if v.get("includeAll") else job
        else:
            raise AssertionError("unexpected variable type %s" % v["type"])
    return values


def dashboard_queries(dashboard):
    """(panel title, refId, expr) of every panel target, rows included."""
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if "expr" in t:
                    out.append((p.get("title", ""), t.get("refId", ""), t["expr"]))
            walk(p.get("panels", []))
    walk(dashboard["panels"])
    return out


def load_dashboards():
    d = deploy_path("grafana", "dashboards")
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            with open(os.path.join(d, name)) as f:
                out[name] = json.load(f)
    return out
