"""An upload handler that drops a file as soon as it passes the size limit (now shared: core.bulk)."""

from phaodai.core.bulk.uploads import SizeCapUploadHandler, declared_length

__all__ = ["SizeCapUploadHandler", "declared_length"]
