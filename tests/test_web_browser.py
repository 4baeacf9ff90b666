"""The search page driven in headless Chromium (Debian's chromium and chromium-driver)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import PROJECT

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = PROJECT / "test-artifacts"
TITLES = ".hit h2 a"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them "
    "as root: apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--window-size=1280,1600",
                 f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def test_search_filter_page_and_article(browser, web) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(web + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("cháy")
    box.submit()
    WebDriverWait(browser, 20).until(lambda b: "q=" in b.current_url)
    total = browser.find_element(By.ID, "total").text
    assert total.startswith("32 bài")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "search.png"))

    # A filter click: the province facet narrows the results and shows the filter as on.
    browser.find_element(
        By.CSS_SELECTOR, '[data-facet="provinces"] a[href*="Qu%E1%BA%A3ng+Ninh"]'
    ).click()
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query["province"] == ["Quảng Ninh"]
    assert browser.find_element(By.ID, "total").text.startswith("3 bài")
    assert browser.find_element(By.CSS_SELECTOR, '[data-facet="provinces"] a.on').text.startswith(
        "Quảng Ninh"
    )

    # Paging: back to all results, then page 2 shows other articles.
    browser.get(web + "/?q=cháy")
    first_page = {
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h2 a")
    }
    browser.find_element(By.LINK_TEXT, "2").click()
    assert parse_qs(urlsplit(browser.current_url).query)["page"] == ["2"]
    second_page = {
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h2 a")
    }
    assert second_page
    assert first_page.isdisjoint(second_page)

    # The article view: full text, entities, more like this, a link to the original.
    browser.find_element(By.CSS_SELECTOR, ".hit h2 a").click()
    assert "/articles/" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "#similar a")
    assert browser.find_element(By.ID, "original").get_attribute("href").startswith("https://")
    browser.save_screenshot(str(ARTIFACTS / "article.png"))
