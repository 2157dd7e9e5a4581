"""What the GUI and the CLI may do. Plain data in and out; every write is one transaction.

desk.py: the open data folder (Desk); records.py: the plain data it returns; summary.py: the history's words for
a change; folder.py: restore, check and whole-file writes without opening the folder.
"""

from nq57desk.errors import os_error_vi as os_error_vi  # re-export: the one translation lives in errors.py
from nq57desk.services.desk import Desk as Desk
from nq57desk.services.folder import atomic_write as atomic_write
from nq57desk.services.folder import check_folder as check_folder
from nq57desk.services.folder import restore_from_backup as restore_from_backup
from nq57desk.services.records import REOPENED_NOTICE as REOPENED_NOTICE
from nq57desk.services.records import ReportInfo as ReportInfo
from nq57desk.services.records import RevisionInfo as RevisionInfo
from nq57desk.services.records import SaveResult as SaveResult
from nq57desk.services.records import TemplateInfo as TemplateInfo
