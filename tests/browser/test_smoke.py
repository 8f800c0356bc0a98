"""Smoke tests in a real browser: sign-in, language, and the phone layout."""

from django.utils import translation
from playwright.sync_api import expect

from phaodai.accounts.roles import Role
from tests.browser.conftest import PHONE


def in_vietnamese(message: str) -> str:
    """The interface's Vietnamese for an English source string, from the project's catalogue."""
    with translation.override("vi"):
        return translation.gettext(message)


def test_login_page_is_in_vietnamese(page):
    # given a browser set to Vietnamese, when it opens the login page
    page.goto("/login/")
    # then the page says it is Vietnamese and the heading comes from the Vietnamese catalogue
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Sign in"))


def test_ward_officer_signs_in_and_sees_role_and_ward(page, sign_in, ward_officer_bo_de):
    # when the ward officer of Bồ Đề signs in through the form
    sign_in(ward_officer_bo_de)
    # then the home page names their role and their ward
    with translation.override("vi"):
        role = str(Role.WARD_OFFICER.label)
    roles = page.locator("main")
    expect(roles).to_contain_text(role)
    expect(roles).to_contain_text("Bồ Đề")
    expect(page.locator("header")).to_contain_text(ward_officer_bo_de.username)


def test_language_switch_to_english(page):
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    # when the visitor presses EN in the header
    with page.expect_navigation():
        page.locator("header form button[value=en]").click()
    # then the same page comes back in English, and stays English on the next page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign in")
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_phone_width_shows_the_menu_button(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/login/")
    # at 375px the navigation folds behind the menu button, and the page does not scroll sideways
    menu = page.locator(".menu-button")
    expect(menu).to_be_visible()
    expect(page.locator(".mainnav")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # when the menu button is pressed, the navigation opens
    menu.click()
    expect(page.locator(".mainnav")).to_be_visible()
