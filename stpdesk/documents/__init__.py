"""Documents from templates: Jinja2 (sandboxed) → Markdown → blocks → PDF or HTML.

- :mod:`.templates` finds templates (shipped, and the user's folder), reads their
  ``+++`` TOML header and renders them; user data always prints literally.
- :mod:`.content` is the format-neutral block tree; :mod:`.blocks` declares the named
  blocks (cover, contents, logo, page_break, bar_chart, table, commitments_table).
- :mod:`.pdf` (ReportLab) and :mod:`.html` (accessible HTML) write the same blocks.
- :mod:`.packs` is the entry point for briefing packs (meeting, footprint, batches).

No Qt here: the GUI calls :mod:`.packs` from a worker thread.
"""
