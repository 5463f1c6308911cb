"""Corpus of real sentences with amounts, the number check's rules are built from.

Each case: a sentence as German council papers write it, where it comes from, and for every
amount in it what the check reads (value, subject, year, period) and what it says against the
reference paper GRDrs 647/2011 (Personalkosten 2011: 42.350 €, ab 2012: 1.128.560 € im Jahr,
sonstige Auswirkung KDRS 480.000 € ab 2012, Erstattung 2012: 405.768 €).

`source` is the published document (Ratsinformationssystem page) the sentence is taken from
verbatim; "GRDrs 647/2011" is the reference paper (seed); "Prüfer (Issue 22)" are the tester's
sentences; a source with "nach …" is a real sentence with the reference paper's amounts put in
(right and wrong), to cover every money word, unit and year form against known figures.

Subjects: personal (Personalkosten), sonstige (other items), gesamt (either or the total),
erstattung, netto (städtischer Anteil), None (no money word, or the money of something else).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SEED = "GRDrs 647/2011 (Referenzvorlage, /work/shared/seed)"
TESTER = "Prüfer (Issue 22)"
KITZINGEN = "https://buergerinfo.kitzingen.info/to0050.php?__ktonr=14129"
KOELN = "https://ratsinformation.stadt-koeln.de/to0050.asp?__ktonr=248566"
WERMELSKIRCHEN = "https://ris-bi.wermelskirchen.de/to020.asp?TOLFDNR=30700"
REMAGEN = "https://www.remagen-ratsinformation.de/bi/to0050.php?__ktonr=11539"
GARCHING_2018 = "https://www.garching.de/infosystem/vo020?TOLFDNR=20572&VOLFDNR=5522"
GARCHING_2020 = "https://www.garching.de/infosystem/vo020?TOLFDNR=23083&VOLFDNR=6218"
LADADI = "https://session-net.ladadi.de/buergerinfo/to0050.asp?__ktonr=19591"
SOEST = "https://politik.kreis-soest.de/bi/vo020.asp?VOLFDNR=1991"
STUTTGART_383 = "https://www.domino1.stuttgart.de/web/ksd/KSDRedSystem.nsf/3773c106d8cc9a76c1256ad900302205/869761e59a6f5f9ec1257e91004796ab?OpenDocument"
STUTTGART_653 = "https://www.domino1.stuttgart.de/web/ksd/KSDRedSystem.nsf/3773c106d8cc9a76c1256ad900302205/bc35e4b558614327c1258a4d003cf301?OpenDocument"
FRIESLAND = "https://buergerinfo.friesland.de/vo0050.asp?__kvonr=1090&voselect=648"
WIEFELSTEDE = "http://buergerinfo.wiefelstede.de/to0050.asp?__ktonr=37753"
LUECHOW = "https://ratsinfo.luechow-dannenberg.de/buergerinfo/to0050.asp?__ktonr=11910"
HERZOGENRATH = "https://ratsinfo.herzogenrath.de/public/to020?SILFDNR=202&TOLFDNR=2171"
HILDEN = "https://gi.hilden.de/bi/vo0050.asp?__kvonr=471"
KASSEL = "http://fdp-fraktion-kassel.de/realistische-planung-der-personalaufwendungen.html"
BAMBERG = "https://www.stadt.bamberg.de/buergerinformationssystem/vo020?VOLFDNR=3443&TOLFDNR=9472"
LIEBENAU = "http://www.liebenau.com/allris/to020.asp?TOLFDNR=1002650"
PEINE = "https://landkreis-peine.de/buergerinformationssystem/to020.asp?TOLFDNR=13076"
LK_NI = "https://buergerinfo.lk-ni.de/vo0050.php?__kvonr=8526"


@dataclass(frozen=True)
class Reading:
    """One amount: what is read, and the result against the reference paper."""

    value: str  # Decimal as text
    subject: str | None
    year: int | None
    status: str  # "stimmt", "stimmt nicht", "nicht zuzuordnen"
    expected: str = ""  # the figure compared with when "stimmt nicht" ("1.128.560 €")
    period: str = ""


@dataclass(frozen=True)
class Case:
    sentence: str
    source: str
    readings: list[Reading] = field(default_factory=list)

    def values(self) -> list[Decimal]:
        return [Decimal(r.value) for r in self.readings]


R = Reading
OK, WRONG, NOT = "stimmt", "stimmt nicht", "nicht zuzuordnen"

CORPUS = [
    # --- the reference paper (seed): its seven amounts ------------------------------------
    Case(
        "Zur Finanzierung der bereits absehbaren Kosten werden ab 01.01.2012 im Teilhaushalt "
        "290 – Jobcenter, im Teilhaushalt 100 - Haupt- und Personalamt, im Teilhaushalt 200 – "
        "Stadtkämmerei, im Teilhaushalt 140 – Rechnungsprüfungsamt und im Teilhaushalt – 810 "
        "Bürgermeisteramt Mittel für Personalausgaben in Höhe von rund 1.682.510 EUR bewilligt.",
        SEED,
        [R("1682510", "personal", 2012, WRONG, "1.128.560 €")],
    ),
    Case(
        "Darüber hinaus werden zur Finanzierung der bereits absehbaren Kosten in 2011 im "
        "Teilhaushalt 290 - Jobcenter und im Teilhaushalt 200 - Stadtkämmerei überplanmäßige "
        "Mittel für Personalausgaben in Höhe von rund 42.350,00 EUR bewilligt.",
        SEED,
        [R("42350", "personal", 2011, OK)],
    ),
    Case(
        "Der jährliche Ausgabenbedarf hierfür wird nach aktuellem Stand auf ca. 480.000 EUR "
        "geschätzt.",
        SEED,
        [R("480000", "gesamt", None, OK, period="jährlich")],
    ),
    Case(
        "Im Teilergebnishaushalt 2012/2013 THH 100 - Haupt- und Personalamt - wird zusätzlich "
        "der Betrag von 480.000 EUR im Amtsbereich 1007130 - Boten-, Zustell- und Postdienst - "
        "bei Kontengruppe 440 - Sonstige ordentliche Aufwendungen - zur Verfügung gestellt.",
        SEED,
        [R("480000", "gesamt", 2012, OK)],
    ),
    Case(
        "Es wird davon ausgegangen, dass der Auftragswert in der Regel über dem Schwellenwert "
        "von 193.000 EUR für EU-Ausschreibungen liegt.",
        SEED,
        [R("193000", None, None, NOT)],
    ),
    Case(
        "Das voraussichtliche Aufwandsvolumen des Jobcenters wird sich gegenüber dem bisher von "
        "der Stadtkämmerei betreuten Anteil von 146,6 Mio. Euro auf ca. 293 Mio. Euro "
        "verdoppeln.",
        SEED,
        [R("146600000", None, None, NOT), R("293000000", None, None, NOT)],
    ),
    Case(
        "Beim Jobcenter werden künftig jährlich ca. 10 - 20 Ausschreibungen für Maßnahmen zur "
        "Aktivierung und beruflichen Eingliederung durchgeführt (Ausgaben 2010: ca. 3,4 Mio.).",
        SEED,
        [R("3400000", "gesamt", 2010, NOT)],
    ),
    Case(
        "Das künftig zu prüfende Volumen in diesem Bereich beträgt für die Sicherung des "
        "Lebensunterhalts 140 Mio. Euro und für Eingliederungsleistungen 25 Mio. Euro.",
        SEED,
        [R("140000000", None, None, NOT), R("25000000", None, None, NOT)],
    ),
    # --- the tester's sentences (Issue 22), right and wrong ---------------------------------
    Case(
        "Die Mehraufwendungen belaufen sich ab 2012 auf rund 1,1 Mio. €.",
        TESTER,
        [R("1100000", "gesamt", 2012, OK)],
    ),
    Case(
        "Die Mehraufwendungen belaufen sich ab 2012 auf rund 1,3 Mio. €.",
        TESTER,
        [R("1300000", "gesamt", 2012, WRONG, "1.608.560 €")],
    ),
    Case("Die Mehrkosten betragen 1.128.560 €.", TESTER, [R("1128560", "gesamt", None, OK)]),
    Case(
        "Die Mehrkosten betragen 1.250.000 €.",
        TESTER,
        [R("1250000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Es entstehen Personalkosten von rd. 1,3 Mio. EUR.",
        TESTER,
        [R("1300000", "personal", None, WRONG, "1.128.560 €")],
    ),
    Case(
        "Es entstehen jährlich Personalkosten von rd. 1,1 Mio. EUR.",
        TESTER,
        [R("1100000", "personal", None, OK, period="jährlich")],
    ),
    Case(
        "Hierfür werden Haushaltsmittel in Höhe von EUR 1.250.000 bereitgestellt.",
        TESTER,
        [R("1250000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Im Jahr 2011 fallen Personalkosten von 42.350 Euro an.",
        TESTER,
        [R("42350", "personal", 2011, OK)],
    ),
    Case(
        "Die einmaligen Sachkosten betragen ca. 60 T€.",
        TESTER,
        [R("60000", "sonstige", None, WRONG, "0 €", period="einmalig")],
    ),
    Case(
        "Der Personalaufwand beträgt im Jahr 2013 1.128.560 €.",
        TESTER,
        [R("1128560", "personal", 2013, OK)],
    ),
    Case(
        "Die Gesamtkosten belaufen sich ab 2012 auf 1.608.560 Euro jährlich.",
        TESTER,
        [R("1608560", "gesamt", 2012, OK, period="jährlich")],
    ),
    Case(
        "Die Gesamtkosten belaufen sich ab 2012 auf 1.680.560 Euro jährlich.",
        TESTER,
        [R("1680560", "gesamt", 2012, WRONG, "1.608.560 €", period="jährlich")],
    ),
    # --- real sentences with the reference paper's figures put in ---------------------------
    Case(
        "Die Personalkosten für die neuen Stellen belaufen sich auf ca. 1.130.000 € für das "
        "Jahr 2012.",
        f"nach {FRIESLAND}",
        [R("1130000", "personal", 2012, OK)],
    ),
    Case(
        "Die Sachkosten betragen jährlich ca. 480 TEUR.",
        f"nach {LK_NI}",
        [R("480000", "sonstige", None, OK, period="jährlich")],
    ),
    Case(
        "Die Erstattung des Bundes beträgt 2012 rund 405.800 €.",
        f"nach {SOEST}",
        [R("405800", "erstattung", 2012, OK)],
    ),
    Case(
        "Die Erstattung des Bundes beträgt 2012 rund 450.000 €.",
        f"nach {SOEST}",
        [R("450000", "erstattung", 2012, WRONG, "405.768 €")],
    ),
    Case(
        "Nach Abzug der Bundeserstattung verbleiben Nettokosten von 722.792 € im Jahr 2012.",
        f"nach {SOEST}",
        [R("722792", "netto", 2012, OK)],
    ),
    Case(
        "Für die Jahre 2012 bis 2013 betragen die Personalkosten insgesamt 2.257.120 €.",
        f"nach {STUTTGART_383}",
        [R("2257120", "personal", 2012, OK)],
    ),
    Case(
        "Die Personalkosten betragen 9.700 € je Arbeitsplatz.",
        f"nach {LK_NI}",
        [R("9700", "personal", None, NOT, period="je Einheit")],
    ),
    Case(
        "Monatlich entstehen Personalkosten von 94.047 €.",
        f"nach {LK_NI}",
        [R("94047", "personal", None, NOT, period="monatlich")],
    ),
    Case(
        "Die Mehrkosten für die Stellen belaufen sich auf 1.128.560,00 EUR.",
        f"nach {KITZINGEN}",
        [R("1128560", "gesamt", None, OK)],
    ),
    Case(
        "Die Personalkosten belaufen sich auf 1.128.560,40 EUR.",
        f"nach {KITZINGEN}",
        [R("1128560.40", "personal", None, WRONG, "1.128.560 €")],
    ),
    Case(
        "Die Finanzierung der Mehraufwendungen in Höhe von bis zu 1.200.000 € ab dem "
        "Haushaltsjahr 2012 erfolgt innerhalb der Personalkostenbudgets.",
        f"nach {STUTTGART_653}",
        [R("1200000", "gesamt", 2012, OK)],
    ),
    Case(
        "Die Personalausgaben betragen ab dem Haushaltsjahr 2012 1.128.560 €, im Jahr 2011 "
        "rund 42.000 €.",
        f"nach {STUTTGART_383}",
        [R("1128560", "personal", 2012, OK), R("42000", "personal", 2011, OK)],
    ),
    Case(
        "Es entstehen 1.128.560 € Personalkosten und 480.000 € Sachkosten im Jahr.",
        f"nach {LADADI}",
        [
            R("1128560", "personal", None, OK),
            R("480000", "sonstige", None, OK, period="jährlich"),
        ],
    ),
    Case(
        "Der Haushalt wird durch Personal-, Sach- und EDV-Kosten von 1,61 Millionen Euro "
        "jährlich belastet.",
        f"nach {SEED}",
        [R("1610000", "gesamt", None, OK, period="jährlich")],
    ),
    # --- real sentences as published (their amounts against the reference paper) ------------
    Case(
        "In der Summe handelt es sich dabei um Mehrkosten in Höhe von 1,05 Mio. €.",
        KITZINGEN,
        [R("1050000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Die Gesamtkosten für die nutzungsunabhängige Haldenstabilisierung belaufen sich "
        "nunmehr auf 17.231.200 EUR brutto statt 10.500.950 EUR brutto.",
        KOELN,
        [R("17231200", "gesamt", None, NOT), R("10500950", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Die Deckung in Höhe von 208.000 Euro erfolgt aus dem Budget „allgemein: "
        "Kesselsanierungen“ des Gebäudemanagements.",
        WERMELSKIRCHEN,
        [R("208000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Der Stadtrat beschließt, für die Baumaßnahme „Römerstraße“ zusätzliche "
        "Haushaltsmittel in Höhe von 190.000 Euro überplanmäßig in den Haushalt einzustellen.",
        REMAGEN,
        [R("190000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Für den Ausbau bzw. die erstmalige Herstellung der Römerstraße wurden 910.000 Euro in "
        "den Haushalt eingestellt.",
        REMAGEN,
        [R("910000", None, None, NOT)],
    ),
    Case(
        "Mehrkosten KG 300+400: ca. 31.000 € brutto",
        GARCHING_2018,
        [R("31000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Es ergibt sich somit ein Defizit in Bezug auf die freigegebenen Kosten von "
        "596.156,44€ brutto",
        GARCHING_2020,
        [R("596156.44", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Gesamtkosten wurden somit auf 3.616.724,44€ brutto erhöht.",
        GARCHING_2020,
        [R("3616724.44", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Im Vorbericht Seite 7 wird ausgeführt, dass aufgrund der gesetzlichen Vorgaben eine "
        "Stellenausweitung mit Mehrkosten in Höhe von 246.000 Euro notwendig ist.",
        LADADI,
        [R("246000", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Daneben sind in den 1.118 T Euro für Betreuungskräfte 260 T Euro (8,5 neue "
        "Planstellen) und Küchenhilfen 166 T Euro (7 neue Planstellen) enthalten.",
        LADADI,
        [R("1118000", None, None, NOT), R("260000", None, None, NOT), R("166000", None, None, NOT)],
    ),
    Case(
        "Die Bruttopersonalaufwendungen steigen in 2014 (Planwert) gegenüber dem Plan 2013 von "
        "60.579.471 € auf 63.899.744 €.",
        SOEST,
        [R("60579471", "personal", 2013, NOT), R("63899744", "personal", 2013, NOT)],
    ),
    Case(
        "Gleichzeitig steigen die Personalaufwandserstattungen um 1.459.814 €, so dass die "
        "Nettopersonalaufwendungen um 1.860.468 € oder 4,23 % steigen.",
        SOEST,
        [
            R("1459814", "erstattung", None, WRONG, "405.768 €"),
            R("1860468", "netto", None, WRONG, "1.202.792 €"),
        ],
    ),
    Case(
        "Die Personalmehraufwendungen für das Haushaltsjahr 2015 in den Teilhaushalten 230 – "
        "Amt für Liegenschaften und Wohnen in Höhe von 65.200 €",
        STUTTGART_383,
        [R("65200", "personal", 2015, WRONG, "1.128.560 €")],
    ),
    Case(
        "Die Finanzierung der Mehraufwendungen in Höhe von bis zu 12.300.000 € ab dem "
        "Haushaltsjahr 2023 erfolgt innerhalb der Personalkostenbudgets.",
        STUTTGART_653,
        [R("12300000", "gesamt", 2023, OK)],
    ),
    Case(
        "Insgesamt sind dafür in 2011 Kosten in Höhe von ca. 310.000 € ausgezahlt worden.",
        FRIESLAND,
        [R("310000", "gesamt", 2011, WRONG, "42.350 €")],
    ),
    Case(
        "Die Personalkosten für den Bereich BuT belaufen sich auf ca. 85.000 € für das Jahr 2011.",
        FRIESLAND,
        [R("85000", "personal", 2011, WRONG, "42.350 €")],
    ),
    Case(
        "Mehrausgaben in Höhe von ca. 4.600,00 € seien zu erwarten.",
        WIEFELSTEDE,
        [R("4600", "gesamt", None, WRONG, "1.608.560 €")],
    ),
    Case(
        "Durch diese Änderungen erhöhen sich die Aufwendungen von 508.500 Euro auf 539.800 Euro.",
        LUECHOW,
        [
            R("508500", "gesamt", None, WRONG, "1.608.560 €"),
            R("539800", "gesamt", None, WRONG, "1.608.560 €"),
        ],
    ),
    Case(
        "Der Zuschussbedarf erhöht sich von 449.000 Euro auf 480.300 Euro.",
        LUECHOW,
        [
            R("449000", "netto", None, WRONG, "1.202.792 €"),
            R("480300", "netto", None, WRONG, "1.202.792 €"),
        ],
    ),
    Case(
        "Stadtverordneter Billmann beantragt, zur Einrichtung von Jugendforen je Stadtteil "
        "2.500 EUR, mithin insgesamt 7.500 EUR bereitzustellen.",
        HERZOGENRATH,
        [R("2500", None, None, NOT), R("7500", None, None, NOT)],
    ),
    Case(
        "Zur Unterbringung des Wertstoffhofes auf dem Gelände des Bauhofes wird ein Betrag von "
        "75.963 € über den Haushaltsplan 2006 bereit gestellt.",
        HILDEN,
        [R("75963", "gesamt", 2006, NOT)],
    ),
    Case(
        "Zugleich sollen die Personalaufwendungen von 163,7 Mio. € im Jahr 2018 auf 202,9 "
        "Mio. € im Jahr 2022 um 24% steigen.",
        KASSEL,
        [R("163700000", "personal", 2018, NOT), R("202900000", "personal", 2018, NOT)],
    ),
    Case(
        "Er schließt mit einem Überschuss von 3.704.966,97 € ab.",
        BAMBERG,
        [R("3704966.97", None, None, NOT)],
    ),
    Case(
        "So konnten mit dem Jahresabschluss 2013 erstmals schwarze Zahlen geschrieben werden "
        "und das nach der Entschuldungshilfe im Jahr 2009 verbliebene Restdefizit in Höhe von "
        "rund 850.000 € innerhalb der Verwaltungseinheit konnte vollständig abgebaut werden.",
        LIEBENAU,
        [R("850000", None, 2009, NOT)],
    ),
    Case(
        "Anfang Oktober 2015 sei ein Defizit von rund 2,8 Millionen Euro veranschlagt worden.",
        PEINE,
        [R("2800000", None, 2015, NOT)],
    ),
    Case(
        "Für die Herrichtung der bestehenden Halle auf dem anzumietenden Grundstück (Flur 011 "
        "Flurstück 1446) wird ein Betrag von 344.800 € zur Finanzierung der Umbaukosten sowie "
        "weitere 26.900 € für die lfd. Miete im Haushaltsplan 2006 bereit gestellt.",
        HILDEN,
        [R("344800", "gesamt", 2006, NOT), R("26900", "sonstige", 2006, NOT)],
    ),
    Case(
        "Er umfasse eine Summe von über 250 Millionen Euro.",
        PEINE,
        [R("250000000", None, None, NOT)],
    ),
    Case(
        "Davon sind 323.178 € in 2014 sofort erneut bereitzustellen.",
        BAMBERG,
        [R("323178", None, 2014, NOT)],
    ),
    Case(
        "Die Sondervermögen (Unterabschnitte 8900, 8906 und 8907) erwirtschafteten einen "
        "Überschuss in Höhe von 12.072,54 €.",
        BAMBERG,
        [R("12072.54", None, None, NOT)],
    ),
    Case(
        "Dies ergibt eine Haushaltskonsolidierung in Höhe von 1.118.000 Euro.",
        LADADI,
        [R("1118000", None, None, NOT)],
    ),
    Case(
        "Dies entspricht einer Steigerung von 3.320.282 € oder 5,48 %.",
        SOEST,
        [R("3320282", None, None, NOT)],
    ),
    Case(
        "Mit Beschluss vom 27.07.2017 hat der Stadtrat den überarbeiteten Entwurf mit einem "
        "Budget von 9.322.254,23 € zur Umsetzung freigegeben.",
        GARCHING_2018,
        [R("9322254.23", "gesamt", 2017, WRONG, "1.608.560 €")],
    ),
    Case(
        "Das Produkt 55401 „Naturschutz und Landschaftspflege“ wird mit Erträgen von 59.500 "
        "Euro und mit Aufwendungen von 539.800 Euro (Zuschussbedarf 480.300 Euro) sowie Zielen "
        "und Kennzahlen beschlossen.",
        LUECHOW,
        [
            R("59500", None, None, NOT),
            R("539800", "gesamt", None, WRONG, "1.608.560 €"),
            R("480300", "netto", None, WRONG, "1.202.792 €"),
        ],
    ),
]
