"""Never lose work: atomic file writes, backups and rotation, integrity checks, restore."""
