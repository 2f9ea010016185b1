#!/usr/bin/env python3
"""How long one hostile request can hold the server, and how much memory it can make it take.

Starts `novacron serve` (the binary given, default .build/debug/novacron) on a loopback port in
a scratch directory, then sends the worst request of each class it knows, one at a time, and
reports for each: the status, the wall time of the request, the server's peak resident memory
during it above its resident memory before (Linux's VmHWM, reset before each request through
/proc/PID/clear_refs), and how long /healthz took while it ran. A benchmark, not a test.

    python3 Benchmarks/request_bounds.py [path/to/novacron]
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/novacron"


def start_server(directory):
    process = subprocess.Popen([BINARY, "serve", "--data-dir", directory + "/data", "--port", "0", "--log-level", "error"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    text = ""
    while True:
        line = process.stderr.readline()
        if not line:
            raise SystemExit("server did not start: " + text)
        text += line
        match = re.search(r"serving http://127\.0\.0\.1:(\d+)", line)
        if match:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, int(match.group(1))


def memory(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")


def request(port, method, path, key, body=None, content_type="application/json", timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": "Bearer " + key}
    if body is not None:
        headers["Content-Type"] = content_type
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def health_probe(port, stop, latencies):
    while not stop.is_set():
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=("127.0.0.2", 0))
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            latencies.append(time.monotonic() - started)
        except OSError:
            latencies.append(float("inf"))
        time.sleep(0.05)


def measure(pid, port, label, send):
    reset_peak(pid)
    before = memory(pid, "VmRSS")
    stop, latencies = threading.Event(), []
    probe = threading.Thread(target=health_probe, args=(port, stop, latencies))
    probe.start()
    started = time.monotonic()
    status = send()
    elapsed = time.monotonic() - started
    stop.set()
    probe.join()
    peak = memory(pid, "VmHWM")
    worst_health = max(latencies) if latencies else 0
    print(f"{label:<58} {status!s:>6} {elapsed:8.2f} s {max(0, peak - before) / 2**20:9.1f} MiB {worst_health * 1000:9.1f} ms")


def policy(name, rego, enforcement="block"):
    return {"apiVersion": "novacron.io/v1", "kind": "Policy", "metadata": {"name": name},
            "spec": {"enforcement": enforcement, "kinds": ["VM"], "rego": rego}}


def vm(name, vcpus=2):
    return {"apiVersion": "novacron.io/v1", "kind": "VM", "metadata": {"name": name}, "spec": {"vcpus": vcpus, "memoryMiB": 1024, "image": "debian-12"}}


def main():
    directory = tempfile.mkdtemp(prefix="novacron-bounds-")
    process, port = start_server(directory)
    try:
        key = open(directory + "/data/admin.key").read().strip()
        pid = process.pid
        print(f"novacron {BINARY} pid {pid}, idle RSS {memory(pid, 'VmRSS') / 2**20:.1f} MiB")
        print(f"{'request':<58} {'status':>6} {'time':>10} {'peak+':>13} {'healthz max':>12}")
        apply = lambda documents: request(port, "POST", "/v1/apply", key, json.dumps({"items": documents}))[0]

        measure(pid, port, "body of 17 MiB (over the limit)", lambda: request(port, "POST", "/v1/apply", key, "a" * (17 << 20))[0])
        huge = json.dumps({"items": [vm(f"huge-{i}") for i in range(60_000)]})
        measure(pid, port, f"apply of 60,000 VMs in {len(huge) >> 20} MiB of JSON", lambda: request(port, "POST", "/v1/apply", key, huge)[0])
        batch = json.dumps({"items": [vm(f"bulk-{i}") for i in range(1_000)]})
        measure(pid, port, f"apply of 1,000 VMs (the most one request may carry)", lambda: request(port, "POST", "/v1/apply", key, batch)[0])
        padded = json.dumps({"items": [dict(vm(f"pad-{i}"), metadata={"name": f"pad-{i}", "annotations": {"note": "x" * 14_000}})
                                       for i in range(1_000)]})
        measure(pid, port, f"apply of 1,000 VMs with {len(padded) >> 20} MiB of annotations", lambda: request(port, "POST", "/v1/apply", key, padded)[0])
        measure(pid, port, "JSON nested 600 deep", lambda: request(port, "POST", "/v1/apply", key, "[" * 600 + "]" * 600)[0])
        laughs = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
            f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
        measure(pid, port, "YAML billion laughs (571 bytes)", lambda: request(port, "POST", "/v1/apply", key, laughs, "application/yaml")[0])
        flow = "[" * 900_000
        measure(pid, port, "YAML of 900,000 '[' (libyaml's nesting bound)", lambda: request(port, "POST", "/v1/apply", key, flow, "application/yaml")[0])
        chain = "package novacron\ndeny contains 1 if { " + " + ".join(["1"] * 5000) + " }\n"
        measure(pid, port, "policy with a 5,000-operator chain", lambda: apply([policy("chain", chain)]))
        measure(pid, port, "policy: comprehension over a billion numbers", lambda: apply(
            [policy("range", "package novacron\ndeny contains 1 if { count({y | some y in numbers.range(1, 1000000000)}) > 0 }\n")]))
        nested = "\n".join(["  some a in input.resource.metadata"] * 40)
        measure(pid, port, "policy: 40 nested iterations", lambda: apply([policy("nested", f"package novacron\ndeny contains 1 if {{\n{nested}\n  false\n}}\n")]))
        big_rego = "package novacron\ndeny contains 1 if {\n" + "  input.x == 1\n" * 17_000 + "}\n"
        measure(pid, port, f"policy of {len(big_rego) >> 10} KiB (under the 256 KiB bound)", lambda: apply([policy("big", big_rego)]))
        sometimes = ("package novacron\ndeny contains 1 if { input.resource.metadata.name == \"big\"; "
                     "x := numbers.range(1, 1500000); count(x) > 0 }\n")
        apply([policy("sometimes", sometimes)])
        measure(pid, port, "VM write meeting a policy at its memory budget", lambda: apply([vm("big")]))
        measure(pid, port, "VM write beside it (policy not triggered)", lambda: apply([vm("small")]))
        measure(pid, port, "policy preview over every resource", lambda: request(
            port, "POST", "/v1/policy/preview", key, json.dumps(policy("p", "package novacron\ndeny contains 1 if { input.resource.metadata.name != \"probe\"; "
                                                                         "some x in numbers.range(1, 200000); x < 0 }\n")))[0])
        measure(pid, port, "policy evaluate at the memory budget", lambda: request(port, "POST", "/v1/policy/evaluate", key, json.dumps(
            {"input": {"resource": {"metadata": {"name": "big"}}}}))[0])
        measure(pid, port, "watch from sequence 0 (backlog past 1,000)", lambda: request(port, "GET", "/v1/events?watch=true&after=0&timeoutSeconds=1", key)[0])
        measure(pid, port, "poll of 1,000 events", lambda: request(port, "GET", "/v1/events?after=0&limit=1000", key)[0])

        def slowloris():
            sockets = []
            for _ in range(300):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                sockets.append(s)
            deadline = time.monotonic() + 30
            open_count = len(sockets)
            while open_count and time.monotonic() < deadline:
                time.sleep(0.5)
                open_count = 0
                for s in sockets:
                    try:
                        s.setblocking(False)
                        if s.recv(1) == b"":
                            continue
                    except BlockingIOError:
                        open_count += 1
                    except OSError:
                        continue
            for s in sockets:
                s.close()
            return f"{open_count} open"
        measure(pid, port, "slowloris: 300 connections with unfinished headers", slowloris)
    finally:
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            process.wait(timeout=60)
            print(f"stopped {time.monotonic() - started:.1f} s after SIGTERM")
        except subprocess.TimeoutExpired:
            print("did not stop within 60 s of SIGTERM; killed")
            process.kill()


if __name__ == "__main__":
    main()
