"""The static report: structure, atomic writing, and a real headless chromium over file://."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.errors import OutputError
from claimgraph.io.dataset import load_dataset
from claimgraph.site.report import Anchor, build_report, highlight

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    build_report(load_dataset(REPO), out, queries_directory=REPO / "queries")
    return out


def test_pages_and_contents(site: Path) -> None:
    for page in ("index.html", "contradictions.html", "network.html", "actors.html", "documents.html", "ontology.html"):
        assert (site / page).is_file()
    index = (site / "index.html").read_text("utf-8")
    assert "Passes validation" in index
    assert "8</b>contradictions" in index.replace("'", "")
    network = (site / "network.html").read_text("utf-8")
    assert network.count("<svg") == 2
    assert "U.S. intelligence agencies" in network
    ontology = (site / "ontology.html").read_text("utf-8")
    assert "<code>cg:Claim</code>" in ontology and "<code>cgsh:Claim-claimant</code>" in ontology
    assert re.search(r"Classes \(\d{2,}\)", ontology) and re.search(r"Shapes \(\d{2,}\)", ontology)
    assert "Domain" in ontology
    article = next((site / "documents").glob("optimism-vs-intelligence-*.html")).read_text("utf-8")
    assert article.count('<span id="anchor-') == 29  # 26 claims and 3 non-responses
    assert "<mark" in article
    assert not list(site.rglob("*.tmp"))


def test_highlight_escapes_and_marks_overlaps() -> None:
    text = "a <b> & “c” d"
    anchors = [Anchor("c1", "e1", "d", 2, 7), Anchor("c2", "e2", "d", 4, 11)]
    html = highlight(text, anchors, {"c1": "One", "c2": "Two"})
    assert "<b>" not in html and "&lt;b" in html and "&amp;" in html
    assert '<mark title="One">&lt;b</mark>' in html
    assert '<mark class="overlap" title="One; Two">&gt; &amp;</mark>' in html
    assert html.index('id="anchor-') < html.index("<mark")


def test_replaces_a_report_but_not_other_directories(tmp_path: Path) -> None:
    out = tmp_path / "site"
    dataset = load_dataset(REPO)
    build_report(dataset, out, queries_directory=REPO / "queries")
    build_report(dataset, out, queries_directory=REPO / "queries")
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a claimgraph report"):
        build_report(dataset, other, queries_directory=REPO / "queries")
    assert (other / "keep.txt").read_text() == "mine"


def test_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote ") and result.output.rstrip().endswith("index.html")
    assert "Example:" in CliRunner().invoke(main, ["report", "--help"]).output


# --- Headless chromium, driven through the DevTools protocol over a pipe (no extra package) ----------


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed (apt-get install chromium): the report's browser test must run in CI"
            )
        pytest.skip("chromium is not installed (apt-get install chromium); set CI to make this a failure")
    return found


class Browser:
    """Chromium with --remote-debugging-pipe: CDP messages are JSON separated by NUL bytes on fds 3/4."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]

        def wire() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [
                binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4),
        )  # fmt: skip
        for fd in (to_child_r, from_child_w, *high):
            os.close(fd)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.from_child], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str) -> None:
        deadline = time.monotonic() + 30
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        return answer["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)
        path.write_bytes(base64.b64decode(data["data"]))

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, log errors and any request that is not file://."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith("file://"):
                found.append(f"request: {params['request']['url']}")
            elif method == "Network.loadingFailed":
                found.append(f"failed: {params.get('errorText')}")
        return found

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.to_child)
        os.close(self.from_child)


@pytest.mark.chromium
def test_report_in_headless_chromium(site: Path, tmp_path: Path) -> None:
    browser = Browser(chromium_binary(), tmp_path / "profile")
    try:
        browser.open((site / "index.html").as_uri())
        assert browser.problems() == []
        assert browser.evaluate("document.title").startswith("Overview")
        requested = [
            e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"
        ]
        assert any(u.endswith("/style.css") for u in requested)  # the stylesheet was loaded, from file://
        assert (
            browser.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") != "rgba(0, 0, 0, 0)"
        )
        shot = tmp_path / "overview.png"
        browser.screenshot(shot)
        assert shot.stat().st_size > 1000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # Every link of every page leads to a file that exists, and to an element with the fragment's id.
        pages = sorted(site.rglob("*.html"))
        for page in pages:
            html = page.read_text("utf-8")
            for href in re.findall(r'href="([^"]+)"', html):
                if href.endswith(".css"):
                    continue
                target = urlparse(
                    (page.parent / unquote(href.split("#")[0])).as_uri() if not href.startswith("#") else ""
                )
                path = Path(unquote(target.path)) if target.path else page
                assert path.resolve().is_file(), f"{page.name}: broken link {href}"
                if "#" in href:
                    fragment = href.split("#", 1)[1]
                    assert f'id="{fragment}"' in path.read_text("utf-8"), f"{page.name}: no #{fragment} in {path.name}"

        # Follow links in the browser: overview → contradictions → an actor page → a document page.
        browser.open((site / "index.html").as_uri())
        links = browser.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
        assert any(link.endswith("contradictions.html") for link in links)
        browser.open(next(link for link in links if link.endswith("contradictions.html")))
        assert browser.problems() == []
        text = browser.evaluate("document.body.innerText")
        assert text.count("vs") >= 6
        for phrase in (
            "direct opposition",
            "Government of Russia",
            "U.S. intelligence agencies",
            "Russia poses no threat to Europe",
            "public line vs intelligence",
            "Donald Trump and his envoys",
            "incompatible positions",
            "Volodymyr Zelensky",
            "position against proposal",
            "support-based, in one document",
            "graph/events.trig:88",  # where the proposal's requirement is declared, and its textual marker:
            "casting further doubt on the viability of proposed guarantees",
        ):
            assert phrase in text
        # One card per pair: the public line against intelligence is the card of incompatible propositions.
        assert browser.evaluate("document.querySelectorAll('section.contradiction').length") == 8
        headings = browser.evaluate(
            "Array.from(document.querySelectorAll('section.contradiction h2')).map(h => h.textContent)"
        )
        assert (
            "3. incompatible propositions + public line vs intelligence: "
            "Donald Trump and his envoys vs U.S. intelligence agencies"
        ) in headings
        actor = browser.evaluate("document.querySelector('a[href*=\"actors/\"]').href")
        browser.open(actor)
        assert browser.problems() == []
        assert browser.evaluate("document.querySelector('h1').textContent")
        document = browser.evaluate("document.querySelector('a[href*=\"documents/\"]').href")
        browser.open(document)
        assert browser.problems() == []
        assert browser.evaluate("document.querySelectorAll('mark').length") >= 20

        browser.open((site / "network.html").as_uri())
        assert browser.problems() == []
        assert browser.evaluate("document.querySelectorAll('svg circle').length") >= 7
        shot = tmp_path / "network.png"
        browser.screenshot(shot)
        assert shot.stat().st_size > 1000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        keep = os.environ.get("CLAIMGRAPH_SCREENSHOTS")  # a directory to keep the screenshots in, e.g. in CI
        if keep:
            for name in ("overview.png", "network.png"):
                shutil.copy(tmp_path / name, Path(keep) / name)
    finally:
        browser.close()
