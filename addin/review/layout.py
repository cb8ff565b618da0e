"""The governed workbook's layout: the contract between pull (writes) and check/push (reads).

Every place the program reads or writes is found through a **defined name**, never a fixed
address, so a customer may restyle ``workbook_templates/review.xlsx`` (move the header,
recolour, add a logo) without breaking anything. Grid columns are found by their heading
text in the header row, so their order may change too.

The Review sheet holds one block of rows per account x product (``ROW_KINDS`` in order,
the editable Adjusted row last). Every row of a block carries the block's key
(AccountProductForecast Id) and its kind in hidden columns, so re-sorting or filtering keeps
the tie between a cell and its record. To the right, hidden mirror columns hold the pulled
adjusted value of each period on the Adjusted row: conditional formats and the problem count
compare against them without a lookup. The authoritative copy of what was pulled is the
hidden record (``addin.review.record``), not the mirror.
"""

from __future__ import annotations

# ---- sheets
REVIEW = "Review"
SUMMARY = "Summary"
CHECK = "Check"
CONFLICTS = "Conflicts"
PUSH_LOG = "Push Log"
LISTS = "Lists"  # hidden: reason codes and other drop-down lists
SPREAD_PREVIEW = "Spread preview"  # addin.spread: the profile and each resulting cell
RECORD = "dg_record"  # very hidden: what the pull saw (addin.review.record)

# ---- defined names (workbook scope). Anchors live in the template; the pull sets the rest.
N_TITLE = "dg_title"
N_REP = "dg_rep"
N_ORG = "dg_org"
N_PULLED_AT = "dg_pulled_at"
N_MEASURE = "dg_measure"
N_OPEN_PROBLEMS = "dg_open_problems"  # live count of changed-without-note and other problems
N_CHANGED_CELLS = "dg_changed_cells"  # live count of changed cells
N_GRID_ANCHOR = "dg_grid_anchor"  # top-left heading cell of the grid (template anchor)
N_LOCK_ANCHOR = "dg_lock_anchor"  # cell left of the first period's lock-status cell (template)
N_GRID = "dg_grid"  # set by pull: the whole grid, heading row included, hidden columns included
N_PERIODS = "dg_periods"  # set by pull: the period heading cells
N_REASON_CODES = "dg_reason_codes"  # the reason-code list (Lists sheet)
N_SUMMARY_ACCOUNT = "dg_summary_account"  # anchor: by-account table on Summary
N_SUMMARY_FAMILY = "dg_summary_family"  # anchor: by-family table on Summary
N_RECORD = "dg_record"  # anchor: first cell of the hidden record
N_CHECK_ANCHOR = "dg_check_anchor"
N_PUSH_LOG_ANCHOR = "dg_push_log_anchor"
N_CONFLICTS_ANCHOR = "dg_conflicts_anchor"
N_FRESHNESS = "dg_freshness"  # when ERP actuals and POS were last loaded (issue 13 A)

# ---- grid columns, by heading text (left to right)
H_ACCOUNT = "Account"
H_REGION = "Region"
H_FAMILY = "Product family"
H_PRODUCT = "Product"
H_KIND = "Row"
H_REASON = "Reason code"
H_NOTE = "Note"
# ... one column per period, headed by the period's first day (a date, formatted mmm yy) ...
H_TOTAL = "Total"
H_TARGET_TOTAL = "Target total"
H_GAP = "Gap to target"
H_PROBLEMS = "Problems"
H_NEW_TOTAL = "New total"  # input on Adjusted rows: a total to spread (addin.spread), never sent
H_SPREAD_OVER = "Spread over"  # input: Row (every open period) or a quarter, e.g. "Q1 2027"
H_KEY = "Key"  # hidden: AccountProductForecast Id (the block key)
H_MIRROR_PREFIX = "Pulled "  # hidden mirror columns: "Pulled 2026-12-01", one per period

LEFT_HEADINGS = (H_ACCOUNT, H_REGION, H_FAMILY, H_PRODUCT, H_KIND, H_REASON, H_NOTE)
RIGHT_HEADINGS = (H_TOTAL, H_TARGET_TOTAL, H_GAP, H_PROBLEMS, H_NEW_TOTAL, H_SPREAD_OVER, H_KEY)
SPREAD_ROW = "Row"  # "Spread over" for the whole row

# ---- row kinds within a block, top to bottom; only ADJUSTED is editable
BASELINE = "Baseline"
ACTUAL = "Actual"  # ERP actuals where loaded, else the org's orders (issue 13 A)
POS = "POS"  # distributor sell-through; only in blocks of distributor accounts (issue 13 A)
LAST_YEAR = "Last year"
TARGET = "Target"
UPSIDE = "Upside"  # issue 13: design wins not in the baseline; read-only (sync.pull.upside)
ADJUSTED = "Adjusted"
ROW_KINDS = (BASELINE, ACTUAL, POS, LAST_YEAR, TARGET, UPSIDE, ADJUSTED)
#: Row kinds a block may leave out (the grid shows them only where they apply): POS in
#: distributor accounts' blocks, Upside where a design win is not yet in the baseline.
OPTIONAL_KINDS = (POS, UPSIDE)

# ---- reason codes (the template's default list; a customer may edit the Lists sheet)
REASON_CODES = (
    "Customer intelligence",
    "Promotion",
    "New business",
    "Lost business",
    "Price change",
    "Supply constraint",
    "Seasonality",
    "One-off order",
    "Distributor inventory",
    "Allocation",  # issue 13: a supply planner's allocation cut (addin.handoff.allocation)
    "Design win",  # issue 13: an accepted design-win upside (addin.handoff.upside)
    "Other",
)

# ---- styles (named styles in the template, so a customer restyles them in one place)
STYLE_INPUT = "dg Input"  # editable adjusted cells
STYLE_READONLY = "dg Read-only"
STYLE_LOCKED = "dg Locked"  # locked periods: grey, protected
STYLE_HEADING = "dg Heading"
STYLE_TOTAL = "dg Total"
STYLE_TEXT_INPUT = "dg Text input"  # reason code and note cells
