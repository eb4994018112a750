"""HomeStretch under load: gunicorn with four workers, `wrk` on each page, bookings racing.

`Server` starts gunicorn on 127.0.0.1 (REQUEST_LOG=0) over a database and stops it with its
workers. `Browser` is a small cookie-keeping HTTP client that logs in through the real form.
`run_wrk` drives one path with `wrk -t2 -c16` and reads the numbers our Lua `done()` prints.
`contention` sends twenty aides at one open slot at once; `disjoint` lets them book different
slots side by side.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
REPORT_LUA = Path(__file__).resolve().parent / "report.lua"
SECRET_KEY = "benchmark-secret-key-not-for-production"
TIMEOUT = 60


class Browser:
    """A minimal HTTP client that keeps cookies and reads the page's CSRF token."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None):
        """One request; returns (status, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, text
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def csrf_token(self, path: str = "/dashboard") -> str:
        status, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)

    def log_in(self, email: str, password: str) -> "Browser":
        token = self.csrf_token("/auth/login")
        status, page = self.request(
            "POST", "/auth/login", {"email": email, "password": password, "csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"could not log in as {email}: {status} {page[:300]}")
        return self


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn, four workers, on a free port of 127.0.0.1, over the given database."""

    def __init__(self, database_url: str, log: Path, workers: int = 4):
        self.port = free_port()
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "REQUEST_LOG": "0",
            "SESSION_COOKIE_SECURE": "0",
            "GUNICORN_LOGLEVEL": "warning",
        }
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers)]
        # gunicorn.conf.py applies, except that workers are not recycled during a run (a
        # restart stalls a worker for a second, which would show up as a slow page).
        command += ["-b", f"127.0.0.1:{self.port}", "--timeout", "60", "--max-requests", "0"]
        command.append("wsgi:app")
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
            try:
                if Browser(self.port).request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        """Stop the master and its workers (their own process group), firmly if need be."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)


@dataclass
class Load:
    """What `wrk` saw on one path."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    bytes_per_request: int
    #: Answers with a status of 400 or more, and socket errors (connect, read, write, timeout).
    bad_status: int
    socket_errors: int


def run_wrk(url: str, cookie: str | None, seconds: float, threads=2, connections=16) -> Load:
    """Drive one URL with wrk for a few seconds; the numbers the Lua report prints."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
    ]
    command += ["-s", str(REPORT_LUA)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    match = re.search(r"^BENCH (.*)$", output, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed no report for {url}:\n{output}")
    values = dict(pair.split("=") for pair in match.group(1).split())
    requests = int(values["requests"])
    duration_s = int(values["duration_us"]) / 1e6
    return Load(
        requests=requests,
        rps=requests / duration_s if duration_s else 0.0,
        p50_ms=int(values["p50_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
        bytes_per_request=int(values["bytes"]) // max(requests, 1),
        bad_status=int(values["status_errors"]),
        socket_errors=int(values["socket_errors"]),
    )


def all_at_once(jobs) -> list:
    """Run every job at the same instant in its own thread; a crash counts as a result."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = job()
        except Exception as error:  # reported, never hidden: the caller counts crashes
            results[index] = ("crash", repr(error))

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    return results


def warm_up(browser: Browser, path: str, requests: int = 16) -> None:
    """Open a page from many connections at once, so every worker has seen it before it is
    measured (a page's first view in a worker loads its templates and fills caches)."""
    all_at_once([lambda: Browser(browser.port, browser.cookies).request("GET", path)] * requests)


@dataclass
class Booking:
    """How a round of bookings went."""

    attempts: int
    booked: int
    refused: int
    server_errors: int
    crashes: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.booked / self.seconds if self.seconds else 0.0


def _book(browser: Browser, token: str, visit_id: int):
    start = time.perf_counter()
    status, _ = browser.request("POST", f"/visits/{visit_id}/book", {"csrf_token": token})
    return ("book", status, (time.perf_counter() - start) * 1000)


def _summarise(results, seconds: float) -> Booking:
    done = [result for result in results if result and result[0] == "book"]
    times = sorted(result[2] for result in done)

    def pct(q):
        return times[min(len(times) - 1, int(q * len(times)))] if times else 0.0

    return Booking(
        attempts=len(results),
        booked=sum(1 for result in done if result[1] == 302),
        refused=sum(1 for result in done if 400 <= result[1] < 500),
        server_errors=sum(1 for result in done if result[1] >= 500),
        crashes=sum(1 for result in results if not result or result[0] == "crash"),
        seconds=seconds,
        p50_ms=pct(0.5),
        p99_ms=pct(0.99),
    )


def contention(aides: list[tuple[Browser, str]], visit_id: int) -> Booking:
    """Every aide taps "Book" on the same slot at the same instant."""
    jobs = [lambda b=browser, t=token: _book(b, t, visit_id) for browser, token in aides]
    start = time.perf_counter()
    results = all_at_once(jobs)
    return _summarise(results, time.perf_counter() - start)


def disjoint(aides: list[tuple[Browser, str]], slots: list[list[int]]) -> Booking:
    """Each aide books their own slots one after another, all aides side by side."""

    def books(browser, token, visit_ids):
        return lambda: [_book(browser, token, visit_id) for visit_id in visit_ids]

    jobs = [
        books(browser, token, visit_ids)
        for (browser, token), visit_ids in zip(aides, slots, strict=True)
    ]
    start = time.perf_counter()
    results = all_at_once(jobs)
    elapsed = time.perf_counter() - start
    flat = []
    for result in results:
        flat.extend(result if isinstance(result, list) else [result])
    return _summarise(flat, elapsed)
