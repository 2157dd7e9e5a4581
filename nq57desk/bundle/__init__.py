"""Excel bundles: the writer, the safe reader, and the USB package that carries them upward."""

from nq57desk.bundle.format import BUNDLE_VERSION, FORMAT, BundleError

__all__ = ["BUNDLE_VERSION", "FORMAT", "BundleError"]
