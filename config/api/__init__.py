"""API infrastructure shared by every app's ``api/`` package (as NetBox keeps ``netbox/api/``).

Import from the modules (``config.api.viewsets``, ``config.api.permissions`` …): this package
itself imports nothing, because DRF loads the authentication, permission, pagination and
throttle classes from settings while its own views module loads.
"""
