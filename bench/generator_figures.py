#!/usr/bin/env python3
"""Counts the generator's calibration figures (docs/generate.md) from a
generated file of registrations and the signals `vroegsignaal replay` made
of it. Used by bench/generator_calibration.sh; standard library only.

    generator_figures.py EVENTS.jsonl SIGNALS.jsonl FULL_DAY_MINUTES [SECTOR]

Prints one figure a line, "name<TAB>value". Figures are per 1,000 pupils a
school year (the file's pupils, the number of school years it spans) unless
the name says otherwise. SECTOR (e.g. vo) limits the authorised-absence
shares to the pupils of that sector.
"""
import json
import sys


def school_year(date):
    """The school year (its first calendar year) a date of August to July is in."""
    y, m = int(date[:4]), int(date[5:7])
    return y if m >= 8 else y - 1


def main():
    events_path, signals_path, full_day = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sector_only = sys.argv[4] if len(sys.argv) > 4 else None
    pupils = set()
    sector_of = {}
    # (student, date, period) -> (kind, authorized, minutes): the last
    # registration recorded wins, as a correction does
    regs = {}
    with open(events_path, encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            s, kind = e.get("student"), e.get("kind")
            if not s or not kind:
                continue
            if kind == "enrol":
                pupils.add(s)
                sector_of.setdefault(s, e.get("sector"))
                continue
            if kind in ("unenrol", "concern"):
                continue
            regs[(s, e["date"], e.get("period", 0))] = (kind, e.get("authorized"),
                                                        e.get("minutes"))
    years = set()
    day_sick = {}   # student -> set of dates with a whole day sick
    minutes = {}    # (student, date) -> authorised (sick or authorized=yes) minutes
    sick_minutes = 0
    school_days = set()
    for (s, date, period), (kind, auth, mins) in regs.items():
        school_days.add(date)
        years.add(school_year(date))
        if kind == "sick" or (kind == "absent" and auth == "yes"):
            if period:
                add = mins if mins is not None else 50
            else:
                add = mins if mins is not None else full_day
            key = (s, date)
            minutes[key] = min(full_day, minutes.get(key, 0) + add)
            if kind == "sick":
                sick_minutes += min(add, full_day)
                if not period and (mins is None or mins >= full_day):
                    day_sick.setdefault(s, set()).add(date)
    n = len(pupils)
    nyears = max(1, len(years))
    per_k = 1000.0 / n / nyears

    sig_pupils = {}
    sig_count = {}
    with open(signals_path, encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            key = s["rule"] + ("." + s["level"] if "level" in s else "")
            sig_count[key] = sig_count.get(key, 0) + 1
            # a pupil counts once per school year
            sig_pupils.setdefault(s["rule"], set()).add((s["student"], school_year(s["date"])))

    # Long sick at a census: whole days sick on each of the 20 school days up
    # to and including the census day; the census is the first school day of
    # each month from October to June, averaged.
    days = sorted(school_days)
    index = {d: i for i, d in enumerate(days)}
    census = []
    seen = set()
    for d in days:
        ym = d[:7]
        if ym not in seen and int(d[5:7]) not in (7, 8, 9):
            seen.add(ym)
            census.append(d)
    at_census = []
    for c in census:
        i = index[c]
        if i < 19:
            continue
        window = days[i - 19:i + 1]
        at_census.append(sum(1 for ds in day_sick.values() if all(w in ds for w in window)))
    # authorised minutes per pupil and school year
    per_pupil = {}
    for (s, date), m in minutes.items():
        key = (s, school_year(date))
        per_pupil[key] = per_pupil.get(key, 0) + m
    group = [(s, y) for s in pupils for y in sorted(years)
             if sector_only is None or sector_of.get(s) == sector_only]
    ge64 = sum(1 for k in group if per_pupil.get(k, 0) >= 64 * 60)
    gt100 = sum(1 for k in group if per_pupil.get(k, 0) > 100 * 60)

    out = [
        ("pupils", n),
        ("school_years", nyears),
        ("pupils_with_16h_report", len(sig_pupils.get("leerplicht_16u", ())) * per_k),
        ("lrv_runs_4w", sig_count.get("lrv.4w", 0) * per_k),
        ("absolute", sig_count.get("absolute", 0) * per_k),
        ("long_sick_4w_at_census", sum(at_census) / max(1, len(at_census)) * 1000.0 / n),
        ("authorised_64h_pct", 100.0 * ge64 / max(1, len(group))),
        ("authorised_100h_pct", 100.0 * gt100 / max(1, len(group))),
        ("sick_days_per_pupil_year", sick_minutes / full_day / n / nyears),
    ]
    for k in sorted(sig_count):
        out.append(("signals." + k, sig_count[k] * per_k))
    for name, v in out:
        print("%s\t%s" % (name, ("%.1f" % v) if isinstance(v, float) else v))


if __name__ == "__main__":
    main()
