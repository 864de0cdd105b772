"""What Northwind's people ask the desk, and what the desk answers.

Each request type has a handful of requests as people write them: (subject, description,
form answers). Dates in answers are ISO strings, as the dynamic form stores them.
"""

REQUESTS = {
    "new-laptop": [
        (
            "Laptop battery lasts less than an hour",
            "My laptop is four years old and the battery is empty within an hour, even with "
            "only Outlook and Teams open. I work in the warehouse office and at the docks, so "
            "I can't stay near a socket.",
            {"model": 'Standard 14"', "reason": "Battery worn out; I work away from my desk."},
        ),
        (
            "Laptop for new colleague starting on the 1st",
            "Sofia joins our planning team on the first of next month. Could a laptop be ready "
            "on her first day? She will mostly use Excel and the transport planning tool.",
            {"model": 'Standard 14"', "reason": "New starter in planning."},
        ),
        (
            "Developer laptop: builds take 20 minutes",
            "Our Docker builds take about twenty minutes on my current machine (8 GB RAM). The "
            "team moved to the 16-inch developer model last year; I'm the last one on the old "
            "one.",
            {"model": 'Developer 16"', "reason": "8 GB RAM is too little for our builds."},
        ),
        (
            "Screen cracked after a fall",
            "I dropped my laptop on the way to the train and the screen has a crack across the "
            "middle. It still works with an external monitor, but not on the road.",
            {"model": 'Lightweight 13"', "reason": "Cracked screen; I travel a lot."},
        ),
    ],
    "software-install": [
        (
            "Install Power BI Desktop",
            "I need Power BI Desktop to open the stock reports finance shares with us. It's "
            "not in the Software Centre.",
            {"software": "Power BI Desktop", "licence": "Free or open source"},
        ),
        (
            "Visio for process drawings",
            "For the ISO audit I have to update our inbound process drawings, which are Visio "
            "files. Could I get Visio for a few months?",
            {"software": "Microsoft Visio Plan 2", "licence": "New licence needed"},
        ),
        (
            "Need DBeaver to query the reporting database",
            "Our team got read access to the reporting database. DBeaver is what the BI team "
            "uses; could it be installed on my laptop?",
            {"software": "DBeaver Community 24", "licence": "Free or open source"},
        ),
        (
            "Adobe Acrobat to sign and edit PDFs",
            "Carriers send us contracts as PDFs that we must fill in and sign. The free reader "
            "can't edit the fields.",
            {"software": "Adobe Acrobat Pro", "licence": "Company licence"},
        ),
    ],
    "shared-drive-access": [
        (
            "Access to the finance reports folder",
            "I took over the monthly cost report from Marco, who left. I need the folder where "
            "the finance exports land.",
            {
                "path": r"\\nw-files\finance\reports",
                "access": "Read only",
                "reason": "Monthly cost report.",
            },
        ),
        (
            "Write access to the HSE drive",
            "As the new safety coordinator for Rotterdam I need to update the risk "
            "assessments on the HSE drive.",
            {
                "path": r"\\nw-files\hse",
                "access": "Read and write",
                "reason": "Safety coordinator.",
            },
        ),
        (
            "Can't open the planning share anymore",
            "Since Monday I get 'access denied' on the planning share. I moved teams last "
            "week; maybe my old access was removed?",
            {
                "path": r"\\nw-files\operations\planning",
                "access": "Read and write",
                "reason": "I plan the Milan routes now.",
            },
        ),
    ],
    "password-account": [
        (
            "Locked out after password change",
            "I changed my password this morning and now my account is locked. My phone still "
            "had the old password for e-mail, I think that's why.",
            {"system": "Windows / network"},
        ),
        (
            "New phone, authenticator codes gone",
            "I got a new phone and the authenticator app didn't move my accounts. I can't "
            "sign in to e-mail from home.",
            {"system": "E-mail"},
        ),
        (
            "Warehouse scanner login says user unknown",
            "The handheld scanner says 'user unknown' when I sign in. It worked on Friday.",
            {"system": "Warehouse system"},
        ),
        (
            "Password expired while on holiday",
            "I'm back from three weeks off and my password expired. The reset page asks for a "
            "phone number that isn't mine anymore.",
            {"system": "Windows / network"},
        ),
        (
            "Portal keeps asking me to sign in again",
            "Every few minutes the portal throws me back to the sign-in page, in Edge and in "
            "Chrome.",
            {"system": "Portal"},
        ),
    ],
    "printer-scanner": [
        (
            "Printer on the 2nd floor keeps jamming",
            "RTM-2-PRN04 jams on almost every double-sided job. We opened every flap; there "
            "is no paper stuck that we can see.",
            {"device": "RTM-2-PRN04"},
        ),
        (
            "Scan to e-mail doesn't arrive",
            "The scanner in the dispatch office says 'sent', but the scans never arrive in my "
            "inbox (not in junk either).",
            {"device": "Dispatch office, MFP next to the window"},
        ),
        (
            "Labels print half off the sticker",
            "The label printer at dock 3 prints the shipping labels shifted to the right, so "
            "the barcode is cut off.",
            {"device": "RTM-DOCK3-ZEBRA"},
        ),
    ],
    "it-walk-up": [
        (
            "Swap my broken headset",
            "The microphone of my headset stopped working. Can I swap it at the desk?",
            {"topic": "Broken headset"},
        ),
        (
            "Help setting up my second monitor",
            "The docking station doesn't see my second monitor. Easier to show than explain.",
            {"topic": "Docking station and monitors"},
        ),
    ],
    "employment-letter": [
        (
            "Employer statement for my mortgage",
            "We are buying a house and the bank needs a werkgeversverklaring with my salary "
            "and the statement that my contract continues.",
            {"purpose": "Mortgage", "language": "Dutch", "salary": "Yes"},
        ),
        (
            "Letter for the rental agency",
            "The agency asks for proof of employment before we can sign. Without salary is fine.",
            {"purpose": "Rental", "language": "English", "salary": "No"},
        ),
        (
            "Proof of employment for residence permit renewal",
            "My permit must be renewed by the end of next month. The immigration office asks "
            "for a signed letter from my employer.",
            {"purpose": "Visa or residence permit", "language": "English", "salary": "Yes"},
        ),
    ],
    "working-hours": [
        (
            "From 40 to 32 hours per week",
            "After my parental leave I would like to work four days, Monday to Thursday. I "
            "discussed it with my manager last week.",
            {"hours": 32, "explanation": "Monday to Thursday, 8 hours a day."},
        ),
        (
            "Back to full time",
            "My youngest starts school, so I'd like to go back from 24 to 40 hours.",
            {"hours": 40, "explanation": "Five days."},
        ),
        (
            "Spread my 36 hours over four days",
            "Could I work four days of 9 hours instead of five of 7.2? My hours stay the same.",
            {"hours": 36, "explanation": "Monday, Tuesday, Thursday, Friday."},
        ),
    ],
    "hr-consultation": [
        (
            "Talk about my career options",
            "I've been a team lead for five years and would like to talk about what's next.",
            {"topic": "Career development and internal vacancies."},
        ),
        (
            "Questions about parental leave",
            "We are expecting our second child in spring. I'd like to go through the leave "
            "options and what they mean for my pay.",
            {"topic": "Parental leave and pay."},
        ),
    ],
    "payroll-question": [
        (
            "Holiday allowance lower than expected",
            "My holiday allowance in May was about 200 euros lower than last year, although "
            "my salary went up. Can you check?",
            {"question": "Why is my holiday allowance lower?"},
        ),
        (
            "Overtime from March not paid",
            "I worked 14 hours of overtime in March (approved by my manager) but I can't find "
            "it on my April payslip.",
            {"question": "Where is my overtime?"},
        ),
        (
            "Wrong tax credit applied",
            "My payslip shows the tax credit is not applied, but I never asked to stop it. "
            "This is my only job.",
            {"question": "Please apply the tax credit again."},
        ),
        (
            "Travel allowance stopped",
            "Since I moved house my travel allowance is gone from my payslip. My new address "
            "is in the portal.",
            {"question": "Travel allowance after moving."},
        ),
    ],
    "expense-claim": [
        (
            "Expense claim rejected without a reason",
            "My claim for the hotel in Milan was rejected, but the message doesn't say why. "
            "The receipt is attached to the claim.",
            {"claim": "EXP-20418", "amount": 312},
        ),
        (
            "Mileage paid at the wrong rate",
            "I was paid 0.19 per kilometre instead of 0.23 for my trips in June.",
            {"claim": "EXP-20177", "amount": 86},
        ),
        (
            "Claim stuck in 'approved' for six weeks",
            "The claim was approved in the first week of last month and still hasn't been paid.",
            {"claim": "EXP-19902", "amount": 145},
        ),
    ],
    "broken-chair": [
        (
            "Chair at desk 3.14 sinks down",
            "The chair at desk 3.14 sinks to the lowest position within minutes. Several of "
            "us have tried it.",
            {"location": "Rotterdam, 3rd floor, desk 3.14"},
        ),
        (
            "Armrest broke off",
            "The left armrest of my chair came off; the screw is gone.",
            {"location": "Milan office, open space B, desk 12"},
        ),
        (
            "Wobbly chair in meeting room Fjord",
            "One of the chairs in Fjord wobbles badly. Someone almost fell today.",
            {"location": "Oslo, meeting room Fjord"},
        ),
    ],
    "desk-parking": [
        (
            "Parking space from next month",
            "I'll be commuting by car from next month because the bus line is cancelled.",
            {"kind": "Parking space", "office": "Rotterdam"},
        ),
        (
            "Charging point for my electric lease car",
            "My new lease car is electric. Is there a charging point I can use?",
            {"kind": "Charging point", "office": "Oslo"},
        ),
        (
            "Fixed desk because of my back",
            "The occupational health doctor advised a fixed desk with my own chair settings.",
            {"kind": "Fixed desk", "office": "Rotterdam"},
        ),
    ],
    "report-a-concern": [
        (
            "Comments from a colleague",
            "For some months a colleague has been making remarks about my appearance in front "
            "of others. I asked them to stop. I would like to talk to someone about what I "
            "can do.",
            {"kind": "Unwanted behaviour", "contact": "In person"},
        ),
        (
            "Forklift safety checks skipped",
            "The daily forklift checks are signed off without being done on the late shift. "
            "I don't want to get anyone in trouble, but someone will get hurt.",
            {"kind": "Safety", "contact": "Through the portal only"},
        ),
        (
            "Supplier gifts",
            "A supplier offered me tickets to a football match while we are negotiating their "
            "contract. I said no, but I think others accepted.",
            {"kind": "Integrity", "contact": "By phone"},
        ),
    ],
}

# Tickets that came in by e-mail, without a request type: (subject, description) per queue.
EMAILS = {
    "it": [
        (
            "VPN disconnects every few minutes",
            "Since the update yesterday the VPN drops every "
            "five minutes when I work from home. Colleagues on the same team have it too.",
        ),
        (
            "Teams camera not found",
            "Teams says no camera found, but the camera works in the Windows camera app.",
        ),
        (
            "Outlook calendar not syncing to phone",
            "New appointments don't show on my phone; they do in Outlook on the laptop.",
        ),
    ],
    "hr": [
        (
            "Question about my contract end date",
            "My temporary contract ends in two months. Will I hear in time whether it is extended?",
        ),
        (
            "Update my address",
            "I moved; the portal won't let me change my address because "
            "the new postcode is 'invalid'.",
        ),
    ],
    "payroll": [
        (
            "Annual statement missing",
            "I can't find my annual statement for last year in the "
            "portal; I need it for my tax return.",
        ),
        (
            "Bank account change",
            "I switched banks. Please pay my salary into the new account from this month.",
        ),
    ],
    "facilities": [
        ("Too cold on the 2nd floor", "It has been 17 degrees on the 2nd floor all week."),
        (
            "Badge doesn't open the side entrance",
            "My badge works at the main entrance but not at the side entrance near the bike shed.",
        ),
    ],
    "hr-cases": [
        (
            "Confidential question",
            "I'd like to speak to a confidential counsellor about a situation in my team.",
        ),
    ],
}

FIRST_REPLIES = {
    "it": [
        "Thanks for reporting this. Could you tell us the name of your laptop (the sticker "
        "on the bottom) and whether it happens in the office too?",
        "We're on it. I've checked your account and the settings look right; I'll call you "
        "this afternoon to look at it together.",
        "Thanks — this is a known issue since this week's update. A fix goes out tonight.",
    ],
    "hr": [
        "Thanks for your request. I'll prepare it and let you know when it's ready.",
        "Thanks for reaching out. Could you tell us from which date the change should apply?",
    ],
    "payroll": [
        "Thanks for your question. I'm checking your payslips and will come back to you.",
        "Thank you. Could you send the payslip month you mean? We'll compare it with the "
        "previous one.",
    ],
    "facilities": [
        "Thanks for letting us know. The technician is informed.",
        "Thanks. We'll have a look on our round tomorrow morning.",
    ],
    "hr-cases": [
        "Thank you for trusting us with this. Only the confidential counsellors can read this "
        "request. When would suit you for a first conversation?",
    ],
}

RESOLUTIONS = {
    "it": [
        "Done: it's installed and tested. Restart once to see it in the Start menu.",
        "Your account is unlocked and the old password removed from your phone's mail app.",
        "The printer had a worn roller; we replaced it and printed 50 double-sided pages "
        "without a jam.",
        "Your new laptop is ready at the service desk. Bring the old one when you collect it.",
    ],
    "hr": [
        "Your letter is signed and in My documents.",
        "The change is processed from the date you asked; the addendum is in My documents.",
    ],
    "payroll": [
        "You were right: the correction is in this month's payslip as a separate line.",
        "Everything is correct: the difference comes from the tax table in the month of "
        "the holiday allowance. I've added an explanation to your file.",
    ],
    "facilities": [
        "The chair has been replaced.",
        "You have parking space P2-17 from the first of next month; your badge opens the barrier.",
    ],
    "hr-cases": [
        "As agreed in our conversation we close this request; you can always reopen it.",
    ],
}

REQUESTER_REPLIES = [
    "Thanks! Here is the information you asked for.",
    "It happens in the office too, on both the wired network and Wi-Fi.",
    "Yes, from the first of next month please.",
    "Any news on this? It's getting urgent for me.",
    "That worked, thank you!",
]

WAITING_ON_REQUESTER = [
    "Could you send us a photo of the error message?",
    "Could you confirm which dates you mean?",
    "Could you try once more and tell us whether it still happens?",
]

NOTES = [
    "Checked with the supplier: delivery next Tuesday.",
    "Same issue as last month's ticket from this department; linking.",
    "Escalated to the second line, waiting for their analysis.",
    "Called the requester, no answer. Will try again tomorrow.",
]

RATING_COMMENTS = {
    5: ["Quick and friendly, thanks!", "Solved within the hour. Great.", "Very helpful."],
    4: ["Good, but it took a few days.", "Fine, thank you."],
    3: ["It works now, but I had to ask twice."],
    2: ["Took more than a week for something simple."],
    1: ["Nobody answered my questions; closed without asking me."],
}

REJECTIONS = {
    "new-laptop": "Your current laptop is less than two years old; let's first see whether "
    "the service desk can fix the battery.",
    "working-hours": "Let's discuss this in our next one-to-one first; the planning for the "
    "peak season is tight.",
    "shared-drive-access": "The finance folder holds salary data; please ask your manager to "
    "request the report for you instead.",
}

SEARCHES = [
    ("laptop battery", 4),
    ("reset password", 6),
    ("printer jam", 3),
    ("holiday allowance", 5),
    ("parking", 2),
]
