"""Data set readers, protocols and ISO/IEC 19795 metrics."""

from openlfr.errors import LfrError


class DatasetError(LfrError):
    """A data set folder that is missing, or lacks a file a reader needs."""
