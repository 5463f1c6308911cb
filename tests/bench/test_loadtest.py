"""The load test's capacity measurement: CPU time from /proc and the ratio to the capacity."""

import os
import subprocess
import sys
import time

import pytest

from bench.loadtest import WEIGHTS, Cost, Sample, Shared, capacity_ratio, cpu_seconds, server_pids

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
