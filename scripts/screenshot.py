"""Take docs/screenshot.png: the chat answering a question on the sample corpus (Playwright + Debian chromium).

Usage: .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png]   (needs the dev extra: playwright)
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "What did Piontkovsky predict about Putin?"


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 300) -> None:
    """Return once the page answers; fail when the server exits or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no page at {url} after {seconds:.0f} s")


def main() -> int:
    """Start the chat on a fresh index of corpus/, ask one question, save a small PNG of the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    args = parser.parse_args()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--store", f"{tmp}/store",
               "--corpus", str(ROOT / "corpus")]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", proc)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                     args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.set_default_timeout(120_000)
                page.goto(f"http://127.0.0.1:{port}/")
                box = page.locator("#question textarea")
                box.fill(QUESTION)
                box.press("Enter")
                page.wait_for_selector("#chat .answer.done")
                page.wait_for_timeout(500)
                page.screenshot(path=f"{tmp}/shot.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        # 256 colours: a page of flat colours and text stays sharp at a fraction of the size.
        Image.open(f"{tmp}/shot.png").convert("RGB").quantize(colors=256).save(args.out, optimize=True)
    print(f"saved {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
