"""Incident services: reporting and marking sent, the list and the start page's flags, the export.
Import from here."""
from .export import EXPORT_FIELDS, incident_csv, incident_export
from .reporting import (INCIDENT_HEADINGS, incident_export_rows, INCIDENT_EVENT, INJURY_LABELS, IncidentToSend, get_incident, incidents_to_send, is_flagged,
                        list_incidents, mark_incident_sent, report_incident)

__all__ = [
    "INCIDENT_HEADINGS", "incident_export_rows",
    "EXPORT_FIELDS", "INCIDENT_EVENT", "INJURY_LABELS", "IncidentToSend", "get_incident", "incident_csv",
    "incident_export", "incidents_to_send", "is_flagged", "list_incidents", "mark_incident_sent", "report_incident",
]
