"""The review page in real headless Chromium (Debian's chromium + chromedriver, driven by selenium),
against a real `trialqa review serve` process the test starts itself.

1. The mission record: load the seeds' extraction and findings, open NCT07271602 from the list,
   see both mission findings with their evidence highlighted in the source text, dismiss one
   with a reason, correct a field, and read both decisions back from the SQLite file.
2. Markup in a record (a <script> in the title and criteria, an onerror attribute) shows as
   text: no script element, no handler attribute, no dialog.

Skipped only when chromium / chromedriver are not installed (`.ci/run` installs them).
Set REVIEW_SCREENSHOT=docs/review-item.png to also save the item view's screenshot there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from tests.review.conftest import MISSION, XSS, XSS_IMG, hostile_row
from tests.review.server import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)",
)
WRONG_HEADER = "eligibility.inclusion_item_in_exclusion"
PLACEBO = "arms.placebo_arm_gets_active_drug"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1500,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.unhandled_prompt_behavior = "ignore"  # an alert() would stay open, for the test to see
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _no_dialog(driver: object) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text  # type: ignore[attr-defined]
    except NoAlertPresentException:
        return True
    raise AssertionError(f"a dialog opened: {text!r}")


def _load(db: Path, *files: Path) -> None:
    result = CliRunner().invoke(app, ["review", "load", *map(str, files), "--db", str(db)])
    assert result.exit_code == 0, result.output


def _replaced(page: object) -> object:
    """Wait condition: the old page's root is gone. Chromedriver reports that as a stale element or,
    in some builds, as "Node with given id does not belong to the document"; both mean replaced."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver: object) -> bool:
        try:
            page.is_enabled()  # type: ignore[attr-defined]
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return check


def _navigate(driver: object, element: object) -> None:
    """Click `element` and wait until the page it leads to has replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    element.click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 15).until(_replaced(page))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _set_curator(driver: object, name: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, "curator-name")  # type: ignore[attr-defined]
    field.clear()
    field.send_keys(name)
    _navigate(driver, driver.find_element(By.ID, "curator-save"))  # type: ignore[attr-defined]
    assert driver.find_element(By.ID, "curator-name").get_attribute("value") == name  # type: ignore[attr-defined]


def _highlighted(driver: object, anchor: str) -> tuple[str, str]:
    """The text and background colour of the <mark> that evidence anchor `anchor` starts."""
    return driver.execute_script(  # type: ignore[attr-defined]
        "const a = document.getElementById(arguments[0]);"
        "let n = a.nextElementSibling; while (n && n.tagName !== 'MARK') n = n.nextElementSibling;"
        "return n && a.closest('pre#source-text') ? [n.textContent, getComputedStyle(n).backgroundColor] : null;",
        anchor,
    )


def test_mission_record_dismiss_and_correct(browser: object, seed_files: tuple[Path, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    db = tmp_path / "queue.sqlite"
    _load(db, *seed_files)
    with serving(db) as base:
        driver.get(f"{base}/")  # type: ignore[attr-defined]
        _set_curator(driver, "Ann Curator")
        _navigate(driver, driver.find_element(By.LINK_TEXT, MISSION))  # type: ignore[attr-defined]
        assert driver.find_element(By.ID, "item-title").text.startswith(MISSION)  # type: ignore[attr-defined]

        # Both mission findings, each with its evidence highlighted in the source text.
        for rule, expected in (
            (WRONG_HEADER, "Patients have signed the informed consent form"),
            (PLACEBO, "Chemotherapy, QL1706"),
        ):
            article = driver.find_element(By.CSS_SELECTOR, f"article[data-rule='{rule}']")  # type: ignore[attr-defined]
            link = article.find_element(By.CSS_SELECTOR, "a.evidence-link")
            anchor = link.get_attribute("href").rsplit("#", 1)[1]
            text, colour = _highlighted(driver, anchor)
            assert text.startswith(expected)
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
            link.click()  # the link lands on the mark

        # The screenshot: the item view from its top, the source pane scrolled to the criteria.
        first = driver.find_element(By.CSS_SELECTOR, f"article[data-rule='{WRONG_HEADER}'] a.evidence-link")  # type: ignore[attr-defined]
        driver.execute_script(  # type: ignore[attr-defined]
            "const pre = document.getElementById('source-text'), mark = document.getElementById(arguments[0]);"
            "window.scrollTo(0, 0);"
            "pre.scrollTop += mark.getBoundingClientRect().top - pre.getBoundingClientRect().top - 260;",
            first.get_attribute("href").rsplit("#", 1)[1],
        )
        shot = tmp_path / "review-item.png"
        assert driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("REVIEW_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["REVIEW_SCREENSHOT"])

        # Dismiss the first wrong-header finding with a reason.
        article = driver.find_element(By.CSS_SELECTOR, f"article[data-rule='{WRONG_HEADER}']")  # type: ignore[attr-defined]
        article.find_element(By.CSS_SELECTOR, ".dismiss-form input[name=reason]").send_keys(
            "consent item: checked with the sponsor"
        )
        _navigate(driver, article.find_element(By.CSS_SELECTOR, ".dismiss-form button"))
        assert "Saved: dismiss" in driver.find_element(By.ID, "saved").text  # type: ignore[attr-defined]

        # Correct the placebo arm's type from its field row's "correct" link.
        row = driver.find_element(By.CSS_SELECTOR, "tr[data-path='arms[1].type']")  # type: ignore[attr-defined]
        _navigate(driver, row.find_element(By.LINK_TEXT, "correct"))
        assert driver.find_element(By.ID, "correct-path").get_attribute("value") == "arms[1].type"  # type: ignore[attr-defined]
        value = driver.find_element(By.ID, "correct-value")  # type: ignore[attr-defined]
        assert value.get_attribute("value") == "PLACEBO_COMPARATOR"
        value.clear()
        value.send_keys("ACTIVE_COMPARATOR")
        driver.find_element(By.ID, "correct-reason").send_keys("chemotherapy + QL1706, no placebo")  # type: ignore[attr-defined]
        _navigate(driver, driver.find_element(By.ID, "correct-submit"))  # type: ignore[attr-defined]
        assert "arms[1].type" in driver.find_element(By.ID, "saved").text  # type: ignore[attr-defined]
        row = driver.find_element(By.CSS_SELECTOR, "tr[data-path='arms[1].type'] td.value")  # type: ignore[attr-defined]
        assert row.text == "ACTIVE_COMPARATOR"

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT d.*, f.rule FROM decisions d LEFT JOIN findings f ON f.id = d.finding_id ORDER BY d.id"
    ).fetchall()
    assert [(r["kind"], r["curator"]) for r in rows] == [("dismiss", "Ann Curator"), ("correct", "Ann Curator")]
    dismiss, correct = rows
    assert dismiss["rule"] == WRONG_HEADER and dismiss["reason"] == "consent item: checked with the sponsor"
    assert correct["field_path"] == "arms[1].type" and correct["reason"] == "chemotherapy + QL1706, no placebo"
    assert orjson.loads(correct["old_value_json"]) == "PLACEBO_COMPARATOR"
    assert orjson.loads(correct["new_value_json"]) == "ACTIVE_COMPARATOR"


def test_record_markup_runs_no_script(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    db = tmp_path / "queue.sqlite"
    _load(db, hostile_row(tmp_path))
    with serving(db) as base:
        driver.get(f"{base}/")  # type: ignore[attr-defined]
        assert _no_dialog(driver)
        assert XSS in driver.find_element(By.CSS_SELECTOR, "table.items tbody").text  # type: ignore[attr-defined]
        _navigate(driver, driver.find_element(By.LINK_TEXT, "NCT09999999"))  # type: ignore[attr-defined]
        assert _no_dialog(driver)
        body = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
        assert f"Study of {XSS} in adults" in body  # the title, shown as text
        assert f"Patients with {XSS_IMG} allergy" in body  # the criterion, in the source text
        assert f"{XSS_IMG} official" in body  # the ungrounded value
        counts = driver.execute_script(  # type: ignore[attr-defined]
            "return [document.scripts.length, document.querySelectorAll('img').length,"
            " document.querySelectorAll('[onerror]').length];"
        )
        assert counts == [0, 0, 0]
        assert _no_dialog(driver)
