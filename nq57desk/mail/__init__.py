"""Sending reports upward by the office's official e-mail, and taking them in from the upper level's mailbox.

account.py: the account kept in the profile, its password in the OS keyring, TLS contexts; errors.py: what a
server said, as a reason and a Vietnamese sentence; smtp.py / imap.py: the connections (smtplib, imaplib);
outbox.py: the commune's queue (durable, retried with growing delays); receive.py: the upper level's import.
No Qt here: the GUI runs these on a worker thread.
"""
