"""The upper level's page: importing bundles, completeness, keys, consolidation."""
