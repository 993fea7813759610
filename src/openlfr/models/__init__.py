"""Model files: where they come from, how they are provisioned, how they run."""
