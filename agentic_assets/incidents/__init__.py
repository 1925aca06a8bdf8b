"""Replayable incidents (shared/incidents/FORMAT.md): load one, build its workspace, fail it, repair it."""

from agentic_assets.incidents.model import Expected, Incident, incident_folders, load_expected, load_incident
from agentic_assets.incidents.workspace import IncidentSetupError, Workspace

__all__ = [
    "Expected",
    "Incident",
    "IncidentSetupError",
    "Workspace",
    "incident_folders",
    "load_expected",
    "load_incident",
]
