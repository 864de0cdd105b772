# Prose with typographic dashes, and Markdown table rows that cannot be wrapped.
# ruff: noqa: E501, RUF001
"""The Northwind Logistics employee handbook, as demo content for `handbook.seed`.

Each chapter names an owner role (see `seed.OWNER_TITLES`); sections are Markdown. A section
may carry `children` (sub-sections) and `revisions` (later versions, for the history demo).
"""

CHAPTERS = [
    {
        "slug": "welcome",
        "title": "Welcome to Northwind",
        "summary": "Who we are, what we stand for and how your first weeks will go.",
        "owner": "people",
        "sections": [
            {
                "slug": "who-we-are",
                "title": "Who we are",
                "body": """\
Northwind Logistics moves goods for about four hundred customers across Europe. We started
in 1998 with two trucks and a rented shed in the port of Rotterdam; today we run warehouses
in Rotterdam, Milan and Oslo, plan more than 2,000 shipments a week and employ around 150
people in twenty teams.

Most of our work is invisible when it goes well: a pallet of medical supplies that arrives
in Bergen on time, a container of furniture that clears customs in Genoa without a single
question, a webshop whose parcels leave our Rotterdam floor the evening they are ordered.
That is what we are proud of.

## Where we work

- **Rotterdam** (Waalhaven) — our head office, the largest warehouse, customs and finance.
- **Milan** (Segrate) — transport planning for Southern Europe, sales Italy, facilities.
- **Oslo** (Alnabru) — IT, software development and the Nordic warehouse.

Everyone works for one company, with one handbook. Where local law or a collective
agreement says something different, this handbook says so, and the local rule wins.
""",
            },
            {
                "slug": "our-values",
                "title": "Our values",
                "body": """\
Four values guide how we work with customers and with each other. They are not slogans on a
wall: we use them when we hire, in yearly reviews and when we have to make a hard call.

1. **Safety first.** Nobody gets hurt for a delivery. If something is unsafe, you stop the
   work — and nobody will blame you for doing so.
2. **Keep promises.** We say what we will do and we do what we say. When we cannot, we tell
   the customer (or the colleague) early, not at the last minute.
3. **Own it.** If you see a problem, it is yours until you have handed it to someone who
   can fix it. "Not my department" is not an answer at Northwind.
4. **Open doors.** Ask questions, share bad news early, and listen to people who disagree
   with you. Managers keep their doors — and their calendars — open.

## What this means day to day

- Report near misses, not just accidents (see *Health and safety*).
- Write things down: a clear hand-over note saves a customer an hour on the phone.
- Say thank you. Our peer-recognition board in the canteen is read more than the news.
""",
            },
            {
                "slug": "your-first-weeks",
                "title": "Your first weeks",
                "body": """\
Your manager plans your first weeks with you before you start. You will not be left alone
on day one.

## Before your first day

You receive an e-mail from People & Culture with your start time, the address of your
location and what to bring: an identity document, your bank details and, for warehouse
roles, your own safety shoes if you prefer them (otherwise we provide a pair).

## Your first day

- A welcome at reception by your manager or your **buddy** — a colleague from your team
  who answers the questions you would rather not ask your manager.
- Your laptop or handheld scanner, your badge and your portal account.
- A safety walk-through of your location. In the warehouses you may not work on the floor
  before you have had it.

## Your first three months

In most roles the first months are a probation period (two months in the Netherlands,
as agreed in your contract in Italy and Norway). You and your manager meet every two
weeks; at the end you decide together whether the job is what you both expected.
""",
            },
        ],
    },
    {
        "slug": "working-hours-and-leave",
        "title": "Working hours and leave",
        "summary": "When we work, how to take time off and what to do when you are ill.",
        "owner": "people",
        "sections": [
            {
                "slug": "working-hours",
                "title": "Working hours",
                "body": """\
A full-time week at Northwind is 40 hours. Part-time contracts are common; your contract
states your hours.

## Offices

Office teams work flexible hours between 07:00 and 19:00, with core hours from 10:00 to
15:00 for meetings. You may work from home up to two days a week when your role allows it;
agree the days with your team.

## Warehouses

The warehouses run in shifts:

- early shift 06:00–14:30
- late shift 14:00–22:30
- night shift 22:00–06:30 (Rotterdam only)

Shift rosters are published four weeks ahead. Swap a shift with a colleague only with
your shift supervisor's approval, so that every shift keeps enough certified forklift
drivers.

## Overtime

Overtime is work your manager asks for beyond your contract hours. It is paid or taken
as time off in lieu, as you prefer, at the rates in your local agreement.
""",
                "revisions": [
                    (
                        "Night shift ends at 06:30; overtime asked for in writing",
                        """\
A full-time week at Northwind is 40 hours. Part-time contracts are common; your contract
states your hours.

## Offices

Office teams work flexible hours between 07:00 and 19:00, with core hours from 10:00 to
15:00 for meetings. You may work from home up to two days a week when your role allows it;
agree the days with your team.

## Warehouses

The warehouses run in shifts:

- early shift 06:00–14:30
- late shift 14:00–22:30
- night shift 22:00–06:30 (Rotterdam and Oslo)

Shift rosters are published four weeks ahead. Swap a shift with a colleague only with
your shift supervisor's approval, so that every shift keeps enough certified forklift
drivers.

## Overtime

Overtime is work your manager asks for, in writing (a message in the portal or an e-mail
is enough), beyond your contract hours. It is paid or taken as time off in lieu, as you
prefer, at the rates in your local agreement. Hours nobody asked for are not overtime;
talk to your manager if your work does not fit in your hours.
""",
                    ),
                ],
            },
            {
                "slug": "annual-leave",
                "title": "Annual leave",
                "body": """\
Everyone needs a proper break. A full-time employee has **25 days of paid leave** a year,
plus public holidays; part-timers have the same in proportion to their hours. Your local
agreement may give you more (for example extra days for age or long service).

## Asking for leave

1. Check your balance in the portal.
2. Ask your manager at least **two weeks ahead** for a day or two, and **six weeks ahead**
   for longer holidays.
3. In the warehouses, summer leave is planned in February so that every shift stays
   staffed; tell your supervisor your wishes by 15 February.

## Carrying leave over

Use your leave in the year you earn it. Statutory days you do not take expire as the law
of your country says (in the Netherlands on 1 July of the following year). Days above the
statutory minimum may be carried over for five years, but your manager will ask you to
plan them.
""",
                "children": [
                    {
                        "slug": "public-holidays",
                        "title": "Public holidays by country",
                        "body": """\
You are free on the public holidays of the country you work in. In the warehouses some
colleagues work on public holidays to keep customers supplied; they are paid the holiday
rate from their local agreement.

| Country | Public holidays we observe |
|---|---|
| Netherlands | New Year, Easter Monday, King's Day, Liberation Day (every year), Ascension, Whit Monday, Christmas (two days) |
| Italy | New Year, Epiphany, Easter Monday, Liberation Day, Labour Day, Republic Day, Assumption, All Saints, Immaculate Conception, Christmas, St Stephen's Day, and Milan's patron saint, Sant'Ambrogio (7 December) |
| Norway | New Year, Maundy Thursday, Good Friday, Easter Monday, Labour Day, Constitution Day (17 May), Ascension, Whit Monday, Christmas (two days) |

Religious holidays that are not on this list can be taken as leave; managers grant such
requests whenever the work allows.
""",
                    },
                ],
            },
            {
                "slug": "sick-leave",
                "title": "When you are ill",
                "body": """\
If you are too ill to work, stay at home and get better. We only ask that you let us know
quickly, so that your work can be covered.

## Calling in sick

- Call (do not text) your manager **before your shift or working day starts**. In the
  warehouses, call the shift supervisor on duty.
- Say how long you expect to be away, and whether there is urgent work someone should
  take over. You do not have to say what is wrong with you.
- Tell your manager when you are better, and register your recovery in the portal.

## Country rules

- **Netherlands:** after a week of absence the occupational health service
  (*arbodienst*) contacts you. Northwind pays 100% of your salary in the first year of
  illness and 70% in the second.
- **Italy:** your doctor sends the medical certificate to INPS electronically; give your
  manager the certificate's protocol number on the first day.
- **Norway:** you may use a self-certification (*egenmelding*) for up to eight days at a
  time; after that a doctor's certificate (*sykmelding*) is needed.

Your health information is confidential. Managers learn whether and how long you cannot
work, never the diagnosis.
""",
            },
            {
                "slug": "parental-and-care-leave",
                "title": "Parental and care leave",
                "body": """\
Becoming a parent, or caring for someone close to you, changes what you can give at work
for a while. Northwind follows the statutory schemes of each country and adds to them.

- **Birth and adoption.** Mothers take maternity leave as the law of their country sets
  it; partners have statutory partner leave. Northwind tops up the statutory benefit to
  your full salary for the first six weeks.
- **Parental leave.** You may take parental leave until your child reaches the age the
  law sets (eight in the Netherlands). Plan it with your manager; it can be spread over
  part of the week.
- **Short-term care leave.** When a child, partner or parent needs your care, you may take
  up to twice your weekly hours a year on 70% pay (the Dutch rule; Italian and Norwegian
  colleagues have comparable rights).

Talk to People & Culture early: we can help you with the forms and with a plan for your
return.
""",
            },
        ],
    },
    {
        "slug": "pay-and-benefits",
        "title": "Pay and benefits",
        "summary": "When you are paid, your pension and the extras that come with the job.",
        "owner": "finance",
        "sections": [
            {
                "slug": "pay-day-and-payslips",
                "title": "Pay day and payslips",
                "body": """\
Salaries are paid monthly, on the **25th** (or the last working day before it). Your
payslip appears in the portal a few days earlier; we do not send payslips by post or
e-mail.

## Extra payments

- **Netherlands:** holiday allowance (*vakantiegeld*) of 8% of your gross salary, paid in
  May.
- **Italy:** the thirteenth month (*tredicesima*) in December and, under the commerce
  agreement, the fourteenth (*quattordicesima*) in July.
- **Norway:** holiday pay (*feriepenger*) of 12% of last year's pay, paid in June instead
  of your normal salary.

## Something wrong?

Check your payslip when it arrives. If a number looks wrong, open a request to Payroll in
the portal before the 20th of the following month, with the payslip and what you expected.
Never share payslips or bank details by e-mail; Payroll will never ask you to.
""",
            },
            {
                "slug": "pension",
                "title": "Pension",
                "body": """\
Everyone with a contract of two months or more joins the pension scheme of their country:

- the collective pension fund for transport and logistics in the Netherlands,
- the sector fund (*fondo di previdenza complementare*) in Italy, if you choose to join, with
  your severance pay (*TFR*) going into it,
- the mandatory occupational pension (*OTP*) in Norway.

Northwind pays at least two thirds of the contributions. Your yearly pension statement
comes directly from the fund; questions about your own pension go to the fund, questions
about the scheme to People & Culture.
""",
            },
            {
                "slug": "benefits",
                "title": "Benefits",
                "body": """\
Besides your salary and pension you may use these benefits. Ask for any of them through
the portal.

- **Commuting.** A public transport pass for your home–work journey, or a travel allowance
  per kilometre if you come by bike or car.
- **Bike scheme.** Lease a bicycle or e-bike through your gross salary (Netherlands and
  Norway).
- **Phone and laptop.** Provided when your role needs them; see *IT and security*.
- **Training.** Each employee has a budget of €750 a year for courses that help in their
  job. Your manager approves; longer studies can be agreed separately.
- **Sports.** A discount at partner gyms near every location.

Benefits are taxed as the law of your country requires; Payroll takes care of that on your
payslip.
""",
            },
        ],
    },
    {
        "slug": "health-and-safety",
        "title": "Health and safety in the warehouses",
        "summary": "The rules that keep everyone on the warehouse floor safe.",
        "owner": "operations",
        "sections": [
            {
                "slug": "on-the-warehouse-floor",
                "title": "On the warehouse floor",
                "body": """\
Our warehouses are busy places: forklifts, reach trucks, roller doors and stacks of
pallets six metres high. These rules apply to everyone on the floor, including office
staff and visitors.

## Always wear

- safety shoes (class S3),
- a high-visibility vest,
- gloves when you handle pallets, straps or stretch film,
- a helmet in the high-bay aisles and at the loading docks.

## Always do

- Walk only on the green pedestrian routes and cross at the marked crossings.
- Make eye contact with a driver before you pass a forklift.
- Keep fire exits, extinguishers and first-aid points clear — not even "just for a minute".
- Report damaged racking immediately; nobody loads a damaged bay.

## Never do

- Drive a forklift or reach truck without a valid Northwind certificate for that machine.
- Use your phone while walking or driving on the floor.
- Stand under a raised load, or climb the racking.
""",
            },
            {
                "slug": "incidents-and-near-misses",
                "title": "Reporting incidents and near misses",
                "body": """\
An accident rarely comes out of nowhere: it usually follows a string of near misses that
nobody reported. So we want to hear about every one of them.

1. **Make it safe.** Stop the work, help anyone who is hurt and call for first aid.
2. **Tell the shift supervisor** straight away.
3. **Report it in the portal** the same day: what happened, where, and what could have
   happened. Photos help.
4. The safety coordinator looks at every report within two working days and tells you what
   is done about it.

Reports are about situations, not about blame. Nobody is punished for reporting a near
miss, including one they caused themselves.
""",
            },
            {
                "slug": "emergencies-and-first-aid",
                "title": "Emergencies and first aid",
                "body": """\
Every location has trained first-aiders and emergency responders (*BHV* in the
Netherlands) on every shift. Their names are on the boards by the entrances.

## If the alarm sounds

- Stop what you are doing, switch off your machine and leave by the nearest exit.
- Do not use the goods lifts, and do not go back for your belongings.
- Go to the assembly point and report to the responder with the yellow vest.
- Do not leave the assembly point until the responder says so.

## Emergency numbers

Dial **112** in all three countries. Then tell reception, so that they can meet the
ambulance or fire brigade at the gate and guide them in.

We hold an evacuation drill twice a year at every location.
""",
            },
        ],
    },
    {
        "slug": "it-and-security",
        "title": "IT and security",
        "summary": "Your accounts, your devices and how we keep customer data safe.",
        "owner": "it",
        "sections": [
            {
                "slug": "accounts-and-passwords",
                "title": "Accounts and passwords",
                "body": """\
Your Northwind account gives access to e-mail, the portal and the systems your job needs.
It is yours alone: never share it, not even with your manager or the service desk.

- Use a **passphrase** of at least 14 characters, and a different one for every system.
  The password manager on your laptop remembers them for you.
- Turn on the **second factor** (an app on your phone) when you first sign in. It is
  required for HR, payroll and administrator roles.
- If you think someone knows your password, change it straight away and tell the IT
  service desk.

The service desk will never ask for your password or a code from your authenticator app.
Anyone who does is not from IT.
""",
            },
            {
                "slug": "devices-and-acceptable-use",
                "title": "Devices and acceptable use",
                "body": """\
Northwind laptops, phones and scanners are for work. Some personal use is fine — reading
the news at lunch, calling home — as long as it is legal, limited and does not put our data
at risk.

## Looking after your devices

- Lock your screen (Windows key + L) whenever you leave your desk.
- Do not install software yourself; ask the service desk, which keeps a list of approved
  tools.
- Keep your laptop with you when travelling; never leave it visible in a car.
- Report a lost or stolen device to the service desk at once, day or night, so that it can
  be wiped remotely.

## Customer data

Shipment data, customer lists and prices stay in our systems. Do not copy them to
personal e-mail, USB sticks or private cloud storage. When you need to share files with a
customer, use the secure file exchange in the portal.
""",
            },
            {
                "slug": "phishing",
                "title": "Phishing and reporting security incidents",
                "body": """\
Most attacks on companies like ours start with an e-mail. Be suspicious of messages that:

- create urgency ("your mailbox is full", "invoice overdue"),
- ask you to sign in, open an attachment or change payment details,
- come from a familiar name but an odd address.

If in doubt, do not click. Use the **Report phishing** button in Outlook, or forward the
message to the service desk. If you did click, report it anyway, straight away: a quick
report lets us contain the damage, and nobody is blamed for being tricked.

Changes to a supplier's bank account are always confirmed by phone, using a number we
already have on file — never one from the e-mail asking for the change.
""",
            },
        ],
    },
    {
        "slug": "travel-and-expenses",
        "title": "Travel and expenses",
        "summary": "How to book business travel and get your costs back.",
        "owner": "finance",
        "sections": [
            {
                "slug": "booking-travel",
                "title": "Booking business travel",
                "body": """\
Travel only when a video call will not do. When you travel, go safely, sensibly and with
as little impact on the climate as the trip allows.

- Ask your manager's approval in the portal before you book.
- Book through the travel desk, which has our company rates and knows where you are if
  something goes wrong.
- Take the **train** for journeys under 700 km (Rotterdam–Paris, Milan–Rome, Oslo–Bergen).
- Fly economy class. Business class is allowed only for flights longer than eight hours.
- Hotels up to €160 a night (€200 in Oslo and central Milan), including breakfast.
""",
            },
            {
                "slug": "claiming-expenses",
                "title": "Claiming expenses",
                "body": """\
You may claim costs you make for your work. Claim in the portal **within 30 days**, with
a photo of the receipt; the amount is paid with your next salary.

| Cost | Limit | Notes |
|---|---|---|
| Lunch while travelling | €25 | Only when you are away from your location for the day |
| Dinner while travelling | €45 | Alcohol is not reimbursed |
| Taxi | actual cost | When public transport is not reasonable, e.g. late at night |
| Own car | €0.23 per km | Plus parking and tolls |
| Customer entertainment | €75 per person | Manager approves beforehand; list the guests |

Claims that break these rules are returned. Claiming costs that were not made for work is
fraud and leads to dismissal.
""",
                "open_revision": (
                    "Lunch limit raised to €30 from next year",
                    """\
You may claim costs you make for your work. Claim in the portal **within 30 days**, with
a photo of the receipt; the amount is paid with your next salary.

| Cost | Limit | Notes |
|---|---|---|
| Lunch while travelling | €30 | Only when you are away from your location for the day |
| Dinner while travelling | €45 | Alcohol is not reimbursed |
| Taxi | actual cost | When public transport is not reasonable, e.g. late at night |
| Own car | €0.23 per km | Plus parking and tolls |
| Customer entertainment | €75 per person | Manager approves beforehand; list the guests |

Claims that break these rules are returned. Claiming costs that were not made for work is
fraud and leads to dismissal.
""",
                ),
            },
            {
                "slug": "travelling-safely",
                "title": "Travelling safely",
                "body": """\
Your safety matters more than any meeting.

- Keep your travel booking in the portal up to date, so that we can reach you if there is
  an emergency where you are.
- Save the number of the travel desk's 24-hour line in your phone.
- Do not drive more than four hours in a row, or after a night flight; take a taxi or
  stay overnight instead — the cost is covered.
- Check the travel advice of your government before trips outside the EU and Norway.
""",
            },
        ],
    },
    {
        "slug": "conduct-and-speaking-up",
        "title": "Conduct and speaking up",
        "summary": "How we treat each other and our customers, and what to do if something is wrong.",
        "owner": "people",
        "sections": [
            {
                "slug": "code-of-conduct",
                "title": "Code of conduct",
                "body": """\
We treat colleagues, customers and suppliers with respect, whatever their background,
gender, age, religion, disability or sexual orientation. We do not accept harassment,
bullying, discrimination or aggression — in the warehouse, in the office, online or at
the Christmas party.

We compete fairly and obey the law, including customs and sanctions rules: we never help
move goods to a destination or a customer that is under sanctions, however profitable the
order. When in doubt, ask Customs & Compliance before the goods move.

We keep what we learn about customers to ourselves. Their shipments, prices and plans are
confidential, also after you leave Northwind.
""",
            },
            {
                "slug": "gifts-and-hospitality",
                "title": "Gifts and hospitality",
                "body": """\
Suppliers and customers sometimes offer gifts. Small tokens are fine; anything that could
make you feel obliged is not.

- You may accept gifts worth up to **€50**, such as a bottle of wine or a calendar.
- Register anything worth more in the portal; your manager decides whether you may keep
  it, or whether it goes to the staff raffle.
- Never accept cash, vouchers or gifts during a tender or contract negotiation.
- Invitations to events are accepted only with your manager's approval, and Northwind pays
  your own travel and hotel.
""",
            },
            {
                "slug": "speaking-up",
                "title": "Speaking up",
                "body": """\
If you see something that is wrong — unsafe work, fraud, harassment, a breach of law —
we want to know, and we protect you for telling us.

## Where to go

1. Your manager, or their manager.
2. People & Culture, or the confidential counsellor (*vertrouwenspersoon*) of your
   location, who listens and helps without telling anyone unless you agree.
3. The **Speak Up line**, run by an independent company, by phone or web, in your own
   language and anonymously if you prefer.

## What happens next

You hear within a week that your report has arrived, and within three months what has been
done — as far as we can share it. Nobody who speaks up in good faith suffers for it;
retaliation against someone who reported a concern is itself a serious breach of this
code.
""",
            },
        ],
    },
    {
        "slug": "leaving-northwind",
        "title": "Leaving Northwind",
        "summary": "Notice periods, your last day and staying in touch.",
        "owner": "people",
        "sections": [
            {
                "slug": "resigning",
                "title": "Resigning and notice periods",
                "body": """\
We are sorry to see people go, and we want them to leave well. Tell your manager first, in
a conversation, then confirm your resignation in writing (an e-mail is enough).

Your notice period is in your contract. In the Netherlands it is usually one month for
employees; in Italy and Norway it follows your collective agreement and your years of
service. Unused leave is planned in your notice period where possible, or paid out with
your final salary.
""",
            },
            {
                "slug": "your-last-day",
                "title": "Your last day",
                "body": """\
Before you go, please:

- hand over your work with a short note on what is open and who to call,
- return your laptop, phone, badge, keys, and any safety clothing with your name on it,
- move personal files off your laptop; your account closes at the end of your last day,
- check that your address is right in the portal, so that your final payslip and annual
  tax statement reach you.

You will be invited to an exit conversation with People & Culture. It is optional, but
what leavers tell us has changed this handbook more than once.
""",
            },
            {
                "slug": "staying-in-touch",
                "title": "References and staying in touch",
                "body": """\
People & Culture gives a written reference on request, stating your role and dates of
employment and, if you ask, how you did your work.

Many colleagues come back after a few years elsewhere — about one in ten of our current
team. If you left on good terms and want to return, we would like to hear from you; your
former manager is the best first contact.
""",
            },
        ],
    },
]
