"""report.html in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium): it loads with no console errors, every chart's SVG has a non-empty bounding box, and
nothing reaches past a 1280-px-wide window. Saves a full-page PNG screenshot and prints its path."""
import os
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

WIDTH = 1280
ARTIFACTS = Path(os.environ.get("RNNLAB_ARTIFACTS", "/tmp/rnnlab-artifacts"))


def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 f"--window-size={WIDTH},1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def test_report_renders_in_chromium_without_errors_or_overflow(report):
    page = report["output"] / "report.html"
    driver = chromium()
    try:
        driver.get(page.as_uri())
        assert driver.execute_script("return document.readyState") == "complete"
        assert driver.execute_script("return window.innerWidth") == WIDTH
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR", "WARNING")]
        assert errors == [], f"console: {errors}"

        charts = driver.execute_script("""
            return Array.from(document.querySelectorAll('svg')).map(s => {
                const r = s.getBoundingClientRect();
                return {w: r.width, h: r.height, label: (s.querySelector('title') || {}).textContent || s.outerHTML.slice(0, 80)};
            });""")
        assert len(charts) >= 2, f"expected the validation-curve and perplexity charts, found {charts}"
        empty = [c for c in charts if not (c["w"] > 0 and c["h"] > 0)]
        assert empty == [], f"charts with an empty bounding box: {empty}"

        overflow = driver.execute_script("""
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const e of document.body.querySelectorAll('*')) {
                const r = e.getBoundingClientRect();
                if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5))
                    out.push(e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40) + ' right=' + r.right);
            }
            return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 10)};""")
        assert overflow["scroll"] <= overflow["width"], f"the page scrolls sideways: {overflow}"
        assert overflow["out"] == [], f"elements past the {WIDTH}-px window: {overflow}"

        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(WIDTH, height + 200)   # the window's frame takes some of it
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "report-1280.png"
        assert driver.save_screenshot(str(shot))
        print(f"\nscreenshot of report.html at {WIDTH} px: {shot}")
    finally:
        driver.quit()
