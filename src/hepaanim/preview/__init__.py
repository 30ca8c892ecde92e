"""The interactive preview (VPython): ``hepaanim preview SCENE`` in the browser, and
``hepaanim.preview(SCENE)`` in Jupyter.

It plays the same ``film.evaluate(t)`` the GL renderer draws, mirrored into VPython objects;
it needs the scene, timeline and loader packages and nothing of ``hepaanim.render``, and
the render path never imports it (``hepaanim.preview`` is loaded on first use).  Nothing
here imports vpython at import time.  Entry points: :func:`hepaanim.preview.run.run_preview`
(command line) and :func:`hepaanim.preview.notebook.preview`.

The package itself is callable: ``hepaanim.preview("scenes/bloodstream.py")`` (the
notebook entry) calls :func:`preview`, and ``hepaanim.preview.run`` is a submodule of the
same object.  A plain function named ``preview`` in ``hepaanim`` would not do: importing
any submodule of this package rebinds ``hepaanim.preview`` to the package.
"""
import sys
import types


def preview(source, **kwargs):
    """Interactive preview of a scene (a path, or a module with ``build(film)``): in a
    Jupyter notebook, in the cell; elsewhere in the browser, until the tab is closed or
    Ctrl-C.  Needs the 'preview' extra (vpython).  Keywords: t, act, group_cap."""
    from .notebook import preview as _preview
    return _preview(source, **kwargs)


class _CallablePackage(types.ModuleType):
    def __call__(self, source, **kwargs):
        return preview(source, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
