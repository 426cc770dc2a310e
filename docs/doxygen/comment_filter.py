#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for libtelephony's headers.

The headers document themselves with plain `//` comments (house style): a paragraph on the
header's concept at the top, a comment above each declaration, trailing comments on members.
Doxygen only reads `///`-style comments, so this filter hands it the same file with:
  * the opening comment block (before the first non-comment line) as the file's documentation,
  * every other run of `//` lines directly above code as that code's documentation (`///`),
  * trailing `// text` after code as member documentation (`///<`),
with the characters Doxygen would read as commands or HTML escaped, so prose like `<number>` or
`\\;` reaches the page as written. Line numbers shift by one (the @file line) and no more.
"""
import re
import sys

SPECIAL = re.compile(r"([\\@<>&#%$\"])")
TRAILING = re.compile(r"^(?P<code>.*?[;{},)\]])\s*//\s?(?P<text>.*)$")


def escape(text: str) -> str:
    # "/*" and "*/" inside a comment would nest or end it ("manager/actions/*.cpp").
    return SPECIAL.sub(r"\\\1", text).replace("/*", "/\\*").replace("*/", "*\\/")


def comment_text(line: str) -> str:
    body = line.strip()[2:]
    return body[1:] if body.startswith(" ") else body


def in_string(code: str) -> bool:
    return code.count('"') % 2 == 1


def main(path: str) -> None:
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    # The opening block: the file's own documentation.
    head = []
    while i < len(lines) and lines[i].lstrip().startswith("//"):
        head.append(comment_text(lines[i]))
        i += 1
    if head:
        # "@file" alone on the first line (a word after it would be read as the file name); the
        # block is one line longer than the comment it replaces.
        out.append("/** @file")
        out.extend(" * " + escape(t) for t in head)
        out[-1] += " */"
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith("//") and not stripped.startswith("///"):
            indent = line[: len(line) - len(stripped)]
            out.append(indent + "/// " + escape(comment_text(line)))
        else:
            m = TRAILING.match(line)
            if m and not in_string(m.group("code")) and "//" not in m.group("code"):
                out.append(m.group("code") + "  ///< " + escape(m.group("text")))
            else:
                out.append(line)
        i += 1
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
