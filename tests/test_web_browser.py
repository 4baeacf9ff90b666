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


def viewport(browser, width: int, height: int = 900) -> None:
    """The page as a phone or a desktop of this width shows it (the meta viewport applies)."""
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 720}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def no_horizontal_scroll(browser) -> None:
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def within_viewport(browser, element) -> None:
    inner = browser.execute_script("return window.innerWidth")
    rect = element.rect
    assert element.is_displayed()
    assert rect["x"] >= 0
    assert rect["x"] + rect["width"] <= inner, (element.tag_name, rect, inner)


PHONE_SEARCH = "/?q=cháy&province=Quảng Ninh&province=Lạng Sơn&not_site=cand"


@pytest.mark.parametrize("width", [412, 360])
def test_the_page_fits_a_phone_with_the_filters_in_a_panel(browser, web, width: int) -> None:
    from selenium.webdriver.common.by import By

    viewport(browser, width)
    try:
        for path in ("/", PHONE_SEARCH, "/?q=cháy rừng ngập mặn&province=Sơn La"):
            browser.get(web + path)
            no_horizontal_scroll(browser)
            for selector in ("#q", "form.q select[name=sort]", "form.q button"):
                within_viewport(browser, browser.find_element(By.CSS_SELECTOR, selector))
        browser.get(web + PHONE_SEARCH)
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / f"search-{width}.png"))
        # The filters: collapsed in a panel above the results, opened by its summary.
        toggle = browser.find_element(By.ID, "show-filters")
        assert not toggle.is_selected()
        summary = browser.find_element(By.ID, "filters-toggle")
        assert summary.text.startswith("Bộ lọc (3)")
        within_viewport(browser, summary)
        first_hit = browser.find_element(By.CSS_SELECTOR, ".hit")
        assert summary.rect["y"] < first_hit.rect["y"]
        province = browser.find_element(By.CSS_SELECTOR, '[data-facet="provinces"] a')
        assert not province.is_displayed()
        # Results are readable: a hit spans most of the screen, not one word a line.
        assert first_hit.rect["width"] >= 0.85 * width
        summary.click()
        assert toggle.is_selected()
        assert province.is_displayed()
        within_viewport(browser, province)
        no_horizontal_scroll(browser)
        browser.save_screenshot(str(ARTIFACTS / f"search-{width}-filters.png"))
        # The chosen filters are chips; one click removes one, the others stay.
        chip = browser.find_element(By.CSS_SELECTOR, "#chosen a.chip")
        within_viewport(browser, chip)
        chip.click()
        query = parse_qs(urlsplit(browser.current_url).query)
        assert query["province"] == ["Lạng Sơn"]
        assert query["not_site"] == ["cand"]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"screenshots in {ARTIFACTS}")


def test_a_wide_screen_has_the_filters_beside_the_results(browser, web) -> None:
    from selenium.webdriver.common.by import By

    viewport(browser, 1440)
    try:
        browser.get(web + PHONE_SEARCH)
        ARTIFACTS.mkdir(exist_ok=True)
        no_horizontal_scroll(browser)
        aside = browser.find_element(By.CSS_SELECTOR, "aside")
        results = browser.find_element(By.CSS_SELECTOR, "section.results")
        assert aside.rect["x"] + aside.rect["width"] <= results.rect["x"]
        assert abs(aside.rect["y"] - results.rect["y"]) < 40
        assert not browser.find_element(By.ID, "filters-toggle").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, '[data-facet="provinces"] a').is_displayed()
        browser.save_screenshot(str(ARTIFACTS / "search-1440.png"))

        # The month chart: a click chooses the whole month, a second click a range.
        browser.find_element(By.CSS_SELECTOR, 'a[data-month="2024-03"] rect.hitbox').click()
        query = parse_qs(urlsplit(browser.current_url).query)
        assert (query["since"], query["until"]) == (["2024-03-01"], ["2024-03-31"])
        assert query["province"] == ["Quảng Ninh", "Lạng Sơn"]
        browser.find_element(By.CSS_SELECTOR, 'a[data-month="2024-06"] rect.hitbox').click()
        query = parse_qs(urlsplit(browser.current_url).query)
        assert (query["since"], query["until"]) == (["2024-03-01"], ["2024-06-30"])
        chosen = browser.find_elements(By.CSS_SELECTOR, "rect.bar.on")
        assert len(chosen) == 4

        # "xóa tất cả": every filter gone, the words kept.
        browser.find_element(By.ID, "clear").click()
        assert parse_qs(urlsplit(browser.current_url).query) == {"q": ["cháy"]}
        assert browser.find_element(By.ID, "total").text.startswith("32 bài")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
