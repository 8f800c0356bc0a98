"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Every test in this folder is marked `browser`. It runs against `live_server` (a real HTTP server in a
thread) in a fresh browser context, so cookies and storage never leak between tests. Fixtures:

- `page`: a page in a Vietnamese-locale context at desktop size; `page.goto("/login/")` is relative
  to the live server.
- `new_page(**context_options)`: another page in its own context, e.g. `viewport=PHONE` or
  `locale="en-US"`.
- `sign_in(user, page=None)`: signs a persona in through the login form and returns the page.

Chromium must be at /usr/bin/chromium (`scripts/ensure-chromium.sh` installs Debian's package);
Playwright's own browser download is not used. Without it the tests fail, unless PHAODAI_SKIP_BROWSER=1
asks for them to be skipped (never in `make test`).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an asyncio event loop in the test thread; Django would otherwise refuse
# ORM calls from it (SynchronousOnlyOperation). Tests are sequential, so this is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PHAODAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root in a container, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_REQUESTED = os.environ.get("PHAODAI_SKIP_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ `browser` (before `-m` selects), or skip it on request."""
    for item in items:
        if HERE not in item.path.resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if SKIP_REQUESTED:
            item.add_marker(pytest.mark.skip(reason="browser tests skipped: PHAODAI_SKIP_BROWSER is set"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run scripts/ensure-chromium.sh (apt-get install chromium), "
            "or set PHAODAI_SKIP_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, django_db_serialized_rollback: None
) -> Iterator[Callable[..., Page]]:
    """Open pages, each in a fresh context (a clean profile) on the live server.

    `live_server` makes the test transactional: the database is emptied after each test, and
    `django_db_serialized_rollback` puts back what migrations loaded (the administrative units).
    """
    contexts = []

    def open_page(**context_options: Any) -> Page:
        options: dict[str, Any] = {
            "base_url": live_server.url,
            "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh",
            "viewport": DESKTOP,
        }
        options.update(context_options)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture
def sign_in(page: Page, persona_password: str) -> Callable[..., Page]:
    """Sign a user in through the login form (on `page` unless another is given) and return the page."""

    def sign_in_as(user: Any, on: Page | None = None, password: str | None = None) -> Page:
        target = on or page
        target.goto("/login/")
        form = target.locator("form:has(input[name=password])")
        form.locator("input[name=username]").fill(user.username)
        form.locator("input[name=password]").fill(password or persona_password)
        with target.expect_navigation():
            form.locator("button[type=submit]").click()
        if "/login/" in target.url:
            alert = target.locator("[role=alert]")
            reason = alert.first.inner_text() if alert.count() else "still on the login page"
            raise AssertionError(f"signing in as {user.username} failed: {reason}")
        return target

    return sign_in_as
