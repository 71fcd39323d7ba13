#!/usr/bin/env python3
"""Makes belfiore.tsv, the table of birth-place codes of the codice fiscale (codici catastali or
Belfiore), from the data files of the python-codicefiscale package (MIT licence; its data come from
ISTAT and the Agenzia delle Entrate). Run once, by hand, when the table needs updating:

    pip download python-codicefiscale==0.12.1 --no-deps && unzip -o python_codicefiscale-*.whl
    python3 assets/data/make_belfiore.py codicefiscale/data > assets/data/belfiore.tsv

Columns: code, name, province ("EE" for a foreign country), valid from, valid to (ISO dates, the
last empty while the place exists). A code names different places over time, so the birth date
chooses. Places that ceased before 1900 are left out; consecutive periods with the same name are
joined. The package writes every word capitalised; Italian joining words go back to lower case
(«Trezzano sul Naviglio», «Cassano d'Adda»), as ISTAT writes them.
"""
import json
import re
import sys

JOINING = {
    "di", "del", "della", "delle", "dei", "degli", "dello", "sul", "sulla", "sulle", "sui", "sugli",
    "nel", "nella", "nelle", "nei", "in", "al", "alla", "alle", "ai", "agli", "allo", "e", "ed", "con",
    "la", "le", "lo", "il", "de", "da", "dal", "dalla",
}
ELIDED = ("D'", "Dell'", "Sull'", "Nell'", "All'", "L'", "Dall'")


def italian_case(name: str) -> str:
    words = name.split(" ")
    out = [words[0]]
    for word in words[1:]:
        if word.lower() in JOINING:
            word = word.lower()
        else:
            for prefix in ELIDED:
                if word.startswith(prefix):
                    word = prefix.lower() + word[len(prefix):]
                    break
        out.append(word)
    return " ".join(out)


def main(folder: str) -> None:
    places = json.load(open(f"{folder}/municipalities.json")) + json.load(open(f"{folder}/countries.json"))
    by_code: dict[str, list[tuple[str, str, str, str]]] = {}
    for p in places:
        if not re.fullmatch(r"[A-Z]\d{3}", p["code"]):
            continue
        ended = p["date_deleted"][:10]
        if ended and ended < "1900-01-01":
            continue
        name = p["name"] if p["province"] == "EE" else italian_case(p["name"])
        by_code.setdefault(p["code"], []).append((p["date_created"][:10], ended, name, p["province"]))
    rows = []
    for code, periods in by_code.items():
        joined: list[tuple[str, str, str, str]] = []
        for start, end, name, province in sorted(periods):
            if joined and joined[-1][2:] == (name, province):
                joined[-1] = (joined[-1][0], end, name, province)
            else:
                joined.append((start, end, name, province))
        rows += [(code, name, province, start, end) for start, end, name, province in joined]
    for row in sorted(rows):
        print("\t".join(row))


if __name__ == "__main__":
    main(sys.argv[1])
