#!/usr/bin/env python
"""Generate the docsite's RST pages (docs/docsite/rst/*.rst) from the Markdown guides in docs/.

The guides are written in Markdown (docs/*.md: GitHub and Galaxy show them as they are);
antsibull-docs only takes extra docs as RST, so this script converts them with pandoc
(from the pinned pypandoc-binary in .venv-docs). Each page gets the RST label that
docs/docsite/extra-docs.yml refers to; links between the guides become :ref:s, other
relative links point into the repository (galaxy.yml's ``repository``), and the
collection's plugin names in code spans become :ansplugin: links.

Usage: docs_rst.py [--check]   (--check: fail if a committed page differs; write nothing)
Run it with .venv-docs/bin/python (tests/tools/docs-rst.sh does).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile

import pypandoc
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, 'docs')
RST_DIR = os.path.join(DOCS, 'docsite', 'rst')
PREFIX = 'ansible_collections.alibabacloud.appstreaming.docsite.'
# Markdown guide -> RST page name (also its label suffix, with - as _)
GUIDES = ('getting-started', 'gating-a-rollout', 'rolling-out-in-waves', 'lookup', 'event-driven-gating')
PLUGINS = {
    'alibabacloud.appstreaming.app_instance_group_info': 'module',
    'alibabacloud.appstreaming.ota_task': 'module',
    'alibabacloud.appstreaming.ota_rollout_plan': 'module',
    'alibabacloud.appstreaming.ota_rollout': 'role',
    'alibabacloud.appstreaming.ota_task_info': 'module',
    'alibabacloud.appstreaming.ota_task_wait': 'module',
    'alibabacloud.appstreaming.ota_tasks': 'lookup',
    'alibabacloud.appstreaming.ota_wait': 'role',
}
HEADER = '..\n  Generated from docs/{name}.md by tests/tools/docs_rst.py: edit that file, then run `make docs-rst`.\n\n'

LUA = r'''
local guides = {GUIDES}
local plugins = {PLUGINS}
local repo = "{REPO}"

function Link(el)
  local target = el.target
  if target:match("^%a[%w+.-]*:") or target:match("^#") then
    return nil
  end
  local page = target:match("^([%w-]+)%.md") or target:match("^([%w-]+)%.md#")
  if page and guides[page] then
    return pandoc.RawInline("rst", ":ref:`" .. pandoc.utils.stringify(el.content) .. " <" .. guides[page] .. ">`")
  end
  local path = target
  if path:sub(1, 3) == "../" then
    path = path:sub(4)
  else
    path = "docs/" .. path
  end
  el.target = repo .. "/blob/main/" .. path
  -- RST cannot nest inline markup: a code span inside a link becomes plain text.
  el.content = pandoc.Inlines(pandoc.utils.stringify(el.content))
  return el
end

function Code(el)
  local kind = plugins[el.text]
  if kind then
    return pandoc.RawInline("rst", ":ansplugin:`" .. el.text .. "#" .. kind .. "`")
  end
  return nil
end
'''


def lua_table(mapping):
    return '{' + ', '.join('[%r] = %r' % (k, v) for k, v in sorted(mapping.items())).replace("'", '"') + '}'


def render(name, lua_path):
    body = pypandoc.convert_file(os.path.join(DOCS, name + '.md'), 'rst', format='gfm',
                                 extra_args=['--lua-filter', lua_path, '--wrap=preserve', '--columns=120'])
    label = PREFIX + name.replace('-', '_')
    return HEADER.format(name=name) + '.. _%s:\n\n' % label + body.rstrip() + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='fail if a committed page is not up to date')
    args = parser.parse_args()

    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as f:
        repo = yaml.safe_load(f)['repository'].rstrip('/')
    lua = (LUA.replace('{GUIDES}', lua_table({g: PREFIX + g.replace('-', '_') for g in GUIDES}))
           .replace('{PLUGINS}', lua_table(PLUGINS)).replace('{REPO}', repo))
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        lua_path = os.path.join(tmp, 'links.lua')
        with open(lua_path, 'w', encoding='utf-8') as f:
            f.write(lua)
        for name in GUIDES:
            want = render(name, lua_path)
            path = os.path.join(RST_DIR, name + '.rst')
            have = None
            if os.path.exists(path):
                with open(path, encoding='utf-8') as f:
                    have = f.read()
            if have == want:
                continue
            rel = os.path.relpath(path, ROOT)
            if args.check:
                stale.append(rel)
                sys.stdout.writelines(difflib.unified_diff((have or '').splitlines(True), want.splitlines(True),
                                                           'committed/' + rel, 'generated/' + rel, n=1))
            else:
                os.makedirs(RST_DIR, exist_ok=True)
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(want)
                print('wrote %s' % rel)
    if stale:
        sys.exit('docs_rst: %s not up to date with docs/*.md: run `make docs-rst` and commit' % ', '.join(stale))


if __name__ == '__main__':
    main()
