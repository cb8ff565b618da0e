"""Fixed names for the demo org: people, regions, customers, product families and products.

Lists, never sets: iteration order must be the same in every run, so the demo org is
byte-for-byte reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = ("North America", "EMEA", "APAC", "LATAM")

#: Country, state and legal-form suffixes per region, in rotation.
REGION_PLACES: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "North America": (
        ("United States", "OH", "Inc."),
        ("United States", "MI", "LLC"),
        ("United States", "TX", "Corp."),
        ("Canada", "ON", "Ltd."),
        ("United States", "IL", "Inc."),
        ("United States", "PA", "Co."),
    ),
    "EMEA": (
        ("Germany", "BY", "GmbH"),
        ("United Kingdom", None, "Ltd"),
        ("France", None, "S.A."),
        ("Italy", None, "S.p.A."),
        ("Netherlands", None, "B.V."),
        ("Poland", None, "Sp. z o.o."),
    ),
    "APAC": (
        ("Japan", None, "K.K."),
        ("Australia", "NSW", "Pty Ltd"),
        ("China", None, "Co., Ltd."),
        ("India", "MH", "Pvt. Ltd."),
        ("South Korea", None, "Co., Ltd."),
        ("Singapore", None, "Pte. Ltd."),
    ),
    "LATAM": (
        ("Mexico", "NL", "S.A. de C.V."),
        ("Brazil", "SP", "Ltda."),
        ("Chile", None, "S.A."),
        ("Colombia", None, "S.A.S."),
        ("Argentina", None, "S.R.L."),
        ("Peru", None, "S.A.C."),
    ),
}

ACCOUNT_STEMS = (
    "Northwind",
    "Apex",
    "Keystone",
    "Ironbridge",
    "Summit",
    "Bluewater",
    "Redline",
    "Granite",
    "Harbor",
    "Silverline",
    "Cobalt",
    "Pioneer",
    "Atlas",
    "Meridian",
    "Falcon",
    "Cedar",
    "Vanguard",
    "Orion",
    "Sterling",
    "Crestview",
    "Trident",
    "Evergreen",
    "Highland",
    "Polaris",
    "Riverside",
    "Titan",
    "Beacon",
    "Cascade",
    "Forge",
    "Lakeshore",
    "Nordic",
    "Pacific",
    "Quantum",
    "Ridgeway",
    "Sentinel",
    "Triton",
    "Union",
    "Vertex",
    "Westfield",
    "Zenith",
    "Alder",
    "Brightwater",
    "Copperfield",
    "Delta",
    "Eastgate",
    "Fairmont",
    "Glenwood",
    "Horizon",
    "Ironwood",
    "Juniper",
    "Kingsley",
    "Larkspur",
    "Maple",
    "Newport",
    "Oakridge",
    "Prairie",
    "Quarry",
    "Rockport",
    "Stonebridge",
    "Tidewater",
)
ACCOUNT_KINDS = (
    "Machining",
    "Fabrication",
    "Plastics",
    "Packaging",
    "Agri Equipment",
    "Automation",
    "Mining Equipment",
    "Pumps",
    "Industrial",
    "Robotics",
    "Heavy Trucks",
    "Marine Systems",
    "Rail Systems",
    "Energy Systems",
    "Compressors",
    "Conveyors",
    "Cranes",
    "Food Processing",
    "Paper Mills",
    "Steelworks",
    "Tooling",
    "Aerospace Parts",
    "Forklifts",
    "HVAC",
    "Printing Systems",
    "Water Treatment",
    "Wind Components",
    "Castings",
    "Extrusions",
    "Process Controls",
)
INDUSTRIES = (
    "Manufacturing",
    "Machinery",
    "Energy",
    "Transportation",
    "Agriculture",
    "Construction",
)
ACCOUNT_TYPES = ("Customer - Direct", "Customer - Channel", "Distributor", "OEM")

#: One clearly named demo account whose name must reach the workbook as text: it carries a
#: formula sign and the SUMIFS wildcards (``*``, ``?``, ``~``) that the Summary must match
#: literally. It sorts last in the demo rep's book, so the first accounts read as customers.
#: The hostile names (``=HYPERLINK(...)``, ``+1 Industries``, ...) are in the test fixtures.
TEXT_SAFETY_ACCOUNT = "Zz Text-Safety Test (=SUM(1) * ? ~ stays text)"

FIRST_NAMES = (
    "Jordan",
    "Priya",
    "Mateo",
    "Sofia",
    "Kenji",
    "Amara",
    "Lukas",
    "Chloe",
    "Rahul",
    "Isabel",
    "Tomasz",
    "Hannah",
    "Diego",
    "Mei",
    "Oliver",
    "Fatima",
    "Noah",
    "Ingrid",
    "Carlos",
    "Aiko",
    "Samuel",
    "Elena",
    "Arjun",
    "Lucia",
    "Finn",
    "Nadia",
    "Marco",
    "Yuki",
    "Gabriel",
    "Leah",
    "Omar",
    "Freya",
    "Andre",
    "Sakura",
    "Viktor",
    "Camila",
    "Ethan",
    "Zara",
    "Pablo",
    "Anika",
)
LAST_NAMES = (
    "Reyes",
    "Novak",
    "Chen",
    "Schmidt",
    "Okafor",
    "Larsen",
    "Moreau",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Patel",
    "Fischer",
    "Romero",
    "Nakamura",
    "Bauer",
    "Haddad",
    "Lindqvist",
    "Costa",
    "Murphy",
    "Ivanova",
    "Kim",
    "Rossi",
    "Santos",
    "Weber",
    "Dubois",
    "Singh",
    "Alvarez",
    "Jensen",
    "Sato",
    "Mendes",
    "Hughes",
    "Becker",
    "Ortega",
    "Yamamoto",
    "Nilsen",
    "Ferreira",
    "Kaur",
    "Castillo",
    "Lambert",
    "Park",
)


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    family: str
    price: float  # unit price in the org currency
    units: float  # typical monthly units for a mid-sized account


FAMILIES = ("Hydraulics", "Bearings", "Fasteners", "Motors", "Sensors", "Valves")

PRODUCTS = (
    ProductSpec("HX-200", "HX-200 Hydraulic Pump", "Hydraulics", 1850.0, 14),
    ProductSpec("HX-350", "HX-350 Hydraulic Cylinder", "Hydraulics", 920.0, 30),
    ProductSpec("HX-500", "HX-500 Hydraulic Power Unit", "Hydraulics", 2400.0, 8),
    ProductSpec("BR-10", "BR-10 Deep Groove Ball Bearing", "Bearings", 12.5, 1800),
    ProductSpec("BR-20", "BR-20 Tapered Roller Bearing", "Bearings", 38.0, 650),
    ProductSpec("BR-30", "BR-30 Thrust Bearing", "Bearings", 64.0, 300),
    ProductSpec("FS-M8", "FS-M8 Hex Bolt Kit", "Fasteners", 4.2, 5200),
    ProductSpec("FS-M12", "FS-M12 Anchor Bolt", "Fasteners", 2.9, 7400),
    ProductSpec("FS-SS", "FS-SS Stainless Screw Pack", "Fasteners", 7.8, 2600),
    ProductSpec("MT-1", "MT-1 AC Induction Motor 5 kW", "Motors", 640.0, 40),
    ProductSpec("MT-2", "MT-2 Servo Motor", "Motors", 1120.0, 22),
    ProductSpec("MT-3", "MT-3 DC Gear Motor", "Motors", 310.0, 85),
    ProductSpec("SN-P", "SN-P Pressure Sensor", "Sensors", 145.0, 160),
    ProductSpec("SN-T", "SN-T Temperature Probe", "Sensors", 58.0, 420),
    ProductSpec("SN-L", "SN-L Inductive Proximity Sensor", "Sensors", 36.0, 700),
    ProductSpec("VL-B", "VL-B Ball Valve DN50", "Valves", 210.0, 120),
    ProductSpec("VL-G", "VL-G Gate Valve DN100", "Valves", 480.0, 50),
    ProductSpec("VL-C", "VL-C Check Valve DN80", "Valves", 265.0, 90),
)

#: Seasonality per family: amplitude (share of the level) and the month of the peak.
SEASONALITY = {
    "Hydraulics": (0.18, 4),
    "Bearings": (0.10, 10),
    "Fasteners": (0.22, 5),
    "Motors": (0.12, 9),
    "Sensors": (0.08, 11),
    "Valves": (0.15, 6),
}

ADJUSTMENT_NOTES = (
    "Customer confirmed new line ramp-up from this month.",
    "Distributor destocking; orders pushed out.",
    "Plant shutdown for maintenance announced by customer.",
    "Won the replacement business from a competitor.",
    "Customer's own forecast is lower after a weak quarter.",
    "Price increase accepted; volume kept.",
    "Project delayed by the customer's permitting.",
    "Pulled forward ahead of the price change.",
)
