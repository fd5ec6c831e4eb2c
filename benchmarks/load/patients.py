"""Concurrent patients filing a form, as a browser does: GET the page, POST it back with the CSRF
cookie and token, an Origin header, and the address a load balancer would forward.

    python benchmarks/load/patients.py --base http://127.0.0.1:18030 --path /reclami/ \
        --payload payload.json --clients 200 --duration 60 > result.json

Each submission is a new patient: their own e-mail address and client address (X-Forwarded-For,
as the load balancer in front of the app servers sets it), so the per-address submission limit
counts people, not the test. Prints one JSON object: submissions, errors, latencies, addresses.
Standard library only, so it never shares a process (or a GIL) with the site it measures.
"""

import argparse
import http.client
import itertools
import json
import re
import statistics
import sys
import threading
import time
import urllib.parse

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
COOKIE = re.compile(r"csrftoken=([^;]+)")


class Patients:
    def __init__(self, base, path, payload, success_marker, timeout):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.host_header = f"{self.host}:{self.port}"
        self.path, self.payload, self.success_marker, self.timeout = path, payload, success_marker, timeout
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.post_latencies, self.get_latencies, self.emails, self.errors = [], [], [], []

    def request(self, method, headers, body=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            start = time.perf_counter()
            connection.request(method, self.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            return response, content, time.perf_counter() - start
        finally:
            connection.close()

    def file_one(self):
        n = next(self.counter)
        # The load balancer terminates HTTPS and says so; the client address is its own per patient.
        forwarded = {
            "Host": self.host_header,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
            "User-Agent": "wagtail-complaints load test",
        }
        response, page, get_seconds = self.request("GET", forwarded)
        if response.status != 200:
            raise RuntimeError(f"GET {response.status}")
        cookie = COOKIE.search(response.getheader("Set-Cookie") or "")
        token = TOKEN.search(page)
        if not (cookie and token):
            raise RuntimeError("no CSRF cookie or token on the form")
        email = f"patient-{n}@load.example"
        data = {**self.payload, "csrfmiddlewaretoken": token.group(1)}
        data = {key: (email if value == "{email}" else value) for key, value in data.items()}
        key = SUBMISSION_KEY.search(page)
        if key:
            data["submission_key"] = key.group(1)
        headers = {
            **forwarded,
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Origin": f"https://{self.host_header}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response, page, post_seconds = self.request("POST", headers, urllib.parse.urlencode(data))
        if response.status != 200 or self.success_marker not in page:
            raise RuntimeError(f"POST {response.status}")
        with self.lock:
            self.get_latencies.append(get_seconds)
            self.post_latencies.append(post_seconds)
            self.emails.append(email)

    def patient(self, deadline):
        while time.monotonic() < deadline:
            try:
                self.file_one()
            except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                with self.lock:
                    self.errors.append(f"{type(error).__name__}: {error}")

    def run(self, clients, duration):
        deadline = time.monotonic() + duration
        threads = [threading.Thread(target=self.patient, args=(deadline,), daemon=True) for _ in range(clients)]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - start


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--payload", required=True, help="a JSON file of the form's fields ({email}: a fresh address)")
    parser.add_argument("--success-marker", required=True, help="text every accepted submission's page shows")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    with open(args.payload, encoding="utf-8") as file:
        payload = json.load(file)
    patients = Patients(args.base, args.path, payload, args.success_marker, args.timeout)
    elapsed = patients.run(args.clients, args.duration)
    posts = patients.post_latencies
    json.dump(
        {
            "clients": args.clients,
            "seconds": elapsed,
            "submissions": len(posts),
            "per_second": len(posts) / elapsed,
            "p50": percentile(posts, 50),
            "p95": percentile(posts, 95),
            "p99": percentile(posts, 99),
            "get_p50": percentile(patients.get_latencies, 50),
            "mean": statistics.fmean(posts) if posts else None,
            "errors": len(patients.errors),
            "error_samples": sorted(set(patients.errors))[:10],
            "emails": patients.emails,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
