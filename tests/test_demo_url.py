"""`flask seed-demo` prints the login address the server really listens on, and `make run`
gives the seed and the server the same HOST and PORT."""

import re
import subprocess

import pytest

from webapp import ROOT
from webapp.auth.models import User


def printed_url(output: str) -> str:
    match = re.search(r"Log in at (\S+) with:", output)
    assert match, output
    return match.group(1)


def test_the_default_is_flask_runs_own_address(runner):
    result = runner.invoke(args=["seed-demo"], env={"FLASK_RUN_HOST": "", "FLASK_RUN_PORT": ""})
    assert result.exit_code == 0, result.output
    assert printed_url(result.output) == "http://127.0.0.1:5000/auth/login"


@pytest.mark.parametrize(
    ("args", "env", "url"),
    [
        (["--port", "8123"], {}, "http://127.0.0.1:8123/auth/login"),
        ([], {"FLASK_RUN_PORT": "8765"}, "http://127.0.0.1:8765/auth/login"),
        (["--host", "0.0.0.0", "--port", "8000"], {}, "http://127.0.0.1:8000/auth/login"),
        (["--host", "192.168.1.20", "--port", "80"], {}, "http://192.168.1.20:80/auth/login"),
        (["--host", "::", "--port", "8000"], {}, "http://[::1]:8000/auth/login"),
    ],
)
def test_the_printed_login_address_follows_host_and_port(runner, args, env, url):
    result = runner.invoke(args=["seed-demo", *args], env=env)
    assert result.exit_code == 0, result.output
    assert printed_url(result.output) == url


def test_a_port_that_cannot_be_served_is_refused_before_anything_is_loaded(runner, store):
    result = runner.invoke(args=["seed-demo", "--port", "99999"])
    assert result.exit_code == 2
    assert "99999" in result.output
    assert store.count(User) == 0


def test_make_run_seeds_and_serves_on_the_same_host_and_port():
    dry_run = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "seed-demo --host 0.0.0.0 --port 8123" in dry_run
    assert "run --host 0.0.0.0 --port 8123" in dry_run
