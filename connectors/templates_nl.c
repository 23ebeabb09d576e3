/*
 * templates_nl: every Dutch default text partners read, in one place so a
 * Dutch-speaking partner can review them together. Which text is used for
 * which rule, level, role and kind is decided in texts.c (text_select);
 * the keys and placeholders are documented in docs/partners.md 2.6.
 *
 * Key scheme (each key can be replaced in the configuration's "templates"):
 *   <kind>                       the frame of a text: task, update, separate,
 *                                reminder, escalation, referral, test
 *   fact.<rule>[.<level>]        what happened, with the numbers
 *   fact.<rule>[.<level>].plain  the same without numbers (facts withheld)
 *   ask.<rule>[.<level>].<role>  what this role is asked to do
 *   ask.<role>                   ... for a rule without its own ask
 *   topic.<rule>[.<level>]       the topic, for e-mail subjects
 *   pupil, pupil.none            how to identify the pupil
 *   email_subject, email_subject.update, email.ack, email.ack_integration
 */
#include "partners.h"

const struct text_default text_defaults[] = {
	/* TPL_REMINDER and TPL_EMAIL_SUBJECT come first (partners.h) */
	{"reminder", "Herinnering: deze taak staat nog open. {action}"},
	{"email_subject", "vroegsignaal – {school_label}{topic} – uiterlijk {deadline}"},

	/* ---- frames, one per kind ---- */
	{"task", "{fact} {ask} Doe dit uiterlijk {deadline}. {pupil}"},
	{"update", "Nieuw gegeven in een lopende casus: {fact} Dit is geen nieuwe taak en er geldt "
		   "geen nieuwe termijn; neem het mee in uw lopende afhandeling. {pupil}"},
	{"separate", "{fact} {ask} Doe dit uiterlijk {deadline}. Dit is een aparte taak bij de "
		     "lopende casus. {pupil}"},
	{"escalation", "De taak {escalates} ({topic}) voor {role} is niet binnen de termijn "
		       "afgehandeld. Zorg als AOJ-teamleider of doorzettingsmacht dat er alsnog "
		       "actie volgt: spreek {role} hierop aan en leg vast wie wat doet. Doe dit "
		       "uiterlijk {deadline}. {pupil}"},
	{"referral", "De school heeft na het MAZL-gesprek een consult bij de jeugdarts aangevraagd "
		     "(taak {refers}). Plan het consult met de leerling en de ouders en laat de "
		     "school weten wanneer het plaatsvindt. Doe dit uiterlijk {deadline}. {pupil}"},
	{"test", "Dit is een testbericht van vroegsignaal om de verbinding met uw organisatie te "
		 "controleren. U hoeft niets te doen."},

	/* ---- what happened ---- */
	{"fact.first_month.elevated",
	 "Deze leerling was in de eerste {enrolled_days} schooldagen van dit schooljaar al "
	 "{absent_days} dagen afwezig (vanaf {window_first})."},
	{"fact.first_month.elevated.plain",
	 "Deze leerling was in de eerste schoolmaand al 2 dagen of meer afwezig."},
	{"fact.first_month.high",
	 "Deze leerling was in de eerste {enrolled_days} schooldagen van dit schooljaar al "
	 "{absent_days} dagen afwezig (vanaf {window_first}). Dat is veel: 5 dagen of meer."},
	{"fact.first_month.high.plain",
	 "Deze leerling was in de eerste schoolmaand al 5 dagen of meer afwezig."},
	{"fact.attendance_tier.tier2",
	 "Deze leerling heeft meer dan 5 % van de lestijd gemist: {rate} % over {enrolled_days} "
	 "schooldagen, en al {persist_days} schooldagen op rij meer dan 5 %."},
	{"fact.attendance_tier.tier2.plain",
	 "Deze leerling heeft al twee weken op rij meer dan 5 % van de lestijd gemist."},
	{"fact.attendance_tier.tier3",
	 "Deze leerling heeft 10 % of meer van de lessen gemist: {rate} % over {enrolled_days} "
	 "schooldagen, en al {persist_days} schooldagen op rij 10 % of meer."},
	{"fact.attendance_tier.tier3.plain",
	 "Deze leerling heeft al twee weken op rij 10 % of meer van de lessen gemist."},
	{"fact.attendance_tier.severe",
	 "Deze leerling heeft 20 % of meer van de lessen gemist: {rate} % over {enrolled_days} "
	 "schooldagen, en al {persist_days} schooldagen op rij 20 % of meer."},
	{"fact.attendance_tier.severe.plain",
	 "Deze leerling heeft al twee weken op rij 20 % of meer van de lessen gemist."},
	{"fact.mazl.frequency",
	 "Deze leerling is {sick_reports} keer ziek gemeld in de laatste {window_weeks} lesweken "
	 "(sinds {window_first})."},
	{"fact.mazl.frequency.plain",
	 "Deze leerling is 4 keer of vaker ziek gemeld in 12 lesweken."},
	{"fact.mazl.duration",
	 "Deze leerling is {days} schooldagen achter elkaar ziek gemeld (sinds {run_first})."},
	{"fact.mazl.duration.plain",
	 "Deze leerling is 7 schooldagen of langer achter elkaar ziek gemeld."},
	{"fact.mazl.concern",
	 "De school maakt zich zorgen om deze leerling (niet-pluisgevoel) en heeft dat vastgelegd."},
	{"fact.mazl.concern.plain",
	 "De school maakt zich zorgen om deze leerling (niet-pluisgevoel) en heeft dat vastgelegd."},
	{"fact.leerplicht_16u",
	 "Deze leerling was van {start} tot en met {end} {absence} ongeoorloofd afwezig, binnen 4 "
	 "lesweken: de grens van 16 uur is bereikt."},
	{"fact.leerplicht_16u.plain",
	 "Deze leerling was binnen 4 lesweken 16 uur of meer ongeoorloofd afwezig."},
	{"fact.lrv.4w",
	 "Deze leerling is {days} schooldagen achter elkaar ongeoorloofd afwezig (sinds "
	 "{run_first}): langer dan 4 weken thuis zonder geldige reden."},
	{"fact.lrv.4w.plain",
	 "Deze leerling is langer dan 4 weken achter elkaar ongeoorloofd afwezig."},
	{"fact.lrv.3m",
	 "Deze leerling is {days} schooldagen achter elkaar ongeoorloofd afwezig (sinds "
	 "{run_first}): al 3 maanden of langer thuis zonder onderwijs."},
	{"fact.lrv.3m.plain",
	 "Deze leerling is al 3 maanden of langer thuis zonder onderwijs."},
	{"fact.long_sick.4w",
	 "Deze leerling is {days} schooldagen achter elkaar ziek gemeld (sinds {run_first}): 4 "
	 "weken of langer."},
	{"fact.long_sick.4w.plain", "Deze leerling is 4 weken of langer achter elkaar ziek gemeld."},
	{"fact.long_sick.3m",
	 "Deze leerling is {days} schooldagen achter elkaar ziek gemeld (sinds {run_first}): 3 "
	 "maanden of langer."},
	{"fact.long_sick.3m.plain", "Deze leerling is 3 maanden of langer achter elkaar ziek gemeld."},
	{"fact.luxe",
	 "De school heeft vanaf {first_day} ongeoorloofde afwezigheid geregistreerd die mogelijk "
	 "luxeverzuim is (vakantie buiten de schoolvakanties zonder toestemming)."},
	{"fact.luxe.plain",
	 "De school heeft ongeoorloofde afwezigheid geregistreerd die mogelijk luxeverzuim is "
	 "(vakantie buiten de schoolvakanties zonder toestemming)."},
	{"fact.absolute",
	 "Deze leerling is op {unenrolled_on} uitgeschreven zonder nieuwe school en is nog "
	 "leerplichtig (mogelijk absoluut verzuim)."},
	{"fact.absolute.plain",
	 "Deze leerling is uitgeschreven zonder nieuwe school en is nog leerplichtig (mogelijk "
	 "absoluut verzuim)."},

	/* ---- what this role is asked to do ---- */
	{"ask.first_month.school",
	 "Neem contact op met de leerling en de ouders, vraag naar de reden van de afwezigheid en "
	 "spreek af hoe de leerling weer elke dag komt."},
	{"ask.attendance_tier.tier2.school",
	 "Bespreek de aanwezigheid met de leerling en de ouders en maak concrete afspraken."},
	{"ask.attendance_tier.tier3.school",
	 "Bespreek de leerling in het zorgteam en zet intensieve begeleiding in; betrek zo nodig "
	 "de jeugdarts of het samenwerkingsverband."},
	{"ask.attendance_tier.severe.school",
	 "Bespreek de leerling direct in het zorgteam en stel samen met het samenwerkingsverband "
	 "een plan op."},
	{"ask.attendance_tier.swv",
	 "Neem contact op met de zorgcoördinator van de school en bespreek of het Expertise- en "
	 "Consultatieteam (ECT) ondersteuning moet bieden."},
	{"ask.mazl.school",
	 "Voer het MAZL-gesprek met de leerling en de ouders. Is daarna een consult bij de "
	 "jeugdarts nodig, vraag dat dan aan als u deze taak afhandelt."},
	{"ask.mazl.jeugdarts",
	 "Beoordeel of een consult nodig is en neem zo nodig contact op met de school."},
	{"ask.leerplicht_16u.school",
	 "Meld dit binnen {duo_days} werkdagen bij het Verzuimloket van DUO (wettelijke "
	 "meldplicht, artikel 21a Leerplichtwet)."},
	{"ask.leerplicht_16u.leerplicht",
	 "Beoordeel de melding, nodig de leerling en de ouders uit voor een gesprek en stem af met "
	 "de zorgcoördinator van de school."},
	{"ask.lrv.leerplicht",
	 "Neem contact op met de leerling en de ouders, stem met de school en het "
	 "samenwerkingsverband een plan voor terugkeer naar onderwijs af en leg de afspraken vast."},
	{"ask.lrv.swv",
	 "Onderzoek met de school welke ondersteuning of welk onderwijsaanbod deze leerling nodig "
	 "heeft en bespreek de leerling in het ECT."},
	{"ask.lrv.3m.escalation",
	 "Beoordeel of doorzettingsmacht nodig is om op korte termijn een onderwijsaanbod te "
	 "realiseren, en wijs een verantwoordelijke partner aan."},
	{"ask.long_sick.swv",
	 "Bespreek de leerling in het ECT en ga met de school na welke ondersteuning nodig is om "
	 "(gedeeltelijk) onderwijs te blijven volgen."},
	{"ask.long_sick.3m.escalation",
	 "Beoordeel of doorzettingsmacht nodig is zodat deze leerling een passend onderwijsaanbod "
	 "krijgt."},
	{"ask.luxe.leerplicht",
	 "Beoordeel of er sprake is van luxeverzuim, neem contact op met de ouders en stem af met "
	 "de school."},
	{"ask.absolute.leerplicht",
	 "Zoek uit waar de leerling onderwijs volgt of gaat volgen en zorg dat de leerling weer "
	 "ingeschreven wordt."},
	{"ask.school", "Bespreek de situatie met de leerling en de ouders en leg de afspraken vast."},
	{"ask.jeugdarts",
	 "Beoordeel of de jeugdgezondheidszorg een rol heeft en neem zo nodig contact op met de "
	 "school."},
	{"ask.leerplicht",
	 "Beoordeel de situatie en neem zo nodig contact op met de leerling, de ouders en de school."},
	{"ask.rmc",
	 "Neem contact op met de jongere en bekijk samen met de school hoe de jongere onderwijs "
	 "blijft volgen of een startkwalificatie haalt."},
	{"ask.swv",
	 "Neem contact op met de zorgcoördinator van de school en bespreek of ondersteuning vanuit "
	 "het samenwerkingsverband nodig is."},
	{"ask.wij",
	 "Neem contact op met de school en bekijk of het WIJ-team de leerling en het gezin kan "
	 "ondersteunen."},
	{"ask.escalation",
	 "Zorg dat een verantwoordelijke partner actie onderneemt en leg vast wie wat doet."},

	/* an update's subject: an update has no deadline of its own */
	{"email_subject.update", "vroegsignaal – {school_label}{topic} – nieuw signaal bij een lopende casus"},

	/* ---- topics, for e-mail subjects and escalations ---- */
	{"topic.first_month", "verzuim in de eerste schoolmaand"},
	{"topic.attendance_tier.tier2", "verzuim boven 5 %"},
	{"topic.attendance_tier.tier3", "verzuim 10 % of meer"},
	{"topic.attendance_tier.severe", "verzuim 20 % of meer"},
	{"topic.mazl", "MAZL, veel ziekmeldingen"},
	{"topic.mazl.concern", "MAZL, zorg om een leerling"},
	{"topic.leerplicht_16u", "16 uur ongeoorloofd verzuim"},
	{"topic.lrv.4w", "thuiszitter, langer dan 4 weken"},
	{"topic.lrv.3m", "thuiszitter, 3 maanden of langer"},
	{"topic.long_sick.4w", "langdurig ziek, 4 weken of langer"},
	{"topic.long_sick.3m", "langdurig ziek, 3 maanden of langer"},
	{"topic.luxe", "mogelijk luxeverzuim"},
	{"topic.absolute", "uitgeschreven zonder nieuwe school"},
	{"topic.escalation", "escalatie: {topic}"},
	{"topic.referral", "consultverzoek na MAZL-gesprek"},
	{"topic.test", "testbericht"},

	/* ---- the pupil, and how to acknowledge an e-mail ---- */
	{"pupil", "Leerling: {student} (pseudonieme sleutel; de school kan die koppelen aan haar "
		  "eigen administratie). Taaknummer: {id}."},
	{"pupil.none", "Taaknummer: {id}; de school weet om welke leerling het gaat."},
	{"email.ack",
	 "Laat weten wat u heeft gedaan door deze e-mail te beantwoorden met het taaknummer {id} en "
	 "de uitkomst (gepland, contact gehad, afgehandeld of niet van toepassing). De beheerder "
	 "van vroegsignaal legt het voor u vast."},
	{"email.ack_integration",
	 "Uw systeem kan de taak met uw eigen token bevestigen via {ack_link}. U kunt ook deze "
	 "e-mail beantwoorden met het taaknummer {id} en de uitkomst; de beheerder van "
	 "vroegsignaal legt het dan voor u vast."},
};

const int text_defaults_count = (int)(sizeof text_defaults / sizeof text_defaults[0]);
_Static_assert(sizeof text_defaults / sizeof text_defaults[0] <= TPL_COUNT,
	       "TPL_COUNT (partners.h) must hold every text");
