"""`make bench`: run every benchmark section in one process and print the results.

Speed is reported as ratios measured in the same run (against a floor such as openpyxl
writing the same number of bare values) and API call counts, which do not vary.
Sections register themselves in ``SECTIONS`` below, in the order they print.
"""

from __future__ import annotations

import importlib
import sys
import time

SECTIONS = [
    "bench.bench_pull",
    "bench.bench_check_push",
    "bench.bench_push",
    "bench.bench_salesforce",
    "bench.bench_excel",
    "bench.bench_scenarios",
    "bench.bench_preread",
    "bench.bench_enterprise",  # issue 16: 500k cells and Bulk API 2.0 (5+ minutes, see module)
    "bench.bench_cycle",
    "bench.bench_gather",  # issue 13 A: 100,000 ERP actuals rows
    "bench.bench_handoff",  # issue 13 part B: consensus export
]


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    for name in SECTIONS:
        if wanted and not any(w in name for w in wanted):
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue
            raise
        started = time.perf_counter()
        print(f"\n== {name.removeprefix('bench.bench_')} ==", flush=True)
        module.run()
        print(f"   (section took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
