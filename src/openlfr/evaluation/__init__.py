"""Data set readers, protocols and ISO/IEC 19795 metrics."""
