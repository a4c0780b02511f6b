"""What a text value's ends lose, in one place: the readers, both engines' SQL and the
commands trim with it (io/values.trimmed, engines/sql.trimmed_sql). A module of its own,
with no imports, so that modules below io/values (io/join, read by io/readers) use it too."""

from __future__ import annotations

# What a text value's ends lose: Unicode white space (strip_chars()' own set) and the
# invisible format characters a CRM's rich-text field or a copy from a web page leaves
# there (zero-width space, non-joiner and joiner, word joiner, a stray BOM). Else
# "Переговоры\u200b" is a second stage that looks exactly like "Переговоры".
EDGES = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
         "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff")
