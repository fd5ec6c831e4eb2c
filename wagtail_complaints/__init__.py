"""A complaints office ("gestione reclami") for a hospital's Wagtail website."""
