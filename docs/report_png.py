"""Make docs/report.png, the take-home report as Chromium draws it, shown in docs/guide.md.

Run from the repository with the project installed and Chromium and Playwright at hand (as
.ci/run installs them):  python docs/report_png.py
It records the guide's worked example in a throwaway file, adds the 3-month follow-up call,
writes the report and photographs its first 900 x 900 pixels."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
WORKED = [
    "patient add 'Ada Lovelace' --chart P-0001 --born 1950-05-01 --sex F",
    "course start P-0001 --condition 'right knee osteoarthritis' --region knee --side right"
    " --measure womac --every 4w --sessions 3 --date 2026-01-05",
    *(f"session log P-0001 --date {day} --site intra-articular:6:D25 --site MCL:0.5:D15"
      f" --site 'pes anserine:0.5:D15' --pain {pain} --score womac={womac}"
      for day, pain, womac in (("2026-01-05", 7, 52), ("2026-02-02", 5, 44),
                               ("2026-03-02", 3, 40))),
    "score add 1 womac=30 nrs=2 --date 2026-06-01",
    "config set practice-name 'Harbour Street Clinic'",
    "config set aftercare 'Keep moving gently; call us if the knee is hot.'",
]  # fmt: skip


def main() -> None:
    import shlex

    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("PROLOTRACK_CHROMIUM") or shutil.which("chromium")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_CONFIG_HOME": folder, "XDG_DATA_HOME": folder}
        db = Path(folder) / "clinic.db"
        for command in [*WORKED, f"report course 1 -o {folder}/report.html"]:
            subprocess.run([sys.executable, "-m", "prolotrack", "--db", str(db), "--today",
                            "2026-06-05", *shlex.split(command)], check=True, env=env)  # fmt: skip
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 900, "height": 1300})
            page.goto((Path(folder) / "report.html").as_uri())
            page.wait_for_load_state("networkidle")
            shot = page.screenshot(clip={"x": 0, "y": 0, "width": 900, "height": 900})
            browser.close()
    (HERE / "report.png").write_bytes(shot)
    print(f"wrote {HERE / 'report.png'} ({len(shot)} bytes)")


if __name__ == "__main__":
    main()
