"""The app as a whole: start-up, health check, error pages, the disclaimer, demo data."""

from webapp import create_app
from webapp.auth.models import User
from webapp.care.models import Medication, RoutineItem
from webapp.demo import DEMO_PASSWORD
from webapp.marketplace.models import AideProfile, AssistanceRequest
from webapp.scheduling.models import Visit


def test_default_config_uses_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/homestretch.db")
    assert app.config["SECRET_KEY"]


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_landing_page_and_disclaimer(client):
    page = client.get("/").get_data(as_text=True)
    assert "An extra pair of hands for your hip recovery" in page
    assert "It is not medical advice" in page


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_api_callers_get_json_errors(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"] == "We could not find that page"


def test_oversized_post_is_refused(client):
    response = client.post("/auth/signup", data={"display_name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_seed_demo_is_idempotent(runner, store):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "rosa@example.com" in first.output and DEMO_PASSWORD in first.output
    counts = (store.count(User), store.count(RoutineItem), store.count(Medication))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert (store.count(User), store.count(RoutineItem), store.count(Medication)) == counts
    assert counts == (5, 7, 2)
    roles = sorted(user.role for user in store.all(User))
    assert roles == ["admin", "aide", "aide", "family", "patient"]
    assert store.count(AideProfile) == 2
    assert store.count(AssistanceRequest) == 1
    assert store.count(Visit) == 24
    assert store.count(Visit, status="booked") == 3


def test_demo_patient_can_log_in_and_see_her_routine(client, runner):
    runner.invoke(args=["seed-demo"])
    response = client.post(
        "/auth/login", data={"email": "rosa@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Thomas stretch" in page and "Ibuprofen" in page


def test_create_admin_command(runner, store):
    result = runner.invoke(
        args=["users", "create-admin", "--email", "Boss@Example.com"],
        input="a sturdy admin password\na sturdy admin password\n",
    )
    assert result.exit_code == 0, result.output
    assert store.one(User, email="boss@example.com").role == "admin"
    again = runner.invoke(
        args=["users", "create-admin", "--email", "boss@example.com"],
        input="a sturdy admin password\na sturdy admin password\n",
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_ids_too_big_for_the_database_are_not_found(patient_client, verified_aide_client):
    big = "9" * 30
    for client, method, url in [
        (patient_client, "get", f"/patients/{big}/routine"),
        (patient_client, "get", f"/requests/{big}"),
        (verified_aide_client, "post", f"/visits/{big}/book"),
        (verified_aide_client, "get", f"/visits/{big}"),
        (patient_client, "get", f"/aides/{big}"),
        (patient_client, "get", f"/visits/{big}/review"),
        (patient_client, "get", "/patients/2147483648/routine"),
    ]:
        assert getattr(client, method)(url, data={}).status_code == 404, url
