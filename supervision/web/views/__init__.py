"""Cockpit views, one module per page family (``urls.py`` names them)."""
