"""The web chat: a Gradio page over bot.engine.ChatEngine that formats and displays, never retrieves.

    render.py    HTML through templates/*.html (Jinja2, autoescaped); plot.py lays out the timeline's SVG
    export.py    the conversation as Markdown; labels.py: wording shared by HTML and Markdown
    state.py     Turn: the session's finished turns (the history follow-ups are read against)
"""
