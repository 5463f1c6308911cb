"""The load test's capacity measurement: CPU time from /proc and the ratio to the capacity."""

import os
import random
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from bench.loadtest import (
    WEIGHTS,
    Cost,
    OParlTargets,
    Sample,
    Shared,
    capacity_ratio,
    cpu_seconds,
    oparl_request,
    server_pids,
)

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")


def test_cpu_seconds_reads_utime_and_stime_of_a_process():
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    after = cpu_seconds(os.getpid())

    assert before is not None and after is not None
    assert after - before >= 0.1
    assert abs(after - time.process_time()) < 0.5  # the same clock as the process's own


def test_cpu_seconds_of_a_finished_process_is_none():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()

    assert cpu_seconds(child.pid) is None


def test_server_pids_are_the_master_and_its_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        pids = server_pids(os.getpid())
    finally:
        child.kill()
        child.wait()

    assert pids[0] == os.getpid()
    assert child.pid in pids
    assert 1 not in pids


def test_the_ratio_is_the_cpu_the_load_would_cost_alone_over_the_cpu_the_cores_offer():
    costs = [
        Cost("Liste", actions=10, requests=10, cpu_s=1.0),  # 0.1 s each
        Cost("Filter", actions=10, requests=10, cpu_s=2.0),  # 0.2 s each
        Cost("Bearbeiten", actions=5, requests=10, cpu_s=1.5),  # 0.3 s each
        Cost("Export", actions=2, requests=2, cpu_s=2.0),  # 1.0 s each
    ]
    shared = Shared()
    shared.samples += [Sample("Liste", 200, 0.1)] * 30
    shared.samples += [Sample("Filter", 200, 0.1)] * 10
    shared.samples += [Sample("Bearbeiten (Formular)", 200, 0.1)] * 5  # not an action of its own
    shared.samples += [Sample("Bearbeiten", 302, 0.1)] * 5
    shared.samples += [Sample("Export", 200, 0.1)] * 5
    shared.samples += [Sample("Export", 500, 0.1, "unerwartet")] * 3  # errors do not count

    result = capacity_ratio(costs, shared, elapsed=10.0)

    cores = os.cpu_count() or 1
    cpu = 30 * 0.1 + 10 * 0.2 + 5 * 0.3 + 5 * 1.0  # 11.5 CPU seconds for 50 actions
    assert set(WEIGHTS) == {c.action for c in costs}
    assert result["cpu_per_action"] == pytest.approx(cpu / 50)
    assert result["capacity"] == pytest.approx(cores / (cpu / 50))
    assert result["throughput"] == pytest.approx(5.0)
    assert result["ratio"] == pytest.approx(cpu / (cores * 10.0))
    assert result["requests_per_action"] == pytest.approx(55 / 50)


def test_server_pids_include_grandchildren():
    # serve.sh → with-worker.sh → gunicorn master → workers: all of them are the server
    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while len(pids := server_pids(child.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        for pid in server_pids(child.pid)[1:]:
            os.kill(pid, 9)
        child.kill()
        child.wait()

    assert pids[0] == child.pid and len(pids) == 2


class FakeClient:
    def __init__(self, status, headers, body=b""):
        self.response = SimpleNamespace(status=status, headers=headers, body=body, seconds=0.01)
        self.sent = []

    def get(self, path, headers=None):
        self.sent.append((path, headers))
        return self.response


class Draws(random.Random):
    """random() always returns `value` (whether a file request is conditional)."""

    def __init__(self, value):
        super().__init__(1)
        self.value = value

    def random(self):
        return self.value


@pytest.mark.parametrize(
    ("headers", "limited", "error", "wait"),
    [({"retry-after": "17"}, True, "", 17.0), ({}, False, "429 ohne Retry-After", 1.0)],
)
def test_a_429_is_limited_only_with_retry_after(headers, limited, error, wait):
    oparl = OParlTargets(papers=["/oparl/v1.1/paper/1/"], files=["/oparl/v1.1/file/vorlage/1/pdf"])
    client = FakeClient(429, headers)

    sample, seconds = oparl_request(client, "OParl Datei", oparl, {}, random.Random(1))

    assert (sample.limited, sample.error, seconds) == (limited, error, wait)


def test_a_file_is_answered_with_a_pdf_and_its_etag_or_304():
    oparl = OParlTargets(papers=[], files=["/f/pdf"])
    etags: dict[str, str] = {}
    pdf = FakeClient(200, {"content-type": "application/pdf", "etag": '"abc"'}, b"%PDF-1.7")
    assert oparl_request(pdf, "OParl Datei", oparl, etags, random.Random(1))[0].error == ""
    assert etags == {"/f/pdf": '"abc"'}

    not_modified = FakeClient(304, {})
    sample, _ = oparl_request(not_modified, "OParl Datei", oparl, etags, Draws(0.1))
    assert sample.error == "" and not_modified.sent == [("/f/pdf", {"If-None-Match": '"abc"'})]
    unasked = FakeClient(304, {})  # a 304 to a request without If-None-Match is wrong
    assert oparl_request(unasked, "OParl Datei", oparl, etags, Draws(0.9))[0].error == "unerwartet"
