# horrors — English messages (the reference: every other language has the same ids and
# the same { $placeholders }). Terms of the method are listed in docs/glossary.md.

## The language itself, as its speakers write it (shown in the language switcher)

language-name = English
language-short = EN

## Frame of every page

layout-skip = Skip to content
layout-pages = Pages
layout-language = Language
layout-logout = Log out
nav-tally = Tally
nav-dashboard = Dashboard
nav-admin = Admin
role-staff = staff
role-viewer = viewer
role-admin = admin

## 403 page

forbidden-title = Not allowed
forbidden-heading = This page needs the { $role } role
forbidden-signed-in = You are signed in as { $name } with the { $role } role.
forbidden-ask = Ask an admin for a { $role } token.
forbidden-own-page = Go to your own page

## Login

login-title = Log in
login-signed-in = You are signed in as { $name } ({ $role }).
login-go-home = Go to your page,
login-switch = or paste another token below to switch.
login-intro = Paste the token your admin gave you. This device then stays signed in for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }, or until the token is revoked.
login-token = Token
login-submit = Log in
login-error-origin = This sign-in did not come from this site's own login page.
login-error-empty = Paste your token first.
login-error-unknown = That token is unknown or has been revoked. Check it, or ask an admin for a new one.
login-error-logout = Log out from the button on one of this site's pages.
login-with-provider = Sign in with { $provider }
login-or-token = Or paste a token:
oidc-error-not-configured = Sign-in with an identity provider is not set up here. Paste a token instead.
oidc-error-unreachable = The identity provider cannot be reached just now. Try again in a minute, or paste a token.
oidc-error-state = This sign-in is not valid: it was used already, is more than 10 minutes old, or did not start in this browser. Start again with the button.
oidc-error-provider = The identity provider did not sign you in.
oidc-error-token = The identity provider's answer could not be verified, so you are not signed in. Start again; if it happens again, tell IT.
oidc-error-no-role = Your account is in no group that may use horrors. Ask IT to add you to one of the groups horrors is set up for.
oidc-error-site = Your account names a site that horrors does not know. Ask IT to correct the site in your account.

## Tally (floor staff, on a phone). Texts with { $name }-style placeholders in the
## "script" group are filled in by the page's script.

tally-title = Tally
tally-noscript = The tally needs JavaScript to record taps. Please turn it on for this site.
tally-department = Department
tally-department-choose = Choose your department…
tally-complaint = A customer complained
tally-more = More: quantity, note
tally-qty = Quantity
tally-note = Note
tally-next-only = Used for the next tap only.
tally-lead = Tap once each time it happens.
tally-chosen = { $name } is chosen (from a check sheet's code): tap its button, first below, each time it happens.
tally-today = today
tally-site = Site:
tally-undo = Undo
tally-change-site = Change site
tally-pick-heading = Which site are you at?
tally-pick-lead = Choose your site before the first tap. This phone remembers it; change it at the top of the tally.
tally-pick-none = No site takes ticks now. Ask an admin to add one.

## Tally: texts for the page's script

tally-state-saved = saved ✓
tally-state-queued = queued
tally-state-saving = saving…
tally-waiting = { $count } waiting to sync
tally-waiting-problem = { $count } waiting to sync — { $problem }
tally-all-saved = All taps saved.
tally-choose-department = Choose your department first; it is remembered on this phone.
tally-tapped = { $name } +{ $qty }
tally-tapped-complaint = { $name } +{ $qty } (complaint)
tally-line = { $what } — { $status }
tally-status-saving = saving…
tally-status-offline = kept on this phone until the network is back
tally-status-waiting = waiting for the network
tally-status-saved = saved ✓
tally-problem-session = your session has ended: log in again (taps are kept on this phone)
tally-problem-reload = reload the page to keep syncing
tally-problem-busy = the server is busy; retrying
tally-not-recorded = Not recorded — { $reasons }
tally-rejected = { $name }: { $reason }
tally-refused = refused by the server
tally-undoing = Undoing { $name }…
tally-undone-unsent = Undone: { $name } (it had not been sent yet).
tally-still-saving = Still saving — press Undo again in a moment.
tally-undone = Undone: { $name }.
tally-too-late = Too late to undo (15 minutes have passed); ask an admin to void it.
tally-undo-failed = Undo failed ({ $status }); try again.
tally-undo-offline = Undo needs the network; try again when you are online.
tally-logout-confirm = Taps not synced yet: { $count }. They stay on this phone and sync after the next login. Log out anyway?

## Words of the method, used everywhere (docs/glossary.md)

tier-worst = worst
tier-worse = worse
tier-bad = bad
badge-focus = focus
badge-focus-title = A focus of an improvement cycle in this window
alerts-heading = { $count ->
    [one] 1 open alert: a rise above the usual level that is still going on
   *[other] { $count } open alerts: rises above the usual level that are still going on
}
alert-episode = { $horror }: above the usual level since { $since }, { $days ->
    [one] 1 signal day
   *[other] { $days } signal days
}, { $rate } against { $usual }
alert-episode-site = { $horror } at { $site }: above the usual level since { $since }, { $days ->
    [one] 1 signal day
   *[other] { $days } signal days
}, { $rate } against { $usual }
rate-per-day = { $rate } a day
rate-per-volume = { $rate } per 1,000 { $unit }
badge-not-ahead = not clearly ahead of the next
badge-not-ahead-title = The counts cannot yet tell that this horror weighs more than the next one down (one-sided test over the complete days, p ≥ 0.05)
change-noise = no clear change
change-noise-title = The rate over the complete days is not clearly different from the previous window's (the test allows for chance and for clumped counts; q ≥ 0.05)
change-too-few = too few to tell
change-too-few-title = Too few occurrences over the complete days to tell a change from chance
change-clear = clear change
change-clear-title = The rate over the complete days is clearly different from the previous window's (q < 0.05, allowing for every horror and site tested at once)
badge-retired = retired
cycle-status-planned = planned
cycle-status-running = running
cycle-status-finished = finished

## Dashboard (managers)

dashboard-title = Dashboard
dashboard-question = What should we fix first?
span-today = today
span-last-days = in the last { $days ->
        [one] day
       *[other] { $days } days
    }
span-custom = from { $from } to { $to }
span-cycle = during cycle “{ $name }”
span-previous-day = the day before
span-previous-days = the previous { $days } days
span-cycle-previous-day = the day before it
span-cycle-previous-days = the { $days } days before it
fix-first-nothing = Nothing was recorded { $span }: tally every horror as it happens, then come back to see what to fix first.
fix-first = Fix first: { $name } — { $share } of the priority score, { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    }{ $complaints ->
        [0] {""}
        [one] {" "}(1 complaint)
       *[other] {" "}({ $complaints } complaints)
    } costing { $cost } { $span }, { $change }.
change-up = up { $pct } on { $previous }
change-down = down { $pct } on { $previous }
change-same = the same as { $previous }
change-none = none in { $previous }
change-clear-up = up { $pct } on { $previous } — a clear change
change-clear-down = down { $pct } on { $previous } — a clear change
change-unclear = no clear change on { $previous }
change-unknown = too few to tell a change on { $previous }
pareto-line = The top { $top } of { $total } horrors make up { $share } of the priority score.
dashboard-bad-window = That window cannot be shown ({ $problem }); showing the last { $days } days instead.
dashboard-ranking = Ranking
dashboard-window-note = { $from } to { $to } ({ $days ->
        [one] { $days } day
       *[other] { $days } days
    }), compared with { $previous_from } to { $previous_to }. Total { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    } costing { $cost }; { $change }.
total-change-up = up { $pct } on the previous window ({ $previous })
total-change-down = down { $pct } on the previous window ({ $previous })
total-change-same = the same as the previous window ({ $previous })
total-change-none = nothing in the previous window
dashboard-caption = Horrors in priority order { $span }
col-rank = Rank
col-horror = Horror
col-tier = Tier
col-count = Count
col-complaints = Complaints
col-cost-in = Cost ({ $currency })
col-previous = Previous
col-change = Change
dashboard-total = Total
dashboard-tiers-hint = Tiers follow the priority score (pain and cost): { $worst } first, then { $worse }, then { $bad }. A rising count is shown in red.
change-cell-up = up
change-cell-down = down
change-cell-same = unchanged
change-cell-new = new
dashboard-charts = Charts
dashboard-chart-pareto = Pareto: priority order and cumulative share
dashboard-chart-pareto-alt = Bars of each horror's priority score in priority order, coloured by tier, with the cumulative share and an 80 % line.
dashboard-chart-compare = This window against the previous one
dashboard-chart-compare-alt = Each horror's count in the previous window beside its count in this window.
dashboard-chart-cost = Cost per horror
dashboard-chart-cost-alt = Total cost of each horror in this window.
dashboard-chart-trend = Trend
dashboard-chart-trend-alt = Counts per horror over time with the weighted failure index.
dashboard-chart-matrix = Pain against cost
dashboard-chart-matrix-alt = Each horror placed by customer pain and cost, bubble size by count; the top-right quadrant hurts most.
dashboard-exports = Exports
export-ranking = Ranking (CSV)
export-ticks = Every tick (CSV)
export-this-window = this window
export-annual = Annual review { $year } (ZIP)
export-annual-note = spreadsheet, charts, printable report
picker-window = Window
picker-last-days = Last { $days } days
picker-custom = Custom dates
picker-from = From
picker-to = To
picker-show = Show
picker-cycle-legend = Improvement cycle
picker-no-cycles = No cycles yet. An admin starts one on the Admin page.
picker-cycle = Cycle
picker-cycle-option = { $name } ({ $start } to { $end }, { $status })
dashboard-question-site = What should we fix first at { $site }?
picker-site-heading = Site
picker-all-sites = All sites
picker-site-retired = { $site } (retired)
compare-sites-link = Compare sites
col-rate = Per 1,000 { $unit }
dashboard-volume-note = Rates are per 1,000 { $unit } and count only days with recorded volume: { $units } { $unit } over { $pairs ->
        [one] { $pairs } site-day
       *[other] { $pairs } site-days
    } in this window.
compare-sites = Compare sites
compare-sites-intro = Each site's own ranking in this window: count, cost, the rate per 1,000 where volume is recorded, and the horror at its top. Open a site to see its whole ranking.
compare-no-site = (no site)
col-site = Site
col-top-horror = Top horror
dashboard-chart-sites = Pareto per site
dashboard-chart-sites-alt = One small Pareto chart per site, each with that site's horrors in priority order.
volume-heading = Volume
volume-intro = Record how many { $unit } were handled on a day, so that horrors can be read per 1,000 { $unit }. Saving the same day and site again replaces the number.
volume-day = Day
volume-site = Site
volume-units = Number of { $unit }
volume-save = Save volume
volume-units-whole = Enter a whole number, 0 or more.
volume-saving = Saving…
volume-saved = Saved: { $units } { $unit } on { $day }.
volume-saved-at = Saved: { $units } { $unit } at { $site } on { $day }.

## Admin

list-separator = {", "}
admin-title = Admin
admin-sections = Sections
admin-saved-catalogue = The catalogue was saved.
admin-saved-cycle = The cycle was saved.
admin-catalogue = Catalogue
admin-tokens = Tokens
admin-cycles = Cycles and focus
admin-catalogue-intro = The { $min } to { $max } worst ways you can fail a customer, in the order staff see them. A horror left out is retired: its ticks stay, and adding its key back brings it back. A key never changes once saved.
admin-add-horror = Add a horror
admin-save-catalogue = Save catalogue
admin-retired = Retired
admin-add-back = Add back
admin-horror-number = Horror { $number }
admin-key = Key
admin-key-fixed = A key never changes
admin-name = Name
admin-description = Description (optional)
admin-pain = Pain (1–10)
admin-unit-cost = Unit cost ({ $currency })
admin-operational = Also hurts operations
admin-move-up = Move up
admin-remove = Remove
admin-tokens-intro = Each person or device gets its own token: { $staff } tally, { $viewer } also reads the dashboard and exports, { $admin } also changes the catalogue, cycles and tokens. A revoked token stops working at once, and so do its sessions.
admin-token-name-example = e.g. Dispatch phone 2
admin-role = Role
admin-create-token = Create token
admin-new-token = New token for { $name }. Copy it now: it is shown only this once.
admin-copy = Copy
admin-created = Created
admin-status = Status
admin-action = Action
admin-you = you
admin-token-active = active
admin-token-revoked = revoked { $date }
admin-revoke = Revoke
admin-cycles-intro = An improvement cycle is a window in which the team fixes at most { $max } focus horrors, taken from the top of the ranking. Measure again after it to see whether they fell.
admin-no-cycles = No cycles yet.
admin-cycle-line = { $start } to { $end } ({ $days ->
        [one] { $days } day
       *[other] { $days } days
    }, { $status }). Focus: { $focus }.
admin-focus-none = none
admin-cycle-ranking = Ranking in this cycle
admin-edit-cycle = Edit { $name }
admin-save-cycle = Save cycle
admin-start-cycle-heading = Start a cycle
admin-start-cycle = Start cycle
admin-first-day = First day
admin-days = Days
admin-focus-legend = Focus (at most { $max })
admin-note = Note (optional)
admin-token-site = Site
admin-token-any-site = Every site (not bound)
admin-token-site-hint = A token bound to a site records and reads at that site only. Admin tokens cannot be bound.
admin-token-all-sites = all sites

## Admin: texts for the page's script

admin-unreachable = The server cannot be reached; check the network and try again.
admin-server-answered = The server answered { $status }.
admin-catalogue-full = The catalogue already holds { $max } horrors; remove one first.
admin-pain-whole = must be a whole number from 1 to 10
admin-token-name-needed = Give the token a name, such as the person or device that will use it.
admin-new-token-for = { $name } ({ $role })
admin-copied = Copied
admin-revoke-confirm = Revoke “{ $name }”? Every device using it stops working at once.
admin-revoke-own-confirm = Revoke “{ $name }”? It is the token you are signed in with: you will be logged out.
admin-days-whole = must be a whole number of days

## Charts (titles, legends, axes and notices; horror names are drawn as written)

chart-no-ticks = no ticks in this window
chart-occurrences = { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    }
chart-pareto-groups-title = Hierarchy of horrors by { $group } — { $organization }
chart-pareto-groups-more = { $count } more not shown
chart-pareto-groups-top = top: { $horror }
group-site = site
group-department = department
group-source = source
group-none = (none)
chart-pareto-title = Hierarchy of horrors — { $organization }
chart-pareto-subtitle = { $window } · priority order · { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    }
chart-cumulative-share-key = cumulative share of priority
chart-axis-occurrences = occurrences
chart-axis-cumulative-share = cumulative share
chart-cost-title = Cost of horrors — { $organization }
chart-cost-subtitle = { $window } · total { $cost }
chart-axis-cost = cost in window ({ $currency })
chart-trend-title = Horrors over time — { $organization }
chart-trend-subtitle = { $window } · { $bucket } · { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    }
chart-by-day = by day
chart-by-week = by week
chart-by-month = by month
chart-index-key = pain-point index (right axis)
chart-axis-pain-points = pain points
chart-so-far = so far

## Control chart (SPEC §18)
chart-control-title = Control chart — { $horror } — { $organization }
chart-control-subtitle = { $window } · { $bucket } · φ = { $phi } · { $signals ->
    [one] 1 signal
   *[other] { $signals } signals
}
chart-control-all = all horrors
chart-control-rate = rate
chart-control-centre = centre (usual level before)
chart-control-limits = limits (3-sigma probability)
chart-control-signal = above the limit, or a lasting rise (ringed)
chart-axis-per-day = per day
chart-axis-per-volume = per 1,000 { $unit }
chart-compare-title = Before and after — { $organization }
chart-compare-subtitle = { $before } vs { $after }
chart-compare-before = before: { $window }
chart-compare-after = after: { $window }
chart-new = new
chart-matrix-title = Pain against cost — { $organization }
chart-matrix-subtitle = { $window } · bubble area = occurrences
chart-axis-pain = customer pain (1–10)
chart-fix-first = fix first

## Annual review: review.html

verdict-improved = improved
verdict-no_clear_change = no clear change
verdict-not_started = not started
verdict-worse = worse
verdict-too_few = too few to tell
verdict-interim-improved = interim: improved
verdict-interim-worse = interim: worse
verdict-interim-no_clear_change = interim: no clear change yet
verdict-interim-too_few = interim: too few to tell yet
review-title = Annual review { $year }
review-lede = { $organization }, { $from } to { $to } ({ $timezone }).
review-fix-first = Fix first: { $name } — { $details }.
review-fix-first-details = { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    } costing { $cost }, { $share } of the year's priority score
review-no-ticks = No ticks were recorded this year.
review-totals = { $count ->
        [one] { $count } occurrence
       *[other] { $count } occurrences
    } in { $year } ({ $previous_count } in { $previous_year }), costing { $cost } ({ $previous_cost } in { $previous_year }).
review-ranking = Ranking { $year }
review-col-cost = Cost { $currency }
review-col-pain-points = Pain pts
review-col-score = Score
review-col-versus = vs { $year }
review-caption-pareto = Priority (Pareto) — bars by tier, cumulative share, 80 % line, { $year }.
review-caption-cost = Cost per horror, { $year }.
review-caption-matrix = Pain against cost — fix the top right first, { $year }.
review-caption-trend = Weekly counts and the weighted pain index, { $year }.
review-caption-compare = Before and after, { $year }.
review-cycles = Improvement cycles
review-no-cycles = No improvement cycle overlapped { $year }.
review-col-cycle = Cycle
review-col-window = Window
review-col-focus = Focus
review-col-before = Before
review-col-during = During
review-col-verdict = Verdict
review-no-focus = No focus horrors were chosen for this cycle.
review-by-month = By month
review-col-month = Month
review-col-worst-horror = Worst horror
review-year-before = The year before: { $year }
review-caption-pareto-before = Priority (Pareto), { $year }.
review-made = Made by horrors on { $made }. See README.txt for how every number is computed.
review-title-site = Annual review { $year }: { $site }
review-organization-site = { $organization }, site { $site } ({ $key })
readme-site = This review covers one site only: { $site } ({ $key }). Its ticks, rankings, charts and cycle results count nothing from other sites; the whole organization's review is made without a site.

## Annual review: review.xlsx (sheet names: at most 31 characters, none of : \ / ? * [ ])

xlsx-sheet-ranking = Ranking
xlsx-sheet-by-month = By month
xlsx-sheet-cycles = Cycles
xlsx-sheet-ticks = Ticks
xlsx-sheet-year-over-year = Year over year
xlsx-month = Month
xlsx-rank = Rank
xlsx-key = Key
xlsx-horror = Horror
xlsx-tier = Tier
xlsx-count = Count
xlsx-complaints = Complaints
xlsx-cost = Cost
xlsx-pain = Pain
xlsx-pain-points = Pain points
xlsx-score = Score
xlsx-cumulative = Cumulative
xlsx-change-vs-previous = Change vs previous
xlsx-cycle = Cycle
xlsx-start = Start
xlsx-end = End
xlsx-status = Status
xlsx-focus = Focus
xlsx-before = Before
xlsx-during = During
xlsx-cost-before = Cost before
xlsx-cost-during = Cost during
xlsx-change = Change
xlsx-verdict = Verdict
xlsx-no-focus = (no focus horrors)
xlsx-id = Id
xlsx-day = Day
xlsx-occurred-at = Occurred at (UTC)
xlsx-qty = Qty
xlsx-source = Source
xlsx-department = Department
xlsx-note = Note
xlsx-recorded-by = Recorded by
xlsx-truncated = … only the first { $rows } ticks are listed here; ticks.csv has them all
xlsx-count-in = Count { $year }
xlsx-cost-in = Cost { $year }
source-internal = internal
source-complaint = complaint

## Annual review: README.txt

readme =
    Annual review { $year } - { $organization }
    ==========================================

    Made by horrors on { $made } for the calendar year { $year } in { $timezone }
    ({ $from } to { $to }; a tick belongs to the local day of its occurred_at in that timezone).
    Money is in { $currency }. Voided ticks are left out everywhere.

    What is inside
    - ranking.csv            the year's ranking (priority order), one row per horror
    - ranking-{ $previous_year }.csv       the same for { $previous_year }, when that year has ticks
    - ranking-by-month.csv   one ranking per month of { $year }
    - ticks.csv              every tick of { $year }, oldest first
    - cycles.csv             improvement cycles overlapping { $year }, one row per focus horror
    - nominations.csv        the horrors proposed in { $year }, most supported first, with their fate (adopted, declined or open): where the next run of the method starts
    - review.xlsx            the same as a workbook: Ranking, By month, Cycles, Ticks, Year over year
    - review.html            a printable report with the charts inline (A4)
    - charts/                pareto, cost, trend, compare and matrix for { $year } (and { $previous_year } when it has ticks), SVG and PNG

    How it is computed
    count = sum of qty; pain_points = count x the horror's current pain (1-10);
    cost = sum of each tick's cost, fixed when it was recorded;
    score = (pain_weight x pain share + cost_weight x cost share) / sum of the weights whose totals are non-zero
    (pain_weight = { $pain_weight }, cost_weight = { $cost_weight }); tiers follow the cumulative score down the priority order:
    worst while the score above is below { $worst }, worse below { $worse }, bad after.
    change_pct compares each horror's count with the calendar year (or month) before.
    CSV files are UTF-8 with a byte order mark; cells that a spreadsheet would run as a formula start with '.

    Totals: { $year }: { $count } occurrences, { $cost } { $currency }; { $previous_year }: { $previous_count } occurrences, { $previous_cost } { $currency }.

## Enrolling a device (a phone opening a QR code)

enrol-title = Set up this device
enrol-used = This set-up code has been used already. Each code works once: ask an admin for a new QR code.
enrol-expired = This set-up code has expired (codes work for 10 minutes). Ask an admin for a new QR code.
enrol-unknown = This set-up link is not valid. Scan the QR code again, or ask an admin for a new one.
enrol-login = Log in with a token instead

admin-devices = Devices
admin-devices-intro = Set up a phone without typing a token: make a QR code here and scan it with the phone's camera. The phone is signed in as that device (staff tally, viewers read) for a year, at the site you choose. Each code works once, for 10 minutes. The device then appears under Tokens, where it is revoked like any token.
admin-enrol-create = Make a QR code
admin-enrol-ready = Scan this with the phone's camera.
admin-enrol-qr = QR code that sets up the device
admin-enrol-expires = The code stops working at
admin-sessions = Sessions
admin-sessions-intro = Who is signed in now, on which device: token sign-ins and enrolled phones. Ending a session signs that browser out at once; its token still works. To lock a device or person out for good, revoke the token.
admin-session-expires = Expires
admin-session-end = End session
admin-session-this = this session

## The method end to end: sources, the complaint playbook, nominations, check sheets.

source-observer = observer
source-sheet = paper sheet
tally-source = Where it came from
tally-source-internal = We noticed it
tally-observer = I observe from outside
tally-playbook-heading = A customer complained about { $name }: answer in five steps
tally-playbook-close = Done
playbook-apologise = Apologise.
playbook-who-we-are = Who we are.
playbook-handling = How we handle it.
playbook-follow-up = The follow-up.
playbook-do-it = Do it, and follow up.
admin-playbook = Complaint playbook
admin-playbook-hint = What staff say when a customer complains about this horror, in five parts. The tally shows it right after a complaint tap, in the phone's language (English when that one is empty).
sheet-title = Check sheet
sheet-site = Site
sheet-department = Department
sheet-period = Period
sheet-counted-by = Counted by
sheet-how = One stroke in the day's box each time it happens (bundle in fives: ||||). Or scan the horror's code to tick it on a phone.
sheet-enter = When the sheet is full, enter the counts at
sheet-page = Page
sheet-horror = Horror
sheet-pain = pain
sheet-weekdays = Mo Tu We Th Fr Sa Su
nominations-title = Nominations
nominations-intro = Step one of the method: list the five to eight worst things we can get wrong. What do customers complain about most? Propose it here; support the proposals you agree with; an admin adopts the strongest into the list of horrors.
nominations-propose = Propose a horror
nominations-field-title = What goes wrong (a short name)
nominations-field-description = What customers complain about
nominations-field-example = An example: what a customer said or what happened
nominations-submit = Propose
nominations-list = Proposed so far, most supported first
nominations-none = Nothing proposed yet.
nominations-supporters = { $count ->
    [one] 1 supporter
   *[other] { $count } supporters
}
nominations-by = Proposed by { $by } on { $date }
nominations-state-open = open
nominations-state-adopted = adopted
nominations-state-declined = declined
nominations-adopted-as = Adopted as the horror “{ $key }”.
nominations-declined-because = Declined: { $reason }
nominations-support = Support
nominations-supported = You support this.
nominations-adopt = Adopt as a horror…
nominations-adopt-key = Key (a-z, 0-9, -)
nominations-adopt-name = Name
nominations-adopt-pain = Pain (1–10)
nominations-adopt-cost = Cost of one occurrence
nominations-adopt-submit = Adopt
nominations-decline = Decline…
nominations-decline-reason = Why
nominations-decline-submit = Decline
nav-nominations = Nominations
method-unreachable = The server cannot be reached. Nothing was saved; try again.
method-server-answered = The server answered { $status }. Nothing was saved.
sheet-form-title = Enter a paper check sheet
sheet-form-intro = Copy the counts from a filled-in sheet: one box per horror and day (leave a box empty for none). Everything is saved at once, as ticks from a paper sheet; an admin can void the whole sheet.
sheet-form-print = Print an empty check sheet (PDF)
sheet-form-department = Department
sheet-form-site = Site
sheet-form-submit = Save the sheet
sheet-form-saved = Saved: { $count } occurrences from the sheet.
