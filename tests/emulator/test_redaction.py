"""The 401 message names the refused key the way Stripe does, without giving the secret away."""

from __future__ import annotations

import string
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stripe_credit_notes.emulator import run_emulator

PREFIXES = ["sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_", ""]
SECRETS = st.text(alphabet=string.ascii_letters + string.digits, max_size=120)
LEAD = "Invalid API Key provided: "


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    # Only one key is accepted, so a wrong sk_test_ key is refused and redacted too.
    with (
        run_emulator(api_keys=["sk_test_only"]) as emu,
        httpx.Client(base_url=emu.base_url, timeout=10.0) as http,
    ):
        yield http


def _shown(client: httpx.Client, key: str) -> str:
    response = client.get("/v1/credit_notes", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    message: str = response.json()["error"]["message"]
    assert message.startswith(LEAD), message
    token, _, rest = message[len(LEAD) :].partition(" ")
    token = token.removesuffix(".")
    # Nothing of the key appears anywhere but in the redacted token.
    assert rest in ("", "The emulator accepts test mode secret keys (sk_test_...) only.")
    return token


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), secret=SECRETS)
def test_a_refused_key_shows_at_most_a_quarter_of_its_secret(
    client: httpx.Client, prefix: str, secret: str
) -> None:
    key = prefix + secret
    if not key or key == "sk_test_only":
        return  # no key at all has its own message; the accepted key is not refused
    token = _shown(client, key)
    assert token.startswith(prefix)
    masked = token[len(prefix) :]
    tail = masked.lstrip("*")
    assert secret.endswith(tail)
    assert len(tail) <= len(secret) // 4, (key, token)
    assert len(token) <= len(prefix) + 40  # a huge key does not make a huge message


@pytest.mark.parametrize(
    ("key", "token"),
    [
        ("sk_live_abcde", "sk_live_****e"),  # 5 secret characters: 1 shown
        ("sk_live_abc", "sk_live_***"),  # 3: none shown
        ("sk_test_12345678", "sk_test_******78"),  # 8: 2 shown
        ("sk_live_51HxQwErTyUiOp1234", "sk_live_**************1234"),  # Stripe's form
        ("rk_live_abcdefghijklmnop", "rk_live_************mnop"),
        ("not-a-key", "*******ey"),  # no known prefix: the whole key is the secret
    ],
)
def test_redaction_examples(client: httpx.Client, key: str, token: str) -> None:
    assert _shown(client, key) == token
