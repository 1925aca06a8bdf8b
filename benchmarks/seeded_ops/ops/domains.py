"""The business domains an incident can come from: the words of one event feed and its dimension.

Each domain is one event table (what happened, to which entity, when, for how much) and one dimension of
its entities grouped into a coarser unit (a ward into a hospital, a meter into a feeder). Names here are
logical, snake_case; a world spells them in its system's naming convention.
"""

from __future__ import annotations

from pydantic import BaseModel


class Domain(BaseModel):
    key: str  # short slug, part of the incident id
    what: str  # the events in words, for descriptions
    fact: str  # the event table
    event: str  # one event, for the id column
    entity: str  # the entity an event belongs to
    entity_label: str  # stem of an entity's display name
    group: str  # the coarser unit of the dimension
    groups: list[str]
    ts: str  # when the event happened
    measure: str  # the money or quantity summed
    lo: float
    hi: float
    qty: str  # a small count per event
    qty_hi: int
    kind: str  # a category of the event
    kinds: list[str]


DOMAINS: list[Domain] = [
    Domain(key="admissions", what="hospital admissions", fact="admissions", event="admission", entity="ward",
           entity_label="Ward", group="hospital", groups=["north_general", "st_marys", "riverside"],
           ts="admitted_at", measure="charge", lo=120, hi=4800, qty="bed_days", qty_hi=9,
           kind="admission_type", kinds=["elective", "emergency", "transfer"]),
    Domain(key="payroll", what="payroll postings", fact="pay_lines", event="pay_line", entity="employee",
           entity_label="Employee", group="department", groups=["finance", "operations", "sales", "it"],
           ts="posted_at", measure="gross_pay", lo=40, hi=900, qty="hours", qty_hi=12,
           kind="pay_code", kinds=["regular", "overtime", "holiday"]),
    Domain(key="metering", what="grid meter readings", fact="meter_reads", event="read", entity="meter",
           entity_label="Meter", group="feeder", groups=["fd_east", "fd_west", "fd_central"],
           ts="read_at", measure="kwh", lo=0.2, hi=9.5, qty="phase", qty_hi=3,
           kind="read_type", kinds=["actual", "estimated"]),
    Domain(key="shipping", what="container shipments", fact="shipments", event="shipment", entity="vessel",
           entity_label="Vessel", group="port", groups=["rotterdam", "antwerp", "hamburg"],
           ts="shipped_at", measure="freight_cost", lo=300, hi=12000, qty="teu", qty_hi=6,
           kind="service", kinds=["express", "standard", "economy"]),
    Domain(key="labs", what="clinical lab results", fact="lab_results", event="result", entity="analyser",
           entity_label="Analyser", group="lab", groups=["haematology", "biochemistry", "microbiology"],
           ts="resulted_at", measure="turnaround_min", lo=5, hi=240, qty="tests", qty_hi=8,
           kind="priority", kinds=["routine", "urgent", "stat"]),
    Domain(key="cdrs", what="telecom call detail records", fact="call_records", event="call", entity="cell",
           entity_label="Cell", group="region", groups=["metro", "coastal", "upland"],
           ts="started_at", measure="duration_s", lo=3, hi=3600, qty="hops", qty_hi=4,
           kind="call_type", kinds=["voice", "sms", "data"]),
    Domain(key="hotel", what="hotel stays", fact="stays", event="stay", entity="room",
           entity_label="Room", group="property", groups=["harbour_view", "old_town", "airport"],
           ts="checked_in_at", measure="room_revenue", lo=60, hi=950, qty="nights", qty_hi=7,
           kind="rate_plan", kinds=["flex", "advance", "corporate"]),
    Domain(key="farm", what="farm harvest weighings", fact="harvest_loads", event="load", entity="field",
           entity_label="Field", group="farm", groups=["hill_farm", "low_meadow", "brook_end"],
           ts="weighed_at", measure="yield_kg", lo=200, hi=5200, qty="bins", qty_hi=10,
           kind="crop", kinds=["wheat", "barley", "rapeseed"]),
    Domain(key="adtech", what="ad impressions", fact="impressions", event="impression", entity="campaign",
           entity_label="Campaign", group="advertiser", groups=["acme", "globex", "initech"],
           ts="served_at", measure="cost_micros", lo=100, hi=9000, qty="clicks", qty_hi=3,
           kind="placement", kinds=["search", "display", "video"]),
    Domain(key="retail", what="till transactions", fact="till_sales", event="sale", entity="store",
           entity_label="Store", group="district", groups=["north", "south", "city"],
           ts="sold_at", measure="basket_value", lo=2, hi=320, qty="items", qty_hi=15,
           kind="tender", kinds=["card", "cash", "voucher"]),
    Domain(key="transit", what="transit card taps", fact="card_taps", event="tap", entity="station",
           entity_label="Station", group="line", groups=["red", "blue", "green"],
           ts="tapped_at", measure="fare", lo=1.2, hi=7.8, qty="zones", qty_hi=5,
           kind="fare_type", kinds=["adult", "concession", "child"]),
    Domain(key="warehouse", what="warehouse picks", fact="picks", event="pick", entity="picker",
           entity_label="Picker", group="zone", groups=["ambient", "chilled", "frozen"],
           ts="picked_at", measure="pick_seconds", lo=8, hi=600, qty="units", qty_hi=20,
           kind="pick_type", kinds=["each", "case", "pallet"]),
    Domain(key="insurance", what="insurance claims", fact="claims", event="claim", entity="policy",
           entity_label="Policy", group="product", groups=["motor", "home", "travel"],
           ts="reported_at", measure="claim_amount", lo=50, hi=15000, qty="items", qty_hi=4,
           kind="peril", kinds=["theft", "water", "collision"]),
    Domain(key="banking", what="card payments", fact="card_payments", event="payment", entity="merchant",
           entity_label="Merchant", group="sector", groups=["grocery", "fuel", "travel"],
           ts="authorised_at", measure="amount", lo=1, hi=1500, qty="installments", qty_hi=3,
           kind="channel", kinds=["chip", "contactless", "online"]),
    Domain(key="fleet", what="vehicle telematics trips", fact="trips", event="trip", entity="vehicle",
           entity_label="Vehicle", group="depot", groups=["depot_a", "depot_b", "depot_c"],
           ts="departed_at", measure="distance_km", lo=1, hi=420, qty="stops", qty_hi=12,
           kind="trip_purpose", kinds=["delivery", "service", "return"]),
    Domain(key="school", what="school attendance marks", fact="attendance_marks", event="mark", entity="class",
           entity_label="Class", group="school", groups=["elm_park", "hillcrest", "st_johns"],
           ts="marked_at", measure="minutes_present", lo=0, hi=60, qty="period", qty_hi=6,
           kind="mark_code", kinds=["present", "late", "absent"]),
    Domain(key="water", what="water network sensor reads", fact="pressure_reads", event="reading",
           entity="sensor", entity_label="Sensor", group="district", groups=["dma_01", "dma_02", "dma_03"],
           ts="sampled_at", measure="pressure_bar", lo=0.8, hi=6.5, qty="samples", qty_hi=4,
           kind="sensor_state", kinds=["ok", "degraded"]),
    Domain(key="airline", what="flight boardings", fact="boardings", event="boarding", entity="flight",
           entity_label="Flight", group="hub", groups=["lhr", "cdg", "ams"],
           ts="boarded_at", measure="ticket_price", lo=40, hi=2400, qty="bags", qty_hi=3,
           kind="cabin", kinds=["economy", "premium", "business"]),
    Domain(key="pharmacy", what="pharmacy dispensings", fact="dispensings", event="dispensing",
           entity="pharmacy", entity_label="Pharmacy", group="region", groups=["east", "west", "central"],
           ts="dispensed_at", measure="ingredient_cost", lo=1, hi=450, qty="packs", qty_hi=6,
           kind="rx_type", kinds=["acute", "repeat", "otc"]),
    Domain(key="gaming", what="game sessions", fact="game_sessions", event="session", entity="server",
           entity_label="Server", group="shard", groups=["eu1", "us1", "ap1"],
           ts="joined_at", measure="session_minutes", lo=1, hi=300, qty="matches", qty_hi=9,
           kind="platform", kinds=["pc", "console", "mobile"]),
    Domain(key="library", what="library loans", fact="loans", event="loan", entity="branch",
           entity_label="Branch", group="borough", groups=["camden", "hackney", "islington"],
           ts="loaned_at", measure="late_fee", lo=0, hi=12, qty="renewals", qty_hi=3,
           kind="media", kinds=["book", "dvd", "audiobook"]),
    Domain(key="parking", what="car park sessions", fact="parking_sessions", event="parking",
           entity="car_park", entity_label="Car park", group="council_area", groups=["centre", "harbour", "ring"],
           ts="entered_at", measure="tariff_paid", lo=1, hi=38, qty="hours", qty_hi=10,
           kind="payment_method", kinds=["app", "card", "permit"]),
    Domain(key="solar", what="solar inverter yields", fact="inverter_yields", event="yield_record",
           entity="inverter", entity_label="Inverter", group="site", groups=["sunfield", "ridge", "marsh"],
           ts="logged_at", measure="energy_kwh", lo=0.1, hi=48, qty="strings", qty_hi=8,
           kind="inverter_mode", kinds=["mppt", "limited", "standby"]),
    Domain(key="courier", what="courier deliveries", fact="deliveries", event="delivery", entity="courier",
           entity_label="Courier", group="hub", groups=["hub_north", "hub_south", "hub_west"],
           ts="delivered_at", measure="delivery_fee", lo=2, hi=60, qty="parcels", qty_hi=9,
           kind="service_level", kinds=["same_day", "next_day", "economy"]),
]  # fmt: skip
