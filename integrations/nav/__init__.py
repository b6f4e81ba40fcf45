"""Adapter to NAV (hjelpemiddelsentralen): the port the application uses and its transports.

The application imports from ``integrations.nav.port`` only; the HTTP client, the file import
and the fake NAV server are transports behind that port.
"""
