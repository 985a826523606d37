"""The emulator as a real server process, and its pytest plugin in a fresh pytest run."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE = [sys.executable, "-m", "stripe_credit_notes.emulator"]
# The console script the package installs beside this interpreter.
SCRIPT = [str(Path(sys.executable).with_name("stripe-credit-notes-emulator"))]


def _start(*args: str, command: list[str] = MODULE) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [*command, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 15.0)
    if not ready:
        proc.kill()
        proc.communicate(timeout=5)
        pytest.fail("the emulator did not print its URL within 15 s")
    return proc, proc.stdout.readline().strip()


@pytest.mark.parametrize("command", [MODULE, SCRIPT], ids=["module", "console-script"])
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_module_runs_as_a_server_and_stops_on_signal(
    stop_signal: signal.Signals, command: list[str]
) -> None:
    proc, url = _start("--port", "0", "--host", "127.0.0.1", command=command)
    try:
        assert url.startswith("http://127.0.0.1:")
        headers = {"Authorization": "Bearer sk_test_cli", "Stripe-Version": "2024-06-20"}
        with httpx.Client(base_url=url, headers=headers, timeout=10.0) as client:
            invoice = client.post("/_emulator/invoices", json={"lines": [1000], "paid": True})
            assert invoice.status_code == 200, invoice.text
            note = client.post(
                "/v1/credit_notes",
                data={"invoice": invoice.json()["id"], "amount": "400", "refund_amount": "400"},
            )
            assert note.status_code == 200, note.text
            assert note.json()["refund"].startswith("re_")
            assert note.headers["stripe-version"] == "2024-06-20"
    finally:
        proc.send_signal(stop_signal)
        try:
            code = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=5)
    assert code == 0


@pytest.mark.parametrize(
    ("command", "prog"),
    [(MODULE, "python -m stripe_credit_notes.emulator"), (SCRIPT, "stripe-credit-notes-emulator")],
    ids=["module", "console-script"],
)
def test_help_names_the_command_that_was_run(command: list[str], prog: str) -> None:
    result = subprocess.run(
        [*command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {prog} ")


def test_bad_arguments_exit_with_an_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stripe_credit_notes.emulator", "--api-version", "soon"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "not a Stripe API version" in result.stderr


def test_a_refused_api_key_is_redacted_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    from stripe_credit_notes.emulator.__main__ import main

    # A mistyped key may be a real secret with no known prefix: all of it counts as secret.
    assert main(["--api-key", "whsecretvalue_ABCDEFGH"]) == 2
    err = capsys.readouterr().err
    assert "--api-key must be an sk_test_ key" in err
    assert "whsecret" not in err and "ABCDEFGH" not in err


def test_pytest_plugin_in_a_fresh_session(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["stripe_credit_notes.emulator.testing"]\n', "utf-8"
    )
    (tmp_path / "test_billing.py").write_text(
        textwrap.dedent(
            """
            import httpx

            def test_one(stripe_emulator):
                invoice = stripe_emulator.seed_invoice(lines=[500])
                with httpx.Client(base_url=stripe_emulator.base_url, timeout=10.0) as client:
                    response = client.post(
                        "/v1/credit_notes",
                        data={"invoice": invoice.id, "amount": "100"},
                        headers={"Authorization": f"Bearer {stripe_emulator.api_key}"},
                    )
                assert response.status_code == 200
                assert stripe_emulator.credit_note_count() == 1

            def test_two_starts_empty(stripe_emulator):
                assert stripe_emulator.credit_note_count() == 0
            """
        ),
        "utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
