"""tashkent: model, simulate and forecast third-party mediation of interstate conflicts
under the shadow of crisis escalation."""

__version__ = "0.1.0"
