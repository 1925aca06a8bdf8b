from agentic_assets.cli.main import app

app(prog_name="agentic-assets")
