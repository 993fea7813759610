"""Detect, align, embed: frames in, faces out."""
