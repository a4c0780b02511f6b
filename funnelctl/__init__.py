"""funnelctl: audit sales funnels and manager activity norms.

The library API is `audit(config_path, ...) -> Report`; the CLI is a thin skin over it.
Heavy modules (polars) are imported lazily so that `funnelctl --help` starts fast.
"""

__version__ = "0.1.0"
__all__ = ["__version__", "audit"]


def __getattr__(name: str):
    if name == "audit":
        from funnelctl.pipeline import audit

        return audit
    raise AttributeError(f"module 'funnelctl' has no attribute {name!r}")
