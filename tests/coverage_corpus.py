"""A small corpus for the topic views: seven articles on the Lakeview dam repair from three outlets over four
weeks, and twenty-four on other things, so a topic stands out from the rest of the index."""

from __future__ import annotations

from pathlib import Path

TOPIC_QUESTION = "How much will the Lakeview dam repair cost?"

ON_TOPIC = [
    ("dam-cracks", "Cracks found in the Lakeview dam", "Valley Gazette", "2023-10-02",
     "Inspectors found deep cracks in the concrete wall of the Lakeview dam on Monday. The county engineer said the "
     "dam repair would have to start before the winter rains raise the reservoir."),
    ("dam-estimate", "Lakeview dam repair estimated at 40 million dollars", "Valley Gazette", "2023-10-04",
     "The county estimates that the Lakeview dam repair will cost 40 million dollars and take two years. Engineers "
     "will lower the reservoir by four metres while the cracked wall of the dam is rebuilt."),
    ("dam-vote", "County votes to fund the Lakeview dam repair", "Hill Courier", "2023-10-11",
     "The county council voted on Wednesday to fund the Lakeview dam repair with a bond of 40 million dollars. "
     "Council members said the cracked dam wall put the towns below the reservoir at risk."),
    ("dam-contract", "Builder chosen for the Lakeview dam repair", "Hill Courier", "2023-10-13",
     "Stonebridge Works won the contract for the Lakeview dam repair after bidding 38 million dollars. The company "
     "will start pouring new concrete into the cracked wall of the dam in November."),
    ("dam-reservoir", "Lakeview reservoir lowered for the dam repair", "Valley Gazette", "2023-10-18",
     "Water managers began lowering the Lakeview reservoir by four metres on Tuesday so that the dam repair can "
     "begin. Boat ramps on the lake will stay closed until the cracked dam wall is rebuilt."),
    ("dam-farmers", "Farmers worry about water during the Lakeview dam repair", "River Post", "2023-10-19",
     "Farmers below the Lakeview dam said the lowered reservoir could leave their fields short of water during the "
     "dam repair. The county promised to release enough water from the dam for next year's crops."),
    ("dam-start", "Work begins on the Lakeview dam repair", "River Post", "2023-10-26",
     "Crews started the Lakeview dam repair on Thursday, drilling out the cracked concrete of the dam wall. The "
     "county said the repair of the dam is on budget at 40 million dollars."),
]

OFF_TOPIC = [
    ("chess", "Local chess club wins the regional title", "Valley Gazette", "2023-10-05",
     "The Pine Street chess club won the regional team title on Saturday after beating three clubs from the coast."),
    ("bakery", "New bakery opens on Market Square", "Hill Courier", "2023-10-06",
     "A bakery selling sourdough bread and cinnamon rolls opened on Market Square this week, run by two sisters."),
    ("marathon", "City marathon draws record crowd", "River Post", "2023-10-09",
     "More than twelve thousand runners took part in the city marathon on Sunday, a record for the race."),
    ("library", "Library extends its opening hours", "Valley Gazette", "2023-10-12",
     "The public library will stay open until nine in the evening on weekdays from next month, the board said."),
    ("concert", "Orchestra plays a free concert in the park", "Hill Courier", "2023-10-16",
     "The city orchestra played symphonies by Haydn and Mozart to an audience of families in the park on Sunday."),
    ("school", "School adds a robotics course", "River Post", "2023-10-17",
     "Students at Northside High School can now take a robotics course in which they build and program robots."),
    ("football", "Rovers win the cup final", "River Post", "2023-10-22",
     "The Rovers won the football cup final 2-0 on Saturday with two goals from their young striker."),
    ("garden", "Community garden harvests pumpkins", "Valley Gazette", "2023-10-24",
     "Volunteers at the community garden harvested more than two hundred pumpkins for the autumn fair."),
    ("museum", "Museum shows old maps of the region", "Hill Courier", "2023-10-25",
     "The history museum opened an exhibition of hand-drawn maps of the region from the seventeenth century."),
]

# More of a town's ordinary news, so that the topic is a small part of the index as in a real one.
OTHER_NEWS = [
    "A new cycle lane now links the station to the university campus.",
    "The zoo welcomed two red panda cubs born during the summer.",
    "Bus fares will rise by ten cents from January, the transport board said.",
    "The town hall clock was repaired and chimes again after three silent years.",
    "A jazz festival filled the old harbour warehouses over the weekend.",
    "The hospital opened a children's ward with twenty new beds.",
    "Firefighters rescued a cat stuck on the roof of the cinema.",
    "The theatre staged a sold-out production of a Shakespeare comedy.",
    "A food market with stalls from twelve countries opens every Friday evening.",
    "The swimming pool reopened after new tiles were laid in both basins.",
    "Volunteers planted three hundred oak trees along the ring road.",
    "The airport added direct flights to two holiday islands for the spring.",
    "A local author won a national prize for her first crime novel.",
    "The tennis club hosted a junior tournament with players from six towns.",
    "Police warned residents about a wave of bicycle thefts near the station.",
]


def write_corpus(folder: Path) -> Path:
    """Write the corpus as Markdown articles with front matter into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    outlets = ["Valley Gazette", "Hill Courier", "River Post"]
    other = [(f"news-{i}", text.split(" ")[1].capitalize() + " news", outlets[i % 3], f"2023-10-{i + 1:02d}", text)
             for i, text in enumerate(OTHER_NEWS)]
    for slug, title, outlet, day, body in ON_TOPIC + OFF_TOPIC + other:
        host = outlet.lower().replace(" ", "-")
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: {title}\nsource: {outlet}\npublished_at: {day}T08:00:00Z\n"
            f"url: https://{host}.example/{slug}\ncategory: local\n---\n{body}\n", encoding="utf-8")
    return folder
