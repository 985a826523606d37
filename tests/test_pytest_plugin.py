"""The pytest plugin as a user meets it: a temporary project with its own test file.

Each run is a separate pytest process (``runpytest_subprocess``), so the plugin is found the way
it is in a user's suite: through the installed package's ``pytest11`` entry point, with no
``conftest.py``. ``-W error`` turns a leaked socket (``ResourceWarning``) into a failure.
"""

from __future__ import annotations

import textwrap

import pytest

PLUGIN = "stripe_credit_notes.emulator.testing"

# One credit note through the async client, checked on the emulator's side.
ASYNC_BODY = """
    invoice = stripe_emulator.seed_invoice(lines=[1000], paid=True)
    note = await async_stripe_client.credit_notes.create(
        invoice=invoice.id, amount=400, refund_amount=400
    )
    again = await async_stripe_client.credit_notes.retrieve(note.id)
    assert again.total == 400
    assert stripe_emulator.credit_note_count(invoice=invoice.id) == 1
"""


def _user_test(decorator: str) -> str:
    head = f"import pytest\n\n{decorator}\nasync def test_credit(stripe_emulator, async_stripe_client):"
    return head + textwrap.indent(textwrap.dedent(ASYNC_BODY), "    ")


def _ini(mode: str = "strict") -> str:
    # pytest-asyncio warns (an error under -W error) when the loop scope is left unset.
    return textwrap.dedent(
        f"""
        [pytest]
        asyncio_mode = {mode}
        asyncio_default_fixture_loop_scope = function
        """
    )


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", *args)


@pytest.mark.parametrize(
    ("mode", "decorator"),
    [
        pytest.param("strict", "@pytest.mark.asyncio", id="asyncio-strict"),
        pytest.param("auto", "", id="asyncio-auto"),
        pytest.param("strict", "@pytest.mark.anyio", id="anyio"),
        pytest.param("auto", "@pytest.mark.anyio", id="anyio-under-asyncio-auto"),
    ],
)
def test_async_stripe_client_under_each_async_runner(
    pytester: pytest.Pytester, mode: str, decorator: str
) -> None:
    pytester.makeini(_ini(mode))
    pytester.makepyfile(test_billing=_user_test(decorator))
    if "anyio" in decorator:  # anyio's default is asyncio too; say it as a user would
        pytester.makeconftest(
            "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
        )
    result = _run(pytester)
    result.assert_outcomes(passed=1)


def test_sync_fixtures_need_no_conftest_line(pytester: pytest.Pytester) -> None:
    pytester.makeini(_ini())
    pytester.makepyfile(
        test_billing="""
        def test_refund(stripe_emulator, stripe_client):
            invoice = stripe_emulator.seed_invoice(lines=[1000], paid=True)
            stripe_client.credit_notes.create(invoice=invoice.id, amount=300, credit_amount=300)
            assert stripe_emulator.credit_note_count() == 1

        def test_next_test_starts_empty(stripe_emulator):
            assert stripe_emulator.credit_note_count() == 0
        """
    )
    _run(pytester).assert_outcomes(passed=2)


def test_the_fixtures_come_from_the_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makeini(_ini())
    pytester.makepyfile(test_billing="def test_one(stripe_emulator):\n    pass\n")
    result = _run(pytester, "-p", f"no:{PLUGIN}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'stripe_emulator' not found*"])


def test_an_old_pytest_plugins_line_does_not_register_it_twice(pytester: pytest.Pytester) -> None:
    pytester.makeini(_ini())
    pytester.makeconftest(f"pytest_plugins = [{PLUGIN!r}]\n")
    pytester.makepyfile(test_billing="def test_one(stripe_emulator):\n    pass\n")
    _run(pytester).assert_outcomes(passed=1)
