"""VPython preview backend: the browser page (``hepaanim preview``) and Jupyter.

Nothing here imports vpython at import time; the GL render path never imports this
package.  Entry points: :func:`hepaanim.render.vpython.run.run_preview` (command line) and
:func:`hepaanim.render.vpython.notebook.preview` (``hepaanim.preview``).
"""


def preview(source, **kwargs):
    """Show a scene in Jupyter (or, outside a notebook, in the browser); see notebook.py."""
    from .notebook import preview as _preview
    return _preview(source, **kwargs)
