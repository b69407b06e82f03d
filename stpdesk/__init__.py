"""stpdesk: a district council's record of its work with NHS footprints."""

__version__ = "0.1.0"
