"""The HTML report in a real headless browser (Chromium from the system packages).

At 1400 and 800 px wide: the headline table is within the first screen, nothing is
wider than the window (no horizontal scrolling), every image decodes, and the browser
logs no console message at all (the page has no scripts, so any message is a problem:
a blocked or broken resource). Screenshots go to the test's temporary folder, never
into the repository. Skipped, with the reason, where no Chromium is installed
(``apt-get install chromium``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from helpers import make_run_folder
from rutsim.report import build_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Injected into a copy of the page (never into the report): measures the layout after
#: load and writes it into the DOM, which --dump-dom prints.
PROBE = """<script>window.addEventListener('load', function () {
  var t = document.getElementById('headline').getBoundingClientRect();
  var wide = Array.from(document.querySelectorAll('table, figure, img, pre, p'))
    .filter(function (e) { return e.getBoundingClientRect().right > window.innerWidth + 1; })
    .map(function (e) { return e.tagName; });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({
    top: t.top, bottom: t.bottom, right: t.right,
    width: window.innerWidth, height: window.innerHeight,
    scroll_width: document.documentElement.scrollWidth, too_wide: wide,
    images: Array.from(document.images).map(function (i) { return i.naturalWidth > 0; })
  });
  document.body.appendChild(out);
});</script>"""


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless Chromium on this machine (apt-get install chromium)")


def _chromium(browser: str, profile: Path, width: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--window-size={width},900",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    folder = make_run_folder(root, n_sample=16, n_path=40)
    files = build_report(folder)
    assert files.report_html is not None
    return files.report_html


@pytest.mark.parametrize("width", [1400, 800])
def test_report_answer_is_on_the_first_screen_in_a_real_browser(
    report: Path, tmp_path: Path, width: int
) -> None:
    browser = _browser()
    shot = tmp_path / f"report_top_{width}.png"
    done = _chromium(
        browser,
        tmp_path / "profile",
        width,
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={shot}",
        report.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [ln for ln in done.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == [], console
    pixels = imread(shot)[..., :3]
    assert pixels.shape[1] == width and pixels.var() > 1e-3

    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dumped = _chromium(browser, tmp_path / "profile", width, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">([^<]*)</pre>', dumped.stdout)
    assert found, dumped.stderr[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert layout["width"] == width
    assert 0 < layout["top"] < layout["bottom"] <= layout["height"], layout
    assert layout["right"] <= width, layout
    assert layout["scroll_width"] <= width and layout["too_wide"] == [], layout
    assert layout["images"] and all(layout["images"]), layout
    assert np.isfinite(layout["bottom"])


def test_a_moved_run_folder_with_a_position_renders_every_figure(tmp_path: Path) -> None:
    """The run folder is sent on its own: the page and the model figures it links still load."""
    browser = _browser()
    folder = make_run_folder(tmp_path / "made", n_sample=8, n_path=20)
    build_report(folder, position={"notional": 10_000_000.0})
    moved = tmp_path / "received" / "run"
    moved.parent.mkdir()
    shutil.move(folder, moved)
    shutil.rmtree(tmp_path / "made")  # the model folder is gone too
    page = moved / "report.html"
    text = page.read_text()
    assert "<section id='position'>" in text and "VaR and CVaR are losses in USD" in text
    links = re.findall(r"href='([^'#][^']*)'", text)
    assert links, "the model figures are linked"
    for href in links:
        assert imread(moved / href).size > 0, href
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", PROBE + "</body>"))
    shutil.copytree(moved / "figures", tmp_path / "figures")
    dumped = _chromium(browser, tmp_path / "profile", 1400, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">([^<]*)</pre>', dumped.stdout)
    assert found, dumped.stderr[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert layout["images"] and all(layout["images"]), layout
    assert layout["scroll_width"] <= 1400, layout
