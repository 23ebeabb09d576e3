#!/usr/bin/env python3
"""Partner load from replayed signals (bench/partner_load.sh); standard
library only.

    partner_load.py EVENTS.jsonl LABEL CONFIG SIGNALS.jsonl [LABEL CONFIG SIGNALS.jsonl ...]

For each build (LABEL): its signals per rule and its tasks per partner role,
a task per role the build's routes (CONFIG's `routes`, else the defaults
of docs/partners.md) name for the signal, with `leerplicht` going to `rmc`
for a pupil of `rules.adult_age` or older at the signal's date. Each figure
is given per lesson week (mean over the lesson weeks of the registrations'
school years, and the worst week) and per 1,000 pupils a school year.
Prints Markdown tables.
"""
import datetime
import fnmatch
import json
import os
import sys

DEFAULT_ROUTES = [
    {"rule": "first_month", "roles": ["school"]},
    {"rule": "attendance_tier", "level": "tier2", "roles": ["school"]},
    {"rule": "attendance_tier", "roles": ["school", "swv"]},
    {"rule": "mazl", "roles": ["school"]},
    {"rule": "leerplicht_16u", "roles": ["school", "leerplicht"]},
    {"rule": "lrv", "level": "4w", "roles": ["leerplicht", "swv"]},
    {"rule": "lrv", "level": "3m", "roles": ["escalation"]},
    {"rule": "long_sick", "level": "4w", "roles": ["swv"]},
    {"rule": "long_sick", "level": "3m", "roles": ["swv", "escalation"]},
    {"rule": "luxe", "roles": ["leerplicht"]},
    {"rule": "absolute", "roles": ["leerplicht"]},
]
ROLES = ["school", "jeugdarts", "leerplicht", "rmc", "swv", "wij", "escalation"]


def parse_date(s):
    return datetime.date(int(s[:4]), int(s[5:7]), int(s[8:10]))


def age_at(birth, d):
    if birth is None:
        return None
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


def route(routes, sig, sector, age, adult_age):
    for r in routes:
        if "rule" in r and r["rule"] != sig["rule"]:
            continue
        if "level" in r and r["level"] != sig.get("level"):
            continue
        if "trigger" in r and r["trigger"] != sig.get("trigger"):
            continue
        if "sector" in r and r["sector"] != sector:
            continue
        if "school" in r and not fnmatch.fnmatchcase(sig["school"], r["school"]):
            continue
        if "age" in r:
            if age is None:
                continue
            if "min" in r["age"] and age < r["age"]["min"]:
                continue
            if "max" in r["age"] and age > r["age"]["max"]:
                continue
        roles = list(r["roles"])
        break
    else:
        roles = []
    if age is not None and age >= adult_age and "leerplicht" in roles:
        roles = [x for x in roles if x != "leerplicht"] + ["rmc"]
    return roles


# Case topics (RULES.md "Cases") and the model of a case's life used here:
# the partner acknowledges with an in-progress outcome and never closes it
# by hand, so a case closes when idle for CASE_IDLE_DAYS after its last
# signal (the daemon's dispatch.case_idle_days, default 90). Closing earlier
# with done would give more new cases: this is the fewest a partner sees.
TOPICS = {"first_month": "attendance", "attendance_tier": "attendance", "mazl": "health",
          "long_sick": "health", "leerplicht_16u": "unauthorised", "lrv": "unauthorised",
          "luxe": "unauthorised", "absolute": "enrolment"}
CASE_IDLE_DAYS = 90


def week_of(d):
    iso = d.isocalendar()
    return (iso[0], iso[1])


def main():
    events = sys.argv[1]
    builds = [sys.argv[i:i + 3] for i in range(2, len(sys.argv), 3)]
    birth, sector, pupils, weeks, years = {}, {}, set(), set(), set()
    with open(events, encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if "student" not in e or "date" not in e:
                continue
            if e.get("kind") == "enrol":
                pupils.add(e["student"])
                if "birth_date" in e:
                    birth[e["student"]] = parse_date(e["birth_date"])
            elif e.get("kind") not in ("unenrol", "concern"):
                d = parse_date(e["date"])
                weeks.add(week_of(d))
                years.add(d.year if d.month >= 8 else d.year - 1)
            sector[e["student"]] = e.get("sector")
    nweeks, nyears, npupils = len(weeks), max(1, len(years)), len(pupils)
    print("%d pupils, %d school year(s), %d lesson weeks\n" % (npupils, nyears, nweeks))

    results = []
    for label, config, signals in builds:
        with open(config, encoding="utf-8") as f:
            cfg = json.load(f)
        routes = cfg.get("routes", DEFAULT_ROUTES)
        adult_age = cfg.get("rules", {}).get("adult_age", 18)
        by_rule, by_role, by_case, by_work, last = {}, {}, {}, {}, {}
        by_case_rule = {}
        with open(signals, encoding="utf-8") as f:
            sigs = sorted((json.loads(line) for line in f), key=lambda s: s["date"])
            for s in sigs:
                d = parse_date(s["date"])
                w = week_of(d)
                key = s["rule"] + ("." + s["level"] if "level" in s else "") + \
                    ("." + s["trigger"] if "trigger" in s else "")
                by_rule.setdefault(key, {}).setdefault(w, 0)
                by_rule[key][w] += 1
                roles = route(routes, s, sector.get(s["student"]),
                              age_at(birth.get(s["student"]), d), adult_age)
                for r in roles:
                    by_role.setdefault(r, {}).setdefault(w, 0)
                    by_role[r][w] += 1
                    k = (s["student"], r, TOPICS.get(s["rule"], s["rule"]))
                    prev = last.get(k)
                    last[k] = d
                    new_case = prev is None or (d - prev).days >= CASE_IDLE_DAYS
                    separate = s["rule"] == "leerplicht_16u" and r == "school"
                    if new_case:
                        by_case.setdefault(r, {}).setdefault(w, 0)
                        by_case[r][w] += 1
                        per_rule = by_case_rule.setdefault(r, {}).setdefault(key, {})
                        per_rule[w] = per_rule.get(w, 0) + 1
                    if new_case or separate:
                        by_work.setdefault(r, {}).setdefault(w, 0)
                        by_work[r][w] += 1
        results.append((label, by_rule, by_role, by_case, by_work, by_case_rule))

    def stats(per_week):
        total = sum(per_week.values())
        worst = max(per_week.items(), key=lambda kv: (kv[1], kv[0])) if per_week else None
        return total, total / max(1, nweeks), worst, total * 1000.0 / npupils / nyears

    def table(title, index, keys):
        print("| %s | " % title + " | ".join(
            "%s mean/week | %s worst week | %s per 1,000/yr" % (l, l, l) for l, *_ in results) + " |")
        print("|---|" + "---|---|---|" * len(results))
        for k in keys:
            cells = []
            for res in results:
                t, mean, worst, per_k = stats(res[1 + index].get(k, {}))
                wtxt = "%d (%d-W%02d)" % (worst[1], worst[0][0], worst[0][1]) if worst else "0"
                cells.append("%.1f | %s | %.1f" % (mean, wtxt, per_k))
            print("| %s | %s |" % (k, " | ".join(cells)))
        tot = []
        for res in results:
            merged = {}
            for per_week in res[1 + index].values():
                for w, c in per_week.items():
                    merged[w] = merged.get(w, 0) + c
            t, mean, worst, per_k = stats(merged)
            wtxt = "%d (%d-W%02d)" % (worst[1], worst[0][0], worst[0][1]) if worst else "0"
            tot.append("%.1f | %s | %.1f" % (mean, wtxt, per_k))
        print("| **all** | %s |\n" % " | ".join(tot))

    rules = sorted({k for res in results for k in res[1]})
    table("signals (rule)", 0, rules)
    roles = [r for r in ROLES if any(r in res[2] for res in results)]
    table("tasks without cases (role)", 1, roles)
    table("new cases (role)", 2, roles)
    table("tasks with cases: new cases + separate DUO tasks (role)", 3, roles)
    # Which signals open the cases of each role outside the school, and how
    # many of them fall in that role's worst week: what makes the peak.
    for label, *res in results:
        print("| %s: new cases by signal (role) | mean/week | in the role's worst week |" % label)
        print("|---|---|---|")
        for r in roles:
            if r == "school" or r not in res[2]:
                continue
            wk = max(res[2][r].items(), key=lambda kv: (kv[1], kv[0]))[0]
            for key, per_week in sorted(res[4][r].items()):
                print("| %s: %s | %.1f | %d (%d-W%02d) |" % (
                    r, key, sum(per_week.values()) / max(1, nweeks), per_week.get(wk, 0),
                    wk[0], wk[1]))
        print()
    # OVERDUE_PERCENT=P: what the escalation role would get from overdue
    # escalations if P % of every other role's tasks (case tasks and the
    # school's separate DUO tasks) were not acknowledged in the window; the
    # benchmark cannot know the real share, so it is a what-if.
    overdue = float(os.environ.get("OVERDUE_PERCENT", "0"))
    if overdue > 0:
        for label, *res in results:
            for only in (None, "attendance_tier.severe"):
                merged = {}
                for r, per_week in res[3].items():
                    if r == "escalation":
                        continue
                    if only is not None:
                        per_week = res[4].get(r, {}).get(only, {}) if r == "school" else {}
                    for w, c in per_week.items():
                        merged[w] = merged.get(w, 0) + c * overdue / 100.0
                if not merged:
                    continue
                wk, worst = max(merged.items(), key=lambda kv: (kv[1], kv[0]))
                print("%s: %g %% of %s overdue: %.1f escalations a week, worst week %.1f (%d-W%02d)" % (
                    label, overdue, "the school's severe tasks" if only else "all tasks",
                    sum(merged.values()) / max(1, nweeks), worst, wk[0], wk[1]))
        print()
    for label, *res in results:
        sc = res[2].get("school", {})
        t = sum(sc.values())
        worst = max(sc.values()) if sc else 0
        print("%s: school new cases per 1,000 pupils per lesson week: mean %.2f, worst week %.2f" %
              (label, t * 1000.0 / npupils / max(1, nweeks), worst * 1000.0 / npupils))


if __name__ == "__main__":
    main()
