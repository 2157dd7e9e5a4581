"""Dialogs around a report: new report and history, profile, USB package, e-mail, Word import."""
