#!/usr/bin/env python
"""Offline stand-in for ansible-test's ``get-pip`` bootstrap script.

ansible-test creates every virtualenv without pip and bootstraps pip by running
a ``get-pip`` script it downloads from its own file host, which this project's
machines cannot reach. It first looks for a cached copy at
``~/.ansible/test/cache/get_pip_<version>.py``; tests/tools/getpip-standin.sh
copies this file there.

It runs the pip wheel bundled with the interpreter's ``ensurepip`` to
``pip install --upgrade --force-reinstall`` the arguments it is given (they
include ``pip==<version>``), dropping get-pip's own ``--no-setuptools`` and
``--no-wheel`` options.
"""

from __future__ import annotations

import glob
import os
import runpy
import sys

GET_PIP_ONLY_OPTIONS = frozenset(('--no-setuptools', '--no-wheel'))


def bundled_pip_wheel() -> str:
    """Return the path of the pip wheel bundled with this interpreter's ensurepip."""
    import ensurepip  # pylint: disable=import-outside-toplevel

    pattern = os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')
    wheels = sorted(glob.glob(pattern))

    if not wheels:
        sys.exit('get-pip stand-in: no bundled pip wheel matches %s' % pattern)

    return wheels[-1]


def main() -> None:
    """Install the requested packages with the bundled pip."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.path.insert(0, bundled_pip_wheel())
    sys.argv = ['pip', 'install', '--upgrade', '--force-reinstall'] + args
    runpy.run_module('pip', run_name='__main__', alter_sys=True)


if __name__ == '__main__':
    main()
