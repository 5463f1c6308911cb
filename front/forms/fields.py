"""Form fields several page forms share."""

from __future__ import annotations

from django import forms

from decisions.markup import validate_nesting


class MarkdownTextField(forms.CharField):
    """Text that pages and the PDF render as Markdown: lists and quotes nested at most
    ``decisions.markup.MAX_NESTING`` levels deep (a German message otherwise)."""

    default_validators = [validate_nesting]
    #: Templates offer a preview for these fields (decisions/_field.html, static/decisions/editor.js).
    is_markdown = True

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "data-markdown": ""}
