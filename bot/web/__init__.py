"""The web chat: a Gradio page over bot.engine.ChatEngine that formats and displays, never retrieves.

Start at server.py (prepare_app, serve), then:
    page.py      build_page: the layout wired to the handlers
    layout.py    the components (Page) and their element ids
    handlers.py  the event handlers: (app, page, inputs) -> {component: value}
    chat_app.py  ChatApp: engine, corpus profile, example questions, loaded once
    state.py     Turn: the session's finished turns (the history follow-ups are read against)
    render.py    HTML through templates/*.html (Jinja2, autoescaped); plot.py lays out the timeline's SVG
    export.py    the conversation as Markdown; labels.py: wording shared by HTML and Markdown
    filters.py   the filter panel's values as retrieval Filters
    static/      CSS, and one script per feature: passage_viewer.js (the dialog that shows a cited passage),
                 passage_archive.js, narrow.js (folds the filters on a phone), answer_top.js (a new question
                 moves to the chat's top, its answer read from its start)
"""
