"""Starts a real polku-server (development mode, free loopback ports) for the
Python tests, and makes the stubs generated at build time importable."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

BIN_DIR = os.environ.get("POLKU_BIN_DIR", "")
SOURCE_DIR = os.environ.get(
    "POLKU_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


@pytest.fixture
def server():
    if not BIN_DIR:
        pytest.fail("POLKU_BIN_DIR is not set: run through ctest or make test")
    data_dir = tempfile.mkdtemp(prefix="polku-py-")
    ready = os.path.join(data_dir, "ready.json")
    log = open(os.path.join(data_dir, "server.log"), "w")
    proc = subprocess.Popen(
        [os.path.join(BIN_DIR, "polku-server"), "--dev_mode",
         "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
         "--http_address=127.0.0.1:0",
         "--data_dir=" + data_dir, "--ready_file=" + ready,
         "--rules=" + os.path.join(SOURCE_DIR, "deploy/config/rules.yaml")],
        stderr=log)
    deadline = time.time() + 60
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail("polku-server did not start; see " + log.name)
        time.sleep(0.05)
    with open(ready) as f:
        ports = json.load(f)
    yield {"address": "127.0.0.1:%d" % ports["grpc_port"], "data_dir": data_dir}
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
