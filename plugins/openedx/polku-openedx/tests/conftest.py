"""Test set-up: the generated stubs on sys.path (POLKU_PYTHON_STUBS) and,
for the live suites, a real polku-server on loopback with a temporary data
directory and an API key made with `polku keys create`."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

STUBS = os.environ.get("POLKU_PYTHON_STUBS", "")
if STUBS and STUBS not in sys.path:
    sys.path.insert(0, STUBS)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
SHARED = os.environ.get("POLKU_SHARED_DIR") or os.path.join(REPO, "..", "shared")
RULES = os.environ.get("POLKU_RULES") or os.path.join(REPO, "deploy", "config", "rules.yaml")
TENANT = "openedx-tests"
SCOPES = ("events:write,privacy:delete,privacy:export,recommendations:read,"
          "feedback:write,insights:read")


def _binary(variable):
    path = os.environ.get(variable, "")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("%s must name the built binary (run through ctest)" % variable)
    return path


class PolkuServer:
    """A polku-server process over one data directory; restartable on the
    same directory (the port changes: it is always chosen by the OS)."""

    def __init__(self):
        self.server_bin = _binary("POLKU_SERVER_BIN")
        self.cli_bin = _binary("POLKU_CLI_BIN")
        if not STUBS:
            pytest.fail("POLKU_PYTHON_STUBS must name the generated Python stubs")
        self.data_dir = tempfile.mkdtemp(prefix="polku-openedx-")
        self.proc = None
        self.log = None
        self.address = None
        self.http_base = None
        created = subprocess.run(
            [self.cli_bin, "keys", "create", "--data_dir=" + self.data_dir,
             "--tenant=" + TENANT, "--scopes=" + SCOPES, "--name=openedx tests"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30, check=True)
        self.api_key = created.stdout.strip()

    def start(self):
        ready = os.path.join(self.data_dir, "ready.json")
        if os.path.exists(ready):
            os.unlink(ready)
        self.log = open(os.path.join(self.data_dir, "server.log"), "a")
        self.proc = subprocess.Popen(
            [self.server_bin, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--http_address=127.0.0.1:0", "--data_dir=" + self.data_dir,
             "--ready_file=" + ready, "--rules=" + RULES],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while not os.path.exists(ready) or os.path.getsize(ready) == 0:
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                pytest.fail("polku-server did not start; see %s/server.log" % self.data_dir)
            time.sleep(0.05)
        time.sleep(0.05)
        with open(ready) as f:
            ports = json.load(f)
        self.address = "127.0.0.1:%d" % ports["grpc_port"]
        self.http_base = "http://127.0.0.1:%d" % ports["http_port"]
        return self.address

    def ui(self, *args):
        """Runs `polku ui ARGS` on this data directory (the learner widget's
        ui_tenants.json, re-read by a running server within a second) and
        returns what it printed on stdout."""
        done = subprocess.run([self.cli_bin, "ui", *args, "--data_dir=" + self.data_dir],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=30, check=True)
        return done.stdout.strip()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None


@pytest.fixture(scope="module")
def polku_server():
    server = PolkuServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def polku_settings(settings, polku_server):
    """Points the adapter at the live server; fast retries for tests."""
    from polku_openedx import client  # pylint: disable=import-outside-toplevel

    client.close_channels()
    settings.POLKU_GRPC_TARGET = polku_server.address
    settings.POLKU_API_KEY = polku_server.api_key
    settings.POLKU_DEADLINE_SECONDS = 5
    settings.POLKU_RETRY_BASE_SECONDS = 0
    settings.POLKU_USE_CELERY = False
    yield settings
    client.close_channels()


def fixture_path(*parts):
    return os.path.join(SHARED, "fixtures", *parts)
