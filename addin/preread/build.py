"""Build the executive pre-read: `demandgrid preread [--cycle] [--region] -o PREREAD.xlsx [--pdf]`.

org -> ``sync.science.history.gather`` (snapshots, actuals, supply) -> ``figures.compute`` ->
Data sheet -> pages (formulas over Data, native charts) -> file with fixed timestamps, so the
same snapshot gives the same bytes -> PDF through LibreOffice when asked.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from addin.book.atomic import save_beside
from addin.book.errors import UserError
from addin.preread import pages
from addin.preread.accuracy_pages import accuracy_page, fva_page
from addin.preread.data import DATA, Block, DataSheet
from addin.preread.summary import fill_summary, new_summary
from sync.org.mapping import MappingProfile
from sync.org.seam import Org
from sync.science.accuracy import METRIC_COLUMNS
from sync.science.figures import Figures, compute
from sync.science.history import gather
from sync.science.risk import RISK_COLUMNS

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PdfUnavailable(UserError):
    """LibreOffice is not installed, so the PDF cannot be rendered."""


@dataclass(frozen=True)
class PreRead:
    path: Path
    figures: Figures
    pdf: Path | None = None


def build_preread(
    org: Org,
    out: Path,
    *,
    cycle: str | None = None,
    region: str | None = None,
    pdf: bool = False,
    profile: MappingProfile | None = None,
) -> PreRead:
    """Write the pre-read of ``cycle`` (default: the latest closed) for ``region`` to ``out``
    (``profile``: the org's mapping profile, detected when None)."""
    figures = compute(gather(org, cycle, region, profile=profile))
    path = write_preread(figures, Path(out))
    return PreRead(path, figures, render_pdf(path) if pdf else None)


def summary_lines(made: PreRead) -> list[str]:
    """What the CLI and the ribbon say after a build."""
    f = made.figures
    lines = [
        f"Wrote the pre-read of cycle {f.cycle} ({f.region or 'all regions'}) to {made.path}",
        f"  snapshot {f.snapshot_id}, prior {f.prior_id or 'none'}, accuracy at lag {f.lag}",
        f"  {len(f.gap)} region x product family rows, {len(f.risks)} risk accounts, "
        f"{len(f.trend)} cycles in the accuracy trend",
    ]
    if f.supply.empty:
        lines.append("  No supply commitment loaded: the Demand vs supply page says so.")
    if made.pdf is not None:
        lines.append(f"  PDF: {made.pdf}")
    return lines


def stamp(figures: Figures) -> str:
    region = figures.region or "all regions"
    return f"Cycle {figures.cycle}, {region}: snapshot {figures.snapshot_id}, lag {figures.lag}"


def workbook(figures: Figures) -> Workbook:
    """The pre-read as an openpyxl workbook (Summary first, Data last)."""
    wb = Workbook()
    wb.remove(wb.active)
    line = stamp(figures)
    summary = new_summary(wb, line)
    data = DataSheet(wb)
    blocks = _data_blocks(data, figures)
    data.finish()
    refs: dict[str, str] = {}
    refs |= pages.gap_page(wb, line, blocks["gap"])
    refs |= pages.supply_page(wb, line, blocks["supply"], blocks["families"])
    refs |= accuracy_page(
        wb,
        line,
        blocks["trend"],
        blocks["by_lag"],
        {k[4:]: b for k, b in blocks.items() if k.startswith("dim_")},
        figures.lag,
    )
    refs |= fva_page(
        wb, line, blocks["fva_rep"], blocks["fva_reason"], figures.lag, figures.without_naive
    )
    refs |= pages.risk_page(wb, line, blocks["risks"])
    b = figures.bridge
    outside = (
        f"Outside them: this plan {b.current_outside_cents / 100:,.0f} in months the prior plan "
        f"did not cover; the prior plan {b.prior_outside_cents / 100:,.0f} in months now past."
    )
    scope = f"{b.scope()}: prior plan {b.prior_id}, this plan {b.current_id}"
    refs |= pages.bridge_page(wb, line, blocks["bridge"], scope, outside)
    coverage = (
        f"Prior plan ({figures.prior_id or 'none'}) over this plan's months: it covers "
        f"{figures.prior_months} of this plan's {figures.plan_months} months."
    )
    refs |= pages.scenario_page(wb, line, blocks["families"], coverage)
    fill_summary(summary, figures, refs)
    wb.move_sheet(DATA, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(DATA))
    wb.active = 0
    when = _fixed_time(figures)
    wb.properties.creator = wb.properties.lastModifiedBy = "demandgrid"
    wb.properties.title = f"S&OP pre-read {figures.cycle}"
    wb.properties.created = wb.properties.modified = when
    return wb


def _data_blocks(data: DataSheet, f: Figures) -> dict[str, Block]:
    metric = ["snapshot_ids", *METRIC_COLUMNS]
    blocks = {
        "gap": data.block(
            "gap",
            f"Plan and target by region and product family ({f.snapshot_id})",
            f.gap.assign(snapshot_id=f.snapshot_id),
            [
                "region",
                "product_family",
                "plan_qty",
                "plan_rev",
                "target_qty",
                "target_rev",
                "snapshot_id",
            ],
        ),
        "families": data.block(
            "families",
            "Plan, prior plan and target revenue by product family",
            f.families.assign(snapshot_id=f.snapshot_id, prior_id=f.prior_id),
            ["product_family", "plan_rev", "prior_rev", "target_rev", "snapshot_id", "prior_id"],
        ),
        "supply": data.block(
            "supply",
            "Demand vs supply by product family and month",
            f.supply.assign(snapshot_id=f.snapshot_id),
            [
                "product_family",
                "period_start",
                "demand",
                "supply",
                "balance",
                "plan_id",
                "snapshot_id",
            ],
        ),
        "trend": data.block(
            "trend",
            f"Accuracy by cycle at lag {f.lag}",
            f.trend.assign(lag=f.lag),
            ["cycle", "lag", *metric],
        ),
        "by_lag": data.block("by_lag", "Accuracy by lag", f.by_lag, ["lag", *metric]),
    }
    for title, table in f.by_dimension.items():
        column = table.columns[0]
        blocks[f"dim_{title}"] = data.block(
            f"acc_{column}",
            f"Accuracy by {title.lower()} at lag {f.lag}",
            table.assign(lag=f.lag),
            [column, "lag", *metric],
        )
    for name, table in (("fva_rep", f.fva_rep), ("fva_reason", f.fva_reason)):
        table = table.assign(
            abs_error=table["abs_error_micro"] / 1e6, actual=table["actual_micro"] / 1e6
        )
        blocks[name] = data.block(
            name,
            f"FVA stairstep {'per rep' if name == 'fva_rep' else 'per reason code'}",
            table,
            [
                "group",
                "step_no",
                "step",
                "lines",
                "abs_error",
                "actual",
                "wape",
                "snapshot_ids",
                "lag",
            ],
        )
    blocks["risks"] = data.block(
        "risks",
        "Top risk accounts",
        f.risks,
        list(RISK_COLUMNS),
    )
    blocks["bridge"] = data.block(
        "bridge",
        f"Revenue bridge {f.bridge.prior_id} to {f.bridge.current_id}",
        f.bridge.frame(),
        ["label", "kind", "amount"],
    )
    return blocks


def _fixed_time(figures: Figures) -> datetime:
    """The workbook's created / modified time: the first of the cycle's month, so the same
    snapshot gives the same bytes."""
    return datetime.strptime(f"{figures.cycle}-01", "%Y-%m-%d")


def write_preread(figures: Figures, out: Path) -> Path:
    """Save the pre-read of ``figures`` at ``out`` atomically, byte for byte the same for the
    same figures."""
    wb = workbook(figures)
    when = _fixed_time(figures).strftime("%Y-%m-%dT%H:%M:%SZ")

    def write(tmp: Path) -> None:
        buffer = io.BytesIO()
        wb.save(buffer)
        tmp.write_bytes(_fixed_zip(buffer.getvalue(), when))

    out.parent.mkdir(parents=True, exist_ok=True)
    return save_beside(out, write, keep_previous=False)


def _fixed_zip(package: bytes, when: str) -> bytes:
    """The same package with every member's time fixed, and the core properties' modified
    time too (openpyxl stamps the current time on both when it saves)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + when.encode() + rb"\g<2>",
                    content,
                )
            dst.writestr(info, content)
    return out.getvalue()


def render_pdf(xlsx: Path) -> Path:
    """``xlsx`` as a PDF beside it, through LibreOffice (headless, a private profile)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise PdfUnavailable(
            f"Could not make the PDF of {xlsx.name}: LibreOffice is not installed on this "
            "machine. The workbook is saved; install LibreOffice (or print the workbook to PDF "
            "from Excel), then run the command again with --pdf."
        )
    with tempfile.TemporaryDirectory(prefix="preread-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        done = subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(xlsx),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        made = Path(tmp) / f"{xlsx.stem}.pdf"
        if done.returncode != 0 or not made.exists():
            raise PdfUnavailable(
                f"LibreOffice could not render {xlsx.name} as PDF ({done.stderr.strip() or done.returncode}). "
                "The workbook is saved; open it and print to PDF instead."
            )
        pdf = xlsx.with_suffix(".pdf")
        shutil.move(made, pdf)
    return pdf
