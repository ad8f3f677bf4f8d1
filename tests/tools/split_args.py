#!/usr/bin/env python
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Split the ARGS of a make target into arguments, NUL-terminated on stdout.

Like a shell splits a command line, except that a word starting with { or [ that is valid JSON up to
a blank (or the end) stays one argument, quotes and spaces included. So the README's
``make demo ARGS='-e {"demo_group_ids": ["aig-..."]}'`` hands ansible-playbook ``-e`` and the JSON,
where a shell would have cut the JSON at its spaces and dropped its quotes.
"""

from __future__ import annotations

import json
import shlex
import sys


def split(text):
    args, i = [], 0
    decoder = json.JSONDecoder()
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] in '{[':
            try:
                _value, end = decoder.raw_decode(text, i)
            except ValueError:
                end = None
            if end is not None and (end == len(text) or text[end].isspace()):
                args.append(text[i:end])
                i = end
                continue
        lexer = shlex.shlex(text[i:], posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ''
        word = lexer.get_token()
        if word is None:
            break
        args.append(word)
        i += lexer.instream.tell()
    return args


def main():
    for arg in split(sys.argv[1] if len(sys.argv) > 1 else ''):
        sys.stdout.write(arg + '\0')


if __name__ == '__main__':
    main()
