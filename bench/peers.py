"""CPU of a report's checks against its district's peers (REPEATED-TEXT), by district size.

Each new report's section 五 is compared with every other current report of its district, so
a district of n agencies compares n − 1 texts for each of its n reports. The four seed reports
are checked against k peers whose section 五 is 800 characters of dissimilar Chinese text (a
real section is 200–1,500 characters; the bench's replica reports have 38, which is why
`bench/agency_cost.py` does not see this cost):

* cold — the shingles memo emptied before each report: every peer's text shingled for it (a
  district's first report);
* warm — one district's run past its first report: the peers' shingles made once and kept.

    .venv/bin/python bench/peers.py [--repeat 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
PEER_COUNTS = (0, 10, 40, 100)


def measure(repeat: int) -> dict[int, dict[str, float]]:
    from reports.checks import history, run_checks
    from reports.checks.base import CheckContext, PeerText

    forget = getattr(history._shingles, "cache_clear", lambda: None)  # absent before the memo
    from reports.parse import parse_path

    seeds = [parse_path(p) for p in sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))]
    rnd = random.Random(1)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    peers = [
        PeerText(agency=f"基准单位{i}", year=2024, problems="".join(rnd.choices(alphabet, k=800)))
        for i in range(max(PEER_COUNTS))
    ]
    out: dict[int, dict[str, float]] = {}
    for k in PEER_COUNTS:
        ctx_peers = peers[:k]
        runs: dict[str, list[float]] = {"cold": [], "warm": []}
        for _ in range(repeat):
            for label in ("cold", "warm"):
                forget()
                if label == "warm":  # the district's earlier reports shingled the peers already
                    run_checks(seeds[0], CheckContext(agency_kind="department", peers=ctx_peers))
                began = time.process_time()
                for report in seeds:
                    if label == "cold":
                        forget()
                    run_checks(report, CheckContext(agency_kind="department", peers=ctx_peers))
                runs[label].append((time.process_time() - began) * 1000 / len(seeds))
        out[k] = {label: median(values) for label, values in runs.items()}
        print(k, {label: round(v, 2) for label, v in out[k].items()}, flush=True)
    return out


def write_docs(out: dict[int, dict[str, float]], repeat: int, load: str, note: str) -> None:
    from bench.cycle import machine
    from bench.docs import replace_section

    heading = "## Checks against a district's peers"
    rows = [f"| {k} | {v['cold']:.2f} | {v['warm']:.2f} |" for k, v in out.items()]
    replace_section(
        heading,
        "\n".join(
            [
                heading,
                "",
                f"Machine: {machine()}; {load}. `bench/peers.py`: the four seed reports checked against k peers "
                "(section 五 of 800 characters of dissimilar Chinese text each), CPU per report, the median of "
                f"{repeat} runs. Cold: the shingles memo emptied before each report (every peer's text "
                "shingled for it, as for a district's first report); warm: a district's run past its first report (each peer shingled once, before).",
                "",
                "| peers in the district | cold (ms / report) | warm (ms / report) |",
                "| ---: | ---: | ---: |",
                *rows,
                "",
                "A district of about 40 agencies (110,000 / 2,800) pays this for each new report, on top of the "
                "crawl; `bench/agency_cost.py` does not show it because the replica reports' section 五 is short "
                "(38 characters, under the rule's 50).",
                "",
                *([note, ""] if note else []),
                f"Command: `.venv/bin/python bench/peers.py --repeat {repeat} --write-docs`.",
                "",
            ]
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--note", default="", help="a paragraph under the table (the before figures)")
    args = parser.parse_args()
    load = f"load average {os.getloadavg()[0]:.1f} at the start"
    out = measure(args.repeat)
    if args.write_docs:
        write_docs(out, args.repeat, load, args.note)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
