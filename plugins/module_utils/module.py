# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's AnsibleModule: what every module shell shares (as amazon.aws's AnsibleAWSModule).

A module declares only its own options and hands ``parse`` and ``work`` to :meth:`AppStreamingModule.run`;
the connection options, the required libraries (with install hints), the one Client, the warnings and
the failure of an AppStreamingError (with its ``error`` details, documented once by the doc fragment
``alibabacloud.appstreaming.error``) are handled here, once.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from .answers import HAS_VOLUPTUOUS
from .client import execute
from .errors import AppStreamingError
from .options import connection_argument_spec
from .transport import HAS_REQUESTS

REQUIRED_LIBRARIES = (('requests', HAS_REQUESTS), ('voluptuous', HAS_VOLUPTUOUS))


def missing_library():
    """The install hint of the first required library that is not installed, else None (modules and controller plugins)."""
    for name, found in REQUIRED_LIBRARIES:
        if not found:
            return missing_required_lib(name)
    return None


class AppStreamingModule(AnsibleModule):
    """An AnsibleModule with the connection options on top of ``argument_spec``; it fails at once, with an install hint,
    when a required library is missing (unless ``check_libraries`` is false)."""

    def __init__(self, argument_spec, check_libraries=True):
        spec = dict(argument_spec)
        spec.update(connection_argument_spec())
        super().__init__(argument_spec=spec, supports_check_mode=True)
        hint = missing_library() if check_libraries else None
        if hint:
            self.fail_json(msg=hint)

    @property
    def diff_mode(self):
        """Whether the task runs with --diff."""
        return self._diff

    def run(self, parse, work):
        """Exit with the result of ``work(client, parse(params), deadline)`` (client.execute), or fail.

        An AppStreamingError fails the task with its message and details; the warnings are given either
        way; a result with ``failed`` set (and its ``msg``) fails the task with that result.
        """
        try:
            result, warnings = execute(self.params, parse, work)
        except AppStreamingError as exc:
            self.fail_json(msg=str(exc), changed=False, **exc.details())
        for warning in warnings:
            self.warn(warning)
        if result.get('failed'):
            self.fail_json(**result)
        self.exit_json(**{'changed': False, **result})
