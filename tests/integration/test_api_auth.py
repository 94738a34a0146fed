"""Auth over HTTP: register, login, refresh, the OAuth2 form and the bearer checks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from bazaar.settings import Settings
from tests.http_driver import after, assert_error, position_in, register, sign_in
from tests.waiting import poll_until

pytestmark = pytest.mark.integration
PASSWORD = "s3cret-pass"
MAX_REGISTRATIONS = 50


def new_account(**fields: Any) -> dict[str, Any]:
    name = f"u{uuid.uuid4().hex[:12]}"
    return {"email": f"{name}@example.com", "username": name, "password": PASSWORD, **fields}


class TestRegister:
    def test_answers_201_with_the_user_s_tokens(self, client: httpx.Client) -> None:
        account = new_account()

        response = client.post("/api/auth/register", json=account)

        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == {"user", "access", "refresh"}
        assert set(body["user"]) == {"id", "email", "username", "role", "created_at"}
        assert body["user"]["email"] == account["email"]
        assert body["user"]["username"] == account["username"]
        assert "X-Event-Position" in response.headers

    def test_makes_a_customer_by_default(self, client: httpx.Client) -> None:
        response = client.post("/api/auth/register", json=new_account())

        assert response.json()["user"]["role"] == "customer"

    def test_allows_the_artisan_role(self, client: httpx.Client) -> None:
        response = client.post("/api/auth/register", json=new_account(role="artisan"))

        assert response.status_code == 201, response.text
        assert response.json()["user"]["role"] == "artisan"

    def test_refuses_the_admin_role(self, client: httpx.Client) -> None:
        response = client.post("/api/auth/register", json=new_account(role="admin"))

        assert_error(response, 400)

    def test_refuses_an_email_taken_in_another_case(self, client: httpx.Client) -> None:
        first = new_account()
        client.post("/api/auth/register", json=first)
        again = new_account(email=first["email"].upper())

        response = client.post("/api/auth/register", json=again)

        assert_error(response, 400, "account_exists")

    def test_refuses_a_username_taken_already(self, client: httpx.Client) -> None:
        first = new_account()
        client.post("/api/auth/register", json=first)

        response = client.post("/api/auth/register", json=new_account(username=first["username"]))

        assert_error(response, 400, "account_exists")

    def test_refuses_a_weak_password(self, client: httpx.Client) -> None:
        response = client.post("/api/auth/register", json=new_account(password="letters"))

        assert_error(response, 400, "weak_password")

    def test_refuses_a_malformed_email(self, client: httpx.Client) -> None:
        response = client.post("/api/auth/register", json=new_account(email="not-an-email"))

        assert_error(response, 400, "validation_error")

    def test_its_event_position_names_the_accounts_log_which_no_read_waits_for(
        self, client: httpx.Client
    ) -> None:
        registered = client.post("/api/auth/register", json=new_account())

        response = client.get("/api/stores", headers=after(registered))

        assert position_in(registered, "accounts") > 0
        assert response.status_code == 200, response.text


class TestLogin:
    def test_signs_in_by_email(self, client: httpx.Client) -> None:
        account = new_account()
        client.post("/api/auth/register", json=account)

        response = client.post(
            "/api/auth/login", json={"email": account["email"], "password": PASSWORD}
        )

        assert response.status_code == 200, response.text
        assert set(response.json()) == {"user", "access", "refresh"}
        assert response.json()["user"]["username"] == account["username"]

    def test_signs_in_by_username(self, client: httpx.Client) -> None:
        account = new_account()
        client.post("/api/auth/register", json=account)

        response = client.post(
            "/api/auth/login", json={"username": account["username"], "password": PASSWORD}
        )

        assert response.status_code == 200, response.text
        assert response.json()["user"]["email"] == account["email"]

    def test_refuses_a_wrong_password_with_401(self, client: httpx.Client) -> None:
        account = new_account()
        client.post("/api/auth/register", json=account)

        response = client.post(
            "/api/auth/login", json={"email": account["email"], "password": "wrong-pass-1"}
        )

        assert_error(response, 401, "invalid_credentials")

    def test_refuses_an_unknown_login_like_a_wrong_password(self, client: httpx.Client) -> None:
        response = client.post(
            "/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
        )

        assert_error(response, 401, "invalid_credentials")

    def test_refuses_a_login_without_email_or_username(self, client: httpx.Client) -> None:
        response = client.post("/api/auth/login", json={"password": PASSWORD})

        assert_error(response, 400, "validation_error")


class TestRefresh:
    def test_trades_a_refresh_token_for_a_working_access_token(self, client: httpx.Client) -> None:
        user = register(client)

        response = client.post("/api/auth/refresh", json={"refresh": user.refresh})

        assert response.status_code == 200, response.text
        access = response.json()["access"]
        me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {access}"})
        assert me.json()["id"] == user.user_id

    def test_refuses_an_access_token_in_place_of_a_refresh_token(
        self, client: httpx.Client
    ) -> None:
        user = register(client)

        response = client.post("/api/auth/refresh", json={"refresh": user.access})

        assert_error(response, 401, "invalid_token")


class TestOAuthToken:
    def test_the_password_form_gives_a_bearer_token_for_me(self, client: httpx.Client) -> None:
        account = new_account()
        client.post("/api/auth/register", json=account)

        response = client.post(
            "/api/token", data={"username": account["username"], "password": PASSWORD}
        )

        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "bearer"
        bearer = {"Authorization": f"Bearer {response.json()['access_token']}"}
        assert client.get("/api/auth/me", headers=bearer).json()["email"] == account["email"]

    def test_refuses_a_wrong_password(self, client: httpx.Client) -> None:
        account = new_account()
        client.post("/api/auth/register", json=account)

        response = client.post(
            "/api/token", data={"username": account["username"], "password": "wrong-pass-1"}
        )

        assert_error(response, 401, "invalid_credentials")


class TestMe:
    def test_returns_the_callers_own_profile(self, client: httpx.Client) -> None:
        account = new_account(role="artisan")
        client.post("/api/auth/register", json=account)
        user = sign_in(client, account["email"], PASSWORD)

        response = client.get("/api/auth/me", headers=user.auth)

        assert response.status_code == 200, response.text
        assert response.json()["id"] == user.user_id
        assert response.json()["role"] == "artisan"

    def test_refuses_a_request_without_a_token(self, client: httpx.Client) -> None:
        response = client.get("/api/auth/me")

        assert_error(response, 401, "unauthenticated")

    def test_refuses_a_garbage_token(self, client: httpx.Client) -> None:
        response = client.get("/api/auth/me", headers={"Authorization": "Bearer not-a-jwt"})

        assert_error(response, 401, "invalid_token")

    def test_refuses_an_expired_token(self, client: httpx.Client, settings: Settings) -> None:
        user = register(client)
        claims = {"sub": user.user_id, "role": "customer", "type": "access"}
        expired = jwt.encode(
            {**claims, "exp": datetime.now(UTC) - timedelta(minutes=1)},
            str(settings.jwt_secret),
            algorithm="HS256",
        )

        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"})

        assert_error(response, 401, "invalid_token")

    def test_refuses_a_token_it_accepted_once_its_expiry_passes(
        self, client: httpx.Client, settings: Settings
    ) -> None:
        user = register(client)
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        claims = {"sub": user.user_id, "role": "customer", "type": "access", "exp": expires}
        token = jwt.encode(claims, str(settings.jwt_secret), algorithm="HS256")
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/auth/me", headers=auth).status_code == 200

        def refused() -> httpx.Response | None:
            answer = client.get("/api/auth/me", headers=auth)
            return answer if answer.status_code != 200 else None

        response = poll_until(refused, timeout=5, every=0.2)

        assert datetime.now(UTC) >= expires
        assert_error(response, 401, "invalid_token")

    def test_refuses_a_refresh_token_used_as_access(self, client: httpx.Client) -> None:
        user = register(client)

        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {user.refresh}"})

        assert_error(response, 401, "invalid_token")
