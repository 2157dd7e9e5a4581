"""The report document: JSON model, derived values, carry-over between periods."""
