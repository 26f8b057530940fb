"""How CivicGrid starts Debian's Chromium for Playwright (never a downloaded browser)."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, and no calls home: this machine's network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
