"""The conventions every accuracy figure carries, in the words printed beside it, and the
column names of the frames the science reads (the cycle engineer's snapshot and actuals
contracts)."""

from __future__ import annotations

# The frames' columns, from their contracts (re-exported).
from sync.cycle.actuals import ACTUAL_COLUMNS as ACTUAL_COLUMNS
from sync.cycle.snapshots import SNAPSHOT_COLUMNS as SNAPSHOT_COLUMNS

LINE_KEY = ["account_id", "product_id", "period_start"]

BIAS = "Bias = forecast minus actual (positive = over-forecast)."
MAPE = "MAPE = mean of |forecast - actual| / |actual|, leaving out periods with zero actuals."
WAPE = "WAPE = sum of |forecast - actual| / sum of |actual|."
TRACKING = (
    "Tracking signal = cumulative error of the monthly totals / their mean absolute error; "
    "beyond +/-4 is persistent bias (needs two months or more)."
)
LAG = "Lag = months from the snapshot's cycle to the period (0 = the same month)."
NAIVE = "Naive forecast = seasonal naive: the same month last year's actual."
VALUE_ADDED = "Value added = the step before's WAPE minus this step's WAPE (positive = better)."
CONVENTIONS = (BIAS, MAPE, WAPE, TRACKING, LAG)

#: The reason code a supply planner's allocation carries (Phase 3); its bar is "Allocation cuts".
ALLOCATION = "Allocation"
NO_REASON = "No reason given"
