"""python manage.py print_decision ID -o FILE.pdf"""

import pytest
from django.core.management import CommandError, call_command


def test_it_prints_the_pdf_and_lists_the_findings(reference, tmp_path, capsys):
    target = tmp_path / "vorlage.pdf"
    call_command("print_decision", str(reference.pk), "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF-")
    out, err = capsys.readouterr()
    assert "GRDrs 647/2011 gedruckt" in out
    assert err.count("Befund:") == 4  # 2 in the text, 2 Personalbedarfsberechnungen
    assert "„rund 1.682.510 EUR“" in err


def test_it_names_a_missing_decision_and_folder(db, tmp_path):
    with pytest.raises(CommandError, match="Eine Beschlussvorlage mit der ID 42 gibt es nicht."):
        call_command("print_decision", "42", "-o", str(tmp_path / "x.pdf"))


def test_it_refuses_a_missing_output_folder(reference, tmp_path):
    with pytest.raises(CommandError, match="existiert nicht"):
        call_command("print_decision", str(reference.pk), "-o", str(tmp_path / "fehlt" / "x.pdf"))
