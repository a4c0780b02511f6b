"""funnelctl: audit sales funnels and manager activity norms.

The library API is `audit(config_path, ...) -> Report`; the CLI is a thin skin over it.
Heavy modules (polars) are imported lazily so that `funnelctl --help` starts fast.
"""

__version__ = "0.1.0"

# The function, not the subpackage: this import binds the name `audit` after Python has
# set it to the subpackage funnelctl.audit, so `from funnelctl import audit` is callable.
from funnelctl.audit import audit  # noqa: E402

__all__ = ["__version__", "audit"]
