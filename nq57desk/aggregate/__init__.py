"""Upper level: import many bundles, choose the newest revisions, check completeness, consolidate."""

from nq57desk.aggregate.collect import CollectResult, collect
from nq57desk.aggregate.dhis2 import write_dhis2_csv
from nq57desk.aggregate.workbook import write_consolidated

__all__ = ["CollectResult", "collect", "write_consolidated", "write_dhis2_csv"]
