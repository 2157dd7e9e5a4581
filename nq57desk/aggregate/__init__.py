"""Upper level: read many bundles, choose the newest revisions, check completeness, consolidate.

The store that keeps what was received across imports is nq57desk.upper; this package is plain data in and out.
"""

from nq57desk.aggregate.collect import CollectResult, collect
from nq57desk.aggregate.decide import Group
from nq57desk.aggregate.dhis2 import write_dhis2_csv
from nq57desk.aggregate.workbook import write_consolidated, write_group_workbook

__all__ = ["CollectResult", "Group", "collect", "write_consolidated", "write_group_workbook", "write_dhis2_csv"]
