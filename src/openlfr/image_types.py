"""What kind of image some encoded bytes are, by their signature (no decoding, no imports)."""

SIGNATURES = {
    b"\xff\xd8\xff": ("jpg", "image/jpeg"), b"\x89PNG": ("png", "image/png"),
    b"RIFF": ("webp", "image/webp"), b"GIF8": ("gif", "image/gif"), b"BM": ("bmp", "image/bmp"),
    b"II*\x00": ("tif", "image/tiff"), b"MM\x00*": ("tif", "image/tiff"),
}  # fmt: skip


def image_kind(data: bytes) -> tuple[str, str]:
    """The file suffix and media type of encoded image ``data``, by its signature."""
    return next((k for sig, k in SIGNATURES.items() if data.startswith(sig)),
                ("bin", "application/octet-stream"))  # fmt: skip
